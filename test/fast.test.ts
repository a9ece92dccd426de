/**
 * The fast kernels against two references, with the design's bound
 * `c·γ_n·M`: the suite's independent float64 model (its own padding,
 * windows and dot products, not src/geometry's tap maps, so an index-map bug
 * shared by the fast and reference kernels cannot hide) and the reference
 * loops. Every option (stride, every padding form including 'same' and
 * asymmetric, dilation, groups and depthwise, padding modes, bias, N = 0,
 * unbatched, both dtypes), both kernel implementations (WebAssembly SIMD and
 * plain JavaScript), tiles shrunk so small cases cross many tile boundaries,
 * a few cases large enough to cross the default tiles, and the public calls
 * on drawn cases whose batch is tiled past the fast kernels' threshold.
 * Steer with CONVPROOF_PROFILE / CONVPROOF_RUNS / CONVPROOF_SEED.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as publicApi from '../src/index.js';
import {
  ConvError,
  createBackend,
  type Backend,
  type Conv2dOptions,
  type Tensor,
  type TensorData,
} from '../src/index.js';
import * as referenceApi from '../src/reference/index.js';
import { conv2dGeometry, convTranspose2dGeometry, type Conv2dGeometry } from '../src/geometry.js';
import { allocate } from '../src/tensor.js';
import { seededRandom } from '../src/random.js';
import { SMALL_WORK } from '../src/dispatch.js';
import { forwardFast, forwardWorkspaceBytes } from '../src/fast/conv2d.js';
import { gradInputFast, gradWeightFast } from '../src/fast/backward.js';
import { createKernels, type Kernels } from '../src/fast/kernels.js';
import { TILING } from '../src/fast/layout.js';
import { convCase } from '../properties/arbitraries/index.js';
import type { ConvCase } from '../properties/types.js';
import { suiteEnv } from '../properties/profile.js';
import { copyTensor, fromFunction } from '../properties/tensors.js';
// The specification side: expectations built by the suite's float64 model
// (modelConv2d, modelConv2dBackward; the transposed conv as the model's
// scatter) and the one comparator.
import {
  compareBounded,
  forwardExpectation,
  gradientExpectations,
  transposeExpectation,
  type Expectation,
} from '../properties/spec/index.js';
import { transposeCase } from '../properties/transpose.js';
import type { TransposeCase } from '../properties/types.js';

const env = suiteEnv();
const limits = { ...env.profile.limits, maxChannels: Math.max(env.profile.limits.maxChannels, 9) };
const run = { numRuns: env.runs, seed: env.seed, ...(env.path ? { path: env.path } : {}) };
console.log(`fast kernels: profile ${env.profile.name}, seed ${env.seed}, ${env.runs} runs`);

// ------------------------------------------------------------------ helpers

/** A float64 copy of a tensor. */
function wide(t: Tensor): Tensor {
  return fromFunction('float64', t.shape, (i) => t.data[i]);
}

/** A case with every tensor widened to float64. */
function wideCase(c: ConvCase): ConvCase {
  const bias = c.options.bias ? wide(c.options.bias) : null;
  return { input: wide(c.input), weight: wide(c.weight), options: { ...c.options, bias } };
}

/**
 * The model's expectation with the reference kernel's float64 result as the
 * value: the same bound, around the reference instead of the model.
 */
function aroundReference(e: Expectation, reference: Tensor): Expectation {
  return { ...e, value: Float64Array.from(reference.data) };
}

/** Throws the comparator's message (index, values, bound, ratio) when out of bound. */
function expectWithin(got: Tensor, want: Expectation): void {
  const cmp = compareBounded(got, want);
  if (!cmp.ok) throw new Error(cmp.message);
}

/** Within the bound of the independent model, and of the reference loops on float64 copies. */
function expectForward(got: Tensor, c: ConvCase): void {
  const e = forwardExpectation(c);
  expectWithin(got, e);
  const w = wideCase(c);
  expectWithin(got, aroundReference(e, referenceApi.conv2d(w.input, w.weight, w.options)));
}

/** Both gradients (and gradBias when given) within the bound of the model and of the reference. */
function expectGradients(
  got: { gradInput: Tensor; gradWeight: Tensor; gradBias?: Tensor },
  c: ConvCase,
  dy: Tensor,
): void {
  const e = gradientExpectations(c, dy);
  const w = wideCase(c);
  const ref = referenceApi.conv2dBackward(wide(dy), w.input, w.weight, w.options);
  expectWithin(got.gradInput, e.gradInput);
  expectWithin(got.gradWeight, e.gradWeight);
  expectWithin(got.gradInput, aroundReference(e.gradInput, ref.gradInput));
  expectWithin(got.gradWeight, aroundReference(e.gradWeight, ref.gradWeight));
  if (got.gradBias) {
    expectWithin(got.gradBias, e.gradBias);
    expectWithin(got.gradBias, aroundReference(e.gradBias, ref.gradBias));
  }
}

/** Within the bound of the model's scatter and of the reference transposed conv. */
function expectTranspose(got: Tensor, c: TransposeCase): void {
  const e = transposeExpectation(c);
  expectWithin(got, e);
  const bias = c.options.bias ? wide(c.options.bias) : null;
  expectWithin(
    got,
    aroundReference(e, referenceApi.convTranspose2d(wide(c.input), wide(c.weight), { ...c.options, bias })),
  );
}

function dtypeOf(t: Tensor): 'float32' | 'float64' {
  return t.data instanceof Float64Array ? 'float64' : 'float32';
}

function fastForward(k: Kernels, c: ConvCase): Tensor {
  const g = conv2dGeometry('conv2d', c.input.shape, c.weight.shape, c.options);
  const out = allocate(
    dtypeOf(c.input),
    g.outputShape.reduce((a, b) => a * b, 1),
  );
  expect(forwardFast(k, g, c.input.data, c.weight.data, c.options.bias?.data ?? null, out)).toBe(true);
  return { shape: g.outputShape, data: out };
}

function fastGradients(k: Kernels, c: ConvCase, dy: Tensor): { gradInput: Tensor; gradWeight: Tensor } {
  const g = conv2dGeometry('conv2d', c.input.shape, c.weight.shape, c.options);
  const gx = allocate(dtypeOf(c.input), c.input.data.length);
  const gw = allocate(dtypeOf(c.input), c.weight.data.length);
  expect(gradInputFast(k, g, dy.data, g.h.out, g.w.out, c.weight.data, null, gx)).toBe(true);
  expect(gradWeightFast(k, g, dy.data, c.input.data, gw)).toBe(true);
  return { gradInput: { shape: c.input.shape, data: gx }, gradWeight: { shape: c.weight.shape, data: gw } };
}

function fastTranspose(k: Kernels, c: TransposeCase): Tensor {
  const t = convTranspose2dGeometry('convTranspose2d', c.input.shape, c.weight.shape, c.options);
  const out = allocate(
    dtypeOf(c.input),
    t.outputShape.reduce((a, b) => a * b, 1),
  );
  const b = c.options.bias?.data ?? null;
  expect(gradInputFast(k, t.conv, c.input.data, t.inH, t.inW, c.weight.data, b, out)).toBe(true);
  return { shape: t.outputShape, data: out };
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

/** Each element as text, telling −0 from +0 (NaN payloads aside). */
const bits = (t: Tensor): string[] => Array.from(t.data, (v) => (Object.is(v, -0) ? '-0' : String(v)));

const KERNELS = ['wasm', 'js'] as const;
const made = (name: (typeof KERNELS)[number]): Kernels => {
  const k = createKernels(name);
  expect(k, `${name} kernels (Node 20 has WebAssembly SIMD)`).not.toBeNull();
  return k!;
};

// ---------------------------------------------------------------- properties

function properties(kernels: () => Kernels): void {
  test('for any conv2d case, the fast forward is within c·γ_n·M of the float64 model and of the reference', () => {
    fc.assert(
      fc.property(cases, (c) => expectForward(fastForward(kernels(), c), c)),
      run,
    );
  });

  test('for any conv2d case and gradOutput, the fast input and weight gradients are within c·γ_n·M of the model and the reference', () => {
    fc.assert(
      fc.property(withGradient, ({ c, dy }) => expectGradients(fastGradients(kernels(), c, dy), c, dy)),
      run,
    );
  });

  test('for any transposed case, the fast convTranspose2d is within c·γ_n·M of the model and the reference', () => {
    fc.assert(
      fc.property(transposeCases, (c) => expectTranspose(fastTranspose(kernels(), c), c)),
      run,
    );
  });
}

describe.each(KERNELS)('fast kernels (%s)', (name) => {
  let k: Kernels;
  beforeAll(() => {
    k = made(name);
  });

  describe('default tiles', () => properties(() => k));

  describe('tiles of one output row (many tiles per image)', () => {
    const saved = { ...TILING };
    beforeAll(() => Object.assign(TILING, { elements: 8, maxPositions: 8 }));
    afterAll(() => Object.assign(TILING, saved));
    properties(() => k);
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
        expectForward(fastForward(k, c), c);
        const dy = gradOutputFor(c, 30 + i);
        expectGradients(fastGradients(k, c, dy), c, dy);
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
    expectTranspose(fastTranspose(k, t), t);
  });
});

// ------------------------------------------------------------ kernel agreement

describe('the two kernel implementations', () => {
  test.each(KERNELS)(
    'NaN and ±Inf in the input reach exactly the weight-gradient entries the reference gives (%s; 9 taps, so packed lanes are padding)',
    (name) => {
      const backend = createBackend({ kernels: name });
      for (const options of [{ padding: 1 }, {}, { stride: 2, padding: 'same' as const }]) {
        const x = copyTensor(randomTensor([2, 3, 20, 20], 'float32', 81));
        const w = randomTensor([5, 3, 3, 3], 'float32', 82);
        (x.data as TensorData)[17] = NaN;
        (x.data as TensorData)[650] = Infinity;
        (x.data as TensorData)[1999] = -Infinity;
        const dy = randomTensor(publicApi.conv2dOutputShape(x.shape, w.shape, options), 'float32', 83);
        const before = backend.stats().fast;
        const got = backend.conv2dBackward(dy, x, w, options);
        expect(backend.stats().fast - before, 'both gradients on the fast kernels').toBe(2);
        const ref = referenceApi.conv2dBackward(dy, x, w, options);
        const kind = (v: number): string => (Number.isFinite(v) ? 'finite' : String(v));
        expect(Array.from(got.gradWeight.data, kind), JSON.stringify(options)).toEqual(
          Array.from(ref.gradWeight.data, kind),
        );
      }
    },
  );

  test('for any case, JavaScript and WebAssembly give bit-identical forward and gradients (same products, same order)', () => {
    const js = made('js');
    const wasm = made('wasm');
    fc.assert(
      fc.property(withGradient, ({ c, dy }) => {
        const y1 = fastForward(js, c);
        const g1 = fastGradients(js, c, dy);
        const y2 = fastForward(wasm, c);
        const g2 = fastGradients(wasm, c, dy);
        expect(Array.from(y2.data)).toEqual(Array.from(y1.data));
        expect(Array.from(g2.gradInput.data)).toEqual(Array.from(g1.gradInput.data));
        expect(Array.from(g2.gradWeight.data)).toEqual(Array.from(g1.gradWeight.data));
      }),
      { ...run, numRuns: Math.max(1, Math.floor(env.runs / 2)) },
    );
  });

  test('the forward adds the products in the reference order, so it equals the reference bit for bit on finite data', () => {
    const wasm = made('wasm');
    fc.assert(
      fc.property(cases, (c) => {
        const got = fastForward(wasm, c);
        const ref = referenceApi.conv2d(c.input, c.weight, c.options);
        // −0 and +0 may differ (a materialised zero pad adds +0); compare as numbers.
        expect(Array.from(got.data).map((v) => v + 0)).toEqual(Array.from(ref.data).map((v) => v + 0));
      }),
      run,
    );
  });
});

// --------------------------------------------------------- public dispatch

/**
 * The case with its batch repeated until a call does at least SMALL_WORK
 * multiply-adds, so the public calls take the fast kernels (an unbatched
 * input becomes a batch of one first; an empty batch stays empty).
 */
function pastThreshold(c: ConvCase): ConvCase {
  const x = c.input.shape.length === 3 ? { shape: [1, ...c.input.shape], data: c.input.data } : c.input;
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = c.weight.shape;
  const [, , OH, OW] = publicApi.conv2dOutputShape([1, C, H, W], c.weight.shape, c.options);
  const perImage = O * OH * OW * Cg * KH * KW;
  const copies = N === 0 ? 1 : Math.ceil(SMALL_WORK / (N * perImage));
  const data = allocate(dtypeOf(x), copies * x.data.length);
  for (let i = 0; i < copies; i++) data.set(x.data, i * x.data.length);
  return { ...c, input: { shape: [N * copies, C, H, W], data } };
}

describe('the public kernels', () => {
  const backends: ReadonlyArray<[string, Backend]> = [
    ['default', publicApi.defaultBackend],
    ['js', createBackend({ kernels: 'js' })],
  ];

  test.each(backends)(
    'for any case tiled past the threshold, conv2d and conv2dBackward (%s backend) take the fast kernels and are within the bound of the model',
    (_, backend) => {
      fc.assert(
        fc.property(cases, fc.nat(), (drawn, seed) => {
          const c = pastThreshold(drawn);
          const dy = gradOutputFor(c, seed);
          const before = backend.stats();
          const y = backend.conv2d(c.input, c.weight, c.options);
          const g = backend.conv2dBackward(dy, c.input, c.weight, c.options);
          const after = backend.stats();
          const runs = c.input.shape[0] === 0 ? 0 : 3; // forward, gradInput, gradWeight
          expect(after.fast - before.fast, 'runs on the fast kernels').toBe(runs);
          expectForward(y, c);
          expectGradients(g, c, dy);
        }),
        { ...run, numRuns: Math.max(1, Math.floor(env.runs / 2)) },
      );
    },
  );

  test('corr2d on each backend equals the reference bit for bit on planes either side of the threshold, with NaN/±Inf/−0 planted', () => {
    const all: Backend[] = [publicApi.defaultBackend, createBackend({ kernels: 'js' })];
    const planes = fc
      .record({
        H: fc.integer({ min: 1, max: 80 }),
        W: fc.integer({ min: 1, max: 80 }),
        KH: fc.integer({ min: 1, max: 5 }),
        KW: fc.integer({ min: 1, max: 5 }),
        dtype: fc.constantFrom('float32' as const, 'float64' as const),
        seed: fc.nat(),
        planted: fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity, -0)), {
          maxLength: 3,
        }),
      })
      .filter((p) => p.KH <= p.H && p.KW <= p.W);
    fc.assert(
      fc.property(planes, ({ H, W, KH, KW, dtype, seed, planted }) => {
        const X = copyTensor(randomTensor([H, W], dtype, seed));
        const K = copyTensor(randomTensor([KH, KW], dtype, seed + 1));
        for (const [inK, at, v] of planted) (inK ? K : X).data[at % (inK ? K : X).data.length] = v;
        const want = bits(referenceApi.corr2d(X, K));
        for (const backend of all) expect(bits(backend.corr2d(X, K))).toEqual(want);
      }),
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
    const names = ['conv2d', 'conv2dBackward', 'convTranspose2d', 'convTranspose2dBackward', 'corr2d'] as const;
    expect(Object.keys(publicApi.reference).sort()).toEqual([...names]);
    for (const name of names) {
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
