/**
 * Golden tests: convproof against results computed by PyTorch (see golden/README.md).
 *
 * Comparator (DESIGN.md). For a result computed in dtype with unit roundoff u
 * (2^-24 for float32, 2^-53 for float64), an element may differ from PyTorch's by
 *
 *     |got − expected| ≤ c·γ_n·M + tiny,   γ_n = n·u / (1 − n·u),
 *
 * where n bounds the number of terms summed for that element and M is the same
 * computation on absolute values (done by convproof in float64). Neither side is
 * exact: PyTorch sums n products in the case's dtype in some order, so its error
 * is at most γ_n·M; convproof accumulates in float64 and rounds once, so its
 * error is at most u·|y| + γ_n(float64)·M ≤ γ_n·M. The two errors add, hence
 * c = 2. `tiny` is the dtype's smallest subnormal and only matters where M = 0
 * (then both sides must be exactly zero).
 *
 * Cases whose data lie on the grid of multiples of 1/8 (`values: 'grid'`) have
 * exact results on both sides, so they must agree bit for bit (−0 equals +0).
 *
 * The worst err/(u·M) over all 'fine' cases is printed per dtype and quantity,
 * so a drift shows long before the bound is reached.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import {
  conv2d,
  conv2dBackward,
  conv2dOutputShape,
  convTranspose2d,
  corr2d,
  tensor,
  type DType,
  type Tensor,
} from '../src/index.js';
import {
  loadGoldenFile,
  parseGoldenFile,
  GoldenFormatError,
  type ChapterGoldenFile,
  type Conv2dCase,
  type Conv2dGoldenFile,
  type ConvTranspose2dCase,
  type ConvTranspose2dGoldenFile,
  type FixtureConv2dOptions,
  type FixtureTensor,
  type GoldenFile,
} from '../golden/fixtures.js';

const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url));
const C_FACTOR = 2;
const UNIT: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };
const TINY: Record<DType, number> = { float32: 2 ** -149, float64: Number.MIN_VALUE };

function load<K extends GoldenFile['kind']>(name: string, kind: K): Extract<GoldenFile, { kind: K }> {
  const f = loadGoldenFile(GOLDEN + name);
  if (f.kind !== kind) throw new Error(`${name}: expected a ${kind} file, got ${f.kind}`);
  return f as Extract<GoldenFile, { kind: K }>;
}

const convFile: Conv2dGoldenFile = load('pytorch-conv2d.json', 'conv2d');
const transposeFile: ConvTranspose2dGoldenFile = load('pytorch-conv-transpose2d.json', 'convTranspose2d');
const chapterFile: ChapterGoldenFile = load('chapter.json', 'chapter');

// ---------------------------------------------------------------------------
// tensors
// ---------------------------------------------------------------------------

function T(t: FixtureTensor, dtype: DType): Tensor {
  return tensor(t.data, [...t.shape], dtype);
}

/** |t| in float64, for the bounds. */
function A(t: FixtureTensor): Tensor {
  return tensor(
    t.data.map((v) => Math.abs(v)),
    [...t.shape],
    'float64',
  );
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Copies a [N,C,h,w] tensor's leading H×W window into an [N,C,H,W] array (cropping or zero-extending). */
function window(t: Tensor, H: number, W: number): { shape: number[]; data: Float64Array } {
  const [N, C, h, w] = t.shape;
  const out = new Float64Array(N * C * H * W);
  for (let nc = 0; nc < N * C; nc++) {
    for (let i = 0; i < Math.min(h, H); i++) {
      for (let j = 0; j < Math.min(w, W); j++) out[(nc * H + i) * W + j] = t.data[(nc * h + i) * w + j];
    }
  }
  return { shape: [N, C, H, W], data: out };
}

function asTensor(x: { shape: number[]; data: Float64Array }, dtype: DType): Tensor {
  return tensor(x.data, x.shape, dtype);
}

// ---------------------------------------------------------------------------
// comparator
// ---------------------------------------------------------------------------

interface Worst {
  ratio: number;
  id: string;
}
const worst = new Map<string, Worst>();
let compared = 0;

function gamma(n: number, u: number): number {
  return (n * u) / (1 - n * u);
}

/**
 * Compares `got` with PyTorch's `expected` and returns readable failures.
 * @param n bound on the number of terms summed per element
 * @param M the same computation on absolute values, elementwise
 */
function compare(
  what: string,
  id: string,
  dtype: DType,
  exact: boolean,
  got: { readonly shape: readonly number[]; readonly data: ArrayLike<number> },
  expected: FixtureTensor,
  n: number,
  M: ArrayLike<number>,
): string[] {
  if (JSON.stringify([...got.shape]) !== JSON.stringify(expected.shape)) {
    return [`${what}: shape ${JSON.stringify(got.shape)}, PyTorch ${JSON.stringify(expected.shape)}`];
  }
  if (M.length !== expected.data.length) throw new Error(`${what}: bound has ${M.length} entries`);
  const u = UNIT[dtype];
  const g = gamma(n, u);
  const failures: string[] = [];
  let worstRatio = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = got.data[i];
    const e = expected.data[i];
    const err = Math.abs(a - e);
    const m = M[i];
    if (!(err <= (exact ? 0 : C_FACTOR * g * m + TINY[dtype]))) {
      if (failures.length < 5) {
        failures.push(
          `${what}[${i}]: got ${a}, PyTorch ${e}, |diff| ${err}` +
            (exact ? ' (grid data: must be exact)' : `, bound ${C_FACTOR * g * m + TINY[dtype]} (n=${n}, M=${m})`),
        );
      }
    }
    const ratio = err === 0 ? 0 : err / (u * m);
    if (ratio > worstRatio) worstRatio = ratio;
  }
  compared += expected.data.length;
  if (!exact) {
    const key = `${dtype} ${what}`;
    const prev = worst.get(key);
    if (prev === undefined || worstRatio > prev.ratio) worst.set(key, { ratio: worstRatio, id });
  }
  return failures;
}

afterAll(() => {
  const rows = [...worst.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lines = rows.map(([k, w]) => `  ${k.padEnd(38)} ${w.ratio.toFixed(3).padStart(9)}   (${w.id})`);
  console.log(
    `golden: ${compared} values compared; worst err/(u·M) over 'fine' cases (bound is ${C_FACTOR}·n):\n${lines.join('\n')}`,
  );
});

// ---------------------------------------------------------------------------
// conv2d geometry, for bounds only
// ---------------------------------------------------------------------------

function pairOf(v: number | readonly [number, number] | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** [top, bottom, left, right] of a conv2d padding (SAME_UPPER per DESIGN.md for 'same'). */
function explicitPads(o: FixtureConv2dOptions, H: number, W: number, KH: number, KW: number): number[] {
  const p = o.padding ?? 0;
  const [sh, sw] = pairOf(o.stride, 1);
  const [dh, dw] = pairOf(o.dilation, 1);
  if (p === 'valid') return [0, 0, 0, 0];
  if (p === 'same') {
    const axis = (n: number, k: number, s: number, d: number): number[] => {
      const total = Math.max(0, (Math.ceil(n / s) - 1) * s + d * (k - 1) + 1 - n);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    return [...axis(H, KH, sh, dh), ...axis(W, KW, sw, dw)];
  }
  if (typeof p === 'number') return [p, p, p, p];
  const [a, b] = p;
  if (typeof a === 'number' && typeof b === 'number') return [a, a, b, b];
  if (typeof a !== 'number' && typeof b !== 'number') return [a[0], a[1], b[0], b[1]];
  throw new Error(`unexpected padding ${JSON.stringify(p)}`);
}

// ---------------------------------------------------------------------------
// conv2d
// ---------------------------------------------------------------------------

function checkConv2d(c: Conv2dCase): string[] {
  const dt = c.dtype;
  const exact = c.values === 'grid';
  const x = T(c.input, dt);
  const w = T(c.weight, dt);
  const gy = T(c.gradOutput, dt);
  const opts = { ...c.options, bias: c.bias === null ? null : T(c.bias, dt) };
  const absOpts = { ...c.options, bias: c.bias === null ? null : A(c.bias) };

  const [O, Cg, KH, KW] = c.weight.shape;
  const g = c.options.groups ?? 1;
  const xs = c.input.shape;
  const [H, W] = [xs[xs.length - 2], xs[xs.length - 1]];
  const N = xs.length === 4 ? xs[0] : 1;
  const ys = c.output.shape;
  const [OH, OW] = [ys[ys.length - 2], ys[ys.length - 1]];
  const [t, b, l, r] = explicitPads(c.options, H, W, KH, KW);
  const folded = (c.options.paddingMode ?? 'zeros') !== 'zeros';
  // a pixel of a mode-padded input appears at most (1 + t + b)·(1 + l + r) times
  const fold = folded ? (1 + t + b) * (1 + l + r) : 1;

  const failures: string[] = [];
  const y = conv2d(x, w, opts);
  const My = conv2d(A(c.input), A(c.weight), absOpts);
  failures.push(...compare('conv2d output', c.id, dt, exact, y, c.output, KH * KW * Cg + (c.bias ? 1 : 0), My.data));

  const grads = conv2dBackward(gy, x, w, opts);
  const Mg = conv2dBackward(A(c.gradOutput), A(c.input), A(c.weight), c.options);
  failures.push(
    ...compare(
      'conv2d gradInput',
      c.id,
      dt,
      exact,
      grads.gradInput,
      c.gradInput,
      (O / g) * KH * KW * fold,
      Mg.gradInput.data,
    ),
    ...compare('conv2d gradWeight', c.id, dt, exact, grads.gradWeight, c.gradWeight, N * OH * OW, Mg.gradWeight.data),
    ...compare('conv2d gradBias', c.id, dt, exact, grads.gradBias, c.gradBias, N * OH * OW, Mg.gradBias.data),
  );
  return failures;
}

// ---------------------------------------------------------------------------
// convTranspose2d
// ---------------------------------------------------------------------------

/**
 * Forward by convTranspose2d. Its gradients come from the adjoint identity
 * ⟨convT(x, w), gy⟩ = ⟨x, conv2d(gy, w)⟩ with the same stride, padding,
 * dilation and groups: dL/dx = conv2d(gy, w) (its leading H×W window when the
 * output padding adds rows), dL/dw = conv2dBackward(x zero-extended, gy, w).gradWeight.
 * dL/db = Σ gy is summed here in float64 (a check of the fixture itself).
 */
function checkTranspose(c: ConvTranspose2dCase): string[] {
  const dt = c.dtype;
  const exact = c.values === 'grid';
  const x = T(c.input, dt);
  const w = T(c.weight, dt);
  const gy = T(c.gradOutput, dt);
  const [N, C, H, W] = c.input.shape;
  const [, Og, KH, KW] = c.weight.shape;
  const g = c.options.groups ?? 1;
  const [, O, OH, OW] = c.output.shape;
  const failures: string[] = [];

  const y = convTranspose2d(x, w, { ...c.options, bias: c.bias === null ? null : T(c.bias, dt) });
  const My = convTranspose2d(A(c.input), A(c.weight), { ...c.options, bias: c.bias === null ? null : A(c.bias) });
  failures.push(
    ...compare('convT output', c.id, dt, exact, y, c.output, KH * KW * (C / g) + (c.bias ? 1 : 0), My.data),
  );

  const conv = {
    stride: c.options.stride,
    padding: c.options.padding,
    dilation: c.options.dilation,
    groups: c.options.groups,
  };
  const z = conv2d(gy, w, conv);
  const Mz = conv2d(A(c.gradOutput), A(c.weight), conv);
  failures.push(
    ...compare('convT gradInput', c.id, dt, exact, window(z, H, W), c.gradInput, KH * KW * Og, window(Mz, H, W).data),
  );

  const [zh, zw] = [z.shape[2], z.shape[3]];
  const xe = window(x, zh, zw);
  const gw = conv2dBackward(asTensor(xe, dt), gy, w, conv).gradWeight;
  const axe = window(A(c.input), zh, zw);
  const Mw = conv2dBackward(asTensor(axe, 'float64'), A(c.gradOutput), A(c.weight), conv).gradWeight;
  failures.push(...compare('convT gradWeight', c.id, dt, exact, gw, c.gradWeight, N * H * W, Mw.data));

  const sum = new Float64Array(O);
  const sumAbs = new Float64Array(O);
  const plane = OH * OW;
  for (let i = 0; i < c.gradOutput.data.length; i++) {
    const o = Math.floor(i / plane) % O;
    sum[o] += c.gradOutput.data[i];
    sumAbs[o] += Math.abs(c.gradOutput.data[i]);
  }
  const rounded = dt === 'float32' ? Float32Array.from(sum) : sum;
  failures.push(
    ...compare('convT gradBias (Σ gy)', c.id, dt, exact, { shape: [O], data: rounded }, c.gradBias, N * plane, sumAbs),
  );
  return failures;
}

// ---------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------

describe('golden fixture files', () => {
  test('every file loads, carries provenance and describes its fields', () => {
    for (const f of [convFile, transposeFile, chapterFile]) {
      expect(f.provenance.generator).toBe('golden/generate.py');
      expect(f.provenance.torch.startsWith('1.13')).toBe(true);
      expect(f.provenance.generated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    for (const f of [convFile, transposeFile]) {
      for (const k of ['id', 'dtype', 'values', 'input', 'weight', 'bias', 'options', 'output']) {
        expect(Object.keys(f.fields)).toContain(k);
      }
    }
  });

  test('enough cases, in both dtypes', () => {
    expect(convFile.cases.length).toBeGreaterThanOrEqual(150);
    expect(transposeFile.cases.length).toBeGreaterThanOrEqual(30);
    for (const f of [convFile, transposeFile]) {
      const f32 = f.cases.filter((c) => c.dtype === 'float32').length;
      expect(f32).toBeGreaterThan(f.cases.length / 3);
      expect(f.cases.length - f32).toBeGreaterThan(f.cases.length / 3);
    }
  });

  test('the loader names the case and field of a malformed entry', () => {
    const raw: unknown = JSON.parse(readFileSync(`${GOLDEN}pytorch-conv2d.json`, 'utf8'));
    const bad = raw as { cases: { input: { data: number[] } }[] };
    bad.cases[3].input.data.pop();
    const id = convFile.cases[3].id;
    expect(() => parseGoldenFile(raw, 'x.json')).toThrow(GoldenFormatError);
    expect(() => parseGoldenFile(raw, 'x.json')).toThrow(`case "${id}": field "input.data"`);
    const worse = JSON.parse(JSON.stringify(raw)) as { cases: { options: { paddingMode: string } }[] };
    worse.cases[0].options.paddingMode = 'mirror';
    expect(() => parseGoldenFile(worse, 'x.json')).toThrow('field "options.paddingMode"');
  });
});

describe('pytorch-conv2d.json: conv2d and conv2dBackward against PyTorch', () => {
  for (const c of convFile.cases) {
    test(c.id, () => {
      expect(checkConv2d(c)).toEqual([]);
    });
  }
});

describe('pytorch-conv-transpose2d.json: convTranspose2d (and its adjoint gradients) against PyTorch', () => {
  for (const c of transposeFile.cases) {
    test(c.id, () => {
      expect(checkTranspose(c)).toEqual([]);
    });
  }
});

describe("chapter.json: the chapter's worked examples, exactly", () => {
  const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
    a.length === b.length && Array.from(a).every((v, i) => v === b[i]);

  for (const c of chapterFile.corr2d) {
    test(c.id, () => {
      expect(c.bookPrinted.flat()).toEqual(c.Y.data);
      for (const dt of ['float32', 'float64'] as const) {
        const y = corr2d(T(c.X, dt), T(c.K, dt));
        expect([...y.shape]).toEqual(c.Y.shape);
        expect(same(y.data, c.Y.data)).toBe(true);
      }
    });
  }

  for (const c of chapterFile.shapes) {
    test(c.id, () => {
      expect(c.outputShape.slice(2)).toEqual(c.bookPrinted);
      expect(conv2dOutputShape([...c.inputShape], [...c.weightShape], c.options)).toEqual(c.outputShape);
      const x = tensor(new Float32Array(product(c.inputShape)), [...c.inputShape]);
      const w = tensor(new Float32Array(product(c.weightShape)), [...c.weightShape]);
      expect([...conv2d(x, w, c.options).shape]).toEqual(c.outputShape);
    });
  }

  // The one non-exact chapter check: ten float64 gradient steps with lr = 0.03
  // round differently from PyTorch's summation order, by ~1e-16 relative per step.
  test(chapterFile.learnKernel.id, () => {
    const L = chapterFile.learnKernel;
    const X = T(L.X, 'float64');
    const Y = L.Y.data;
    let k = T(L.init, 'float64');
    const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
    for (let epoch = 0; epoch < L.epochs; epoch++) {
      const yh = conv2d(X, k);
      const resid = Array.from(yh.data, (v, i) => v - Y[i]);
      const loss = resid.reduce((s, v) => s + v * v, 0);
      expect(close(loss, L.losses[epoch]), `epoch ${epoch}: loss ${loss}, PyTorch ${L.losses[epoch]}`).toBe(true);
      const gy = tensor(
        resid.map((v) => 2 * v),
        [...yh.shape],
        'float64',
      );
      const gk = conv2dBackward(gy, X, k).gradWeight;
      k = tensor(
        Array.from(k.data, (v, i) => v - L.lr * gk.data[i]),
        [...k.shape],
        'float64',
      );
    }
    for (let i = 0; i < k.data.length; i++) {
      expect(close(k.data[i], L.final.data[i]), `kernel[${i}]: ${k.data[i]}, PyTorch ${L.final.data[i]}`).toBe(true);
      expect(Math.abs(L.final.data[i] - L.target.data[i])).toBeLessThan(0.1);
    }
  });
});
