/**
 * Everything the fuzzer (and the test/invariants-*.test.ts files) takes from the
 * verification suite, in one place: the arbitraries of valid cases, the
 * suite's own float64 model and formulas as expectations, the comparator,
 * tensor helpers and the profile. Nothing here comes from src/reference:
 * the expectations are the specification's, never the implementation's.
 */
export {
  caseData,
  convConfig,
  printable,
  showCase,
  showTensor,
  tensorData,
  type ConvConfig,
  type GeneratedCase,
} from '../../properties/arbitraries/index.js';
export {
  expectBounded,
  forEachTap,
  forwardExpectation,
  gradientExpectations,
  resolveConv,
  resolveTranspose,
  transposeExpectation,
  transposeGradientExpectations,
  type Expectation,
} from '../../properties/spec/index.js';
export { suiteEnv } from '../../properties/profile.js';
export {
  count,
  dtypeOfTensor,
  fromFunction,
  reshape,
  sameShape,
  showShape,
  storage,
} from '../../properties/tensors.js';
export { transposeCase } from '../../properties/transpose.js';
export type { SizeLimits, TransposeCase } from '../../properties/types.js';
