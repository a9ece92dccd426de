/**
 * Linear combinations along the batch or channel axis of NCHW (or OIHW)
 * arrays, in float64: the random projections of Freivalds' check and the
 * channel slices of the full checks are both rows of coefficients.
 *
 * Every coefficient of a projection is ±(1 + U), U uniform on [0, 1): a
 * continuous draw bounded away from zero, so an error in one element of a
 * combination shows with at least its own size (see `checks.ts` for the
 * escape probability this gives).
 */
import type { Tensor } from '../../src/index.js';
import type { Dims4 } from '../tensors.js';

/** One output of a combination: `[index along the axis, coefficient]` pairs. */
export type Row = readonly (readonly [index: number, coef: number])[];

/** Rows along one axis, the same for every outer index or chosen per outer index (a weight's group). */
export type Rows = readonly Row[] | ((outer: number) => readonly Row[]);

/**
 * `count` random coefficients ±(1 + U).
 * @example coefficients(3, seededRandom(1)) // e.g. Float64Array [1.42, -1.07, 1.93]
 */
export function coefficients(count: number, rand: () => number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = (rand() < 0.5 ? -1 : 1) * (1 + rand());
  return out;
}

/**
 * Rows that split each of `groups` runs of `size` indices into bins of at
 * most `bin` consecutive indices, with coefficients `coef` (by global
 * index); rows come group by group, `ceil(size/bin)` per group.
 * @example binRows(2, 3, 2, Float64Array.of(1, 1, 1, 1, 1, 1)) // [[0,1],[2]] and [[3,4],[5]] with coefficients 1
 */
export function binRows(groups: number, size: number, bin: number, coef: Float64Array): Row[] {
  const rows: Row[] = [];
  for (let g = 0; g < groups; g++) {
    for (let start = 0; start < size; start += bin) {
      const row: [number, number][] = [];
      for (let l = start; l < Math.min(start + bin, size); l++) row.push([g * size + l, coef[g * size + l]]);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * The rows of one group with local indices (`index − group·size`), for an
 * axis that counts within a group (a weight's C/g axis).
 * @example localRows(binRows(2, 3, 3, coef), 1, 3) // [[[0, coef[3]], [1, coef[4]], [2, coef[5]]]]
 */
export function localRows(rows: readonly Row[], group: number, size: number): Row[] {
  return rows
    .filter((r) => r.length > 0 && Math.floor(r[0][0] / size) === group)
    .map((r) => r.map(([i, c]) => [i - group * size, c] as const));
}

/** The sum of |coefficient| of a row. */
export function weightOf(row: Row): number {
  return row.reduce((a, [, c]) => a + Math.abs(c), 0);
}

/**
 * Combines a 4-D array along axis 0 or 1: `out[.., r, ..] = Σ c·t[.., i, ..]`
 * over row r's pairs (with `absolute`, `Σ |c|·|t|`).
 * @returns float64 data and its dims
 * @example combine(y.data, [N, O, OH, OW], 1, rows, false) // [N, rows.length, OH, OW]
 */
export function combine(
  data: ArrayLike<number>,
  dims: Dims4,
  axis: 0 | 1,
  rows: Rows,
  absolute: boolean,
): { data: Float64Array; dims: Dims4 } {
  const [A, B, P, Q] = dims;
  const plane = P * Q;
  const rowsOf = typeof rows === 'function' ? rows : () => rows;
  const count = rowsOf(0).length;
  const outDims: Dims4 = axis === 0 ? [count, B, P, Q] : [A, count, P, Q];
  const out = new Float64Array(outDims[0] * outDims[1] * plane);
  const inner = axis === 0 ? B * plane : plane;
  const outer = axis === 0 ? 1 : A;
  for (let a = 0; a < outer; a++) {
    const list = rowsOf(a);
    for (let r = 0; r < count; r++) {
      const to = (a * count + r) * inner;
      for (const [i, c] of list[r]) {
        const from = (axis === 0 ? i : a * B + i) * inner;
        if (absolute) {
          const k = Math.abs(c);
          for (let e = 0; e < inner; e++) out[to + e] += k * Math.abs(data[from + e]);
        } else {
          for (let e = 0; e < inner; e++) out[to + e] += c * data[from + e];
        }
      }
    }
  }
  return { data: out, dims: outDims };
}

/**
 * Indices `[from, to)` of axis 0 or 1 of a 4-D tensor, copied, in its dtype.
 * @example slab(x, 1, 4, 8) // channels 4–7 of x [N, C, H, W]
 */
export function slab(t: Tensor, axis: 0 | 1, from: number, to: number): Tensor {
  const [A, B, P, Q] = t.shape;
  const plane = P * Q;
  const shape = axis === 0 ? [to - from, B, P, Q] : [A, to - from, P, Q];
  const data =
    t.data instanceof Float64Array
      ? new Float64Array(shape[0] * shape[1] * plane)
      : new Float32Array(shape[0] * shape[1] * plane);
  if (axis === 0) data.set(t.data.subarray(from * B * plane, to * B * plane));
  else {
    for (let a = 0; a < A; a++)
      data.set(t.data.subarray((a * B + from) * plane, (a * B + to) * plane), a * (to - from) * plane);
  }
  return { shape, data };
}

/**
 * The given indices of axis 0 or 1 of a 1-D to 4-D tensor, in that order, copied, in its dtype.
 * @example gather(y, 1, [0, 17, 64]) // output channels 0, 17 and 64 of y [N, O, OH, OW]
 */
export function gather(t: Tensor, axis: 0 | 1, indices: readonly number[]): Tensor {
  const shape = [...t.shape];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const [outer, size] = [axis === 0 ? 1 : shape[0], shape[axis]];
  shape[axis] = indices.length;
  const data =
    t.data instanceof Float64Array
      ? new Float64Array(outer * indices.length * inner)
      : new Float32Array(outer * indices.length * inner);
  for (let a = 0; a < outer; a++) {
    for (const [k, i] of indices.entries()) {
      const from = (a * size + i) * inner;
      data.set(t.data.subarray(from, from + inner), (a * indices.length + k) * inner);
    }
  }
  return { shape, data };
}

/**
 * A float64 tensor of `dims` over `data` (for the model, which reads any float array).
 * @example asTensor(combine(x.data, dims, 0, rows, false))
 */
export function asTensor(c: { data: Float64Array; dims: Dims4 }): Tensor {
  return { shape: [...c.dims], data: c.data };
}
