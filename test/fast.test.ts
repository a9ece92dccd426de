/**
 * The fast kernels against the float64 reference, with the design's bound
 * `c·γ_n·M`: every option (stride, every padding form including 'same' and
 * asymmetric, dilation, groups and depthwise, padding modes, bias, N = 0,
 * unbatched, both dtypes), both kernel implementations (WebAssembly SIMD and
 * plain JavaScript), tiles shrunk so small cases cross many tile boundaries,
 * and a few cases large enough to cross the default tiles.
 * Steer with CONVPROOF_PROFILE / CONVPROOF_RUNS / CONVPROOF_SEED.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as publicApi from '../src/index.js';
import { ConvError, type Conv2dOptions, type Tensor, type TensorData } from '../src/index.js';
import * as referenceApi from '../src/reference/index.js';
import { conv2dGeometry, convTranspose2dGeometry, type Conv2dGeometry } from '../src/geometry.js';
import { allocate, overlaps } from '../src/tensor.js';
import { smallCorr2d } from '../src/conv.js';
import { correlateSmall } from '../src/fast/direct.js';
import { seededRandom } from '../src/random.js';
import { forwardFast, forwardWorkspaceBytes } from '../src/fast/conv2d.js';
import { gradInputFast, gradWeightFast } from '../src/fast/backward.js';
import { correlateValid, kernels, useKernels, wasmAvailable, type KernelName } from '../src/fast/kernels.js';
import { TILING } from '../src/fast/layout.js';
import {
  compareBounded,
  convCase,
  forwardExpectation,
  gradientExpectations,
  suiteEnv,
  type ConvCase,
  type Expectation,
} from '../properties/index.js';
import { transposeCase, transposeExpectation, type TransposeCase } from '../properties/index.js';
import { copyTensor, fromFunction } from '../properties/tensors.js';

const env = suiteEnv();
const limits = { ...env.profile.limits, maxChannels: Math.max(env.profile.limits.maxChannels, 9) };
const run = { numRuns: env.runs, seed: env.seed, ...(env.path ? { path: env.path } : {}) };
console.log(`fast kernels: profile ${env.profile.name}, seed ${env.seed}, ${env.runs} runs`);

// ------------------------------------------------------------------ helpers

/** A float64 copy of a tensor (optionally of its absolute values). */
function wide(t: Tensor, absolute = false): Tensor {
  return fromFunction('float64', t.shape, (i) => (absolute ? Math.abs(t.data[i]) : t.data[i]));
}

/** A case with every tensor widened to float64. */
function wideCase(c: ConvCase): ConvCase {
  const bias = c.options.bias ? wide(c.options.bias) : null;
  return { input: wide(c.input), weight: wide(c.weight), options: { ...c.options, bias } };
}

/**
 * The expectation the fast kernels are held to: the reference kernel's
 * result on float64 copies, with the comparator's M and n for the case.
 */
function againstReference(e: Expectation, reference: Tensor): Expectation {
  return { ...e, value: Float64Array.from(reference.data) };
}

/** Throws the comparator's message (index, values, bound, ratio) when out of bound. */
function expectWithin(got: Tensor, want: Expectation): void {
  const cmp = compareBounded(got, want);
  if (!cmp.ok) throw new Error(cmp.message);
}

function fastForward(c: ConvCase): Tensor {
  const g = conv2dGeometry('conv2d', c.input.shape, c.weight.shape, c.options);
  const out = allocate(
    dtypeOf(c.input),
    g.outputShape.reduce((a, b) => a * b, 1),
  );
  expect(forwardFast(g, c.input.data, c.weight.data, c.options.bias?.data ?? null, out)).toBe(true);
  return { shape: g.outputShape, data: out };
}

function fastGradients(c: ConvCase, dy: Tensor): { gradInput: Tensor; gradWeight: Tensor } {
  const g = conv2dGeometry('conv2d', c.input.shape, c.weight.shape, c.options);
  const gx = allocate(dtypeOf(c.input), c.input.data.length);
  const gw = allocate(dtypeOf(c.input), c.weight.data.length);
  expect(gradInputFast(g, dy.data, g.h.out, g.w.out, c.weight.data, null, gx)).toBe(true);
  expect(gradWeightFast(g, dy.data, c.input.data, gw)).toBe(true);
  return { gradInput: { shape: c.input.shape, data: gx }, gradWeight: { shape: c.weight.shape, data: gw } };
}

function fastTranspose(c: TransposeCase): Tensor {
  const t = convTranspose2dGeometry('convTranspose2d', c.input.shape, c.weight.shape, c.options);
  const out = allocate(
    dtypeOf(c.input),
    t.outputShape.reduce((a, b) => a * b, 1),
  );
  expect(gradInputFast(t.conv, c.input.data, t.inH, t.inW, c.weight.data, c.options.bias?.data ?? null, out)).toBe(
    true,
  );
  return { shape: t.outputShape, data: out };
}

function dtypeOf(t: Tensor): 'float32' | 'float64' {
  return t.data instanceof Float64Array ? 'float64' : 'float32';
}

/** An upstream gradient shaped like the forward output, from a seed. */
function gradOutputFor(c: ConvCase, seed: number): Tensor {
  const shape = publicApi.conv2dOutputShape(c.input.shape, c.weight.shape, c.options);
  return randomTensor(shape, dtypeOf(c.input), seed);
}

/** Small integers and dyadic values, exact in float32 (as the suite's generators draw). */
function randomTensor(shape: readonly number[], dtype: 'float32' | 'float64', seed: number): Tensor {
  const rand = seededRandom(seed);
  return fromFunction(dtype, shape, () =>
    rand() < 0.5 ? Math.floor(rand() * 7) - 3 : Math.round((rand() - 0.5) * 8192) / 1024,
  );
}

const cases = convCase({ ...limits, dtype: 'both' });
const withGradient = cases.chain((c) =>
  fc.integer({ min: 0, max: 0x7fffffff }).map((seed) => ({ c, dy: gradOutputFor(c, seed) })),
);
const transposeCases = transposeCase({ ...limits, dtype: 'both' });

// ---------------------------------------------------------------- properties

function properties(): void {
  test('for any conv2d case, the fast forward is within c·γ_n·M of the float64 reference', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const want = againstReference(
          forwardExpectation(c),
          referenceApi.conv2d(wideCase(c).input, wideCase(c).weight, wideCase(c).options),
        );
        expectWithin(fastForward(c), want);
      }),
      run,
    );
  });

  test('for any conv2d case and gradOutput, the fast input and weight gradients are within c·γ_n·M of the reference', () => {
    fc.assert(
      fc.property(withGradient, ({ c, dy }) => {
        const w = wideCase(c);
        const ref = referenceApi.conv2dBackward(wide(dy), w.input, w.weight, w.options);
        const e = gradientExpectations(c, dy);
        const got = fastGradients(c, dy);
        expectWithin(got.gradInput, againstReference(e.gradInput, ref.gradInput));
        expectWithin(got.gradWeight, againstReference(e.gradWeight, ref.gradWeight));
      }),
      run,
    );
  });

  test('for any transposed case, the fast convTranspose2d is within c·γ_n·M of the reference', () => {
    fc.assert(
      fc.property(transposeCases, (c) => {
        const bias = c.options.bias ? wide(c.options.bias) : null;
        const ref = referenceApi.convTranspose2d(wide(c.input), wide(c.weight), { ...c.options, bias });
        expectWithin(fastTranspose(c), againstReference(transposeExpectation(c), ref));
      }),
      run,
    );
  });
}

const KERNELS: readonly KernelName[] = ['wasm', 'js'];

describe.each(KERNELS)('fast kernels (%s)', (name) => {
  beforeAll(() => {
    if (name === 'wasm') expect(wasmAvailable(), 'Node 20 has WebAssembly SIMD').toBe(true);
    useKernels(name);
  });
  afterAll(() => {
    useKernels('auto');
  });

  describe('default tiles', properties);

  describe('tiles of one output row (many tiles per image)', () => {
    const saved = { ...TILING };
    beforeAll(() => Object.assign(TILING, { elements: 8, maxPositions: 8 }));
    afterAll(() => Object.assign(TILING, saved));
    properties();
  });

  test('shapes crossing the default tiles: forward, both gradients and the transposed conv', () => {
    const shapes: ReadonlyArray<[number[], number[], Conv2dOptions]> = [
      [[2, 5, 70, 66], [6, 5, 3, 3], { padding: 1, bias: null }],
      [
        [1, 6, 75, 40],
        [8, 3, 3, 2],
        { stride: [2, 1], padding: 'same', dilation: [1, 2], groups: 2, paddingMode: 'reflect' },
      ],
      [
        [1, 4, 90, 50],
        [4, 1, 3, 3],
        {
          groups: 4,
          padding: [
            [2, 0],
            [1, 3],
          ],
          paddingMode: 'circular',
        },
      ],
    ];
    shapes.forEach(([xs, ws, options], i) => {
      for (const dtype of ['float32', 'float64'] as const) {
        const c: ConvCase = {
          input: randomTensor(xs, dtype, 10 + i),
          weight: randomTensor(ws, dtype, 20 + i),
          options,
        };
        const w = wideCase(c);
        expectWithin(
          fastForward(c),
          againstReference(forwardExpectation(c), referenceApi.conv2d(w.input, w.weight, w.options)),
        );
        const dy = gradOutputFor(c, 30 + i);
        const ref = referenceApi.conv2dBackward(wide(dy), w.input, w.weight, w.options);
        const e = gradientExpectations(c, dy);
        const got = fastGradients(c, dy);
        expectWithin(got.gradInput, againstReference(e.gradInput, ref.gradInput));
        expectWithin(got.gradWeight, againstReference(e.gradWeight, ref.gradWeight));
      }
    });
    const t: TransposeCase = {
      input: randomTensor([2, 6, 40, 36], 'float32', 40),
      weight: randomTensor([6, 4, 3, 3], 'float32', 41),
      options: {
        stride: 2,
        padding: [
          [1, 0],
          [0, 2],
        ],
        outputPadding: 1,
        groups: 2,
        bias: randomTensor([8], 'float32', 42),
      },
    };
    const bias = wide(t.options.bias!);
    const ref = referenceApi.convTranspose2d(wide(t.input), wide(t.weight), { ...t.options, bias });
    expectWithin(fastTranspose(t), againstReference(transposeExpectation(t), ref));
  });

  test('corr2d on chapter-size planes (the corr micro-kernel): the reference bit for bit, both dtypes, NaN/±Inf/−0, any out', () => {
    fc.assert(
      fc.property(smallPlanes, ({ H, W, KH, KW, dtype, seed, planted, kind }) => {
        const X = copyTensor(randomTensor([H, W], dtype, seed));
        const K = copyTensor(randomTensor([KH, KW], dtype, seed + 1));
        for (const [inK, at, v] of planted) (inK ? K : X).data[at % (inK ? K : X).data.length] = v;
        expect(bits(corr2dInto(X, K, kind))).toEqual(bits(referenceApi.corr2d(X, K)));
      }),
      run,
    );
  });
});

/** Each element as text, telling −0 from +0 (NaN payloads aside). */
const bits = (t: Tensor): string[] => Array.from(t.data, (v) => (Object.is(v, -0) ? '-0' : String(v)));

/** Where a corr2d test writes its result. */
type OutKind = 'none' | 'fresh' | 'in a larger buffer' | "overlapping X's data" | "overlapping K's data";
const OUT_KINDS: readonly OutKind[] = [
  'none',
  'fresh',
  'in a larger buffer',
  "overlapping X's data",
  "overlapping K's data",
];

/**
 * Calls the public corr2d with the given kind of `out` on copies of X and K
 * and checks that only `out` was written: the copies and, for a buffer
 * larger than the result, its other elements keep their values.
 */
function corr2dInto(X: Tensor, K: Tensor, kind: OutKind): Tensor {
  const n = (X.shape[0] - K.shape[0] + 1) * (X.shape[1] - K.shape[1] + 1);
  const dtype = X.data instanceof Float64Array ? 'float64' : 'float32';
  const x = copyTensor(X);
  let k = copyTensor(K);
  let out: TensorData | undefined;
  let buffer: TensorData | null = null;
  if (kind === 'fresh') out = allocate(dtype, n).fill(NaN);
  if (kind === 'in a larger buffer') {
    buffer = allocate(dtype, n + 4).fill(7);
    out = buffer.subarray(2, 2 + n);
  }
  if (kind === "overlapping X's data") out = (x.data as TensorData).subarray(x.data.length - n);
  if (kind === "overlapping K's data") {
    const both = allocate(dtype, K.data.length + n);
    both.set(K.data);
    k = { shape: K.shape, data: both.subarray(0, K.data.length) };
    out = both.subarray(K.data.length - 1, K.data.length - 1 + n);
  }
  const y = out === undefined ? publicApi.corr2d(x, k) : publicApi.corr2d(x, k, out);
  if (out !== undefined) expect(y.data).toBe(out);
  if (kind !== "overlapping X's data") expect(bits(x)).toEqual(bits(X));
  if (kind !== "overlapping K's data") expect(bits(k)).toEqual(bits(K));
  if (buffer) expect([buffer[0], buffer[1], buffer[n + 2], buffer[n + 3]]).toEqual([7, 7, 7, 7]);
  return y;
}

/** Chapter-size corr2d problems (under the fast paths' threshold), with NaN, ±Inf and −0 planted. */
const smallPlanes = fc
  .record({
    H: fc.integer({ min: 1, max: 12 }),
    W: fc.integer({ min: 1, max: 12 }),
    KH: fc.integer({ min: 1, max: 6 }),
    KW: fc.integer({ min: 1, max: 6 }),
    dtype: fc.constantFrom('float32' as const, 'float64' as const),
    seed: fc.nat(),
    planted: fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity, -0)), {
      maxLength: 3,
    }),
    kind: fc.constantFrom(...OUT_KINDS),
  })
  .filter((p) => p.KH <= p.H && p.KW <= p.W);

// ------------------------------------------------------------ kernel agreement

describe('the two kernel implementations', () => {
  afterEach(() => {
    useKernels('auto');
  });

  test('useKernels switches the kernels every fast path runs, and says which', () => {
    expect(useKernels('js')).toBe('js');
    expect(kernels().name).toBe('js');
    expect(useKernels('wasm')).toBe('wasm');
    expect(kernels().name).toBe('wasm');
    expect(useKernels('auto')).toBe('wasm'); // Node 20 has WebAssembly SIMD
    expect(kernels().name).toBe('wasm');
  });

  test.each(KERNELS)(
    'NaN and ±Inf in the input reach exactly the weight-gradient entries the reference gives (%s; 9 taps, so packed lanes are padding)',
    (name) => {
      useKernels(name);
      for (const options of [{ padding: 1 }, {}, { stride: 2, padding: 'same' as const }]) {
        const x = copyTensor(randomTensor([2, 3, 20, 20], 'float32', 81));
        const w = randomTensor([5, 3, 3, 3], 'float32', 82);
        (x.data as TensorData)[17] = NaN;
        (x.data as TensorData)[650] = Infinity;
        (x.data as TensorData)[1999] = -Infinity;
        const dy = randomTensor(publicApi.conv2dOutputShape(x.shape, w.shape, options), 'float32', 83);
        const got = publicApi.conv2dBackward(dy, x, w, options);
        const ref = referenceApi.conv2dBackward(dy, x, w, options);
        const kind = (v: number): string => (Number.isFinite(v) ? 'finite' : String(v));
        expect(Array.from(got.gradWeight.data, kind), JSON.stringify(options)).toEqual(
          Array.from(ref.gradWeight.data, kind),
        );
      }
    },
  );

  test('for any case, JavaScript and WebAssembly give bit-identical forward and gradients (same products, same order)', () => {
    fc.assert(
      fc.property(withGradient, ({ c, dy }) => {
        useKernels('js');
        const y1 = fastForward(c);
        const g1 = fastGradients(c, dy);
        useKernels('wasm');
        const y2 = fastForward(c);
        const g2 = fastGradients(c, dy);
        expect(Array.from(y2.data)).toEqual(Array.from(y1.data));
        expect(Array.from(g2.gradInput.data)).toEqual(Array.from(g1.gradInput.data));
        expect(Array.from(g2.gradWeight.data)).toEqual(Array.from(g1.gradWeight.data));
      }),
      { ...run, numRuns: Math.max(1, Math.floor(env.runs / 2)) },
    );
  });

  test('the forward adds the products in the reference order, so it equals the reference bit for bit on finite data', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const got = fastForward(c);
        const ref = referenceApi.conv2d(c.input, c.weight, c.options);
        // −0 and +0 may differ (a materialised zero pad adds +0); compare as numbers.
        expect(Array.from(got.data).map((v) => v + 0)).toEqual(Array.from(ref.data).map((v) => v + 0));
      }),
      run,
    );
  });
});

// --------------------------------------------------------- public dispatch

describe('the chapter-size corr2d path', () => {
  afterEach(() => {
    useKernels('auto');
  });
  const X = (): Tensor => copyTensor(randomTensor([6, 8], 'float32', 61));
  const K = (): Tensor => copyTensor(randomTensor([1, 2], 'float32', 62));

  test.each(KERNELS)('correlateSmall (%s kernels) fills out exactly as correlateValid and says so', (name) => {
    useKernels(name);
    for (const [H, W, KH, KW] of [
      [6, 8, 1, 2],
      [1, 1, 1, 1],
      [3, 2, 2, 2],
      [9, 13, 4, 5],
      [63, 63, 1, 1],
    ]) {
      for (const dtype of ['float32', 'float64'] as const) {
        const x = randomTensor([H, W], dtype, H * 100 + W).data as TensorData;
        const k = randomTensor([KH, KW], dtype, KH * 10 + KW).data as TensorData;
        const n = (H - KH + 1) * (W - KW + 1);
        const got = allocate(dtype, n).fill(NaN);
        const want = allocate(dtype, n);
        expect(correlateSmall(x, H, W, k, KH, KW, got)).toBe(true);
        correlateValid(x, H, W, k, KH, KW, want);
        expect(bits({ shape: [n], data: got }), `${H}×${W} ∗ ${KH}×${KW} ${dtype}`).toEqual(
          bits({ shape: [n], data: want }),
        );
      }
    }
  });

  test('takes every plainly valid chapter-size call: both dtypes, with or without out, out sharing X', () => {
    const x64 = copyTensor(randomTensor([6, 8], 'float64', 63));
    const k64 = copyTensor(randomTensor([1, 2], 'float64', 64));
    const x = X();
    const calls: ReadonlyArray<[string, Tensor, Tensor, unknown]> = [
      ['float32', X(), K(), undefined],
      ['float64', x64, k64, undefined],
      ['float32 into out', X(), K(), new Float32Array(42)],
      ['float64 into out', x64, k64, new Float64Array(42)],
      ["out in X's memory", x, K(), (x.data as Float32Array).subarray(6)],
      ['frozen tensors', Object.freeze(X()), Object.freeze(K()), undefined],
      ['1 × 1', publicApi.tensor([[5]]), publicApi.tensor([[2]]), undefined],
      [
        '4095 multiply-adds',
        copyTensor(randomTensor([1, 4095], 'float32', 65)),
        copyTensor(randomTensor([1, 1], 'float32', 66)),
        undefined,
      ],
      [
        '4095 multiply-adds in taps',
        copyTensor(randomTensor([63, 65], 'float32', 67)),
        copyTensor(randomTensor([63, 65], 'float32', 68)),
        undefined,
      ],
    ];
    for (const [label, a, b, out] of calls) {
      const expected = referenceApi.corr2d(copyTensor(a), b);
      const y = smallCorr2d(a, b, out);
      expect(y, label).not.toBeNull();
      expect(y!.shape, label).toEqual(expected.shape);
      expect(bits(y!), label).toEqual(bits(expected));
      if (out !== undefined) expect(y!.data, label).toBe(out);
    }
  });

  test('declines everything else, for the full checks to judge', () => {
    const f32 = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((p, d) => p * d, 1)) });
    const bad = <T>(v: unknown): T => v as T;
    const declined: ReadonlyArray<[string, unknown, unknown, unknown]> = [
      ['X null', null, K(), undefined],
      ['K a number', X(), 3, undefined],
      ['K null', X(), null, undefined],
      ['X.shape not an array', { shape: '6,8', data: new Float32Array(48) }, K(), undefined],
      ['K.shape not an array', X(), { shape: { 0: 1, 1: 2, length: 2 }, data: new Float32Array(2) }, undefined],
      ['X of rank 3', f32([1, 6, 8]), K(), undefined],
      ['K of rank 1', X(), f32([2]), undefined],
      [
        'X of rank 3 whose first two dimensions match its data',
        { shape: [6, 8, 1], data: new Float32Array(48) },
        K(),
        undefined,
      ],
      [
        'K of rank 3 whose first two dimensions match its data',
        X(),
        { shape: [1, 2, 1], data: new Float32Array(2) },
        undefined,
      ],
      ['X with a string dimension', { shape: ['6', 8], data: new Float32Array(48) }, K(), undefined],
      ['X with a fractional dimension', { shape: [6, 8.5], data: new Float32Array(51) }, K(), undefined],
      ['X with a zero dimension', f32([0, 8]), K(), undefined],
      ['X with a zero width', f32([6, 0]), K(), undefined],
      ['K with a zero dimension', X(), f32([0, 2]), undefined],
      ['K with a zero width', X(), f32([1, 0]), undefined],
      ['K taller than X', X(), f32([7, 1]), undefined],
      ['K wider than X', X(), f32([1, 9]), undefined],
      ['4096 multiply-adds', f32([4, 1024]), f32([1, 1]), undefined],
      ['4096 multiply-adds in taps', f32([64, 64]), f32([64, 1]), undefined],
      ['4096 multiply-adds, two taps a row', f32([1, 2049]), f32([1, 2]), undefined],
      ['X.data a plain array', { shape: [6, 8], data: new Array(48).fill(0) }, K(), undefined],
      ['X float64, K float32', copyTensor(randomTensor([6, 8], 'float64', 1)), K(), undefined],
      ['X float32, K float64', X(), copyTensor(randomTensor([1, 2], 'float64', 2)), undefined],
      [
        'X float64, K a plain array',
        copyTensor(randomTensor([6, 8], 'float64', 1)),
        { shape: [1, 2], data: [1, 2] },
        undefined,
      ],
      ['X.data one short', { shape: [6, 8], data: new Float32Array(47) }, K(), undefined],
      ['K.data one long', X(), { shape: [1, 2], data: new Float32Array(3) }, undefined],
      ['out a plain array', X(), K(), new Array(42).fill(0)],
      ['out null', X(), K(), null],
      ['out float64 for float32', X(), K(), new Float64Array(42)],
      [
        'out float32 for float64',
        copyTensor(randomTensor([6, 8], 'float64', 3)),
        copyTensor(randomTensor([1, 2], 'float64', 4)),
        new Float32Array(42),
      ],
      ['out one short', X(), K(), new Float32Array(41)],
      ['out one long', X(), K(), new Float32Array(43)],
    ];
    for (const [label, a, b, out] of declined) expect(smallCorr2d(bad(a), bad(b), out), label).toBeNull();
  });

  test('overlaps: views of one buffer that share a byte, and only those', () => {
    const buffer = new ArrayBuffer(64);
    const a = new Float32Array(buffer, 8, 4); // bytes 8..23
    expect(overlaps(a, a)).toBe(true);
    expect(overlaps(a, new Float32Array(buffer, 20, 2))).toBe(true); // shares bytes 20..23
    expect(overlaps(new Float32Array(buffer, 20, 2), a)).toBe(true);
    expect(overlaps(a, new Float64Array(buffer, 0, 2))).toBe(true); // bytes 0..15
    expect(overlaps(a, new Float32Array(buffer, 24, 2))).toBe(false); // starts where a ends
    expect(overlaps(new Float32Array(buffer, 24, 2), a)).toBe(false);
    expect(overlaps(a, new Float64Array(buffer, 0, 1))).toBe(false); // ends where a starts
    expect(overlaps(a, new Float32Array(64))).toBe(false); // another buffer
    expect(overlaps(a, new Float32Array(buffer, 8, 0))).toBe(false); // empty
  });

  test('a plane too large for this path, with +Inf in K (the direct loop), into out overlapping X or K', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const X = copyTensor(randomTensor([70, 90], dtype, 71));
      const K = copyTensor(randomTensor([3, 4], dtype, 72));
      // One infinite tap: each output is ±Inf by the sign of one pixel, so a pixel overwritten by an
      // earlier output before it is read (±Inf where a finite value was) turns some outputs into NaN.
      K.data[1] = Infinity;
      const expected = bits(referenceApi.corr2d(X, K));
      // (NaN only where that pixel is 0.)
      expect(expected.filter((v) => v === 'NaN').length).toBeLessThan(expected.length / 4);
      for (const kind of OUT_KINDS) expect(bits(corr2dInto(X, K, kind)), `${dtype} ${kind}`).toEqual(expected);
    }
  });
});

describe('the public kernels', () => {
  test('corr2d into out on planes large enough for the fast path: the reference bit for bit, for every kind of out', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const X = randomTensor([70, 90], dtype, 51);
      const K = randomTensor([3, 4], dtype, 52);
      for (const kind of OUT_KINDS) expect(bits(corr2dInto(X, K, kind)), kind).toEqual(bits(referenceApi.corr2d(X, K)));
    }
  });

  test('for any case, conv2d / conv2dBackward (all three gradients) are within the bound of the reference', () => {
    fc.assert(
      fc.property(withGradient, ({ c, dy }) => {
        const w = wideCase(c);
        const y = publicApi.conv2d(c.input, c.weight, c.options);
        expectWithin(y, againstReference(forwardExpectation(c), referenceApi.conv2d(w.input, w.weight, w.options)));
        const got = publicApi.conv2dBackward(dy, c.input, c.weight, c.options);
        const ref = referenceApi.conv2dBackward(wide(dy), w.input, w.weight, w.options);
        const e = gradientExpectations(c, dy);
        expectWithin(got.gradInput, againstReference(e.gradInput, ref.gradInput));
        expectWithin(got.gradWeight, againstReference(e.gradWeight, ref.gradWeight));
        expectWithin(got.gradBias, againstReference(e.gradBias, ref.gradBias));
      }),
      run,
    );
  });

  test('a large call takes the fast path and a tiny one the reference loops; both agree with the reference', () => {
    const big: ConvCase = {
      input: randomTensor([2, 8, 20, 20], 'float32', 1),
      weight: randomTensor([8, 8, 3, 3], 'float32', 2),
      options: { padding: 1 },
    };
    const y = publicApi.conv2d(big.input, big.weight, big.options);
    const ref = referenceApi.conv2d(big.input, big.weight, big.options);
    expect(Array.from(y.data)).toEqual(Array.from(ref.data));
    const tiny = publicApi.corr2d(
      publicApi.tensor([
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, 8],
      ]),
      publicApi.tensor([
        [0, 1],
        [2, 3],
      ]),
    );
    expect(publicApi.toNested(tiny)).toEqual([
      [19, 25],
      [37, 43],
    ]);
  });

  test('corr2d: the direct loop and the fast path agree with the reference for any plane and kernel', () => {
    const plane = fc.record({
      H: fc.integer({ min: 1, max: 80 }),
      W: fc.integer({ min: 1, max: 80 }),
      KH: fc.integer({ min: 1, max: 5 }),
      KW: fc.integer({ min: 1, max: 5 }),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(
        plane.filter((p) => p.KH <= p.H && p.KW <= p.W),
        ({ H, W, KH, KW, seed }) => {
          const X = randomTensor([H, W], 'float32', seed);
          const K = randomTensor([KH, KW], 'float32', seed + 1);
          expect(Array.from(publicApi.corr2d(X, K).data)).toEqual(Array.from(referenceApi.corr2d(X, K).data));
        },
      ),
      run,
    );
  });

  test('NaN and ±Inf in weights or gradOutput give exactly the reference (padded taps are skipped, not multiplied)', () => {
    const x = randomTensor([1, 3, 24, 24], 'float32', 3);
    const w = copyTensor(randomTensor([4, 3, 3, 3], 'float32', 4));
    (w.data as TensorData)[5] = Infinity;
    (w.data as TensorData)[17] = NaN;
    const options: Conv2dOptions = { padding: 2 };
    const same = (a: Tensor, b: Tensor): void =>
      expect(Array.from(a.data).map(String)).toEqual(Array.from(b.data).map(String));
    same(publicApi.conv2d(x, w, options), referenceApi.conv2d(x, w, options));
    const dy = copyTensor(randomTensor(publicApi.conv2dOutputShape(x.shape, w.shape, options), 'float32', 5));
    (dy.data as TensorData)[0] = -Infinity;
    (dy.data as TensorData)[300] = NaN;
    const got = publicApi.conv2dBackward(dy, x, w, options);
    const ref = referenceApi.conv2dBackward(dy, x, w, options);
    same(got.gradWeight, ref.gradWeight);
    same(got.gradBias, ref.gradBias);
    // The input gradient visits the same (dy, w) pairs as the reference, so NaN/Inf land on the same pixels.
    expect(Array.from(got.gradInput.data).map((v) => (Number.isFinite(v) ? 'finite' : String(v)))).toEqual(
      Array.from(ref.gradInput.data).map((v) => (Number.isFinite(v) ? 'finite' : String(v))),
    );
  });

  test('invalid calls throw the same ConvError (code and message) as the reference, before any work', () => {
    const x = randomTensor([1, 2, 5, 5], 'float32', 6);
    const w = randomTensor([2, 2, 3, 3], 'float32', 7);
    const calls: ReadonlyArray<[string, () => unknown, () => unknown]> = [
      ['groups', () => publicApi.conv2d(x, w, { groups: 2 }), () => referenceApi.conv2d(x, w, { groups: 2 })],
      [
        'kernel',
        () => publicApi.conv2d(x, randomTensor([1, 2, 7, 7], 'float32', 1)),
        () => referenceApi.conv2d(x, randomTensor([1, 2, 7, 7], 'float32', 1)),
      ],
      ['dtype', () => publicApi.conv2d(x, wide(w)), () => referenceApi.conv2d(x, wide(w))],
      ['grad-output', () => publicApi.conv2dBackward(x, x, w), () => referenceApi.conv2dBackward(x, x, w)],
      [
        'grad dtype',
        () => publicApi.conv2dBackward(wide(randomTensor([1, 2, 3, 3], 'float32', 2)), x, w),
        () => referenceApi.conv2dBackward(wide(randomTensor([1, 2, 3, 3], 'float32', 2)), x, w),
      ],
      [
        'transpose',
        () => publicApi.convTranspose2d(x, w, { outputPadding: 1 }),
        () => referenceApi.convTranspose2d(x, w, { outputPadding: 1 }),
      ],
      [
        'corr2d',
        () => publicApi.corr2d(randomTensor([2, 2], 'float32', 1), randomTensor([3, 1], 'float32', 1)),
        () => referenceApi.corr2d(randomTensor([2, 2], 'float32', 1), randomTensor([3, 1], 'float32', 1)),
      ],
    ];
    for (const [label, ours, theirs] of calls) {
      const a = thrown(ours);
      const b = thrown(theirs);
      expect(a, label).toBeInstanceOf(ConvError);
      expect([a.code, a.message], label).toEqual([b.code, b.message]);
    }
  });
});

function thrown(f: () => unknown): ConvError {
  try {
    f();
  } catch (e) {
    return e as ConvError;
  }
  throw new Error('expected a ConvError');
}

// ------------------------------------------------------- reference and memory

describe('the reference kernels and the working memory', () => {
  test('the reference kernels stay exported, as the plain loops, beside the fast public ones', () => {
    expect(Object.keys(publicApi.reference).sort()).toEqual(['conv2d', 'conv2dBackward', 'convTranspose2d', 'corr2d']);
    for (const name of ['conv2d', 'conv2dBackward', 'convTranspose2d', 'corr2d'] as const) {
      expect(publicApi.reference[name]).toBe(referenceApi[name]);
      expect(publicApi[name]).not.toBe(referenceApi[name]);
    }
  });

  test('forward working memory does not grow with the batch and stays within its stated bound', () => {
    const options: Conv2dOptions = { padding: 1, stride: 2 };
    const g1 = conv2dGeometry('conv2d', [1, 64, 56, 56], [64, 64, 3, 3], options);
    const g8 = conv2dGeometry('conv2d', [8, 64, 56, 56], [64, 64, 3, 3], options);
    expect(forwardWorkspaceBytes(g8)).toBe(forwardWorkspaceBytes(g1));
    expect(forwardWorkspaceBytes(g1)).toBeLessThanOrEqual(statedForwardBound(g1));
  });
});

/**
 * The bound stated in src/fast/conv2d.ts, in bytes: 8·(|W| + one group's
 * padded image rounded up to whole strides, plus a row + an output tile of
 * O/g × (4096 + Wq + 8) + one image's O/g output planes + one group of one
 * input image) + 4·(taps + the phase tables), plus 64-byte alignment of
 * eight regions.
 */
function statedForwardBound(g: Conv2dGeometry): number {
  const Cg = g.C / g.groups;
  const Og = g.O / g.groups;
  const Hq = Math.ceil((g.h.size + g.h.padBefore + g.h.padAfter) / g.h.stride);
  const Wq = Math.ceil((g.w.size + g.w.padBefore + g.w.padAfter) / g.w.stride);
  const taps = Cg * g.h.kernel * g.w.kernel;
  const image = Cg * g.h.stride * g.w.stride * Hq * Wq + Wq + 8;
  const tile = Og * (4096 + Wq + 8);
  const planes = Og * g.h.out * g.w.out;
  const raw = Cg * g.h.size * g.w.size;
  const tables = g.h.stride * Hq + g.w.stride * Wq;
  return 8 * (g.O * taps + image + tile + planes + raw) + 4 * (taps + tables) + 8 * 64;
}
