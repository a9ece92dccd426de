/**
 * Independent float64 checks of large conv results, cheap enough for layers
 * of billions of multiply-adds: random projections (Freivalds' check, one
 * axis of the result summed against random signs, which checks every
 * element of the other axes at once) plus whole elements at chosen
 * positions (image edges and the halves of each axis, where tiles of a
 * power-of-two size end). Each is compared under the suite's bound
 * `c·γ_n·M` (`elementBound` of properties/spec), with M the same sum on absolute values.
 *
 * Written for the layers the scale scenarios use: stride 1, dilation 1,
 * one group, square K×K kernels and zero padding p on every side.
 */
import type { Tensor } from '../../src/index.js';
import { seededRandom } from '../../src/random.js';
import { elementBound } from '../../properties/spec/index.js';

/** The sizes of such a layer. */
export interface Layer {
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly O: number;
  readonly K: number;
  readonly p: number;
  readonly OH: number;
  readonly OW: number;
}

/** What a set of checks found: elements checked, how many broke the bound, the worst error/bound. */
export interface Found {
  checked: number;
  mismatches: number;
  worst: number;
  first: string | null;
}

/** The layer of input `x` `[N,C,H,W]` and weight `w` `[O,C,K,K]` with zero padding `p`. */
export function layerOf(x: Tensor, w: Tensor, p: number): Layer {
  const [N, C, H, W] = x.shape;
  const [O, , K] = w.shape;
  return { N, C, H, W, O, K, p, OH: H + 2 * p - K + 1, OW: W + 2 * p - K + 1 };
}

/** A fresh tally. */
export function found(): Found {
  return { checked: 0, mismatches: 0, worst: 0, first: null };
}

/** Adds one comparison: `got` against the float64 `want`, a sum of `terms` products of magnitude `mag`. */
function compare(f: Found, what: string, got: number, want: number, mag: number, terms: number): void {
  const bound = elementBound(terms, mag, 'float32');
  const err = Math.abs(got - want);
  f.checked++;
  if (bound > 0) f.worst = Math.max(f.worst, err / bound);
  if (!(err <= bound)) {
    f.mismatches++;
    f.first ??= `${what}: got ${got}, want ${want} (bound ${bound})`;
  }
}

/** ±1 with equal odds, from a seed. */
function signs(n: number, seed: number): Float64Array {
  const rand = seededRandom(seed);
  return Float64Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1));
}

/** Edges and halves of an axis of `size`: 0, 1, size/2 − 1, size/2, size − 2, size − 1. */
export function edges(size: number): number[] {
  const half = Math.floor(size / 2);
  return [...new Set([0, 1, half - 1, half, size - 2, size - 1])].filter((i) => i >= 0 && i < size);
}

/** Absolute values, in float64. */
function abs(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, Math.abs);
}

/**
 * `Σ_{c,kh,kw} v[c,kh,kw]·x[n,c,i+kh−p,j+kw−p]` over real pixels, and the
 * same with `va` (absolute values) and |x|: one output's sum and magnitude.
 */
function forwardSum(
  L: Layer,
  x: Tensor,
  n: number,
  i: number,
  j: number,
  v: ArrayLike<number>,
  va: ArrayLike<number>,
): [number, number] {
  let sum = 0;
  let mag = 0;
  for (let c = 0; c < L.C; c++) {
    for (let kh = 0; kh < L.K; kh++) {
      const r = i + kh - L.p;
      if (r < 0 || r >= L.H) continue;
      for (let kw = 0; kw < L.K; kw++) {
        const q = j + kw - L.p;
        if (q < 0 || q >= L.W) continue;
        const xv = x.data[((n * L.C + c) * L.H + r) * L.W + q];
        const t = (c * L.K + kh) * L.K + kw;
        sum += v[t] * xv;
        mag += va[t] * Math.abs(xv);
      }
    }
  }
  return [sum, mag];
}

/**
 * `Σ_{o,kh,kw} dy[n,o,h+p−kh,w+p−kw]·u[o,kh,kw]` over real outputs, and the
 * same with `ua` and |dy|: one input gradient's sum and magnitude.
 */
function inputSum(
  L: Layer,
  dy: Tensor,
  n: number,
  h: number,
  w: number,
  u: ArrayLike<number>,
  ua: ArrayLike<number>,
): [number, number] {
  let sum = 0;
  let mag = 0;
  for (let o = 0; o < L.O; o++) {
    for (let kh = 0; kh < L.K; kh++) {
      const i = h + L.p - kh;
      if (i < 0 || i >= L.OH) continue;
      for (let kw = 0; kw < L.K; kw++) {
        const j = w + L.p - kw;
        if (j < 0 || j >= L.OW) continue;
        const d = dy.data[((n * L.O + o) * L.OH + i) * L.OW + j];
        const t = (o * L.K + kh) * L.K + kw;
        sum += u[t] * d;
        mag += ua[t] * Math.abs(d);
      }
    }
  }
  return [sum, mag];
}

/**
 * `Σ_{n,i,j} z[n,i,j]·x[n,c,i+kh−p,j+kw−p]` over real pixels, and the same
 * with `za` and |x|: one weight gradient's sum and magnitude (z: N·OH·OW).
 */
function weightSum(
  L: Layer,
  x: Tensor,
  c: number,
  kh: number,
  kw: number,
  z: ArrayLike<number>,
  za: ArrayLike<number>,
): [number, number] {
  let sum = 0;
  let mag = 0;
  for (let n = 0; n < L.N; n++) {
    for (let i = 0; i < L.OH; i++) {
      const r = i + kh - L.p;
      if (r < 0 || r >= L.H) continue;
      for (let j = 0; j < L.OW; j++) {
        const q = j + kw - L.p;
        if (q < 0 || q >= L.W) continue;
        const xv = x.data[((n * L.C + c) * L.H + r) * L.W + q];
        const at = (n * L.OH + i) * L.OW + j;
        sum += z[at] * xv;
        mag += za[at] * Math.abs(xv);
      }
    }
  }
  return [sum, mag];
}

/** `Σ_o r_o·w[o,·]` (a weight mixed over its output channels) and `Σ_o |r_o·w[o,·]|`. */
function mixOutputs(L: Layer, w: Tensor, r: Float64Array): [Float64Array, Float64Array] {
  const taps = L.C * L.K * L.K;
  const v = new Float64Array(taps);
  const va = new Float64Array(taps);
  for (let o = 0; o < L.O; o++) {
    for (let t = 0; t < taps; t++) {
      v[t] += r[o] * w.data[o * taps + t];
      va[t] += Math.abs(r[o] * w.data[o * taps + t]);
    }
  }
  return [v, va];
}

/** `w[·,c,·,·]` as `[O,K,K]`, or with `r` given `Σ_c r_c·w[·,c,·,·]`; and the same on absolute values. */
function mixInputs(L: Layer, w: Tensor, r: Float64Array): [Float64Array, Float64Array] {
  const kk = L.K * L.K;
  const u = new Float64Array(L.O * kk);
  const ua = new Float64Array(L.O * kk);
  for (let o = 0; o < L.O; o++) {
    for (let c = 0; c < L.C; c++) {
      if (r[c] === 0) continue;
      for (let t = 0; t < kk; t++) {
        const v = r[c] * w.data[(o * L.C + c) * kk + t];
        u[o * kk + t] += v;
        ua[o * kk + t] += Math.abs(v);
      }
    }
  }
  return [u, ua];
}

/** `Σ_o r_o·dy[n,o,·,·]` as `[N,OH,OW]`, and `Σ_o |r_o·dy[n,o,·,·]|`. */
function mixGradOutputs(L: Layer, dy: Tensor, r: Float64Array): [Float64Array, Float64Array] {
  const plane = L.OH * L.OW;
  const z = new Float64Array(L.N * plane);
  const za = new Float64Array(L.N * plane);
  for (let n = 0; n < L.N; n++) {
    for (let o = 0; o < L.O; o++) {
      if (r[o] === 0) continue;
      for (let q = 0; q < plane; q++) {
        const v = r[o] * dy.data[(n * L.O + o) * plane + q];
        z[n * plane + q] += v;
        za[n * plane + q] += Math.abs(v);
      }
    }
  }
  return [z, za];
}

/** A one-hot vector of length n. */
function unit(n: number, at: number): Float64Array {
  const e = new Float64Array(n);
  e[at] = 1;
  return e;
}

/**
 * Forward `y = conv(x, w) + b`: every output position projected over the
 * output channels, plus every output channel at the edge and half positions
 * of the first image.
 */
export function checkForward(L: Layer, x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, seed: number): Found {
  const f = found();
  const r = signs(L.O, seed);
  const [v, va] = mixOutputs(L, w, r);
  const terms = L.C * L.K * L.K + (b ? 1 : 0);
  const bias = b ? Array.from(b.data) : new Array<number>(L.O).fill(0);
  const rb = bias.reduce((s, v, o) => s + r[o] * v, 0);
  const rbAbs = bias.reduce((s, v) => s + Math.abs(v), 0);
  const plane = L.OH * L.OW;
  for (let n = 0; n < L.N; n++) {
    for (let i = 0; i < L.OH; i++) {
      for (let j = 0; j < L.OW; j++) {
        const [sum, mag] = forwardSum(L, x, n, i, j, v, va);
        let got = 0;
        for (let o = 0; o < L.O; o++) got += r[o] * y.data[(n * L.O + o) * plane + i * L.OW + j];
        compare(f, `forward projection at [${n}, ·, ${i}, ${j}]`, got, sum + rb, mag + rbAbs, terms);
      }
    }
  }
  const taps = L.C * L.K * L.K;
  const wa = abs(w.data);
  for (let o = 0; o < L.O; o++) {
    const row = w.data.subarray(o * taps, (o + 1) * taps);
    const rowAbs = wa.subarray(o * taps, (o + 1) * taps);
    for (const i of edges(L.OH)) {
      for (const j of edges(L.OW)) {
        const [sum, mag] = forwardSum(L, x, 0, i, j, row, rowAbs);
        const got = y.data[o * plane + i * L.OW + j];
        compare(f, `forward [0, ${o}, ${i}, ${j}]`, got, sum + bias[o], mag + Math.abs(bias[o]), terms);
      }
    }
  }
  return f;
}

/**
 * Input gradient `dx` for upstream `dy`: every input position projected
 * over the input channels, plus every input channel at the edge and half
 * positions of the first image.
 */
export function checkGradInput(L: Layer, w: Tensor, dy: Tensor, dx: Tensor, seed: number): Found {
  const f = found();
  const terms = L.O * L.K * L.K;
  const r = signs(L.C, seed);
  const [u, ua] = mixInputs(L, w, r);
  const plane = L.H * L.W;
  for (let n = 0; n < L.N; n++) {
    for (let h = 0; h < L.H; h++) {
      for (let q = 0; q < L.W; q++) {
        const [sum, mag] = inputSum(L, dy, n, h, q, u, ua);
        let got = 0;
        for (let c = 0; c < L.C; c++) got += r[c] * dx.data[(n * L.C + c) * plane + h * L.W + q];
        compare(f, `gradInput projection at [${n}, ·, ${h}, ${q}]`, got, sum, mag, terms);
      }
    }
  }
  for (let c = 0; c < L.C; c++) {
    const [one, oneAbs] = mixInputs(L, w, unit(L.C, c));
    for (const h of edges(L.H)) {
      for (const q of edges(L.W)) {
        const [sum, mag] = inputSum(L, dy, 0, h, q, one, oneAbs);
        compare(f, `gradInput [0, ${c}, ${h}, ${q}]`, dx.data[c * plane + h * L.W + q], sum, mag, terms);
      }
    }
  }
  return f;
}

/**
 * Weight gradient `dw` for upstream `dy`: every (c, kh, kw) projected over
 * the output channels, plus whole rows `dw[o]` for the output channels `rows`.
 */
export function checkGradWeight(
  L: Layer,
  x: Tensor,
  dy: Tensor,
  dw: ArrayLike<number>,
  seed: number,
  rows: readonly number[],
): Found {
  const f = found();
  const terms = L.N * L.OH * L.OW;
  const taps = L.C * L.K * L.K;
  const check = (what: string, r: Float64Array, got: (t: number) => number): void => {
    const [z, za] = mixGradOutputs(L, dy, r);
    for (let c = 0; c < L.C; c++) {
      for (let kh = 0; kh < L.K; kh++) {
        for (let kw = 0; kw < L.K; kw++) {
          const [sum, mag] = weightSum(L, x, c, kh, kw, z, za);
          compare(f, `${what} at [·, ${c}, ${kh}, ${kw}]`, got((c * L.K + kh) * L.K + kw), sum, mag, terms);
        }
      }
    }
  };
  const r = signs(L.O, seed);
  check('gradWeight projection', r, (t) => {
    let s = 0;
    for (let o = 0; o < L.O; o++) s += r[o] * dw[o * taps + t];
    return s;
  });
  for (const o of rows) check(`gradWeight row ${o}`, unit(L.O, o), (t) => dw[o * taps + t]);
  return f;
}

/** Bias gradient: every `db[o] = Σ_{n,i,j} dy[n,o,i,j]`. */
export function checkGradBias(L: Layer, dy: Tensor, db: ArrayLike<number>): Found {
  const f = found();
  const plane = L.OH * L.OW;
  for (let o = 0; o < L.O; o++) {
    let sum = 0;
    let mag = 0;
    for (let n = 0; n < L.N; n++) {
      for (let q = 0; q < plane; q++) {
        const d = dy.data[(n * L.O + o) * plane + q];
        sum += d;
        mag += Math.abs(d);
      }
    }
    compare(f, `gradBias [${o}]`, db[o], sum, mag, L.N * plane);
  }
  return f;
}

/** All tallies in one. */
export function merge(...fs: Found[]): Found {
  return fs.reduce(
    (a, f) => ({
      checked: a.checked + f.checked,
      mismatches: a.mismatches + f.mismatches,
      worst: Math.max(a.worst, f.worst),
      first: a.first ?? f.first,
    }),
    found(),
  );
}
