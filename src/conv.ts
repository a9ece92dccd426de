/**
 * The public kernels. Each validates at the boundary (the same checks, in
 * the same order, as the reference kernels) and then dispatches:
 * - tiny problems run the reference loops (or, for corr2d, a direct loop),
 *   since copying into the fast kernels' workspace would cost more;
 * - everything else runs the fast kernels in `fast/` (WebAssembly SIMD where
 *   available, plain JavaScript otherwise), for float32 and float64 alike;
 * - data the fast kernels cannot treat exactly like the reference (non-finite
 *   weights forward, non-finite gradOutput for the weight gradient: zero
 *   padding would multiply them by materialised zeros) goes to the reference.
 * The reference kernels (`convproof/reference`) are the definition every
 * path is checked against; all paths accumulate in float64 and round once.
 */
import type { Conv2dGeometry, Conv2dOptions, ConvTranspose2dOptions } from './geometry.js';
import {
  adjointInto,
  biasGradient,
  checkConv2dArgs,
  checkConv2dBackwardArgs,
  checkCorr2dArgs,
  forwardInto,
  rounded,
  type Conv2dGradients,
} from './reference/conv2d.js';
import { checkConvTranspose2dArgs, transposeReference } from './reference/convTranspose2d.js';
import { allocate, sizeOf, type Tensor, type TensorData } from './tensor.js';
import { gradInputFast, gradWeightFast } from './fast/backward.js';
import { forwardFast } from './fast/conv2d.js';
import { allFinite, correlateValid } from './fast/direct.js';

export type { Conv2dGradients } from './reference/conv2d.js';

/**
 * Multiply-adds below which the reference loops win: the fast path copies
 * the input and packs the weights first, which costs more than a few
 * thousand multiply-adds.
 */
const SMALL_WORK = 4096;

function work(g: Conv2dGeometry): number {
  return g.N * g.O * g.h.out * g.w.out * (g.C / g.groups) * g.h.kernel * g.w.kernel;
}

/**
 * 2-D cross-correlation (no kernel flip), PyTorch's `F.conv2d`.
 *
 * @param input `[N, C, H, W]`, or `[C, H, W]` for one unbatched image (→ `[O, OH, OW]`)
 * @param weight `[O, C/groups, KH, KW]`
 * @returns `[N, O, OH, OW]` with `OH = floor((H + top + bottom − dh·(KH−1) − 1)/sh) + 1`
 * @throws ConvError for any invalid shape, option or dtype, before any work
 * @example
 * const y = conv2d(x, w, { stride: 2, padding: 'same', groups: 2, bias: b });
 */
export function conv2d(input: Tensor, weight: Tensor, options?: Conv2dOptions): Tensor {
  const { geometry: g, input: x, weight: w, bias, dtype } = checkConv2dArgs('conv2d', input, weight, options);
  const out = allocate(dtype, sizeOf(g.outputShape));
  const b = bias ? bias.data : null;
  const fast = work(g) >= SMALL_WORK && allFinite(w.data) && forwardFast(g, x.data, w.data, b, out);
  if (!fast) forwardInto(g, x.data, w.data, b, out);
  return { shape: [...g.outputShape], data: out };
}

/**
 * Backward pass of `conv2d`: given dL/dy, returns dL/dx, dL/dw and dL/db.
 * Gradients of padding-mode taps fold back into the pixels they copied.
 *
 * @param gradOutput the shape conv2d(input, weight, options) returned
 * @example
 * const { gradInput, gradWeight, gradBias } = conv2dBackward(dy, x, w, { padding: 1 });
 */
export function conv2dBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: Conv2dOptions): Conv2dGradients {
  const { geometry: g, input: x, weight: w, gradOutput: dy, dtype } = checkConv2dBackwardArgs(gradOutput, input, weight, options);
  const small = work(g) < SMALL_WORK;
  const gx = allocate(dtype, x.data.length);
  if (small || !gradInputFast(g, dy.data, g.h.out, g.w.out, w.data, null, gx)) {
    gx.set(referenceAdjoint(g, dy.data, g.h.out, g.w.out, null, w.data, x.data.length, 'input'));
  }
  const gw = allocate(dtype, w.data.length);
  if (small || !allFinite(dy.data) || !gradWeightFast(g, dy.data, x.data, gw)) {
    gw.set(referenceAdjoint(g, dy.data, g.h.out, g.w.out, x.data, w.data, w.data.length, 'weight'));
  }
  return {
    gradInput: { shape: [...x.shape], data: gx },
    gradWeight: { shape: [...w.shape], data: gw },
    gradBias: { shape: [g.O], data: rounded(biasGradient(g, dy.data), dtype) },
  };
}

/** One gradient by the reference's adjoint walk, in float64. */
function referenceAdjoint(
  g: Conv2dGeometry, dy: TensorData, outH: number, outW: number, x: TensorData | null, w: TensorData,
  length: number, which: 'input' | 'weight',
): Float64Array {
  const acc = new Float64Array(length);
  if (which === 'input') adjointInto(g, dy, outH, outW, null, w, acc, null);
  else adjointInto(g, dy, outH, outW, x, w, null, acc);
  return acc;
}

/**
 * Transposed 2-D convolution (PyTorch's `F.conv_transpose2d`; asymmetric
 * padding crops the full output as in ONNX `ConvTranspose`).
 *
 * @param input `[N, C, H, W]` (or `[C, H, W]`)
 * @param weight `[C, O/groups, KH, KW]`
 * @returns `[N, O, OH, OW]`, `OH = (H−1)·sh − top − bottom + dh·(KH−1) + oph + 1`
 * @example
 * const up = convTranspose2d(x, w, { stride: 2, padding: 1, outputPadding: 1 });
 */
export function convTranspose2d(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor {
  const { geometry: t, input: x, weight: w, bias, dtype } = checkConvTranspose2dArgs(input, weight, options);
  const out = allocate(dtype, sizeOf(t.outputShape));
  const b = bias ? bias.data : null;
  const small = t.conv.N * t.conv.O * t.inH * t.inW * (t.conv.C / t.conv.groups) * t.conv.h.kernel * t.conv.w.kernel < SMALL_WORK;
  if (small || !gradInputFast(t.conv, x.data, t.inH, t.inW, w.data, b, out)) out.set(transposeReference(t, x.data, w.data, b));
  return { shape: [...t.outputShape], data: out };
}

/**
 * The chapter's `corr2d`: valid cross-correlation of one 2-D array with a 2-D kernel.
 * @param X `[H, W]`
 * @param K `[KH, KW]`
 * @returns `[H − KH + 1, W − KW + 1]`
 * @example toNested(corr2d(tensor([[0,1,2],[3,4,5],[6,7,8]]), tensor([[0,1],[2,3]]))) // [[19,25],[37,43]]
 */
export function corr2d(X: Tensor, K: Tensor): Tensor {
  const { x, k, dtype, geometry: g } = checkCorr2dArgs(X, K);
  const out = allocate(dtype, g.h.out * g.w.out);
  const fast = work(g) >= SMALL_WORK && allFinite(k.data) && forwardFast(g, x.data, k.data, null, out);
  if (!fast) correlateValid(x.data, g.h.size, g.w.size, k.data, g.h.kernel, g.w.kernel, out);
  return { shape: [g.h.out, g.w.out], data: out };
}
