/**
 * The suite's arbitraries, one per file: `convValue` (element values),
 * `tensorData` (tensors of a shape), `convConfig` (valid configurations),
 * `convCase` (configurations with data), and `riskyRegions` to measure
 * their coverage.
 */
export { convValue, sampleValue, valueDefaults, type ConvValueConstraints } from './convValue.js';
export { tensorData, type TensorDataConstraints } from './tensorData.js';
export {
  convConfig,
  LARGE_CHANNEL_CLASSES,
  PADDING_KINDS,
  PADDING_MODES,
  type ConvConfig,
  type ConvConfigConstraints,
  type LargeArmConstraints,
  type PaddingKind,
} from './convConfig.js';
export {
  caseData,
  convCase,
  printable,
  showCase,
  showOptions,
  showTensor,
  type ConvCaseConstraints,
  type GeneratedCase,
} from './convCase.js';
export { riskyRegions, RISKY_REGIONS, type RiskyRegion } from './regions.js';
