/**
 * What the channels-last tests share: the suite's permutations
 * (properties/spec/layout.ts, independent of src/formats.ts), seeded random
 * tensors, and an exact comparison.
 */
import { expect } from 'vitest';
import { tensor, type DType, type Tensor } from '../src/index.js';
import { seededRandom } from '../src/random.js';
import { fromData, fromFilter, permute, toData, toFilter } from '../properties/spec/layout.js';

/** The suite's own permutation (`properties/spec/layout.ts`), independent of src/formats.ts. */
export { permute };

/** `[N, C, H, W] → [N, H, W, C]`, or `[C, H, W] → [H, W, C]`. */
export const toNHWC = (t: Tensor): Tensor => toData(t, 'NHWC');
/** OIHW-form `[A, B, KH, KW] → [KH, KW, B, A]` (conv2d `[O, C/g, KH, KW]`; transposed `[C, O/g, KH, KW]`). */
export const toHWIO = (w: Tensor): Tensor => toFilter(w, 'HWIO');

/** Float32-rounded values in [−1, 1) (so sums really round), or float64 ones. */
export function random(shape: readonly number[], seed: number, dtype: DType = 'float32'): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Array.from({ length: n }, () => 2 * rand() - 1),
    shape,
    dtype,
  );
}

/** Same shape and the same bits, element for element (+0 and −0 differ). */
export function expectSame(got: Tensor, want: Tensor): void {
  expect(got.shape).toEqual(want.shape);
  expect(got.data.constructor).toBe(want.data.constructor);
  expect(Array.from(got.data)).toEqual(Array.from(want.data));
}

/** `[N, H, W, C] → [N, C, H, W]`, or `[H, W, C] → [C, H, W]`. */
export const toNCHW = (t: Tensor): Tensor => fromData(t, 'NHWC');
/** HWIO `[KH, KW, B, A] →` OIHW-form `[A, B, KH, KW]`. */
export const fromHWIO = (w: Tensor): Tensor => fromFilter(w, 'HWIO');
