/**
 * An independent float64 model of conv2d and its gradients, used to build
 * what the properties expect. It does not import the implementation's
 * geometry: options are resolved here from the formulas of the design
 * (output size, SAME_UPPER pads, padding-mode index rules), and the sums are
 * the definition written out, with zero-padding taps skipped.
 *
 * The same walks, fed with absolute values, give the magnitudes `M` that the
 * comparator's error bound scales with.
 */
import type { Conv2dOptions, Pair, PaddingMode, Tensor } from '../src/index.js';
import type { ConvDims } from './types.js';

/** A conv2d case resolved to plain numbers. Unbatched inputs have N = 1. */
export interface ResolvedConv extends ConvDims {
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  readonly mode: PaddingMode;
  readonly OH: number;
  readonly OW: number;
  /** The shape conv2d must return. */
  readonly outputShape: readonly number[];
}

function pairOf(p: Pair | undefined): [number, number] {
  if (p === undefined) return [1, 1];
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
}

/**
 * `'same'` (SAME_UPPER) pads of one axis: `OH = ceil(H/s)`, the odd pixel after.
 * @example sameUpperPads(8, 3, 2, 1) // [0, 1]: OH = 4, the odd pixel at the bottom
 */
export function sameUpperPads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Output size of one axis: `floor((size + before + after − d·(k−1) − 1) / s) + 1`.
 * @example axisOutput(5, 3, 2, 1, 1, 1) // 3
 */
export function axisOutput(size: number, k: number, s: number, d: number, before: number, after: number): number {
  return Math.floor((size + before + after - d * (k - 1) - 1) / s) + 1;
}

/**
 * `[[top, bottom], [left, right]]` of a padding option for an input of H×W.
 * @example explicitPads({ padding: [1, 2] }, 5, 5, 3, 3) // [[1, 1], [2, 2]]
 */
export function explicitPads(
  options: Conv2dOptions,
  H: number,
  W: number,
  KH: number,
  KW: number,
): [[number, number], [number, number]] {
  const p = options.padding;
  const [sh, sw] = pairOf(options.stride);
  const [dh, dw] = pairOf(options.dilation);
  if (p === undefined || p === 'valid')
    return [
      [0, 0],
      [0, 0],
    ];
  if (p === 'same') return [sameUpperPads(H, KH, sh, dh), sameUpperPads(W, KW, sw, dw)];
  if (typeof p === 'number')
    return [
      [p, p],
      [p, p],
    ];
  const [a, b] = p;
  if (typeof a === 'number' && typeof b === 'number')
    return [
      [a, a],
      [b, b],
    ];
  const [t, bo] = a as readonly [number, number];
  const [l, r] = b as readonly [number, number];
  return [
    [t, bo],
    [l, r],
  ];
}

/**
 * Resolves a (valid) conv2d case to numbers, with the design's formulas.
 * @example resolveConv([1, 1, 5, 5], [1, 1, 3, 3], { padding: 'same', stride: 2 }).OH // 3
 */
export function resolveConv(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dOptions = {},
): ResolvedConv {
  const batched = inputShape.length === 4;
  const [N, C, H, W] = batched ? inputShape : [1, ...inputShape];
  const [O, , KH, KW] = weightShape;
  const [sh, sw] = pairOf(options.stride);
  const [dh, dw] = pairOf(options.dilation);
  const [[top, bottom], [left, right]] = explicitPads(options, H, W, KH, KW);
  const OH = axisOutput(H, KH, sh, dh, top, bottom);
  const OW = axisOutput(W, KW, sw, dw, left, right);
  const outputShape = batched ? [N, O, OH, OW] : [O, OH, OW];
  const groups = options.groups ?? 1;
  const mode = options.paddingMode ?? 'zeros';
  return {
    batched,
    N,
    C,
    H,
    W,
    O,
    groups,
    KH,
    KW,
    sh,
    sw,
    dh,
    dw,
    top,
    bottom,
    left,
    right,
    mode,
    OH,
    OW,
    outputShape,
  };
}

/**
 * The real pixel that padded position `i` of an axis of `size` reads, or −1
 * for a zero-padding tap. reflect mirrors without repeating the edge
 * (`−1 → 1`), replicate clamps, circular wraps.
 * @example sourcePixel(-1, 4, 'reflect') // 1; sourcePixel(-1, 4, 'zeros') // -1
 */
export function sourcePixel(i: number, size: number, mode: PaddingMode): number {
  if (i >= 0 && i < size) return i;
  if (mode === 'zeros') return -1;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), size - 1);
  if (mode === 'circular') return ((i % size) + size) % size;
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  const m = ((i % period) + period) % period;
  return m < size ? m : period - m;
}

/** Source rows (or columns) of every (output, tap) pair of one axis; −1 = zero tap. */
function taps(
  out: number,
  k: number,
  s: number,
  d: number,
  before: number,
  size: number,
  mode: PaddingMode,
): Int32Array {
  const t = new Int32Array(out * k);
  for (let o = 0; o < out; o++) {
    for (let j = 0; j < k; j++) t[o * k + j] = sourcePixel(o * s - before + j * d, size, mode);
  }
  return t;
}

/**
 * Visits every real tap of the case: `visit(outIndex, inIndex, weightIndex)` (flat NCHW/OIHW offsets).
 * @example forEachTap(resolveConv(x.shape, w.shape, opts), (out, inp, k) => { y[out] += x.data[inp] * w.data[k]; })
 */
export function forEachTap(r: ResolvedConv, visit: (out: number, inp: number, wt: number) => void): void {
  const rows = taps(r.OH, r.KH, r.sh, r.dh, r.top, r.H, r.mode);
  const cols = taps(r.OW, r.KW, r.sw, r.dw, r.left, r.W, r.mode);
  const Cg = r.C / r.groups;
  const Og = r.O / r.groups;
  for (let n = 0; n < r.N; n++) {
    for (let o = 0; o < r.O; o++) {
      const c0 = Math.floor(o / Og) * Cg;
      for (let i = 0; i < r.OH; i++) {
        for (let j = 0; j < r.OW; j++) {
          const out = ((n * r.O + o) * r.OH + i) * r.OW + j;
          for (let c = 0; c < Cg; c++) {
            for (let kh = 0; kh < r.KH; kh++) {
              const y = rows[i * r.KH + kh];
              if (y < 0) continue;
              for (let kw = 0; kw < r.KW; kw++) {
                const x = cols[j * r.KW + kw];
                if (x < 0) continue;
                visit(out, ((n * r.C + c0 + c) * r.H + y) * r.W + x, ((o * Cg + c) * r.KH + kh) * r.KW + kw);
              }
            }
          }
        }
      }
    }
  }
}

/** Applies `f` (identity or `Math.abs`) elementwise into a fresh float64 array. */
function mapped(a: ArrayLike<number>, f: (v: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
  return out;
}

const identity = (v: number): number => v;

/**
 * The forward conv in float64 (`absolute`: the same on |x|, |w|, |b|, which
 * is the magnitude M of the error bound).
 * @returns the output in NCHW order, `N·O·OH·OW` values
 * @example const r = resolveConv(x.shape, w.shape, opts); const M = modelConv2d(r, x, w, bias, true);
 */
export function modelConv2d(
  r: ResolvedConv,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  absolute = false,
): Float64Array {
  const f = absolute ? Math.abs : identity;
  const xs = mapped(x.data, f);
  const ws = mapped(w.data, f);
  const out = new Float64Array(r.N * r.O * r.OH * r.OW);
  if (bias) {
    const plane = r.OH * r.OW;
    for (let p = 0; p < out.length; p++) out[p] = f(bias.data[Math.floor(p / plane) % r.O]);
  }
  forEachTap(r, (o, i, k) => {
    out[o] += xs[i] * ws[k];
  });
  return out;
}

/** Gradients of the model (float64), with the number of terms summed into each element. */
export interface ModelGradients {
  readonly gradInput: Float64Array;
  readonly gradWeight: Float64Array;
  readonly gradBias: Float64Array;
  /** Terms summed into each gradInput element (for the error bound's n). */
  readonly inputTerms: Float64Array;
  /** Terms summed into each gradWeight element. */
  readonly weightTerms: Float64Array;
  /** Terms summed into each gradBias element: N·OH·OW. */
  readonly biasTerms: number;
}

/**
 * The backward pass of the model for upstream gradient `dy` (`absolute`:
 * the same walk on absolute values, i.e. the magnitudes of the bound).
 * Gradients of padding-mode taps fold back into the pixels they read.
 * @example const g = modelConv2dBackward(resolveConv(x.shape, w.shape, opts), x, w, dy); g.gradWeight // float64, w's layout
 */
export function modelConv2dBackward(
  r: ResolvedConv,
  x: Tensor,
  w: Tensor,
  dy: Tensor,
  absolute = false,
): ModelGradients {
  const f = absolute ? Math.abs : identity;
  const xs = mapped(x.data, f);
  const ws = mapped(w.data, f);
  const ds = mapped(dy.data, f);
  const gradInput = new Float64Array(xs.length);
  const gradWeight = new Float64Array(ws.length);
  const inputTerms = new Float64Array(xs.length);
  const weightTerms = new Float64Array(ws.length);
  forEachTap(r, (o, i, k) => {
    gradInput[i] += ds[o] * ws[k];
    gradWeight[k] += ds[o] * xs[i];
    inputTerms[i]++;
    weightTerms[k]++;
  });
  const gradBias = new Float64Array(r.O);
  const plane = r.OH * r.OW;
  for (let p = 0; p < ds.length; p++) gradBias[Math.floor(p / plane) % r.O] += ds[p];
  return { gradInput, gradWeight, gradBias, inputTerms, weightTerms, biasTerms: r.N * plane };
}
