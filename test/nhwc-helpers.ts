/**
 * What the channels-last tests share: permutations written as index maps
 * over shapes (independent of src/formats.ts), seeded random tensors, and an
 * exact comparison.
 */
import { expect } from 'vitest';
import { tensor, type DType, type Tensor } from '../src/index.js';
import { seededRandom } from '../src/random.js';

/** `out[i_perm[0], i_perm[1], …] = t[i_0, i_1, …]`: axis k of the result is axis `order[k]` of t. */
export function permute(t: Tensor, order: readonly number[]): Tensor {
  const shape = order.map((a) => t.shape[a]);
  const strides = t.shape.map((_, a) => t.shape.slice(a + 1).reduce((p, d) => p * d, 1));
  const data = new (t.data.constructor as Float32ArrayConstructor)(t.data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < data.length; i++) {
    data[i] = t.data[order.reduce((s, a, k) => s + index[k] * strides[a], 0)];
    for (let k = shape.length - 1; k >= 0 && ++index[k] === shape[k]; k--) index[k] = 0;
  }
  return { shape, data };
}

/** `[N, C, H, W] → [N, H, W, C]`, or `[C, H, W] → [H, W, C]`. */
export const toNHWC = (t: Tensor): Tensor => permute(t, t.shape.length === 4 ? [0, 2, 3, 1] : [1, 2, 0]);
/** OIHW-form `[A, B, KH, KW] → [KH, KW, B, A]` (conv2d `[O, C/g, KH, KW]`; transposed `[C, O/g, KH, KW]`). */
export const toHWIO = (w: Tensor): Tensor => permute(w, [2, 3, 1, 0]);

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
export const toNCHW = (t: Tensor): Tensor => permute(t, t.shape.length === 4 ? [0, 3, 1, 2] : [2, 0, 1]);
/** HWIO `[KH, KW, B, A] →` OIHW-form `[A, B, KH, KW]`. */
export const fromHWIO = (w: Tensor): Tensor => permute(w, [3, 2, 0, 1]);
