/**
 * The tensor type: a shape and a flat, row-major typed array. Nothing more.
 */
import { fail, show } from './errors.js';

/** Element type. float32 is the default everywhere, as in PyTorch. */
export type DType = 'float32' | 'float64';

/** The storage behind a tensor. */
export type TensorData = Float32Array | Float64Array;

/**
 * A dense, row-major tensor. `data.length` equals the product of `shape`.
 * convproof never mutates a tensor it is given and always returns fresh ones.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** Nested arrays of numbers, e.g. `[[1, 2], [3, 4]]`; a bare number is a scalar. */
export type Nested = number | readonly Nested[];

/**
 * The largest number of elements convproof will allocate for one tensor
 * (2^30: 4 GiB as float32, 8 GiB as float64). Larger results are refused
 * with `ConvError('too-large')` before anything is allocated.
 */
export const MAX_ELEMENTS = 2 ** 30;

/**
 * The highest rank convproof accepts (NumPy 2's limit). Deeper shapes, and
 * nested values that contain themselves, are refused instead of recursed into.
 */
export const MAX_RANK = 64;

/** Allocates a zeroed array of `dtype`. Callers check the size first. */
export function allocate(dtype: DType, length: number): TensorData {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** The dtype of a typed array. */
export function dtypeOf(data: TensorData): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** Product of a shape's dimensions (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Refuses an allocation of `count` elements beyond MAX_ELEMENTS. */
export function checkAllocation(fn: string, what: string, shape: readonly number[]): void {
  const count = sizeOf(shape);
  if (count > MAX_ELEMENTS) {
    fail(
      fn,
      'too-large',
      `${what} of shape ${show(shape)} would hold ${count} elements, more than the limit of ${MAX_ELEMENTS} (2^30); ` +
        'split the batch or the image into smaller pieces',
    );
  }
}

/** A valid shape dimension: a non-negative integer (the limit of 2^30 aside). */
export function isDim(d: unknown): d is number {
  return typeof d === 'number' && Number.isInteger(d) && d >= 0;
}

/**
 * Checks that `shape` is an array of non-negative integers.
 * @returns the shape as a fresh plain array
 */
export function checkShape(fn: string, name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) fail(fn, 'shape', `${name} must be an array of non-negative integers, got ${show(shape)}`);
  if (shape.length > MAX_RANK)
    fail(fn, 'rank', `${name} has ${shape.length} dimensions, more than the limit of ${MAX_RANK}`);
  for (const d of shape) {
    if (!isDim(d)) {
      fail(fn, 'shape', `${name} ${show(shape)} has ${show(d)}; every dimension must be a non-negative integer`);
    }
    // Also keeps every size sum exact: beyond 2^53 integers stop being representable.
    if (d > MAX_ELEMENTS) {
      fail(
        fn,
        'too-large',
        `${name} ${show(shape)} has a dimension of ${d}, more than the limit of ${MAX_ELEMENTS} (2^30)`,
      );
    }
  }
  return [...(shape as number[])];
}

/**
 * Validates that `value` is a well-formed Tensor (a shape of non-negative
 * integers and a Float32Array/Float64Array of matching length), optionally of
 * the given rank. Used at every public boundary.
 * @example const X = checkTensor('corr2d', 'X', value, 2); // throws ConvError('rank') for a 3-D X
 */
export function checkTensor(fn: string, name: string, value: unknown, rank?: number): Tensor {
  if (value === null || typeof value !== 'object') {
    fail(
      fn,
      'type',
      `${name} must be a tensor {shape, data}, got ${show(value)}; build one with tensor(values, shape)`,
    );
  }
  const t = value as { shape?: unknown; data?: unknown };
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
    fail(
      fn,
      'type',
      `${name}.data must be a Float32Array or Float64Array, got ${show(t.data)}; build the tensor with tensor(values, shape)`,
    );
  }
  const shape = checkShape(fn, `${name}.shape`, t.shape);
  if (rank !== undefined && shape.length !== rank) {
    fail(fn, 'rank', `expected ${rank}D ${name}, but got ${name} of shape ${show(shape)}; reshape ${name} to ${rank}D`);
  }
  const size = sizeOf(shape);
  if (size !== t.data.length) {
    fail(
      fn,
      'data-length',
      `${name} has shape ${show(shape)} (${size} elements) but its data holds ${t.data.length}; make them agree`,
    );
  }
  // A snapshot: later reads cannot see a different shape than the one validated here.
  return { shape, data: t.data };
}

function inferShape(values: Nested, fn: string): number[] {
  const shape: number[] = [];
  let v: Nested = values;
  while (Array.isArray(v)) {
    if (shape.length === MAX_RANK) {
      fail(fn, 'rank', `nested values are more than ${MAX_RANK} levels deep (or contain themselves)`);
    }
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0] as Nested;
  }
  return shape;
}

function flatten(values: Nested, shape: readonly number[], depth: number, out: number[], fn: string): void {
  if (depth === shape.length) {
    if (typeof values !== 'number') {
      fail(
        fn,
        'shape',
        `nested values are ragged or not numbers: expected a number at depth ${depth}, got ${show(values)}`,
      );
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[depth]) {
    fail(
      fn,
      'shape',
      `nested values are ragged: expected an array of length ${shape[depth]} at depth ${depth}, got ${show(values)}`,
    );
  }
  for (const item of values as readonly Nested[]) flatten(item, shape, depth + 1, out, fn);
}

function checkDType(fn: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    fail(fn, 'dtype', `dtype must be 'float32' or 'float64', got ${show(dtype)}`);
  }
  return dtype;
}

/**
 * Builds a tensor from nested arrays or a flat array-like of numbers.
 *
 * - Nested arrays: the shape is inferred (and, if given, must match).
 * - A flat array / typed array: `shape` defaults to `[length]`.
 * - `dtype` defaults to float64 for a Float64Array and float32 otherwise.
 * The data is always copied, so later changes to `values` don't leak in.
 *
 * @example
 * const X = tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);   // shape [3, 3], float32
 * const K = tensor([0, 1, 2, 3], [2, 2], 'float64');
 */
export function tensor(values: Nested | ArrayLike<number>, shape?: readonly number[], dtype?: DType): Tensor {
  const fn = 'tensor';
  const type = checkDType(fn, dtype ?? (values instanceof Float64Array ? 'float64' : 'float32'));
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof values === 'number') {
    flat = [values];
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = inferShape(values as Nested, fn);
    if (inferred.length <= 1) {
      flat = values as ArrayLike<number>;
    } else {
      const out: number[] = [];
      flatten(values as Nested, inferred, 0, out, fn);
      flat = out;
    }
  } else if (
    values !== null &&
    typeof values === 'object' &&
    typeof (values as ArrayLike<number>).length === 'number'
  ) {
    flat = values as ArrayLike<number>;
    if (!isDim(flat.length)) fail(fn, 'type', `values.length must be a non-negative integer, got ${show(flat.length)}`);
    inferred = [flat.length];
  } else {
    fail(
      fn,
      'type',
      `values must be a number, nested arrays of numbers or an array-like of numbers, got ${show(values)}`,
    );
  }
  checkAllocation(fn, 'the values', [flat.length]); // before walking a (possibly fake) length
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== 'number') fail(fn, 'type', `values[${i}] is ${show(flat[i])}, not a number`);
  }
  let finalShape = inferred;
  if (shape !== undefined) {
    finalShape = checkShape(fn, 'shape', shape);
    const nestedInput = Array.isArray(values) && inferred.length > 1;
    if (nestedInput && show(finalShape) !== show(inferred)) {
      fail(fn, 'shape', `the nested values have shape ${show(inferred)} but shape ${show(finalShape)} was given`);
    }
    if (sizeOf(finalShape) !== flat.length) {
      fail(
        fn,
        'data-length',
        `shape ${show(finalShape)} holds ${sizeOf(finalShape)} elements but ${flat.length} values were given`,
      );
    }
  }
  const data = allocate(type, flat.length);
  for (let i = 0; i < flat.length; i++) data[i] = flat[i];
  return { shape: finalShape, data };
}

/**
 * Converts a tensor back to nested arrays (a number for a rank-0 tensor).
 * The type parameter only names the expected nesting for the caller's
 * convenience (e.g. `toNested<number[][]>(y)`); it is not checked.
 * @example toNested<number[][]>(corr2d(X, K)) // [[19, 25], [37, 43]]
 */
export function toNested<T extends Nested = Nested>(t: Tensor): T {
  return nested(t) as T;
}

/**
 * toNested builds one JS array per row of every level; more than this many
 * would exhaust the JS heap (a fatal crash, not an exception). Only a tensor
 * with over 2^24 rows, or an empty one with huge leading dimensions such as
 * [2^30, 0], comes near it.
 */
const MAX_NESTED_ARRAYS = 2 ** 24;

function nestedArrays(shape: readonly number[]): number {
  let arrays = 0;
  let level = 1;
  for (let d = 0; d < shape.length; d++) {
    arrays += level;
    level *= shape[d];
  }
  return arrays;
}

function nested(t: Tensor): Nested {
  const checked = checkTensor('toNested', 't', t);
  const { shape, data } = checked;
  if (shape.length === 0) return data[0];
  const arrays = nestedArrays(shape);
  if (arrays > MAX_NESTED_ARRAYS) {
    fail(
      'toNested',
      'too-large',
      `nested arrays of shape ${show(shape)} would take ${arrays} JS arrays, more than the limit of ${MAX_NESTED_ARRAYS} (2^24); ` +
        'read t.data (row-major) instead',
    );
  }
  const build = (depth: number, offset: number): Nested[] => {
    const n = shape[depth];
    const out: Nested[] = new Array(n);
    if (depth === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = data[offset + i];
      return out;
    }
    const stride = sizeOf(shape.slice(depth + 1));
    for (let i = 0; i < n; i++) out[i] = build(depth + 1, offset + i * stride);
    return out;
  };
  return build(0, 0);
}
