/**
 * What a result should be: the float64 model's values, the magnitudes M
 * (the model on absolute values) and the term counts n of the comparator's
 * bound, for conv2d, its three gradients and convTranspose2d.
 */
import type { Tensor } from '../../src/index.js';
import type { Conventions } from '../support.js';
import { dtypeOfTensor } from '../tensors.js';
import type { ConvCase, TransposeCase } from '../types.js';
import type { Expectation } from './compare.js';
import { resolveConv, resolveTranspose } from './formulas.js';
import { modelConv2dBackward, modelConv2dWithTerms, modelConvTranspose2d, type ModelGradients } from './model.js';

/**
 * The expectation of `conv2d(c.input, c.weight, c.options)`:
 * n = the real taps of each output (KH·KW·C/groups away from zero padding), +1 with a bias;
 * M = |X| ⋆ |K| + |b|. The declared `conventions` say where `'same'` puts
 * its odd pad and whether a NaN/±Inf weight on a zero-padding tap gives NaN.
 * @example compareBounded(impl.conv2d(c.input, c.weight, c.options), forwardExpectation(c))
 */
export function forwardExpectation(c: ConvCase, conventions: Conventions = {}): Expectation {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options, conventions.same);
  const bias = c.options.bias ?? null;
  const { value, terms } = modelConv2dWithTerms(r, c.input, c.weight, bias, false, conventions.padded);
  return {
    label: 'conv2d output',
    shape: r.outputShape,
    dtype: dtypeOfTensor(c.input),
    value,
    magnitude: modelConv2dWithTerms(r, c.input, c.weight, bias, true).value,
    terms,
  };
}

/** Expectations of the three gradients of a conv2d case for upstream gradient `dy`. */
export interface GradientExpectations {
  /** M = the model's gradInput on |dY| and |K|; n counted per element (padding-mode copies folded in). */
  readonly gradInput: Expectation;
  /** M = |X| ⋆ |dY| over batch and space; n counted per element. */
  readonly gradWeight: Expectation;
  /** M = Σ|dY| per channel; n = N·OH·OW. */
  readonly gradBias: Expectation;
}

/**
 * The expectations of `conv2dBackward(dy, c.input, c.weight, c.options)`.
 * @param dy the upstream gradient, shaped like the forward output
 * @example
 * const e = gradientExpectations(c, dy);
 * compareBounded(impl.conv2dBackward(dy, c.input, c.weight, c.options).gradWeight, e.gradWeight);
 */
export function gradientExpectations(c: ConvCase, dy: Tensor, conventions: Conventions = {}): GradientExpectations {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options, conventions.same);
  const v = modelConv2dBackward(r, c.input, c.weight, dy);
  const m = modelConv2dBackward(r, c.input, c.weight, dy, true);
  return expectationsOf(c, r.O, v, m);
}

/**
 * The three gradients' expectations from a model's values `v` and magnitudes `m` (the same model on
 * absolute values), shaped like the case's input, weight and `[O]`.
 * @example expectationsOf(c, r.O, model(r, x, w, dy), model(r, x, w, dy, true)).gradWeight.label // 'gradWeight'
 */
export function expectationsOf(
  c: { readonly input: Tensor; readonly weight: Tensor },
  O: number,
  v: ModelGradients,
  m: ModelGradients,
): GradientExpectations {
  const dtype = dtypeOfTensor(c.input);
  const expect =
    (label: string, shape: readonly number[], value: Float64Array, magnitude: Float64Array) =>
    (terms: number | Float64Array): Expectation => ({ label, shape, dtype, value, magnitude, terms });
  return {
    gradInput: expect('gradInput', c.input.shape, v.gradInput, m.gradInput)(v.inputTerms),
    gradWeight: expect('gradWeight', c.weight.shape, v.gradWeight, m.gradWeight)(v.weightTerms),
    gradBias: expect('gradBias', [O], v.gradBias, m.gradBias)(v.biasTerms),
  };
}

/**
 * What `convTranspose2d(c.input, c.weight, c.options)` must return, with its error bound.
 * @example compareBounded(impl.convTranspose2d(c.input, c.weight, c.options), transposeExpectation(c))
 */
export function transposeExpectation(c: TransposeCase): Expectation {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const bias = c.options.bias ?? null;
  const { value, terms } = modelConvTranspose2d(r, c.input, c.weight, bias);
  return {
    label: 'convTranspose2d output',
    shape: r.outputShape,
    dtype: dtypeOfTensor(c.input),
    value,
    magnitude: modelConvTranspose2d(r, c.input, c.weight, bias, true).value,
    terms,
  };
}
