/**
 * The layouts as the suite states them (DESIGN.md; tfjs's names):
 * `dataFormat` `'NCHW'` (default) or `'NHWC'` for inputs, outputs and their
 * gradients (`[C, H, W]` / `[H, W, C]` unbatched), and `filterFormat`
 * `'OIHW'` (default) or `'HWIO'` for weights. A conv2d weight `[O, C/g, KH, KW]`
 * is `[KH, KW, C/g, O]` in HWIO; a transposed conv's `[C, O/g, KH, KW]` is
 * `[KH, KW, O/g, C]` (tfjs's conv2dTranspose filter): both are the axis order
 * (2, 3, 1, 0). Every layout property moves data with `permute` below, and
 * the model stays in NCHW/OIHW.
 */
import type { Tensor } from '../../src/index.js';
import { dtypeOfTensor, storage } from '../tensors.js';

/** Where the channels of an input, output or gradient lie. */
export type DataFormat = 'NCHW' | 'NHWC';
/** How a weight's axes are ordered. */
export type FilterFormat = 'OIHW' | 'HWIO';

/** The weight's axis order in HWIO: out axis order of OIHW's (a, b, KH, KW) is (KH, KW, b, a). */
export const HWIO_AXES = [2, 3, 1, 0] as const;

/**
 * `t` with its axes reordered: result axis k is `t`'s axis `axes[k]`.
 * @example permute(x, [0, 2, 3, 1]) // NCHW → NHWC
 */
export function permute(t: Tensor, axes: readonly number[]): Tensor {
  const shape = axes.map((a) => t.shape[a]);
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const data = storage(dtypeOfTensor(t), t.data.length);
  const at = new Array<number>(shape.length).fill(0); // the result's multi-index, row-major
  let from = 0; // the source offset of `at`
  for (let i = 0; i < data.length; i++) {
    data[i] = t.data[from];
    for (let k = shape.length - 1; k >= 0; k--) {
      at[k]++;
      from += strides[axes[k]];
      if (at[k] < shape[k]) break;
      from -= at[k] * strides[axes[k]];
      at[k] = 0;
    }
  }
  return { shape, data };
}

/** The inverse of an axis order: `permute(permute(t, axes), inverse(axes))` is `t`. */
export function inverse(axes: readonly number[]): number[] {
  const inv = new Array<number>(axes.length);
  axes.forEach((a, k) => {
    inv[a] = k;
  });
  return inv;
}

/** The axis order taking an NCHW (or CHW) tensor to `format`. */
export function dataAxes(format: DataFormat, rank: number): number[] {
  if (format === 'NCHW') return Array.from({ length: rank }, (_, i) => i);
  return rank === 4 ? [0, 2, 3, 1] : [1, 2, 0];
}

/**
 * An NCHW (or CHW) tensor in `format`, and back.
 * @example toData(x, 'NHWC').shape // [N, H, W, C]
 */
export function toData(t: Tensor, format: DataFormat): Tensor {
  return format === 'NCHW' ? t : permute(t, dataAxes(format, t.shape.length));
}

/** A tensor in `format` back in NCHW (or CHW). */
export function fromData(t: Tensor, format: DataFormat): Tensor {
  return format === 'NCHW' ? t : permute(t, inverse(dataAxes(format, t.shape.length)));
}

/** An OIHW weight (or a transposed conv's `[C, O/g, KH, KW]`) in `format`. */
export function toFilter(w: Tensor, format: FilterFormat): Tensor {
  return format === 'OIHW' ? w : permute(w, HWIO_AXES);
}

/** A weight in `format` back in OIHW order. */
export function fromFilter(w: Tensor, format: FilterFormat): Tensor {
  return format === 'OIHW' ? w : permute(w, inverse(HWIO_AXES));
}

/**
 * An NCHW (or CHW) shape as it reads in `format`, without data.
 * @example toDataShape([2, 3, 5, 7], 'NHWC') // [2, 5, 7, 3]
 */
export function toDataShape(shape: readonly number[], format: DataFormat): number[] {
  return dataAxes(format, shape.length).map((a) => shape[a]);
}

/** An OIHW-form weight shape as it reads in `format`. */
export function toFilterShape(shape: readonly number[], format: FilterFormat): number[] {
  return format === 'OIHW' ? [...shape] : HWIO_AXES.map((a) => shape[a]);
}

/**
 * A shape in `format` read back as NCHW (or CHW): what `fromData` would give, without data.
 * @example dataShapeNCHW([2, 5, 7, 3], 'NHWC') // [2, 3, 5, 7]
 */
export function dataShapeNCHW(shape: readonly number[], format: DataFormat): number[] {
  if (format === 'NCHW') return [...shape];
  return inverse(dataAxes(format, shape.length)).map((a) => shape[a]);
}

/** A weight shape in `format` read back in OIHW order. */
export function filterShapeOIHW(shape: readonly number[], format: FilterFormat): number[] {
  if (format === 'OIHW' || shape.length !== 4) return [...shape];
  return inverse(HWIO_AXES).map((a) => shape[a]);
}
