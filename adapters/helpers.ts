/**
 * What every adapter repeats, written once: refusing a case with a reason,
 * resolving convproof's options to numbers (through the library's one
 * geometry module, `src/geometry.ts`), moving data between NCHW/OIHW and the
 * NHWC/HWIO layouts other libraries use, adding a bias, and lifting a
 * one-channel 2-D filter to a multi-channel conv. Plain arrays in and out:
 * nothing here knows a library.
 */
import { conv2dGeometry, convTranspose2dGeometry } from '../src/geometry.js';
import type { Conv2dOptions, ConvTranspose2dOptions, Tensor, TensorData } from '../src/index.js';
import { outsideSupport } from '../properties/support-filter.js';
import { type Supports, UnsupportedCase } from '../properties/support.js';
import type { ConvDims } from '../properties/types.js';

type Pads = readonly [readonly [number, number], readonly [number, number]];

/**
 * Throws `UnsupportedCase` (counted as not applicable, never as a pass) naming the library and why.
 * @example if (dilated && strided) refuse('tfjs', 'either strides or dilations must be 1');
 */
export function refuse(library: string, why: string): never {
  throw new UnsupportedCase(`${library}: ${why}`);
}

/**
 * Refuses a conv2d call outside `supports` (the adapter's own declaration, so
 * a direct call gets the same answer `verify` would never draw). Leaving
 * `padding` out counts as `'valid'`, a form the declaration must list.
 * @example refuseOutside('filter2D', supports, x, w, o) // x [N,C,H,W], w [O,C,KH,KW]
 */
export function refuseOutside(library: string, supports: Supports, x: Tensor, w: Tensor, o: Conv2dOptions): void {
  const why = outsideSupport(supports, x, w, o);
  if (why) refuse(library, `${why} is outside what it takes`);
}

/** A conv2d call resolved to numbers; shapes 4-D (an unbatched input has N = 1). */
export interface ConvNumbers extends ConvDims {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Explicit per-side pads `[[top, bottom], [left, right]]` (SAME names resolved by their rule). */
  readonly pads: Pads;
  readonly paddingMode: 'zeros' | 'reflect' | 'replicate' | 'circular';
  readonly OH: number;
  readonly OW: number;
}

/**
 * convproof's conv2d options as numbers, by the library's own geometry (a valid call; throws `ConvError` otherwise).
 * @example convNumbers([1, 1, 5, 5], [1, 1, 3, 3], { padding: 'same', stride: 2 }).pads // [[1, 1], [1, 1]]
 */
export function convNumbers(input: readonly number[], weight: readonly number[], o: Conv2dOptions = {}): ConvNumbers {
  const g = conv2dGeometry('adapter', input, weight, o);
  const { h, w } = g;
  const [KH, KW] = [h.kernel, w.kernel]; // read by the geometry, whatever the filterFormat
  const pads: Pads = [
    [h.padBefore, h.padAfter],
    [w.padBefore, w.padAfter],
  ];
  const axes = { stride: [h.stride, w.stride] as const, dilation: [h.dilation, w.dilation] as const };
  return { ...g, H: h.size, W: w.size, KH, KW, ...axes, pads, OH: h.out, OW: w.out };
}

/** A convTranspose2d call resolved to numbers; `pads` are cropped from the full output. */
export interface TransposeNumbers {
  readonly batched: boolean;
  readonly N: number;
  readonly O: number;
  readonly groups: number;
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly pads: Pads;
  readonly outputPadding: readonly [number, number];
  readonly OH: number;
  readonly OW: number;
}

/**
 * convproof's convTranspose2d options as numbers, by the library's own geometry.
 * @example transposeNumbers([1, 1, 2, 2], [1, 1, 3, 3], { stride: 2 }).OH // 5
 */
export function transposeNumbers(
  input: readonly number[],
  weight: readonly number[],
  o: ConvTranspose2dOptions = {},
): TransposeNumbers {
  const { conv, outputPadding } = convTranspose2dGeometry('adapter', input, weight, o);
  const { h, w } = conv; // the conv whose adjoint this is: OH → H rows, with the crop as its padding
  const [OH, OW] = [h.size, w.size]; // its input is the transposed output (outputShape is in the caller's layout)
  return {
    batched: conv.batched,
    N: conv.N,
    O: conv.C,
    groups: conv.groups,
    stride: [h.stride, w.stride],
    dilation: [h.dilation, w.dilation],
    pads: [
      [h.padBefore, h.padAfter],
      [w.padBefore, w.padAfter],
    ],
    outputPadding,
    OH,
    OW,
  };
}

/** The same kind of array as `like` (float32 stays float32, float64 stays float64). */
function alike(like: TensorData, length: number): TensorData {
  return like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}

/**
 * A 4-D array with its axes reordered: output axis i is input axis `perm[i]`.
 * @example permute({ shape: [1, 2, 3, 4], data }, [0, 2, 3, 1]).shape // [1, 3, 4, 2]
 */
export function permute(t: Tensor, perm: readonly [number, number, number, number]): Tensor {
  const shape = perm.map((p) => t.shape[p]);
  const strides = [t.shape[1] * t.shape[2] * t.shape[3], t.shape[2] * t.shape[3], t.shape[3], 1];
  const [s0, s1, s2, s3] = perm.map((p) => strides[p]);
  const data = alike(t.data, t.data.length);
  let i = 0;
  for (let a = 0; a < shape[0]; a++)
    for (let b = 0; b < shape[1]; b++)
      for (let c = 0; c < shape[2]; c++)
        for (let d = 0; d < shape[3]; d++) data[i++] = t.data[a * s0 + b * s1 + c * s2 + d * s3];
  return { shape, data };
}

/**
 * `[N, C, H, W]` → `[N, H, W, C]`; the same move takes an OIHW weight to OHWI.
 * @example nchwToNhwc(x).shape // [N, H, W, C]
 */
export const nchwToNhwc = (t: Tensor): Tensor => permute(t, [0, 2, 3, 1]);
/**
 * `[N, H, W, C]` → `[N, C, H, W]`.
 * @example nhwcToNchw({ shape: [1, 4, 4, 2], data }).shape // [1, 2, 4, 4]
 */
export const nhwcToNchw = (t: Tensor): Tensor => permute(t, [0, 3, 1, 2]);
/**
 * A weight `[O, I, KH, KW]` → `[KH, KW, I, O]`.
 * @example oihwToHwio(w).shape // [KH, KW, I, O]
 */
export const oihwToHwio = (t: Tensor): Tensor => permute(t, [2, 3, 1, 0]);
/**
 * `[KH, KW, I, O]` → `[O, I, KH, KW]`.
 * @example hwioToOihw({ shape: [3, 3, 2, 4], data }).shape // [4, 2, 3, 3]
 */
export const hwioToOihw = (t: Tensor): Tensor => permute(t, [3, 2, 0, 1]);

/**
 * A `[C, H, W]` input as `[1, C, H, W]` (a batched one as it is).
 * @example batched(tensor(data, [3, 8, 8])).shape // [1, 3, 8, 8]
 */
export function batched(t: Tensor): Tensor {
  return t.shape.length === 3 ? { shape: [1, ...t.shape], data: t.data } : t;
}

/**
 * A `[1, …]` result back to the caller's rank: unchanged when `keep`, else its first axis dropped.
 * @example unbatched(y, x.shape.length === 4)
 */
export function unbatched(t: Tensor, keep: boolean): Tensor {
  return keep ? t : { shape: t.shape.slice(1), data: t.data };
}

/**
 * Adds `bias[c]` to every element of channel c of a fresh `[N, C, H, W]` (or `[C, H, W]`) output, in place.
 * @example addBias({ shape: [1, 2, 1, 1], data: Float32Array.of(1, 1) }, tensor([1, 2])).data // [2, 3]
 */
export function addBias<T extends Tensor>(out: T, bias: Tensor | null | undefined): T {
  if (!bias) return out;
  const [C, H, W] = out.shape.slice(-3);
  for (let i = 0; i < out.data.length; i++) out.data[i] += bias.data[Math.floor(i / (H * W)) % C];
  return out;
}

/**
 * A one-channel 2-D filter lifted to a conv with groups = 1:
 * `out[n][o] = Σ_c filter(x[n][c], w[o][c])`, each plane `[OH, OW]` row-major,
 * summed in float64. `filter` gets a plane `[H, W]` and a kernel `[KH, KW]`, row-major.
 * @example const y = channelSum(x, w, [H, W], (plane, kernel) => myFilter(plane, kernel)); // [N, O, H, W]
 */
export function channelSum(
  x: Tensor,
  w: Tensor,
  [OH, OW]: readonly [number, number],
  filter: (plane: TensorData, kernel: TensorData) => ArrayLike<number>,
): { shape: number[]; data: Float64Array } {
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const data = new Float64Array(N * O * OH * OW);
  const plane = (t: TensorData, i: number, size: number) => t.subarray(i * size, (i + 1) * size);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let c = 0; c < C; c++) {
        const y = filter(plane(x.data, n * C + c, H * W), plane(w.data, o * C + c, KH * KW));
        for (let i = 0; i < OH * OW; i++) data[(n * O + o) * OH * OW + i] += y[i];
      }
  return { shape: [N, O, OH, OW], data };
}

/**
 * The result in the input's dtype (a float64 computation cast back for a float32 input).
 * @example inDtypeOf(x, { shape, data: float64 }) // Float32Array data when x is float32
 */
export function inDtypeOf(x: Tensor, y: Tensor): Tensor {
  return x.data instanceof Float32Array && !(y.data instanceof Float32Array)
    ? { shape: y.shape, data: Float32Array.from(y.data) }
    : y;
}
