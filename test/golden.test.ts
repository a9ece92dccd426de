/**
 * Golden tests: convproof against results computed by PyTorch (see golden/README.md).
 *
 * Comparator: the suite's one comparator (properties/spec/compare.ts). For a
 * result in a dtype with unit roundoff u, an element may differ from PyTorch's
 * by `c·γ_n·M + (n+1)·η` with c = 2, where M (the same computation on absolute
 * values) and n (the terms summed into that element, counted exactly: real
 * taps only, each padding-mode copy once) come from the spec's float64 model,
 * never from convproof's own conv. Neither side is exact: PyTorch sums n
 * products in the case's dtype (error ≤ γ_n·M), convproof accumulates in
 * float64 and rounds once (error ≤ u·|y| + γ_n(float64)·M ≤ γ_n·M); the two add.
 *
 * Cases whose data lie on the grid of multiples of 1/8 (`values: 'grid'`) have
 * exact results on both sides, so they must agree bit for bit (−0 equals +0).
 *
 * Every case runs twice: as stored, and with its batch tiled R times (R the
 * smallest power of two that lifts the work N·O·OH·OW·(C/g)·KH·KW to the fast
 * kernels' threshold; the test asserts it did). Tiling is exact by batch
 * independence: output, gradInput and gradOutput repeat R times; gradWeight and
 * gradBias sum R equal copies, so PyTorch's value times R is the exact tiled
 * value of PyTorch's computation (R is a power of two: the scaling rounds
 * nothing, in float32 or float64). The bound then needs no new term: the spec
 * counts R·n terms and magnitude R·M for the tiled sums, and in either dtype
 * |ours − R·torch| ≤ γ_{Rn}·RM + R·γ_n·M ≤ 2·γ_{Rn}·RM (float32: PyTorch's
 * float32 sum errs by ≤ γ_n·M per copy, ours by ≤ u·R|dw| + γ_{Rn}(2^-53)·RM).
 * A tiled grid case stays exact because every partial sum (a multiple of 1/64
 * no larger than M) fits the significand, 64·max M < 2^24 (float32) or 2^53
 * (float64); the test checks that condition rather than assume it.
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
  convTranspose2dBackward,
  corr2d,
  tensor,
  type Conv2dGradients,
  type DType,
  type Tensor,
} from '../src/index.js';
import {
  compareBounded,
  compareExact,
  modelConv2dBackward,
  modelConv2dWithTerms,
  modelConvTranspose2d,
  resolveConv,
  resolveTranspose,
  fromData,
  fromFilter,
  toData,
  toFilter,
  type DataFormat,
  type FilterFormat,
} from '../properties/spec/index.js';
import {
  loadGoldenFile,
  parseGoldenFile,
  GoldenFormatError,
  type ChapterGoldenFile,
  type Conv2dCase,
  type Conv2dGoldenFile,
  type ConvTranspose2dCase,
  type ConvTranspose2dGoldenFile,
  type FixtureTensor,
  type GoldenFile,
} from '../golden/fixtures.js';
import { FAST_PATH_WORK, repeatsFor, tileBatch } from './helpers.js';

const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url));

function load<K extends GoldenFile['kind']>(name: string, kind: K): Extract<GoldenFile, { kind: K }> {
  const f = loadGoldenFile(GOLDEN + name);
  if (f.kind !== kind) throw new Error(`${name}: expected a ${kind} file, got ${f.kind}`);
  return f as Extract<GoldenFile, { kind: K }>;
}

const convFile: Conv2dGoldenFile = load('pytorch-conv2d.json', 'conv2d');
const transposeFile: ConvTranspose2dGoldenFile = load('pytorch-conv-transpose2d.json', 'convTranspose2d');
const chapterFile: ChapterGoldenFile = load('chapter.json', 'chapter');

// ---------------------------------------------------------------------------
// tensors and tiling
// ---------------------------------------------------------------------------

function T(t: FixtureTensor, dtype: DType): Tensor {
  return tensor(t.data, [...t.shape], dtype);
}

/** |t| in float64, for the model's magnitudes. */
function A(t: Tensor | FixtureTensor): Tensor {
  return tensor(
    Array.from(t.data, (v) => Math.abs(v)),
    [...t.shape],
    'float64',
  );
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Every value times R. */
function scaled(t: FixtureTensor, R: number): FixtureTensor {
  return { shape: t.shape, data: t.data.map((v) => v * R) };
}

/** Copies a [N,C,h,w] array's leading H×W window into [N,C,H,W] (cropping or zero-extending). */
function window<A extends { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>(
  t: A,
  H: number,
  W: number,
): { shape: number[]; data: Float64Array } {
  const [N, C, h, w] = t.shape;
  const out = new Float64Array(N * C * H * W);
  for (let nc = 0; nc < N * C; nc++) {
    for (let i = 0; i < Math.min(h, H); i++) {
      for (let j = 0; j < Math.min(w, W); j++) out[(nc * H + i) * W + j] = t.data[(nc * h + i) * w + j];
    }
  }
  return { shape: [N, C, H, W], data: out };
}

// ---------------------------------------------------------------------------
// comparison
// ---------------------------------------------------------------------------

interface Worst {
  ratio: number;
  id: string;
}
const worst = new Map<string, Worst>();
let compared = 0;

/** What the spec says of one result: the magnitudes M and the term counts n. */
interface Bound {
  readonly magnitude: Float64Array;
  readonly terms: number | Float64Array;
}

/** Whether every partial sum of a grid case (multiples of 1/64, |·| ≤ M) is exact in `dtype`. */
function gridExact(dtype: DType, M: Float64Array): boolean {
  const max = M.reduce((a, b) => Math.max(a, b), 0);
  return 64 * max < 2 ** (dtype === 'float32' ? 24 : 53);
}

interface Check {
  readonly id: string;
  readonly dtype: DType;
  readonly grid: boolean;
  /** '' for the case as stored, ' ×R' for a tiled arm (keys the worst-ratio table). */
  readonly arm: string;
}

/** Compares our `got` with PyTorch's `expected`: grid data exactly, the rest under the spec's bound. */
function compare(k: Check, what: string, got: Tensor, expected: FixtureTensor, b: Bound): string[] {
  compared += expected.data.length;
  if (k.grid && !gridExact(k.dtype, b.magnitude))
    return [`${what}: grid data whose partial sums may round in ${k.dtype} (64·max M ≥ 2^p): tile less`];
  if (k.grid) {
    const cmp = compareExact(got, T(expected, k.dtype), `${what} (grid data: exact)`);
    return cmp.ok ? [] : [cmp.message];
  }
  const value = Float64Array.from(expected.data);
  const cmp = compareBounded(got, { label: what, shape: expected.shape, dtype: k.dtype, value, ...b });
  const key = `${k.dtype} ${what}${k.arm}`;
  const prev = worst.get(key);
  if (cmp.ok && (prev === undefined || cmp.worstRatio > prev.ratio))
    worst.set(key, { ratio: cmp.worstRatio, id: k.id });
  return cmp.ok ? [] : [cmp.message];
}

afterAll(() => {
  const rows = [...worst.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lines = rows.map(([k, w]) => `  ${k.padEnd(42)} ${w.ratio.toFixed(3).padStart(9)}   (${w.id})`);
  console.log(
    `golden: ${compared} values compared; worst err/(u·M) over 'fine' cases (bound is 2·n):\n${lines.join('\n')}`,
  );
});

// ---------------------------------------------------------------------------
// conv2d
// ---------------------------------------------------------------------------

/** A conv2d case with its batch tiled R times; gradWeight and gradBias scale by R. */
function tiledConv(c: Conv2dCase, R: number): Conv2dCase {
  const more = (t: FixtureTensor) => tileBatch(t, R);
  return {
    ...c,
    input: more(c.input),
    output: more(c.output),
    gradOutput: more(c.gradOutput),
    gradInput: more(c.gradInput),
    gradWeight: scaled(c.gradWeight, R),
    gradBias: scaled(c.gradBias, R),
  };
}

/** Multiply-adds of a conv2d case: N·O·OH·OW·(C/g)·KH·KW, from its shapes. */
function convWork(c: Conv2dCase): number {
  const N = c.input.shape.length === 4 ? c.input.shape[0] : 1;
  const [OH, OW] = c.output.shape.slice(-2);
  return N * OH * OW * product(c.weight.shape);
}

/** The kernels a check calls: convproof's, or the same called in other layouts (below). */
interface Calls {
  readonly conv2d: typeof conv2d;
  readonly conv2dBackward: typeof conv2dBackward;
  readonly convTranspose2d: typeof convTranspose2d;
  readonly convTranspose2dBackward: typeof convTranspose2dBackward;
}
const NCHW: Calls = { conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward };

/**
 * convproof's kernels called with `dataFormat` / `filterFormat`: the fixture's NCHW/OIHW tensors are
 * moved into those layouts and the results moved back by the spec's permutation, so PyTorch's values
 * judge the channels-last and HWIO paths element for element.
 */
function inLayouts(dataFormat: DataFormat, filterFormat: FilterFormat): Calls {
  const d = (t: Tensor) => toData(t, dataFormat);
  const f = (t: Tensor) => toFilter(t, filterFormat);
  const grads = (g: Conv2dGradients): Conv2dGradients => ({
    gradInput: fromData(g.gradInput, dataFormat),
    gradWeight: fromFilter(g.gradWeight, filterFormat),
    gradBias: g.gradBias,
  });
  const l = { dataFormat, filterFormat };
  return {
    conv2d: (x, w, o) => fromData(conv2d(d(x), f(w), { ...o, ...l }), dataFormat),
    conv2dBackward: (dy, x, w, o) => grads(conv2dBackward(d(dy), d(x), f(w), { ...o, ...l })),
    convTranspose2d: (x, w, o) => fromData(convTranspose2d(d(x), f(w), { ...o, ...l }), dataFormat),
    convTranspose2dBackward: (dy, x, w, o) => grads(convTranspose2dBackward(d(dy), d(x), f(w), { ...o, ...l })),
  };
}

/** The layouts the channels-last arm cycles through, by case index. */
const LAYOUTS = [
  ['NHWC', 'HWIO'],
  ['NHWC', 'OIHW'],
  ['NCHW', 'HWIO'],
] as const;

function checkConv2d(c: Conv2dCase, arm: string, calls: Calls = NCHW): string[] {
  const dt = c.dtype;
  const k: Check = { id: c.id, dtype: dt, grid: c.values === 'grid', arm };
  const x = T(c.input, dt);
  const w = T(c.weight, dt);
  const gy = T(c.gradOutput, dt);
  const bias = c.bias === null ? null : T(c.bias, dt);
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);

  const y = calls.conv2d(x, w, { ...c.options, bias });
  const fwd = modelConv2dWithTerms(r, A(x), A(w), bias && A(bias));
  const failures = compare(k, 'conv2d output', y, c.output, { magnitude: fwd.value, terms: fwd.terms });

  const g = calls.conv2dBackward(gy, x, w, { ...c.options, bias });
  const m = modelConv2dBackward(r, A(x), A(w), A(gy));
  failures.push(
    ...compare(k, 'conv2d gradInput', g.gradInput, c.gradInput, { magnitude: m.gradInput, terms: m.inputTerms }),
    ...compare(k, 'conv2d gradWeight', g.gradWeight, c.gradWeight, { magnitude: m.gradWeight, terms: m.weightTerms }),
    ...compare(k, 'conv2d gradBias', g.gradBias, c.gradBias, { magnitude: m.gradBias, terms: m.biasTerms }),
  );
  return failures;
}

// ---------------------------------------------------------------------------
// convTranspose2d
// ---------------------------------------------------------------------------

/** A transposed case with its batch tiled R times; gradWeight and gradBias scale by R. */
function tiledTranspose(c: ConvTranspose2dCase, R: number): ConvTranspose2dCase {
  const more = (t: FixtureTensor) => tileBatch(t, R);
  return {
    ...c,
    input: more(c.input),
    output: more(c.output),
    gradOutput: more(c.gradOutput),
    gradInput: more(c.gradInput),
    gradWeight: scaled(c.gradWeight, R),
    gradBias: scaled(c.gradBias, R),
  };
}

/** Multiply-adds of a transposed case: N·C·H·W·(O/g)·KH·KW, from its shapes. */
function transposeWork(c: ConvTranspose2dCase): number {
  const [N, , H, W] = c.input.shape;
  return N * H * W * product(c.weight.shape);
}

/**
 * Forward by convTranspose2d. Its gradients come from the adjoint identity
 * ⟨convT(x, w), gy⟩ = ⟨x, conv2d(gy, w)⟩ with the same stride, padding,
 * dilation and groups: dL/dx = conv2d(gy, w) (its leading H×W window when the
 * output padding adds rows), dL/dw = conv2dBackward(x zero-extended, gy, w).gradWeight.
 * dL/db = Σ gy is summed here in float64 (a check of the fixture itself).
 */
function checkTranspose(c: ConvTranspose2dCase, arm: string, calls: Calls = NCHW): string[] {
  const dt = c.dtype;
  const k: Check = { id: c.id, dtype: dt, grid: c.values === 'grid', arm };
  const x = T(c.input, dt);
  const w = T(c.weight, dt);
  const gy = T(c.gradOutput, dt);
  const bias = c.bias === null ? null : T(c.bias, dt);
  const [, , H, W] = c.input.shape;

  const y = calls.convTranspose2d(x, w, { ...c.options, bias });
  const rt = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const fwd = modelConvTranspose2d(rt, A(x), A(w), bias && A(bias));
  const failures = compare(k, 'convT output', y, c.output, { magnitude: fwd.value, terms: fwd.terms });

  // The conv whose adjoint it is crops what the transposed conv crops: its pads, resolved from any name.
  const conv = {
    stride: c.options.stride,
    padding: rt.pads,
    dilation: c.options.dilation,
    groups: c.options.groups,
  };
  const rc = resolveConv(gy.shape, w.shape, conv);
  const z = conv2d(gy, w, conv);
  const mz = modelConv2dWithTerms(rc, A(gy), A(w), null);
  const M = window({ shape: rc.outputShape, data: mz.value }, H, W).data;
  const n = window({ shape: rc.outputShape, data: mz.terms }, H, W).data;
  const zc = window(z, H, W);
  failures.push(
    ...compare(k, 'convT gradInput', tensor(zc.data, zc.shape, dt), c.gradInput, { magnitude: M, terms: n }),
  );

  const xe = window(x, rc.OH, rc.OW);
  const gw = conv2dBackward(tensor(xe.data, xe.shape, dt), gy, w, conv).gradWeight;
  const mw = modelConv2dBackward(rc, A(gy), A(w), A(xe));
  failures.push(
    ...compare(k, 'convT gradWeight', gw, c.gradWeight, { magnitude: mw.gradWeight, terms: mw.weightTerms }),
  );

  const [, O, OH, OW] = c.output.shape;
  const sum = new Float64Array(O);
  const sumAbs = new Float64Array(O);
  for (let i = 0; i < c.gradOutput.data.length; i++) {
    const o = Math.floor(i / (OH * OW)) % O;
    sum[o] += c.gradOutput.data[i];
    sumAbs[o] += Math.abs(c.gradOutput.data[i]);
  }
  const db = tensor(sum, [O], dt);
  const biasBound = { magnitude: sumAbs, terms: c.gradOutput.data.length / O };
  failures.push(...compare(k, 'convT gradBias (Σ gy)', db, c.gradBias, biasBound));

  // The same gradients from convTranspose2dBackward itself, under the same bounds.
  const direct = calls.convTranspose2dBackward(gy, x, w, { ...c.options, bias });
  failures.push(
    ...compare(k, 'convTranspose2dBackward gradInput', direct.gradInput, c.gradInput, { magnitude: M, terms: n }),
    ...compare(k, 'convTranspose2dBackward gradWeight', direct.gradWeight, c.gradWeight, {
      magnitude: mw.gradWeight,
      terms: mw.weightTerms,
    }),
    ...compare(k, 'convTranspose2dBackward gradBias', direct.gradBias, c.gradBias, biasBound),
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
      expect(checkConv2d(c, '')).toEqual([]);
    });
  }
});

describe('pytorch-conv2d.json with the batch tiled to the fast kernels’ size (N = 0 has no work to tile)', () => {
  for (const c of convFile.cases.filter((k) => convWork(k) > 0)) {
    const R = repeatsFor(convWork(c));
    test(`${c.id} ×${R}`, () => {
      const big = tiledConv(c, R);
      expect(convWork(big)).toBeGreaterThanOrEqual(FAST_PATH_WORK);
      expect(checkConv2d(big, ' ×R')).toEqual([]);
    });
  }
});

describe('pytorch-conv-transpose2d.json: convTranspose2d (and its adjoint gradients) against PyTorch', () => {
  for (const c of transposeFile.cases) {
    test(c.id, () => {
      expect(checkTranspose(c, '')).toEqual([]);
    });
  }
});

describe('pytorch-conv-transpose2d.json with the batch tiled to the fast kernels’ size (N = 0 has no work to tile)', () => {
  for (const c of transposeFile.cases.filter((k) => transposeWork(k) > 0)) {
    const R = repeatsFor(transposeWork(c));
    test(`${c.id} ×${R}`, () => {
      const big = tiledTranspose(c, R);
      expect(transposeWork(big)).toBeGreaterThanOrEqual(FAST_PATH_WORK);
      expect(checkTranspose(big, ' ×R')).toEqual([]);
    });
  }
});

describe('every fixture again in channels-last and HWIO layouts (NHWC/HWIO, NHWC/OIHW, NCHW/HWIO in turn)', () => {
  convFile.cases.forEach((c, i) => {
    const [data, filter] = LAYOUTS[i % LAYOUTS.length];
    test(`${c.id} ${data}/${filter}`, () => {
      expect(checkConv2d(c, ` ${data}/${filter}`, inLayouts(data, filter))).toEqual([]);
    });
  });
  transposeFile.cases.forEach((c, i) => {
    const [data, filter] = LAYOUTS[i % LAYOUTS.length];
    test(`${c.id} ${data}/${filter}`, () => {
      expect(checkTranspose(c, ` ${data}/${filter}`, inLayouts(data, filter))).toEqual([]);
    });
  });
});

describe('the tiled arms cover every fixture with work', () => {
  test('every conv2d and convTranspose2d fixture but the empty batches reaches the fast path when tiled', () => {
    const convs = convFile.cases.filter((k) => convWork(k) > 0);
    const transposes = transposeFile.cases.filter((k) => transposeWork(k) > 0);
    expect(convFile.cases.length - convs.length).toBe(convFile.cases.filter((k) => k.input.shape[0] === 0).length);
    expect(transposeFile.cases.length - transposes.length).toBe(
      transposeFile.cases.filter((k) => k.input.shape[0] === 0).length,
    );
    const untiled = convFile.cases.filter((k) => convWork(k) >= FAST_PATH_WORK).length;
    const untiledT = transposeFile.cases.filter((k) => transposeWork(k) >= FAST_PATH_WORK).length;
    console.log(
      `golden fast-path reach: conv2d ${untiled} of ${convFile.cases.length} as stored, ${convs.length} tiled; ` +
        `convTranspose2d ${untiledT} of ${transposeFile.cases.length} as stored, ${transposes.length} tiled`,
    );
    expect(convs.length).toBeGreaterThan(convFile.cases.length * 0.9);
    expect(transposes.length).toBeGreaterThan(transposeFile.cases.length * 0.9);
  });
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
