/**
 * Geometry for the zoo's conv implementations, written from the definition
 * (PyTorch semantics, SAME_UPPER 'same', ONNX-style asymmetric transposed
 * padding) without reusing convproof's own `geometry` module, so the zoo's
 * correct implementations are an independent check of it.
 *
 * The zoo is only ever called on valid problems, so nothing here validates.
 */
import type { Conv2dOptions, ConvTranspose2dOptions, Tensor, TensorData } from '../../src/index.js';

/** How padded positions are filled. */
export type Mode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** One spatial axis of a forward correlation. */
export interface Axis {
  /** Unpadded input size. */
  size: number;
  k: number;
  s: number;
  d: number;
  before: number;
  after: number;
  out: number;
}

/** A conv2d problem, with 4-D shapes (an unbatched input has N = 1). */
export interface Problem {
  batched: boolean;
  N: number;
  C: number;
  O: number;
  groups: number;
  h: Axis;
  w: Axis;
  mode: Mode;
}

/** `[h, w]` from a number or a pair. */
export function pairOf(v: number | readonly [number, number] | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** `floor((size + before + after − d·(k−1) − 1) / s) + 1`. */
export function outLength(size: number, k: number, s: number, d: number, before: number, after: number): number {
  return Math.floor((size + before + after - d * (k - 1) - 1) / s) + 1;
}

/** SAME_UPPER: `out = ceil(size/s)`, the odd padded pixel goes after. */
export function sameSplit(size: number, k: number, s: number, d: number): [number, number] {
  const total = Math.max(0, (Math.ceil(size / s) - 1) * s + d * (k - 1) + 1 - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** The SAME name of a padding option ('same' and 'same-upper' put the odd pixel after, 'same-lower' before), or null. */
export function sameName(p: unknown): 'same' | 'same-upper' | 'same-lower' | null {
  return p === 'same' || p === 'same-upper' || p === 'same-lower' ? p : null;
}

/**
 * One axis of a transposed conv asked by a SAME name or an output size: what is cropped and the output padding.
 * The uncropped output is `(n−1)·s + d·(k−1) + 1` (+ op); a SAME name asks for `size` or n·s rows and crops the
 * excess, its smaller half first for SAME_UPPER and last for SAME_LOWER; an output shorter than asked is not
 * cropped but grown at the end. Explicit pads with a size: the output padding is what the size lacks.
 */
function transposedCrop(
  n: number,
  k: number,
  s: number,
  d: number,
  given: [number, number],
  named: 'same' | 'same-upper' | 'same-lower' | null,
  op: number,
  size: number | undefined,
): { pads: [number, number]; op: number } {
  const full = (n - 1) * s + d * (k - 1) + 1;
  if (named === null) return { pads: given, op: size === undefined ? op : size - (full - given[0] - given[1]) };
  const wanted = size ?? n * s;
  const excess = full + op - wanted;
  if (excess < 0) return { pads: [0, 0], op: wanted - full };
  const small = Math.floor(excess / 2);
  return { pads: named === 'same-lower' ? [excess - small, small] : [small, excess - small], op };
}

/** Explicit `[[top, bottom], [left, right]]` of a non-'same' padding option. */
export function explicitPads(
  p: Conv2dOptions['padding'] | ConvTranspose2dOptions['padding'],
): [[number, number], [number, number]] {
  if (p === undefined || p === 'valid')
    return [
      [0, 0],
      [0, 0],
    ];
  if (p === 'same') throw new Error('explicitPads: resolve same first');
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

function axis(size: number, k: number, s: number, d: number, pads: readonly [number, number]): Axis {
  return { size, k, s, d, before: pads[0], after: pads[1], out: outLength(size, k, s, d, pads[0], pads[1]) };
}

/** Resolves a conv2d call into a Problem. */
export function resolve(xShape: readonly number[], wShape: readonly number[], o: Conv2dOptions = {}): Problem {
  const batched = xShape.length === 4;
  const [N, C, H, W] = batched ? xShape : [1, ...xShape];
  const [O, , KH, KW] = wShape;
  const [sh, sw] = pairOf(o.stride, 1);
  const [dh, dw] = pairOf(o.dilation, 1);
  const named = sameName(o.padding);
  const split = (size: number, k: number, s: number, d: number): [number, number] => {
    const [small, large] = sameSplit(size, k, s, d);
    return named === 'same-lower' ? [large, small] : [small, large];
  };
  const pads = named ? [split(H, KH, sh, dh), split(W, KW, sw, dw)] : explicitPads(o.padding);
  return {
    batched,
    N,
    C,
    O,
    groups: o.groups ?? 1,
    h: axis(H, KH, sh, dh, pads[0]),
    w: axis(W, KW, sw, dw, pads[1]),
    mode: o.paddingMode ?? 'zeros',
  };
}

/** Recomputes `out` after a change to an axis. */
export function withOut(a: Axis): Axis {
  return { ...a, out: outLength(a.size, a.k, a.s, a.d, a.before, a.after) };
}

/** Where padded coordinate `i` (may be outside `[0, size)`) reads from, or −1 for a zero. */
export function source(i: number, size: number, mode: Mode): number {
  if (i >= 0 && i < size) return i;
  if (mode === 'zeros') return -1;
  if (mode === 'replicate') return i < 0 ? 0 : size - 1;
  if (mode === 'circular') return ((i % size) + size) % size;
  return i < 0 ? -i : 2 * size - 2 - i; // reflect: the edge pixel is the mirror, not repeated
}

/** The output shape a Problem returns to its caller. */
export function outShape(p: Problem): number[] {
  return p.batched ? [p.N, p.O, p.h.out, p.w.out] : [p.O, p.h.out, p.w.out];
}

/** Rounds a float64 accumulator once into the dtype of `like`. */
export function finish(acc: Float64Array, like: TensorData): TensorData {
  return like instanceof Float64Array ? acc : Float32Array.from(acc);
}

/** A fresh tensor of `shape` holding `acc` rounded to the dtype of `like`. */
export function result(shape: readonly number[], acc: Float64Array, like: TensorData): Tensor {
  return { shape: [...shape], data: finish(acc, like) };
}

/** A transposed-conv problem: input `[N,C,H,W]`, weight `[C, O/g, KH, KW]`. */
export interface TransposeProblem {
  batched: boolean;
  N: number;
  C: number;
  O: number;
  groups: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  stride: [number, number];
  dilation: [number, number];
  /** `[[top, bottom], [left, right]]` cropped from the full output. */
  pads: [[number, number], [number, number]];
  outputPadding: [number, number];
  OH: number;
  OW: number;
}

/** Resolves a convTranspose2d call: `OH = (H−1)·s − top − bottom + d·(K−1) + op + 1`. */
export function resolveTranspose(
  xShape: readonly number[],
  wShape: readonly number[],
  o: ConvTranspose2dOptions = {},
): TransposeProblem {
  const batched = xShape.length === 4;
  const [N, C, H, W] = batched ? xShape : [1, ...xShape];
  const [, Og, KH, KW] = wShape;
  const groups = o.groups ?? 1;
  const stride = pairOf(o.stride, 1);
  const dilation = pairOf(o.dilation, 1);
  const named = sameName(o.padding);
  const given = named ? explicitPads(0) : explicitPads(o.padding);
  const op = pairOf(o.outputPadding, 0);
  const asked = o.outputSize ?? undefined;
  const rows = transposedCrop(H, KH, stride[0], dilation[0], given[0], named, op[0], asked?.[0]);
  const cols = transposedCrop(W, KW, stride[1], dilation[1], given[1], named, op[1], asked?.[1]);
  const pads: [[number, number], [number, number]] = [rows.pads, cols.pads];
  const outputPadding: [number, number] = [rows.op, cols.op];
  const size = (n: number, s: number, p: readonly [number, number], d: number, k: number, op: number) =>
    (n - 1) * s - p[0] - p[1] + d * (k - 1) + op + 1;
  return {
    batched,
    N,
    C,
    O: Og * groups,
    groups,
    H,
    W,
    KH,
    KW,
    stride,
    dilation,
    pads,
    outputPadding,
    OH: size(H, stride[0], pads[0], dilation[0], KH, outputPadding[0]),
    OW: size(W, stride[1], pads[1], dilation[1], KW, outputPadding[1]),
  };
}

/** The output shape of a transposed problem. */
export function transposeShape(t: TransposeProblem): number[] {
  return t.batched ? [t.N, t.O, t.OH, t.OW] : [t.O, t.OH, t.OW];
}
