/**
 * `convproof/properties`: the property-based verification suite, reusable
 * against any conv implementation with convproof's signatures.
 *
 * What a user of the suite needs, and nothing else: `verify` and its
 * report, the arbitraries that draw valid cases, the comparator with the
 * expectations of the float64 model, the TensorFlow.js oracles, the
 * property registry, the profiles and environment settings, and the types
 * of all of these. (The suite's internals stay importable by path for
 * convproof's own tests; they are not part of the package's API.)
 *
 * @example
 * import { verify, formatReport } from 'convproof/properties';
 * import * as mine from './my-conv.js';
 * const report = await verify(mine, { profile: 'quick', seed: 42 });
 * console.log(formatReport(report));
 */
export { verify, formatReport, type PropertyReport, type VerifyOptions, type VerifyReport } from './verify.js';
export { convCase, convConfig, convValue, tensorData } from './arbitraries/index.js';
export { transposeCase } from './transpose.js';
export {
  compareBounded,
  forwardExpectation,
  gradientExpectations,
  transposeExpectation,
  type Comparison,
  type Expectation,
} from './spec/index.js';
export { loadOracles } from './oracles/index.js';
export { registry } from './registry.js';
export { PROFILES, suiteEnv, type Profile } from './profile.js';
export { UnsupportedCase, type Conventions, type Supports } from './support.js';
export type {
  ConvCase,
  ConvImplementation,
  Oracle,
  PropertyContext,
  PropertyDefinition,
  TransposeCase,
} from './types.js';
