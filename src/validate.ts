/**
 * Boundary validation of the public kernels: each public call (and each
 * reference kernel) runs one of these checks once, before any allocation or
 * work, and then trusts what it returns. The checks are the same, in the
 * same order, for every backend and for `convproof/reference`, so a bad call
 * throws the same `ConvError` (code and message) whichever kernels it meets.
 *
 * Shapes and options are judged by `geometry.ts` (which states every
 * formula); this module adds what geometry cannot see: that the arguments
 * are tensors at all, and that they share one dtype.
 */
import { fail, show } from './errors.js';
import {
  conv2dGeometry,
  convTranspose2dGeometry,
  type Conv2dGeometry,
  type Conv2dOptions,
  type ConvTranspose2dGeometry,
  type ConvTranspose2dOptions,
} from './geometry.js';
import { checkTensor, dtypeOf, type DType, type Tensor } from './tensor.js';

/** Validated arguments of a conv2d call. */
export interface Conv2dArgs {
  readonly geometry: Conv2dGeometry;
  readonly input: Tensor;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly dtype: DType;
}

/** Validated arguments of a conv2dBackward call. */
export interface Conv2dBackwardArgs extends Conv2dArgs {
  readonly gradOutput: Tensor;
}

/** Validated arguments of a corr2d call, as a one-image, one-channel conv2d. */
export interface Corr2dArgs {
  readonly x: Tensor;
  readonly k: Tensor;
  readonly dtype: DType;
  readonly geometry: Conv2dGeometry;
}

/** Validated arguments of a convTranspose2d call. */
export interface ConvTranspose2dArgs {
  readonly geometry: ConvTranspose2dGeometry;
  readonly input: Tensor;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly dtype: DType;
}

/** Validated arguments of a convTranspose2dBackward call. */
export interface ConvTranspose2dBackwardArgs extends ConvTranspose2dArgs {
  readonly gradOutput: Tensor;
}

/**
 * Checks that every given tensor shares the first one's dtype (a null
 * entry, an absent bias, is skipped).
 * @returns that dtype
 * @throws ConvError('dtype') naming both tensors and how to convert one
 * @example checkSameDType('conv2d', [['input', x], ['weight', w], ['bias', null]]) // 'float32'
 */
export function checkSameDType(fn: string, named: ReadonlyArray<readonly [string, Tensor | null]>): DType {
  const [firstName, first] = named[0];
  const dtype = dtypeOf(first!.data);
  for (const [name, t] of named) {
    if (t && dtypeOf(t.data) !== dtype) {
      fail(
        fn,
        'dtype',
        `${name} is ${dtypeOf(t.data)} but ${firstName} is ${dtype}; all tensors of one call must share a dtype ` +
          '(convert one with tensor(t.data, t.shape, dtype))',
      );
    }
  }
  return dtype;
}

/**
 * Validates a conv2d call (`fn` names it in messages: `conv2d`, or
 * `conv2dBackward` for the forward part of a backward call).
 * @throws ConvError for any invalid tensor, shape, option or dtype
 * @example const { geometry, input, weight, bias, dtype } = checkConv2dArgs('conv2d', x, w, { padding: 1 });
 */
export function checkConv2dArgs(fn: string, input: unknown, weight: unknown, options: unknown): Conv2dArgs {
  const x = checkTensor(fn, 'input', input);
  const w = checkTensor(fn, 'weight', weight);
  const geometry = conv2dGeometry(fn, x.shape, w.shape, options as Conv2dOptions | undefined);
  const bias = (options as Conv2dOptions | undefined)?.bias ?? null;
  const dtype = checkSameDType(fn, [
    ['input', x],
    ['weight', w],
    ['bias', bias],
  ]);
  return { geometry, input: x, weight: w, bias, dtype };
}

/**
 * Validates a conv2dBackward call: the conv2d checks, then gradOutput's shape
 * (the forward output's) and dtype.
 * @throws ConvError, code `'grad-output'` for a gradOutput of the wrong shape
 * @example const { geometry, gradOutput } = checkConv2dBackwardArgs(dy, x, w, { stride: 2 });
 */
export function checkConv2dBackwardArgs(
  gradOutput: unknown,
  input: unknown,
  weight: unknown,
  options: unknown,
): Conv2dBackwardArgs {
  const fn = 'conv2dBackward';
  const args = checkConv2dArgs(fn, input, weight, options);
  return { ...args, gradOutput: checkGradOutput(fn, gradOutput, args.geometry.outputShape, args.input) };
}

/** Checks gradOutput: a tensor of the forward output's shape and the input's dtype. */
function checkGradOutput(fn: string, gradOutput: unknown, shape: readonly number[], input: Tensor): Tensor {
  const dy = checkTensor(fn, 'gradOutput', gradOutput);
  if (show(dy.shape) !== show(shape)) {
    fail(fn, 'grad-output', `gradOutput must have the forward output's shape ${show(shape)}, got ${show(dy.shape)}`);
  }
  checkSameDType(fn, [
    ['input', input],
    ['gradOutput', dy],
  ]);
  return dy;
}

/**
 * Validates a corr2d call: X `[H, W]` and K `[KH, KW]` of one dtype, K no
 * larger than X. The geometry is that of a `[1, 1, H, W]` conv2d.
 * @throws ConvError, e.g. `'rank'` for a 3-D X, `'kernel-too-large'` for K larger than X
 * @example const { x, k, geometry } = checkCorr2dArgs(X, K); // geometry.h.out = H − KH + 1
 */
export function checkCorr2dArgs(X: unknown, K: unknown): Corr2dArgs {
  const fn = 'corr2d';
  const x = checkTensor(fn, 'X', X, 2);
  const k = checkTensor(fn, 'K', K, 2);
  const dtype = checkSameDType(fn, [
    ['X', x],
    ['K', k],
  ]);
  const geometry = conv2dGeometry(fn, [1, 1, ...x.shape], [1, 1, ...k.shape]);
  return { x, k, dtype, geometry };
}

/**
 * Validates a convTranspose2d call (`fn` names it in messages: `convTranspose2d`, or
 * `convTranspose2dBackward` for the forward part of a backward call).
 * @throws ConvError for any invalid tensor, shape, option or dtype (e.g. `'output-padding'`)
 * @example const { geometry } = checkConvTranspose2dArgs(x, w, { stride: 2, outputPadding: 1 });
 */
export function checkConvTranspose2dArgs(
  input: unknown,
  weight: unknown,
  options: unknown,
  fn = 'convTranspose2d',
): ConvTranspose2dArgs {
  const x = checkTensor(fn, 'input', input);
  const w = checkTensor(fn, 'weight', weight);
  const opts = options as ConvTranspose2dOptions | undefined;
  const geometry = convTranspose2dGeometry(fn, x.shape, w.shape, opts);
  const bias = opts?.bias ?? null;
  const dtype = checkSameDType(fn, [
    ['input', x],
    ['weight', w],
    ['bias', bias],
  ]);
  return { geometry, input: x, weight: w, bias, dtype };
}

/**
 * Validates a convTranspose2dBackward call: the convTranspose2d checks, then gradOutput's
 * shape (the transposed output's) and dtype.
 * @throws ConvError, code `'grad-output'` for a gradOutput of the wrong shape
 * @example const { geometry, gradOutput } = checkConvTranspose2dBackwardArgs(dy, x, w, { stride: 2 });
 */
export function checkConvTranspose2dBackwardArgs(
  gradOutput: unknown,
  input: unknown,
  weight: unknown,
  options: unknown,
): ConvTranspose2dBackwardArgs {
  const fn = 'convTranspose2dBackward';
  const args = checkConvTranspose2dArgs(input, weight, options, fn);
  return { ...args, gradOutput: checkGradOutput(fn, gradOutput, args.geometry.outputShape, args.input) };
}
