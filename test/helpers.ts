/**
 * Small helpers shared by the example-based tests of the core.
 *
 * The `naive*` functions are a second, deliberately different way to compute
 * a convolution: they materialise the padded image as nested arrays and sum
 * over it, with no index maps and no typed arrays. Expected values in the
 * tests come from hand computation or from these, never from the core.
 */
import { expect } from 'vitest';
import { suiteEnv } from '../properties/index.js';
import { runSettings, vitestReplay, type RunSettings } from '../properties/verify.js';
import {
  ConvError,
  conv2d,
  conv2dBackward,
  convTranspose2d,
  corr2d,
  reference,
  tensor,
  type DType,
  type Nested,
  type Tensor,
} from '../src/index.js';

/** One set of conv kernels under test. */
export interface Kernels {
  readonly name: string;
  readonly conv2d: typeof conv2d;
  readonly conv2dBackward: typeof conv2dBackward;
  readonly convTranspose2d: typeof convTranspose2d;
  readonly corr2d: typeof corr2d;
}

/**
 * The public kernels (which dispatch to the fast path above a size
 * threshold) and the reference loops they are checked against: every
 * hand-computed example runs on both.
 */
export const KERNELS: readonly Kernels[] = [
  { name: 'public', conv2d, conv2dBackward, convTranspose2d, corr2d },
  {
    name: 'reference',
    conv2d: reference.conv2d,
    conv2dBackward: reference.conv2dBackward,
    convTranspose2d: reference.convTranspose2d,
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
// The independent naive convolution on nested arrays.

export type Plane = number[][];
export type Pads = [[number, number], [number, number]];
export type Mode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Where padded coordinate `i` (may be out of range) reads from, by mode; null = a zero. */
function source(i: number, n: number, mode: Mode): number | null {
  if (i >= 0 && i < n) return i;
  if (mode === 'zeros') return null;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), n - 1);
  if (mode === 'circular') return ((i % n) + n) % n;
  // reflect about the edge pixel, which is not repeated: −1 → 1, n → n − 2
  return i < 0 ? -i : 2 * n - 2 - i;
}

/** The image with its padding written out: a `(H + t + b) × (W + l + r)` array. */
export function padPlane(plane: Plane, [[top, bottom], [left, right]]: Pads, mode: Mode = 'zeros'): Plane {
  const H = plane.length;
  const W = plane[0].length;
  const out: Plane = [];
  for (let r = -top; r < H + bottom; r++) {
    const row: number[] = [];
    for (let c = -left; c < W + right; c++) {
      const sr = source(r, H, mode);
      const sc = source(c, W, mode);
      row.push(sr === null || sc === null ? 0 : plane[sr][sc]);
    }
    out.push(row);
  }
  return out;
}

/** Whether padded position (r, c) holds an image pixel (always, except for zero padding). */
function isReal(H: number, W: number, [[top], [left]]: Pads, mode: Mode): (r: number, c: number) => boolean {
  return (r, c) => source(r - top, H, mode) !== null && source(c - left, W, mode) !== null;
}

export interface NaiveOptions {
  stride?: [number, number];
  dilation?: [number, number];
  pads?: Pads;
  groups?: number;
  mode?: Mode;
  bias?: number[];
}

/**
 * conv2d on nested arrays: pad every plane explicitly, then for each output
 * position sum kernel × window, skipping zero-padding taps (the design's
 * NaN/Inf rule). x `[N][C][H][W]`, w `[O][C/g][KH][KW]`.
 */
export function naiveConv2d(x: number[][][][], w: number[][][][], o: NaiveOptions = {}): number[][][][] {
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  const pads = o.pads ?? [
    [0, 0],
    [0, 0],
  ];
  const g = o.groups ?? 1;
  const perGroupIn = w[0].length;
  const perGroupOut = w.length / g;
  return x.map((image) => {
    const padded = image.map((plane) => padPlane(plane, pads, o.mode ?? 'zeros'));
    const real = isReal(image[0].length, image[0][0].length, pads, o.mode ?? 'zeros');
    return w.map((kernels, oc) => {
      const firstIn = Math.floor(oc / perGroupOut) * perGroupIn;
      const KH = kernels[0].length;
      const KW = kernels[0][0].length;
      const PH = padded[0].length;
      const PW = padded[0][0].length;
      const OH = Math.floor((PH - dh * (KH - 1) - 1) / sh) + 1;
      const OW = Math.floor((PW - dw * (KW - 1) - 1) / sw) + 1;
      const out: Plane = [];
      for (let i = 0; i < OH; i++) {
        const row: number[] = [];
        for (let j = 0; j < OW; j++) {
          let s = o.bias ? o.bias[oc] : 0;
          kernels.forEach((k, ci) => {
            for (let a = 0; a < KH; a++) {
              for (let b = 0; b < KW; b++) {
                const r = i * sh + a * dh;
                const c = j * sw + b * dw;
                // zero padding contributes nothing, not 0·w (which is NaN for an infinite w)
                if (real(r, c)) s += k[a][b] * padded[firstIn + ci][r][c];
              }
            }
          });
          row.push(s);
        }
        out.push(row);
      }
      return out;
    });
  });
}

/**
 * Transposed convolution on nested arrays, scatter then crop: every input
 * pixel adds `x · kernel` into a full-size output at `(i·s, j·s)` (taps
 * spaced by the dilation); the full output grows by `outputPadding` at the
 * bottom/right and then loses `pads` rows/columns from each side.
 * x `[N][C][H][W]`, w `[C][O/g][KH][KW]`.
 */
export function naiveConvTranspose2d(
  x: number[][][][],
  w: number[][][][],
  o: NaiveOptions & { outputPadding?: [number, number] } = {},
): number[][][][] {
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  const [[pt, pb], [pl, pr]] = o.pads ?? [
    [0, 0],
    [0, 0],
  ];
  const [oph, opw] = o.outputPadding ?? [0, 0];
  const g = o.groups ?? 1;
  const C = w.length;
  const perGroupOut = w[0].length;
  const O = perGroupOut * g;
  const KH = w[0][0].length;
  const KW = w[0][0][0].length;
  return x.map((image) => {
    const H = image[0].length;
    const W = image[0][0].length;
    const FH = (H - 1) * sh + dh * (KH - 1) + 1 + oph;
    const FW = (W - 1) * sw + dw * (KW - 1) + 1 + opw;
    const fullOut = Array.from({ length: O }, () => Array.from({ length: FH }, () => new Array<number>(FW).fill(0)));
    for (let c = 0; c < C; c++) {
      const group = Math.floor(c / (C / g));
      for (let q = 0; q < perGroupOut; q++) {
        const oc = group * perGroupOut + q;
        for (let i = 0; i < H; i++) {
          for (let j = 0; j < W; j++) {
            for (let a = 0; a < KH; a++) {
              for (let b = 0; b < KW; b++)
                fullOut[oc][i * sh + a * dh][j * sw + b * dw] += image[c][i][j] * w[c][q][a][b];
            }
          }
        }
      }
    }
    return fullOut.map((plane, oc) =>
      plane.slice(pt, FH - pb).map((row) => row.slice(pl, FW - pr).map((v) => v + (o.bias ? o.bias[oc] : 0))),
    );
  });
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
 * Gradients of `Σ dy · naiveConv2d(x, w)` written out directly: scatter
 * dy·w onto the explicitly padded image, then fold each padded position back
 * into the pixel it copied (zero padding: dropped); the weight gradient sums
 * dy times the padded window. Fast enough for the fast-path-sized cases.
 */
export function naiveConv2dGradientsDirect(
  x: number[][][][],
  w: number[][][][],
  dy: number[][][][],
  o: NaiveOptions = {},
): { gradInput: number[][][][]; gradWeight: number[][][][] } {
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  const pads = o.pads ?? [
    [0, 0],
    [0, 0],
  ];
  const mode = o.mode ?? 'zeros';
  const perGroupIn = w[0].length;
  const perGroupOut = w.length / (o.groups ?? 1);
  const gradWeight = w.map((k) => k.map((plane) => plane.map((row) => row.map(() => 0))));
  const gradInput = x.map((image, n) => {
    const padded = image.map((plane) => padPlane(plane, pads, mode));
    const real = isReal(image[0].length, image[0][0].length, pads, mode);
    const gradPadded = padded.map((plane) => plane.map((row) => row.map(() => 0)));
    w.forEach((kernels, oc) => {
      const firstIn = Math.floor(oc / perGroupOut) * perGroupIn;
      dy[n][oc].forEach((row, i) =>
        row.forEach((d, j) => {
          kernels.forEach((k, ci) =>
            k.forEach((krow, a) =>
              krow.forEach((wv, b) => {
                const r = i * sh + a * dh;
                const c = j * sw + b * dw;
                if (!real(r, c)) return; // a zero-padding tap: skipped, as in the forward
                gradPadded[firstIn + ci][r][c] += d * wv;
                gradWeight[oc][ci][a][b] += d * padded[firstIn + ci][r][c];
              }),
            ),
          );
        }),
      );
    });
    return gradPadded.map((plane) => foldPlane(plane, image[0].length, image[0][0].length, pads, mode));
  });
  return { gradInput, gradWeight };
}

/** Adds each padded position's value into the source pixel it was copied from. */
function foldPlane(padded: Plane, H: number, W: number, [[top], [left]]: Pads, mode: Mode): Plane {
  const out = Array.from({ length: H }, () => new Array<number>(W).fill(0));
  padded.forEach((row, pr) =>
    row.forEach((v, pc) => {
      const r = source(pr - top, H, mode);
      const c = source(pc - left, W, mode);
      if (r !== null && c !== null) out[r][c] += v;
    }),
  );
  return out;
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
    replay: vitestReplay(file),
  });
  console.log(
    `${label}: profile ${env.profile.name}, seed ${settings.seed}, ${settings.runs} runs, dtype ${settings.dtype}`,
  );
  return settings;
}
