/**
 * Small tensor utilities the properties build their expectations with.
 * They are written here, apart from `src/`, so that a property never leans
 * on the code it checks: slicing, concatenation and transposition are the
 * plain index arithmetic of a row-major NCHW array.
 */
import type { DType, Tensor, TensorData } from '../src/index.js';

/** A shape as four dimensions `[N, C, H, W]`. */
export type Dims4 = readonly [number, number, number, number];

/** The dtype of a tensor's storage. */
export function dtypeOfTensor(t: Tensor): DType {
  return t.data instanceof Float64Array ? 'float64' : 'float32';
}

/** Fresh zeroed storage of `dtype`. */
export function storage(dtype: DType, length: number): TensorData {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** Product of the dimensions (1 for a scalar). */
export function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A tensor of `dtype` and `shape` whose element at flat index `i` is `at(i)`.
 * @example fromFunction('float32', [2, 2], (i) => i) // data [0, 1, 2, 3]
 */
export function fromFunction(dtype: DType, shape: readonly number[], at: (i: number) => number): Tensor {
  const data = storage(dtype, count(shape));
  for (let i = 0; i < data.length; i++) data[i] = at(i);
  return { shape: [...shape], data };
}

/** A copy of `t` (fresh storage of the same dtype, fresh shape array). */
export function copyTensor(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data.slice() };
}

/** `t` with another shape of the same size (the data is shared, never written). */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  if (count(shape) !== t.data.length)
    throw new Error(`reshape: ${t.data.length} elements do not fit [${shape.join(', ')}]`);
  return { shape: [...shape], data: t.data };
}

/** The shape of a 3-D `[C,H,W]` or 4-D `[N,C,H,W]` tensor as four dimensions (N = 1 when unbatched). */
export function dims4(shape: readonly number[]): Dims4 {
  if (shape.length === 4) return [shape[0], shape[1], shape[2], shape[3]];
  if (shape.length === 3) return [1, shape[0], shape[1], shape[2]];
  throw new Error(`expected a 3-D or 4-D shape, got [${shape.join(', ')}]`);
}

/** Flat offset of `[n, c, h, w]` in an NCHW array of dims `d`. */
export function offset4(d: Dims4, n: number, c: number, h: number, w: number): number {
  return ((n * d[1] + c) * d[2] + h) * d[3] + w;
}

/** The multi-index of flat position `flat` in `shape` (row-major). */
export function multiIndex(shape: readonly number[], flat: number): number[] {
  const out = new Array<number>(shape.length);
  let rest = flat;
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = rest % shape[k];
    rest = Math.floor(rest / shape[k]);
  }
  return out;
}

/**
 * Elements `[from, to)` of axis `axis` of a 4-D tensor.
 * @example sliceAxis(x, 1, 0, 2) // the first two channels of x [N,C,H,W]
 */
export function sliceAxis(t: Tensor, axis: number, from: number, to: number): Tensor {
  const d = dims4(t.shape);
  const shape = [...d];
  shape[axis] = to - from;
  return fromFunction(dtypeOfTensor(t), shape, (i) => {
    const m = multiIndex(shape, i);
    m[axis] += from;
    return t.data[offset4(d, m[0], m[1], m[2], m[3])];
  });
}

/** Concatenation of 4-D tensors along `axis` (all other dims equal). */
export function concatAxis(parts: readonly Tensor[], axis: number, dtype: DType): Tensor {
  const ds = parts.map((p) => dims4(p.shape));
  const shape = [...ds[0]];
  shape[axis] = ds.reduce((a, d) => a + d[axis], 0);
  const starts: number[] = [];
  let acc = 0;
  for (const d of ds) {
    starts.push(acc);
    acc += d[axis];
  }
  return fromFunction(dtype, shape, (i) => {
    const m = multiIndex(shape, i);
    let k = ds.length - 1;
    while (starts[k] > m[axis]) k--;
    m[axis] -= starts[k];
    return parts[k].data[offset4(ds[k], m[0], m[1], m[2], m[3])];
  });
}

/** A 4-D tensor with its axis `axis` reordered: output index `k` takes input index `order[k]`. */
export function permuteAxis(t: Tensor, axis: number, order: readonly number[]): Tensor {
  const d = dims4(t.shape);
  return fromFunction(dtypeOfTensor(t), d, (i) => {
    const m = multiIndex(d, i);
    m[axis] = order[m[axis]];
    return t.data[offset4(d, m[0], m[1], m[2], m[3])];
  });
}

/** Swaps the last two axes (height and width) of a 3-D or 4-D tensor. */
export function transposeHW(t: Tensor): Tensor {
  const r = t.shape.length;
  const shape = [...t.shape];
  [shape[r - 2], shape[r - 1]] = [shape[r - 1], shape[r - 2]];
  const H = t.shape[r - 2];
  const W = t.shape[r - 1];
  return fromFunction(dtypeOfTensor(t), shape, (i) => {
    const plane = Math.floor(i / (H * W));
    const within = i % (H * W);
    const w = Math.floor(within / H);
    const h = within % H;
    return t.data[plane * H * W + h * W + w];
  });
}

/** A 1-D tensor of `values` in `dtype`. */
export function vector(dtype: DType, values: readonly number[]): Tensor {
  return fromFunction(dtype, [values.length], (i) => values[i]);
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `[a, b, c]` for messages. */
export function showShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
