/**
 * tensor() and toNested(): shapes inferred or given, dtypes, copies, empty
 * and scalar tensors, and the round trip.
 */
import { describe, expect, test } from 'vitest';
import { MAX_ELEMENTS, tensor, toNested } from '../src/index.js';

describe('tensor', () => {
  test('nested arrays: the shape is inferred, row-major data, float32 by default', () => {
    const x = tensor([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.data).toBeInstanceOf(Float32Array);
    expect(Array.from(x.data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('4-D nested arrays', () => {
    const x = tensor([[[[1, 2]], [[3, 4]]]]);
    expect(x.shape).toEqual([1, 2, 1, 2]);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4]);
  });

  test('a flat array with a shape', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(x.shape).toEqual([3, 2]);
    expect(toNested(x)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  test('a flat array without a shape is 1-D', () => {
    expect(tensor([7, 8, 9]).shape).toEqual([3]);
  });

  test('nested arrays with a matching shape are accepted', () => {
    expect(
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 2],
      ).shape,
    ).toEqual([2, 2]);
  });

  test("dtype 'float64' keeps float64 values; float32 rounds them", () => {
    const v = 0.1;
    expect(tensor([v], [1], 'float64').data[0]).toBe(0.1);
    expect(tensor([v]).data[0]).toBe(Math.fround(0.1));
    expect(tensor([v], [1], 'float64').data).toBeInstanceOf(Float64Array);
  });

  test('a Float64Array defaults to float64, a Float32Array to float32; an explicit dtype converts', () => {
    expect(tensor(new Float64Array([1, 2])).data).toBeInstanceOf(Float64Array);
    expect(tensor(new Float32Array([1, 2])).data).toBeInstanceOf(Float32Array);
    expect(tensor(new Float64Array([1, 2]), [2], 'float32').data).toBeInstanceOf(Float32Array);
    expect(tensor(new Float32Array([1, 2]), [1, 2], 'float64').data).toBeInstanceOf(Float64Array);
  });

  test('the data is copied: changing the source later does not leak in', () => {
    const src = new Float32Array([1, 2, 3]);
    const x = tensor(src, [3]);
    src[0] = 99;
    expect(x.data[0]).toBe(1);
    expect(x.data).not.toBe(src);
    const shape = [3];
    const y = tensor([1, 2, 3], shape);
    shape[0] = 5;
    expect(y.shape).toEqual([3]);
  });

  test('a number is a scalar of shape []', () => {
    const s = tensor(5);
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([5]);
    expect(toNested(s)).toBe(5);
  });

  test('empty tensors: [] has shape [0]; a flat [] with shape [0, 3]; [[]] has shape [1, 0]', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([], [0, 3]).shape).toEqual([0, 3]);
    expect(tensor([], [0, 3]).data.length).toBe(0);
    expect(tensor([[]]).shape).toEqual([1, 0]);
  });

  test('NaN, ±Infinity and −0 are stored as given', () => {
    const x = tensor([NaN, Infinity, -Infinity, -0], [4], 'float64');
    expect(Number.isNaN(x.data[0])).toBe(true);
    expect(x.data[1]).toBe(Infinity);
    expect(x.data[2]).toBe(-Infinity);
    expect(Object.is(x.data[3], -0)).toBe(true);
  });

  test('MAX_ELEMENTS is 2^30', () => {
    expect(MAX_ELEMENTS).toBe(2 ** 30);
  });
});

describe('toNested', () => {
  test('round trip of a 3-D tensor', () => {
    const nested = [
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [
        [7, 8, 9],
        [10, 11, 12],
      ],
    ];
    expect(toNested(tensor(nested))).toEqual(nested);
  });

  test('shapes with a zero: [0, 3] → [], [2, 0] → [[], []]', () => {
    expect(toNested(tensor([], [0, 3]))).toEqual([]);
    expect(toNested(tensor([], [2, 0]))).toEqual([[], []]);
  });

  test('float64 values come back unrounded', () => {
    expect(toNested(tensor([1 / 3], [1], 'float64'))).toEqual([1 / 3]);
  });

  test('accepts any {shape, data} of matching length, not only tensor() results', () => {
    expect(toNested({ shape: [2, 1], data: new Float64Array([3, 4]) })).toEqual([[3], [4]]);
  });
});
