/**
 * The conv rules as the suite states them, once: output sizes, SAME_UPPER
 * pads, the transposed output size, where a padded position reads from in
 * each padding mode, and the normalisation of options to plain numbers.
 *
 * They are written from the design (DESIGN.md, "Semantics"), not imported
 * from `src/geometry`: a wrong formula in the implementation must disagree
 * with this one, not agree with itself. Every other file of the suite (and
 * every test) imports them from here.
 */
import type { Conv2dOptions, ConvTranspose2dOptions, PaddingMode } from '../../src/index.js';
import type { ConvDims } from '../types.js';

/** Pads of both axes, `[[top, bottom], [left, right]]`. */
export type Pads = readonly [readonly [number, number], readonly [number, number]];

/**
 * A per-axis option (`number` for both axes or `[h, w]`) as a pair.
 * @example pairOf(2, 1) // [2, 2]; pairOf([1, 3], 1) // [1, 3]; pairOf(undefined, 1) // [1, 1]
 */
export function pairOf(v: number | readonly [number, number] | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * The extent of a dilated kernel along one axis: `d·(k−1) + 1`.
 * @example effectiveKernel(3, 2) // 5
 */
export function effectiveKernel(k: number, d: number): number {
  return d * (k - 1) + 1;
}

/**
 * Output size of one axis: `floor((size + before + after − d·(k−1) − 1) / s) + 1`.
 * @example axisOutput(5, 3, 2, 1, 1, 1) // 3
 */
export function axisOutput(size: number, k: number, s: number, d: number, before: number, after: number): number {
  return Math.floor((size + before + after - effectiveKernel(k, d)) / s) + 1;
}

/**
 * Output size of one axis under `'same'`: `ceil(size / s)`, whatever the kernel.
 * @example sameOutput(8, 3) // 3
 */
export function sameOutput(size: number, s: number): number {
  return Math.ceil(size / s);
}

/**
 * `'same'` (SAME_UPPER) pads of one axis: `OH = ceil(size/s)`,
 * `total = max(0, (OH−1)·s + d·(k−1) + 1 − size)`, the odd pixel after.
 * @example sameUpperPads(8, 3, 2, 1) // [0, 1]: OH = 4, the odd pixel at the bottom
 */
export function sameUpperPads(size: number, k: number, s: number, d: number): [number, number] {
  const out = sameOutput(size, s);
  const total = Math.max(0, (out - 1) * s + effectiveKernel(k, d) - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * SAME_LOWER pads of one axis (ONNX; OpenCV's centred anchor): the total of
 * SAME_UPPER, the odd pixel before.
 * @example sameLowerPads(8, 3, 2, 1) // [1, 0]
 */
export function sameLowerPads(size: number, k: number, s: number, d: number): [number, number] {
  const [before, after] = sameUpperPads(size, k, s, d);
  return [after, before];
}

/** Where `'same'` puts the odd pad: after (`'upper'`, convproof's, TensorFlow's) or before (`'lower'`). */
export type SameConvention = 'upper' | 'lower';

/**
 * Output size of one axis of a transposed conv: `(n−1)·s − before − after + d·(k−1) + op + 1`.
 * @example transposedSize(3, 3, 2, 1, [1, 1], 1) // 6
 */
export function transposedSize(
  n: number,
  k: number,
  s: number,
  d: number,
  pads: readonly number[],
  op: number,
): number {
  return (n - 1) * s - pads[0] - pads[1] + effectiveKernel(k, d) + op;
}

/**
 * The output padding with which a transposed conv restores an input size
 * of a conv: `(size + before + after − d·(k−1) − 1) mod s` (the rows the
 * last stride step leaves unread; always < s).
 * @example restoringOutputPadding(4, 1, 1, 1, 1, 2) // 1
 */
export function restoringOutputPadding(
  size: number,
  before: number,
  after: number,
  k: number,
  d: number,
  s: number,
): number {
  return (size + before + after - effectiveKernel(k, d)) % s;
}

/**
 * The real pixel that padded position `i` of an axis of `size` reads, or −1
 * for a zero-padding tap. reflect mirrors without repeating the edge
 * (`−1 → 1`), replicate clamps, circular wraps (PyTorch's `padding_mode`s).
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

/**
 * A symmetric or explicit padding option (`p`, `[ph, pw]` or
 * `[[top, bottom], [left, right]]`; none = 0) as explicit pads.
 * @example padsOf([1, 2]) // [[1, 1], [2, 2]]
 */
export function padsOf(
  p: Exclude<ConvTranspose2dOptions['padding'], string> | 'valid' | undefined,
): [[number, number], [number, number]] {
  if (p === undefined || p === 'valid')
    return [
      [0, 0],
      [0, 0],
    ];
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
 * Where a padding name puts the odd pad: `'same-upper'` after, `'same-lower'`
 * before (ONNX's auto_pad names), and the bare `'same'` where the implementation
 * under test declares (`same`, convproof's own being `'upper'`).
 * @example sameSide('same', 'lower') // 'lower'; sameSide('same-upper', 'lower') // 'upper'
 */
export function sameSide(name: 'same' | 'same-upper' | 'same-lower', same: SameConvention = 'upper'): SameConvention {
  if (name === 'same') return same;
  return name === 'same-lower' ? 'lower' : 'upper';
}

/**
 * `[[top, bottom], [left, right]]` of a conv2d padding option for an input of H×W
 * (`'valid'` and none: 0; `'same-upper'`: SAME_UPPER; `'same-lower'`: SAME_LOWER;
 * `'same'`: SAME_UPPER, or SAME_LOWER under `same = 'lower'`).
 * @example explicitPads({ padding: 'same', stride: 2 }, 8, 8, 3, 3) // [[0, 1], [0, 1]]
 */
export function explicitPads(
  options: Conv2dOptions,
  H: number,
  W: number,
  KH: number,
  KW: number,
  same: SameConvention = 'upper',
): [[number, number], [number, number]] {
  const p = options.padding;
  if (p !== 'same' && p !== 'same-upper' && p !== 'same-lower') return padsOf(p);
  const [sh, sw] = pairOf(options.stride, 1);
  const [dh, dw] = pairOf(options.dilation, 1);
  const pads = sameSide(p, same) === 'lower' ? sameLowerPads : sameUpperPads;
  return [pads(H, KH, sh, dh), pads(W, KW, sw, dw)];
}

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

/**
 * Resolves a (valid) conv2d case to numbers, with the formulas above
 * (`same`: where the implementation under test puts the odd `'same'` pad).
 * @example resolveConv([1, 1, 5, 5], [1, 1, 3, 3], { padding: 'same', stride: 2 }).OH // 3
 */
export function resolveConv(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dOptions = {},
  same: SameConvention = 'upper',
): ResolvedConv {
  const batched = inputShape.length === 4;
  const [N, C, H, W] = batched ? inputShape : [1, ...inputShape];
  const [O, , KH, KW] = weightShape;
  const [sh, sw] = pairOf(options.stride, 1);
  const [dh, dw] = pairOf(options.dilation, 1);
  const [[top, bottom], [left, right]] = explicitPads(options, H, W, KH, KW, same);
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

/** A transposed problem resolved to numbers (N = 1 when unbatched). */
export interface ResolvedTranspose extends ConvDims {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** `[[top, bottom], [left, right]]` cropped from the full output (padding names resolved). */
  readonly pads: Pads;
  /** The output padding, given or chosen by `outputSize` or a SAME padding. */
  readonly outputPadding: readonly [number, number];
  readonly OH: number;
  readonly OW: number;
  readonly outputShape: readonly number[];
}

/**
 * One axis of a transposed case: `[before, after]` cropped and the output padding.
 * - Explicit pads (and `'valid'`, no pads): as given; an `outputSize` sets the output
 *   padding to the size asked minus the size without it (PyTorch's output_size).
 * - A SAME name (ONNX ConvTranspose's auto_pad; tfjs's conv2dTranspose): the output is
 *   `outputSize` or `n·s`; ONNX's `total_padding = s·(n−1) + op + d·(k−1) + 1 − out` is
 *   cropped, `floor(total/2)` first for SAME_UPPER (the odd row last), the larger half first
 *   for SAME_LOWER; a negative total (the full output is shorter than asked, as in tfjs's
 *   'same' with a kernel smaller than the stride) crops nothing and pads the rest at the end.
 * @example transposedAxis(3, 3, 2, 1, 'same-lower', 0, 7) // { pads: [1, 0], op: 0 }
 */
export function transposedAxis(
  n: number,
  k: number,
  s: number,
  d: number,
  padding: readonly [number, number] | 'same' | 'same-upper' | 'same-lower',
  op: number,
  asked: number | undefined,
): { pads: [number, number]; op: number } {
  const bare = transposedSize(n, k, s, d, [0, 0], 0);
  if (typeof padding !== 'string') {
    const [before, after] = padding;
    return { pads: [before, after], op: asked === undefined ? op : asked - (bare - before - after) };
  }
  const out = asked ?? n * s;
  const total = bare + op - out;
  if (total < 0) return { pads: [0, 0], op: out - bare };
  const half = Math.floor(total / 2);
  return { pads: sameSide(padding) === 'lower' ? [total - half, half] : [half, total - half], op };
}

/**
 * Resolves a (valid) transposed case: weight `[C, O/groups, KH, KW]`; padding
 * names and `outputSize` become explicit pads and an output padding (`transposedAxis`).
 * @example resolveTranspose([1, 1, 3, 3], [1, 1, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }).OH // 6
 */
export function resolveTranspose(
  inputShape: readonly number[],
  weightShape: readonly number[],
  o: ConvTranspose2dOptions = {},
): ResolvedTranspose {
  const batched = inputShape.length === 4;
  const [N, C, H, W] = batched ? inputShape : [1, ...inputShape];
  const [, Og, KH, KW] = weightShape;
  const groups = o.groups ?? 1;
  const stride = pairOf(o.stride, 1);
  const dilation = pairOf(o.dilation, 1);
  const p = o.padding;
  const named = p === 'same' || p === 'same-upper' || p === 'same-lower' ? p : null;
  const given = p === 'same' || p === 'same-upper' || p === 'same-lower' ? null : padsOf(p);
  const op0 = pairOf(o.outputPadding, 0);
  const rows = transposedAxis(H, KH, stride[0], dilation[0], named ?? given![0], op0[0], o.outputSize?.[0]);
  const cols = transposedAxis(W, KW, stride[1], dilation[1], named ?? given![1], op0[1], o.outputSize?.[1]);
  const pads: Pads = [rows.pads, cols.pads];
  const outputPadding: [number, number] = [rows.op, cols.op];
  const OH = transposedSize(H, KH, stride[0], dilation[0], pads[0], outputPadding[0]);
  const OW = transposedSize(W, KW, stride[1], dilation[1], pads[1], outputPadding[1]);
  const O = Og * groups;
  const outputShape = batched ? [N, O, OH, OW] : [O, OH, OW];
  return { batched, N, C, H, W, O, groups, KH, KW, stride, dilation, pads, outputPadding, OH, OW, outputShape };
}

/**
 * The convTranspose2d options that map a conv2d's `dy` back onto its input:
 * the same stride, dilation, groups and explicit pads, and the output
 * padding that restores H and W.
 * @example
 * // x [1,1,4,4], w [1,1,1,1], stride 2, padding 1: conv output 3×3; (4+2−1) mod 2 = 1
 * restoringTransposeOptions(resolveConv([1, 1, 4, 4], [1, 1, 1, 1], { stride: 2, padding: 1 })).outputPadding // [1, 1]
 */
export function restoringTransposeOptions(r: ResolvedConv): ConvTranspose2dOptions & {
  outputPadding: [number, number];
} {
  return {
    stride: [r.sh, r.sw],
    padding: [
      [r.top, r.bottom],
      [r.left, r.right],
    ],
    dilation: [r.dh, r.dw],
    groups: r.groups,
    outputPadding: [
      restoringOutputPadding(r.H, r.top, r.bottom, r.KH, r.dh, r.sh),
      restoringOutputPadding(r.W, r.left, r.right, r.KW, r.dw, r.sw),
    ],
  };
}
