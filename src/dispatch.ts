/**
 * How one call finds its kernels. Each public kernel validates once at the
 * boundary (`validate.ts`) and then dispatches on its backend's engine:
 * - problems under SMALL_WORK multiply-adds run the reference loops, since
 *   copying into the fast kernels' workspace would cost more;
 * - everything else runs the fast kernels in `fast/` (WebAssembly SIMD or
 *   plain JavaScript, as the backend says), for float32 and float64 alike;
 * - data the fast kernels cannot treat exactly like the reference (non-finite
 *   weights forward, non-finite gradOutput for the weight gradient: zero
 *   padding would multiply them by materialised zeros) goes to the reference,
 *   as does every call of a backend without fast kernels.
 * The reference kernels (`convproof/reference`) are the definition every
 * path is checked against; all paths accumulate in float64 and round once.
 * Each kernel run is counted as fast or reference, so tests (and users) can
 * see which path a call took. Every kernel reads NCHW data and OIHW-form
 * weights: a call in another layout (`dataFormat`, `filterFormat`) has its
 * tensors moved into those on the way in and its results moved back on the
 * way out (formats.ts); conv2d's fast kernels are the exception: they read
 * and write NHWC data where it lies (fast/conv2d.ts, fast/pointwise.ts).
 */
import type { Conv2dGeometry, Conv2dOptions, ConvTranspose2dOptions } from './geometry.js';
import { gradInputFast, gradWeightFast } from './fast/backward.js';
import { forwardFast } from './fast/conv2d.js';
import { fromChannelsFirst, fromOIHW, toChannelsFirst, toOIHW } from './formats.js';
import type { Kernels } from './fast/kernels.js';
import { isChannelsLastPointwise, pointwiseFast } from './fast/pointwise.js';
import type { Workspace } from './fast/workspace.js';
import { adjointInto, biasGradient, forwardInto, rounded, type Conv2dGradients } from './reference/conv2d.js';
import { transposeBiasGradient, transposeReference } from './reference/convTranspose2d.js';
import { allocate, sizeOf, type Tensor, type TensorData } from './tensor.js';
import {
  checkConv2dArgs,
  checkConv2dBackwardArgs,
  checkConvTranspose2dArgs,
  checkConvTranspose2dBackwardArgs,
  checkCorr2dArgs,
} from './validate.js';

/**
 * Multiply-adds per call below which the reference loops run even on a
 * backend with fast kernels: the fast path copies the input and packs the
 * weights first, which costs more than a few thousand multiply-adds.
 * @example SMALL_WORK // 4096: a [1,1,64,64] ∗ [1,1,1,1] conv2d is the smallest square one on the fast kernels
 */
export const SMALL_WORK = 4096;

/**
 * A backend's state: its kernels (null: the reference loops only) and its counters.
 * @example const engine: Engine = { workspace: new Workspace('js', 1 << 20), runs: { fast: 0, reference: 0 } };
 */
export interface Engine {
  readonly workspace: Workspace | null;
  /** Kernel runs (a forward, one gradient, a transposed conv, a corr2d) by each path. */
  readonly runs: { fast: number; reference: number };
}

/** Multiply-adds of a conv2d of this geometry over `outH × outW` positions. */
function work(g: Conv2dGeometry, outH = g.h.out, outW = g.w.out): number {
  return g.N * g.O * outH * outW * (g.C / g.groups) * g.h.kernel * g.w.kernel;
}

/**
 * True when every element is finite. `v·0` is ±0 for a finite v and NaN
 * otherwise, so one sum answers without a branch per element.
 * @example allFinite(new Float32Array([1, Infinity])) // false
 */
export function allFinite(data: TensorData): boolean {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * 0;
  return s === 0;
}

/**
 * Runs `fast` on the engine's kernels when the problem is large enough and
 * `eligible`; counts the run either way.
 * @returns true when the fast kernels did the work; false: the caller runs the reference
 */
function tryFast(e: Engine, multiplyAdds: number, eligible: boolean, fast: (k: Kernels) => boolean): boolean {
  const k = fastKernels(e, multiplyAdds, eligible);
  const done = k !== null && fast(k);
  if (done) e.runs.fast++;
  else e.runs.reference++;
  return done;
}

/** The engine's kernels when the problem is large enough and `eligible`, else null (the reference runs). */
function fastKernels(e: Engine, multiplyAdds: number, eligible: boolean): Kernels | null {
  return e.workspace !== null && multiplyAdds >= SMALL_WORK && eligible ? e.workspace.acquire() : null;
}

/** Ends a public call: the workspace goes back under its bound. */
function settle(e: Engine): void {
  e.workspace?.settle();
}

/**
 * The fast forward in the caller's layouts: a 1×1 stride-1 unpadded NHWC conv as one matrix
 * product (fast/pointwise.ts), every other one by the implicit GEMM (fast/conv2d.ts), which
 * reads NHWC data in place; only the weight is moved (to OIHW form; it is small).
 * @returns false when the workspace cannot be had
 */
function forwardOn(
  k: Kernels,
  g: Conv2dGeometry,
  x: Tensor,
  w: Tensor,
  b: TensorData | null,
  out: TensorData,
): boolean {
  if (isChannelsLastPointwise(g)) return pointwiseFast(k, g, x.data, w.data, b, out);
  return forwardFast(k, g, x.data, toOIHW(g.filterFormat, w), b, out);
}

/**
 * conv2d on an engine (see `conv2d` in conv.ts for the contract).
 * @example conv2dOn(engine, x, w, { padding: 1 })
 */
export function conv2dOn(e: Engine, input: Tensor, weight: Tensor, options?: Conv2dOptions): Tensor {
  const { geometry: g, input: given, weight: filter, bias, dtype } = checkConv2dArgs('conv2d', input, weight, options);
  const b = bias ? bias.data : null;
  try {
    // The fast kernels read and write the caller's data layout themselves (docs/speed.md has the timings).
    const k = fastKernels(e, work(g), allFinite(filter.data));
    const out = allocate(dtype, sizeOf(g.outputShape));
    if (k !== null && forwardOn(k, g, given, filter, b, out)) {
      e.runs.fast++;
      return { shape: [...g.outputShape], data: out };
    }
    e.runs.reference++;
    const y = allocate(dtype, out.length);
    forwardInto(g, toChannelsFirst(g.dataFormat, given), toOIHW(g.filterFormat, filter), b, y);
    return fromChannelsFirst(g.dataFormat, g.outputShape, y);
  } finally {
    settle(e);
  }
}

/**
 * conv2dBackward on an engine: the input and weight gradients are two runs.
 * @example conv2dBackwardOn(engine, dy, x, w, { stride: 2 })
 */
export function conv2dBackwardOn(
  e: Engine,
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options?: Conv2dOptions,
): Conv2dGradients {
  const args = checkConv2dBackwardArgs(gradOutput, input, weight, options);
  const { geometry: g, dtype } = args;
  const [dy, x] = [toChannelsFirst(g.dataFormat, args.gradOutput), toChannelsFirst(g.dataFormat, args.input)];
  const w = toOIHW(g.filterFormat, args.weight);
  const gx = allocate(dtype, x.length);
  const gw = allocate(dtype, w.length);
  try {
    if (!tryFast(e, work(g), true, (k) => gradInputFast(k, g, dy, g.h.out, g.w.out, w, null, gx)))
      gx.set(referenceGradient(g, dy, null, w, x.length));
    if (!tryFast(e, work(g), allFinite(dy), (k) => gradWeightFast(k, g, dy, x, gw)))
      gw.set(referenceGradient(g, dy, x, w, w.length));
  } finally {
    settle(e);
  }
  return {
    gradInput: fromChannelsFirst(g.dataFormat, args.input.shape, gx),
    gradWeight: fromOIHW(g.filterFormat, args.weight.shape, gw),
    gradBias: { shape: [g.O], data: rounded(biasGradient(g, dy), dtype) },
  };
}

/** The input gradient (x null) or the weight gradient (x given) by the reference's adjoint walk, in float64. */
function referenceGradient(
  g: Conv2dGeometry,
  dy: TensorData,
  x: TensorData | null,
  w: TensorData,
  length: number,
): Float64Array {
  const acc = new Float64Array(length);
  if (x === null) adjointInto(g, dy, g.h.out, g.w.out, null, w, acc, null);
  else adjointInto(g, dy, g.h.out, g.w.out, x, w, null, acc);
  return acc;
}

/**
 * convTranspose2d on an engine: the input-gradient kernels over the input's positions.
 * @example convTranspose2dOn(engine, x, w, { stride: 2, outputPadding: 1 })
 */
export function convTranspose2dOn(e: Engine, input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor {
  const { geometry: t, input: given, weight: filter, bias, dtype } = checkConvTranspose2dArgs(input, weight, options);
  const x = toChannelsFirst(t.dataFormat, given);
  const w = toOIHW(t.filterFormat, filter);
  const out = allocate(dtype, sizeOf(t.outputShape));
  const b = bias ? bias.data : null;
  try {
    if (!tryFast(e, work(t.conv), true, (k) => gradInputFast(k, t.conv, x, t.inH, t.inW, w, b, out)))
      out.set(transposeReference(t, x, w, b));
  } finally {
    settle(e);
  }
  return fromChannelsFirst(t.dataFormat, t.outputShape, out);
}

/**
 * convTranspose2dBackward on an engine, two runs on the kernels of the conv whose adjoint the
 * transposed conv is (`t.conv`, input dy, output the transposed input x): the input gradient
 * is that conv's forward of dy; the weight gradient is its weight gradient with x as gradOutput.
 * @example convTranspose2dBackwardOn(engine, dy, x, w, { stride: 2, outputPadding: 1 })
 */
export function convTranspose2dBackwardOn(
  e: Engine,
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options?: ConvTranspose2dOptions,
): Conv2dGradients {
  const args = checkConvTranspose2dBackwardArgs(gradOutput, input, weight, options);
  const { geometry: t, dtype } = args;
  const g = t.conv;
  const [dy, x] = [toChannelsFirst(t.dataFormat, args.gradOutput), toChannelsFirst(t.dataFormat, args.input)];
  const w = toOIHW(t.filterFormat, args.weight);
  const gx = allocate(dtype, x.length);
  const gw = allocate(dtype, w.length);
  try {
    if (!tryFast(e, work(g), allFinite(w), (k) => forwardFast(k, g, dy, w, null, gx))) forwardInto(g, dy, w, null, gx);
    if (!tryFast(e, work(g), allFinite(x), (k) => gradWeightFast(k, g, x, dy, gw)))
      gw.set(referenceGradient(g, x, dy, w, w.length));
  } finally {
    settle(e);
  }
  return {
    gradInput: fromChannelsFirst(t.dataFormat, args.input.shape, gx),
    gradWeight: fromOIHW(t.filterFormat, args.weight.shape, gw),
    gradBias: { shape: [g.C], data: rounded(transposeBiasGradient(t, dy), dtype) },
  };
}

/**
 * corr2d on an engine: a one-image, one-channel conv2d.
 * @example corr2dOn(engine, X, K)
 */
export function corr2dOn(e: Engine, X: Tensor, K: Tensor): Tensor {
  const { x, k, dtype, geometry: g } = checkCorr2dArgs(X, K);
  const out = allocate(dtype, g.h.out * g.w.out);
  try {
    if (!tryFast(e, work(g), allFinite(k.data), (ks) => forwardFast(ks, g, x.data, k.data, null, out)))
      forwardInto(g, x.data, k.data, null, out);
  } finally {
    settle(e);
  }
  return { shape: [g.h.out, g.w.out], data: out };
}
