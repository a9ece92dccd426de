/**
 * `convproof/properties`: the property-based verification suite, reusable
 * against any conv implementation with convproof's signatures.
 *
 * @example
 * import { verify, formatReport } from 'convproof/properties';
 * import * as mine from './my-conv.js';
 * const report = await verify(mine, { profile: 'quick', seed: 42 });
 * console.log(formatReport(report));
 */
export * from './arbitraries/index.js';
export {
  ComparisonError,
  compareBounded,
  compareExact,
  expectBounded,
  expectExact,
  forwardExpectation,
  gamma,
  gradientExpectations,
  TOLERANCE,
  unitRoundoff,
  type Comparison,
  type Expectation,
  type GradientExpectations,
} from './compare.js';
export { BREAKAGES, errorProperties, type Breakage } from './errors.js';
export { dilateKernel, forwardProperties, padInput, swapAxes } from './forward.js';
export { gradientProperties, transposeOptionsRestoring } from './gradients.js';
export {
  axisOutput,
  explicitPads,
  forEachTap,
  modelConv2d,
  modelConv2dBackward,
  resolveConv,
  sameUpperPads,
  sourcePixel,
  type ModelGradients,
  type ResolvedConv,
} from './model.js';
export { oracleProperties } from './oracle-properties.js';
export {
  cpuSpec,
  loadOracles,
  nodeSpec,
  tfjsOracle,
  wasmSpec,
  wasmSameZerosCondition,
  type OracleName,
  type TfjsApi,
  type TfjsBackendSpec,
} from './oracles/index.js';
export {
  PROFILES,
  QUICK_LIMITS,
  suiteEnv,
  type EnvMap,
  type Profile,
  type ProfileName,
  type SuiteEnv,
} from './profile.js';
export { registry } from './registry.js';
export { riskyProperties } from './risky.js';
export { scenario, showValue, type Scenario, type ScenarioConstraints } from './scenario.js';
export {
  resolveTranspose,
  scatterTranspose,
  transposeCase,
  transposedSize,
  transposeExpectation,
  transposeProperties,
  type ResolvedTranspose,
  type TransposeCase,
  type TransposeCaseConstraints,
} from './transpose.js';
export {
  cliReplay,
  formatFailure,
  formatReport,
  runProperty,
  runSettings,
  shellQuote,
  verify,
  vitestReplay,
  type FailureReport,
  type OracleStatus,
  type ProgressEvent,
  type PropertyReport,
  type ReplayInfo,
  type RunSettings,
  type VerifyOptions,
  type VerifyReport,
} from './verify.js';
export type * from './types.js';
