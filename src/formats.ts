/**
 * Data and filter layouts (`dataFormat`, `filterFormat`): reading a caller's
 * shape in its layout, spelling shapes back in it, and moving data between
 * the caller's layout and the one every kernel reads (NCHW data, OIHW-form
 * weights). The options themselves are parsed in parse-options.ts; this
 * module only serves the geometry and the boundary (validate/dispatch).
 *
 * Both weight layouts relate the same way for either convolution: the
 * OIHW-form `[A, B, KH, KW]` (conv2d `[O, C/g, KH, KW]`, transposed conv
 * `[C, O/g, KH, KW]`) is tfjs's `[KH, KW, B, A]` in HWIO. So one move serves
 * every op, forward or backward.
 */
import type { DataFormat, FilterFormat } from './options.js';
import { allocate, dtypeOf, type Tensor, type TensorData } from './tensor.js';

/**
 * The channels-first sizes `[N, C, H, W]` of a 3-D (unbatched: N = 1) or 4-D data shape given in `format`.
 * @example dataDims([2, 5, 7, 3], 'NHWC') // [2, 3, 5, 7]
 */
export function dataDims(shape: readonly number[], format: DataFormat): [number, number, number, number] {
  const [n, a, b, c] = shape.length === 4 ? shape : [1, ...shape];
  return format === 'NCHW' ? [n, a, b, c] : [n, c, a, b];
}

/**
 * A data shape in `format`, from channels-first sizes (3-D when not batched).
 * @example dataShape('NHWC', true, 2, 3, 5, 7) // [2, 5, 7, 3]
 */
export function dataShape(format: DataFormat, batched: boolean, n: number, c: number, h: number, w: number): number[] {
  const image = format === 'NCHW' ? [c, h, w] : [h, w, c];
  return batched ? [n, ...image] : image;
}

/**
 * The OIHW-form sizes `[A, B, KH, KW]` of a 4-D weight shape given in `format`.
 * @example filterDims([3, 3, 2, 8], 'HWIO') // [8, 2, 3, 3]
 */
export function filterDims(shape: readonly number[], format: FilterFormat): [number, number, number, number] {
  const [s0, s1, s2, s3] = shape;
  return format === 'OIHW' ? [s0, s1, s2, s3] : [s3, s2, s0, s1];
}

/**
 * How a data shape is written in `format`, for messages.
 * @example dataAxes('NHWC', false) // '[H, W, C]'
 */
export function dataAxes(format: DataFormat, batched: boolean): string {
  const image = format === 'NCHW' ? 'C, H, W' : 'H, W, C';
  return batched ? `[N, ${image}]` : `[${image}]`;
}

/**
 * Names, for messages, the weight dimension that holds the OIHW-form's first (`'A'`) or second (`'B'`) size.
 * @example filterAxisName('HWIO', 'B') // "third dimension (filterFormat 'HWIO')"
 */
export function filterAxisName(format: FilterFormat, axis: 'A' | 'B'): string {
  if (format === 'OIHW') return axis === 'A' ? 'first dimension' : 'second dimension';
  return `${axis === 'A' ? 'last' : 'third'} dimension (filterFormat 'HWIO')`;
}

/**
 * Names, for messages, where the input's channels are.
 * @example inputChannelsName('NHWC') // "the input's channels (its last dimension, dataFormat 'NHWC')"
 */
export function inputChannelsName(format: DataFormat): string {
  return format === 'NCHW' ? "the input's channels" : "the input's channels (its last dimension, dataFormat 'NHWC')";
}

/** The side of the square tiles `transposeInto` moves, so that reads and writes both stay within a few cache lines. */
const TILE = 32;

/**
 * `dst[to + k·dstStride + i] = src[from + i·srcStride + k]` for `i < rows`, `k < cols`: a
 * matrix transposed into place, tile by tile (a plain loop would write, or read, one element
 * per cache line on large images).
 * @example transposeInto(nchw, 0, 3136, nhwc, 0, 64, 64, 3136) // one 64-channel 56×56 image, NCHW → NHWC
 */
export function transposeInto(
  src: TensorData,
  from: number,
  srcStride: number,
  dst: TensorData,
  to: number,
  dstStride: number,
  rows: number,
  cols: number,
): void {
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let k0 = 0; k0 < cols; k0 += TILE) {
      const k1 = Math.min(cols, k0 + TILE);
      for (let i = i0; i < i1; i++) {
        const row = from + i * srcStride;
        for (let k = k0, d = to + k0 * dstStride + i; k < k1; k++, d += dstStride) dst[d] = src[row + k];
      }
    }
  }
}

/**
 * `[count][a][b][c] → [count][c][b][a]`, a fresh array of the same dtype.
 * NHWC ↔ NCHW is `[N][H·W][1][C] ↔ [N][C][1][H·W]`; HWIO ↔ OIHW-form is `[KH·KW][B][A] ↔ [A][B][KH·KW]`.
 */
function reverse3(src: TensorData, count: number, a: number, b: number, c: number): TensorData {
  const dst = allocate(dtypeOf(src), src.length);
  const block = a * b * c;
  for (let base = 0; base < count * block; base += block) {
    for (let j = 0; j < b; j++) transposeInto(src, base + j * c, b * c, dst, base + j * a, b * a, a, c);
  }
  return dst;
}

/**
 * A data tensor's values in NCHW order (the tensor's own array when it is already NCHW; never changed).
 * @example toChannelsFirst('NHWC', x) // x: [N, H, W, C] → values in [N, C, H, W] order
 */
export function toChannelsFirst(format: DataFormat, t: Tensor): TensorData {
  if (format === 'NCHW') return t.data;
  const [n, c, h, w] = dataDims(t.shape, format);
  return reverse3(t.data, n, h * w, 1, c);
}

/**
 * A tensor of the caller's `shape` (in `format`) from values in NCHW order.
 * @example fromChannelsFirst('NHWC', [2, 5, 7, 3], out) // out in [2, 3, 5, 7] order → a [2, 5, 7, 3] tensor
 */
export function fromChannelsFirst(format: DataFormat, shape: readonly number[], data: TensorData): Tensor {
  if (format === 'NCHW') return { shape: [...shape], data };
  const [n, c, h, w] = dataDims(shape, format);
  return { shape: [...shape], data: reverse3(data, n, c, 1, h * w) };
}

/**
 * A weight's values in OIHW-form order `[A, B, KH, KW]` (its own array when already OIHW; never changed).
 * @example toOIHW('HWIO', w) // w: [KH, KW, C/g, O] → values in [O, C/g, KH, KW] order
 */
export function toOIHW(format: FilterFormat, t: Tensor): TensorData {
  if (format === 'OIHW') return t.data;
  const [a, b, kh, kw] = filterDims(t.shape, format);
  return reverse3(t.data, 1, kh * kw, b, a);
}

/**
 * A tensor of the caller's weight `shape` (in `format`) from values in OIHW-form order.
 * @example fromOIHW('HWIO', [3, 3, 2, 8], gw) // gw in [8, 2, 3, 3] order → a [3, 3, 2, 8] tensor
 */
export function fromOIHW(format: FilterFormat, shape: readonly number[], data: TensorData): Tensor {
  if (format === 'OIHW') return { shape: [...shape], data };
  const [a, b, kh, kw] = filterDims(shape, format);
  return { shape: [...shape], data: reverse3(data, 1, a, b, kh * kw) };
}
