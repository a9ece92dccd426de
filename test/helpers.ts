/**
 * Small helpers shared by the example-based tests of the core.
 *
 * The `naive*` functions run the suite's float64 model (properties/spec: a
 * different algorithm from the core's, padding by mode into a new array, then
 * windows and dot products) on nested arrays. Expected values in the tests
 * come from hand computation or from the spec, never from the core.
 */
import { SMALL_WORK } from '../src/dispatch.js';
import { expect } from 'vitest';
import { suiteEnv } from '../properties/index.js';
import {
  modelConv2d,
  modelConv2dBackward,
  modelConvTranspose2d,
  resolveConv,
  resolveTranspose,
} from '../properties/spec/index.js';
import { runSettings, vitestReplay, type RunSettings } from '../properties/verify.js';
import {
  ConvError,
  conv2d,
  conv2dBackward,
  convTranspose2d,
  convTranspose2dBackward,
  corr2d,
  reference,
  tensor,
  type Conv2dOptions,
  type DType,
  type Nested,
  type PaddingMode,
  type Tensor,
} from '../src/index.js';

/** One set of conv kernels under test. */
export interface Kernels {
  readonly name: string;
  readonly conv2d: typeof conv2d;
  readonly conv2dBackward: typeof conv2dBackward;
  readonly convTranspose2d: typeof convTranspose2d;
  readonly convTranspose2dBackward: typeof convTranspose2dBackward;
  readonly corr2d: typeof corr2d;
}

/**
 * The public kernels (which dispatch to the fast path above a size
 * threshold) and the reference loops they are checked against: every
 * hand-computed example runs on both.
 */
export const KERNELS: readonly Kernels[] = [
  { name: 'public', conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward, corr2d },
  {
    name: 'reference',
    conv2d: reference.conv2d,
    conv2dBackward: reference.conv2dBackward,
    convTranspose2d: reference.convTranspose2d,
    convTranspose2dBackward: reference.convTranspose2dBackward,
    corr2d: reference.corr2d,
  },
];

/** Builds a tensor from nested arrays (float32 unless told). */
export function t(values: Nested, dtype: DType = 'float32'): Tensor {
  return tensor(values, undefined, dtype);
}

/** `0, 1, 2, …` (times `step`, plus `start`) in the given shape, as nested arrays. */
export function iota(shape: readonly number[], start = 0, step = 1): Nested {
  let next = start;
  const build = (depth: number): Nested => {
    if (depth === shape.length) {
      const v = next;
      next += step;
      return v;
    }
    return Array.from({ length: shape[depth] }, () => build(depth + 1));
  };
  return build(0);
}

/** A tensor of the given shape filled with `0, 1, 2, …` (scaled by `step`). */
export function iotaTensor(shape: readonly number[], dtype: DType = 'float32', start = 0, step = 1): Tensor {
  return tensor(iota(shape, start, step), undefined, dtype);
}

/** A tensor of the given shape whose elements are all `value`. */
export function full(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(new Array<number>(n).fill(value), shape, dtype);
}

function shapeOf(values: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0] as Nested;
  }
  return shape;
}

function flat(values: Nested): number[] {
  return Array.isArray(values) ? (values as readonly Nested[]).flatMap((v) => flat(v)) : [values as number];
}

function multiIndex(shape: readonly number[], flatIndex: number): number[] {
  const idx = new Array<number>(shape.length);
  let rest = flatIndex;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return idx;
}

/** Exact equality of two numbers where −0 equals +0 and NaN equals NaN. */
export function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Asserts that `got` has exactly the shape and the values of `expected`
 * (−0 == +0, NaN == NaN, no tolerance). A mismatch names the index and both values.
 * `shape` overrides the shape inferred from `expected` (needed for empty tensors).
 */
export function expectTensor(got: Tensor, expected: Nested, shape?: readonly number[]): void {
  const wantShape = shape ?? shapeOf(expected);
  expect([...got.shape], 'shape').toEqual(wantShape);
  const want = flat(expected);
  expect(got.data.length, 'data length').toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!same(got.data[i], want[i])) {
      const at = `[${multiIndex(wantShape, i).join(', ')}]`;
      expect.fail(`element ${at} (flat ${i}) is ${got.data[i]} but should be ${want[i]}`);
    }
  }
}

/** Asserts that `run` throws a ConvError with `code` whose message contains every part. */
export function expectConvError(run: () => unknown, code: string, parts: readonly string[] = []): ConvError {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a ConvError to be thrown').toBeInstanceOf(ConvError);
  const err = caught as ConvError;
  expect(err.code, err.message).toBe(code);
  for (const part of parts) expect(err.message).toContain(part);
  return err;
}

/** Copies a tensor's data so a later comparison can show it was not mutated. */
export function snapshot(x: Tensor): number[] {
  return Array.from(x.data);
}

/** Σ a·b over two equal-length tensors, in float64. */
export function dot(a: Tensor, b: Tensor): number {
  expect(a.data.length).toBe(b.data.length);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

// ---------------------------------------------------------------------------
// The suite's float64 model (properties/spec), on nested arrays.

export type Plane = number[][];
export type Pads = [[number, number], [number, number]];
export type Mode = PaddingMode;
type N4 = number[][][][];

export interface NaiveOptions {
  stride?: [number, number];
  dilation?: [number, number];
  pads?: Pads;
  groups?: number;
  mode?: Mode;
  bias?: number[];
}

/** A float64 tensor of nested arrays (non-empty in every dimension). */
function nestedTensor(values: N4): Tensor {
  return tensor(values as Nested, undefined, 'float64');
}

/** Flat row-major values as nested arrays of a 4-D `shape`. */
function nest(data: ArrayLike<number>, shape: readonly number[]): N4 {
  const [, C, H, W] = shape;
  return Array.from({ length: shape[0] }, (_, n) =>
    Array.from({ length: C }, (_, c) =>
      Array.from({ length: H }, (_, h) => Array.from({ length: W }, (_, w) => data[((n * C + c) * H + h) * W + w])),
    ),
  );
}

function specOptions(o: NaiveOptions): Conv2dOptions {
  return { stride: o.stride, dilation: o.dilation, padding: o.pads, groups: o.groups, paddingMode: o.mode };
}

/**
 * conv2d by the spec's model (pad by mode, strided/dilated windows, dot
 * products; zero-padding taps skipped, the design's NaN/Inf rule).
 * x `[N][C][H][W]`, w `[O][C/g][KH][KW]`.
 */
export function naiveConv2d(x: N4, w: N4, o: NaiveOptions = {}): N4 {
  const [input, weight] = [nestedTensor(x), nestedTensor(w)];
  const r = resolveConv(input.shape, weight.shape, specOptions(o));
  const bias = o.bias ? tensor(o.bias, [o.bias.length], 'float64') : null;
  return nest(modelConv2d(r, input, weight, bias), r.outputShape);
}

/**
 * Transposed convolution by the spec's model: every input pixel scatters
 * `x · kernel` into the full output (taps spaced by the dilation), which grows
 * by `outputPadding` at the bottom/right and loses `pads` from each side.
 * x `[N][C][H][W]`, w `[C][O/g][KH][KW]`.
 */
export function naiveConvTranspose2d(x: N4, w: N4, o: NaiveOptions & { outputPadding?: [number, number] } = {}): N4 {
  const [input, weight] = [nestedTensor(x), nestedTensor(w)];
  const options = { stride: o.stride, dilation: o.dilation, padding: o.pads, groups: o.groups };
  const r = resolveTranspose(input.shape, weight.shape, { ...options, outputPadding: o.outputPadding });
  const bias = o.bias ? tensor(o.bias, [o.bias.length], 'float64') : null;
  return nest(modelConvTranspose2d(r, input, weight, bias).value, r.outputShape);
}

function mapNested<T extends number[][][][]>(a: T, f: (v: number, flatIndex: number) => number): T {
  let i = 0;
  return a.map((n) => n.map((c) => c.map((row) => row.map((v) => f(v, i++))))) as T;
}

function sum4(a: number[][][][], b: number[][][][]): number {
  let s = 0;
  a.forEach((n, i) => n.forEach((c, j) => c.forEach((row, k) => row.forEach((v, l) => (s += v * b[i][j][k][l])))));
  return s;
}

/**
 * Gradients of `Σ dy · naiveConv2d(x, w)` by linearity: the derivative with
 * respect to element p is the same sum with x (or w) replaced by the unit
 * array at p. Slow, but it only needs the naive forward, so padding modes
 * fold their gradients back into the source pixels without any special case.
 */
export function naiveConv2dGradients(
  x: number[][][][],
  w: number[][][][],
  dy: number[][][][],
  o: NaiveOptions = {},
): { gradInput: number[][][][]; gradWeight: number[][][][] } {
  const noBias = { ...o, bias: undefined };
  const unit = <T extends number[][][][]>(a: T, p: number): T => mapNested(a, (_, i) => (i === p ? 1 : 0));
  return {
    gradInput: mapNested(x, (_, p) => sum4(dy, naiveConv2d(unit(x, p), w, noBias))),
    gradWeight: mapNested(w, (_, p) => sum4(dy, naiveConv2d(x, unit(w, p), noBias))),
  };
}

/** The chapter's 6×8 image: ones, with a black band in columns 2–5. */
export function edgeRows(): number[][] {
  return Array.from({ length: 6 }, () => [1, 1, 0, 0, 0, 0, 1, 1]);
}

/**
 * Deterministic small integers in [−5, 5] with no symmetry to hide a
 * flipped kernel or swapped axes; `salt` gives a different array.
 */
export function ints(shape: readonly number[], salt = 0): Nested {
  let i = salt * 7919;
  const next = (): number => {
    let h = Math.imul(++i, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
    return (((h ^ (h >>> 13)) >>> 0) % 11) - 5;
  };
  const build = (depth: number): Nested =>
    depth === shape.length ? next() : Array.from({ length: shape[depth] }, () => build(depth + 1));
  return build(0);
}

/**
 * Gradients of `Σ dy · naiveConv2d(x, w)` by the spec's model: gradInput by
 * `dy` spread by the stride and correlated with the flipped kernel, then
 * folded back onto the pixels a padding mode copied; gradWeight by the
 * padded input correlated with `dy`. Fast enough for the fast-path-sized cases.
 */
export function naiveConv2dGradientsDirect(
  x: N4,
  w: N4,
  dy: N4,
  o: NaiveOptions = {},
): { gradInput: N4; gradWeight: N4 } {
  const [input, weight] = [nestedTensor(x), nestedTensor(w)];
  const r = resolveConv(input.shape, weight.shape, specOptions(o));
  const g = modelConv2dBackward(r, input, weight, nestedTensor(dy));
  return { gradInput: nest(g.gradInput, input.shape), gradWeight: nest(g.gradWeight, weight.shape) };
}

/**
 * The multiply-adds N·O·OH·OW·(C/g)·KH·KW from which the public kernels take
 * the fast path (`SMALL_WORK` of src/dispatch.ts); the tiled arms of the golden
 * and oracle tests must reach it.
 */
export const FAST_PATH_WORK = SMALL_WORK;

/**
 * The smallest power of two R with `perRepeat·R ≥ FAST_PATH_WORK` (1 when there
 * is no work to repeat). A power of two, so that scaling a sum by R rounds nothing.
 */
export function repeatsFor(perRepeat: number): number {
  let R = 1;
  while (perRepeat > 0 && perRepeat * R < FAST_PATH_WORK) R *= 2;
  return R;
}

/**
 * The batch repeated R times (an unbatched `[C,H,W]` tensor becomes `[R,C,H,W]`).
 * @example tileBatch({ shape: [2, 1, 1, 1], data: [1, 2] }, 2).data // [1, 2, 1, 2]
 */
export function tileBatch<A extends { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>(
  t: A,
  R: number,
): { shape: number[]; data: number[] } {
  const shape = t.shape.length === 4 ? [t.shape[0] * R, ...t.shape.slice(1)] : [R, ...t.shape];
  const one = Array.from(t.data);
  return { shape, data: Array.from({ length: R }, () => one).flat() };
}

/**
 * The run settings of a property test file, from CONVPROOF_PROFILE / _RUNS /
 * _SEED / _DTYPE / _PATH, with replay commands naming `file`; logs them once.
 */
export function envSettings(file: string, label: string): RunSettings {
  const env = suiteEnv();
  const settings = runSettings({
    profile: env.profile,
    runs: env.runs,
    seed: env.seed,
    dtype: env.dtype,
    ...(env.path ? { path: env.path } : {}),
    ...(env.scaleWork !== undefined ? { scaleWork: env.scaleWork } : {}),
    replay: vitestReplay(file),
  });
  console.log(
    `${label}: profile ${env.profile.name}, seed ${settings.seed}, ${settings.runs} runs, dtype ${settings.dtype}`,
  );
  return settings;
}
