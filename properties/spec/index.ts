/**
 * The specification side of convproof, in one place: the formulas as the
 * suite states them, the float64 model (a different algorithm from
 * `src/reference`), the expectations built from it and the one comparator.
 * Every property, oracle plan and test imports these; nothing restates them.
 */
export {
  axisOutput,
  effectiveKernel,
  explicitPads,
  padsOf,
  pairOf,
  resolveConv,
  resolveTranspose,
  restoringOutputPadding,
  restoringTransposeOptions,
  sameOutput,
  sameLowerPads,
  sameSide,
  sameUpperPads,
  type SameConvention,
  sourcePixel,
  transposedAxis,
  transposedSize,
  type Pads,
  type ResolvedConv,
  type ResolvedTranspose,
} from './formulas.js';
export {
  dataShapeNCHW,
  filterShapeOIHW,
  fromData,
  fromFilter,
  permute,
  toData,
  toFilter,
  type DataFormat,
  type FilterFormat,
} from './layout.js';
export {
  forEachScatterTerm,
  modelConvTranspose2dBackward,
  transposeGradientExpectations,
  type TransposeGradientExpectations,
} from './transpose-gradients.js';
export {
  forEachTap,
  modelConv2d,
  modelConv2dBackward,
  modelConv2dWithTerms,
  modelConvTranspose2d,
  padInput,
  type ModelGradientChoice,
  type ModelGradients,
} from './model.js';
export {
  ComparisonError,
  compareBounded,
  compareCombined,
  compareExact,
  compareNormwise,
  compareWithin,
  elementBound,
  expectWithin,
  metamorphicTolerance,
  normwiseTerms,
  expectBounded,
  expectExact,
  gamma,
  TOLERANCE,
  unitRoundoff,
  type Combination,
  type Comparison,
  type Difference,
  DIFFERENCES_KEPT,
  type Expectation,
  type MetamorphicScale,
  type Precision,
} from './compare.js';
export {
  forwardExpectation,
  gradientExpectations,
  transposeExpectation,
  type GradientExpectations,
} from './expectations.js';
