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
import { adjointInto, biasGradient, forwardInto, rounded, type Conv2dGradients } from './reference/conv2d.js';
import { transposeReference } from './reference/convTranspose2d.js';
import { checkConv2dArgs, checkConv2dBackwardArgs, checkConvTranspose2dArgs, checkCorr2dArgs } from './validate.js';
import { allocate, checkOut, isDim, overlaps, sizeOf, type Tensor, type TensorData } from './tensor.js';
import { gradInputFast, gradWeightFast } from './fast/backward.js';
import { forwardFast } from './fast/conv2d.js';
import { allFinite, correlateSmall } from './fast/direct.js';
import { correlateValid } from './fast/kernels.js';

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
export function conv2dBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options?: Conv2dOptions,
): Conv2dGradients {
  const {
    geometry: g,
    input: x,
    weight: w,
    gradOutput: dy,
    dtype,
  } = checkConv2dBackwardArgs(gradOutput, input, weight, options);
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
  g: Conv2dGeometry,
  dy: TensorData,
  outH: number,
  outW: number,
  x: TensorData | null,
  w: TensorData,
  length: number,
  which: 'input' | 'weight',
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
  const small =
    t.conv.N * t.conv.O * t.inH * t.inW * (t.conv.C / t.conv.groups) * t.conv.h.kernel * t.conv.w.kernel < SMALL_WORK;
  if (small || !gradInputFast(t.conv, x.data, t.inH, t.inW, w.data, b, out))
    out.set(transposeReference(t, x.data, w.data, b));
  return { shape: [...t.outputShape], data: out };
}

/** A dimension the chapter-size path takes: a shape dimension other than 0. */
function isSize(v: unknown): v is number {
  return isDim(v) && v >= 1;
}

/**
 * The chapter-size path of corr2d: reads each argument once and, when they
 * form a plainly valid problem of fewer than SMALL_WORK multiply-adds,
 * answers at once. Everything it accepts the full checks accept too (2-D
 * shapes of positive integers matching their data, one dtype, a kernel no
 * larger than the image, an `out` of the right kind), and it computes
 * exactly what the reference computes; anything else returns null and takes
 * the full path, which raises the proper ConvError. (Exported for the tests,
 * not from the package.)
 * @example smallCorr2d(X, K, undefined) // X [6, 8], K [1, 2] → a [6, 7] tensor
 */
export function smallCorr2d(X: Tensor, K: Tensor, out: unknown): Tensor | null {
  if (typeof X !== 'object' || X === null || typeof K !== 'object' || K === null) return null;
  const xs: unknown = X.shape;
  const ks: unknown = K.shape;
  const x: unknown = X.data;
  const k: unknown = K.data;
  if (!Array.isArray(xs) || !Array.isArray(ks) || xs.length !== 2 || ks.length !== 2) return null;
  const H: unknown = xs[0];
  const W: unknown = xs[1];
  const KH: unknown = ks[0];
  const KW: unknown = ks[1];
  if (!isSize(H) || !isSize(W) || !isSize(KH) || !isSize(KW) || KH > H || KW > W) return null;
  const OH = H - KH + 1;
  const OW = W - KW + 1;
  if (OH * OW * KH * KW >= SMALL_WORK) return null;
  const f32 = x instanceof Float32Array && k instanceof Float32Array;
  if (!f32 && !(x instanceof Float64Array && k instanceof Float64Array)) return null;
  const xd = x as TensorData;
  const kd = k as TensorData;
  if (xd.length !== H * W || kd.length !== KH * KW) return null;
  let o: TensorData;
  if (out === undefined) {
    o = f32 ? new Float32Array(OH * OW) : new Float64Array(OH * OW);
  } else {
    if (!(f32 ? out instanceof Float32Array : out instanceof Float64Array)) return null;
    o = out as TensorData;
    if (o.length !== OH * OW) return null;
  }
  // correlateSmall reads all of X and K before it writes o, so o may share their memory.
  if (!correlateSmall(xd, H, W, kd, KH, KW, o)) return null;
  return { shape: [OH, OW], data: o };
}

/**
 * The chapter's `corr2d`: valid cross-correlation of one 2-D array with a 2-D kernel.
 *
 * In a loop, pass `out` to write each result into the same buffer: a call
 * then allocates nothing but the small result object (at the chapter's size
 * a fresh typed array costs more than the whole correlation).
 *
 * @param X `[H, W]`
 * @param K `[KH, KW]`
 * @param out optional Float32Array/Float64Array of `X`'s dtype and the result's
 *   length `(H − KH + 1)·(W − KW + 1)`; the result is written into it (only into
 *   it: it may share memory with `X.data`) and it becomes the returned tensor's `data`
 * @returns `[H − KH + 1, W − KW + 1]`
 * @throws ConvError for invalid `X`, `K` or `out` (code `'out'`), before any work
 * @example toNested(corr2d(tensor([[0,1,2],[3,4,5],[6,7,8]]), tensor([[0,1],[2,3]]))) // [[19,25],[37,43]]
 * @example
 * const y = new Float32Array(42);                 // X: [6, 8], K: [1, 2]
 * for (let step = 0; step < 1000; step++) corr2d(X, K, y);
 */
export function corr2d(X: Tensor, K: Tensor, out?: TensorData): Tensor {
  const small = smallCorr2d(X, K, out);
  if (small) return small;
  const { x, k, dtype, geometry: g } = checkCorr2dArgs(X, K);
  const length = g.h.out * g.w.out;
  const o = out === undefined ? allocate(dtype, length) : checkOut('corr2d', out, dtype, length);
  // The kernels below read X while they write: an out sharing X's or K's memory gets the result through a copy.
  const into = out !== undefined && (overlaps(o, x.data) || overlaps(o, k.data)) ? allocate(dtype, length) : o;
  const fast = work(g) >= SMALL_WORK && allFinite(k.data) && forwardFast(g, x.data, k.data, null, into);
  if (!fast) correlateValid(x.data, g.h.size, g.w.size, k.data, g.h.kernel, g.w.kernel, into);
  if (into !== o) o.set(into);
  return { shape: [g.h.out, g.w.out], data: o };
}
