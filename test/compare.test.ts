/**
 * The spec (properties/spec/) itself. The comparator must accept what a
 * correct float32 kernel computes (in any summation order), reject a
 * lower-precision accumulator, a result a few ulps beyond the bound, and any
 * NaN/±Inf mismatch, and its message must say where and by how much. The
 * expectations must count n exactly (real taps only, each padding-mode copy
 * once). The model must match hand computations and agree with itself where
 * it has two routes to one number (gradInput by correlation and the
 * transposed conv by scatter; the model and its term enumeration).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { tensor, type Tensor } from '../src/index.js';
import {
  compareBounded,
  compareExact,
  forEachTap,
  forwardExpectation,
  gamma,
  gradientExpectations,
  modelConv2d,
  modelConv2dBackward,
  modelConvTranspose2d,
  resolveConv,
  resolveTranspose,
  restoringTransposeOptions,
  TOLERANCE,
  unitRoundoff,
  type Expectation,
} from '../properties/spec/index.js';
import type { ConvCase } from '../properties/types.js';
import { convCase, convConfig, suiteEnv, tensorData } from '../properties/index.js';

/** Rounds to a binary format with `bits` significant bits (float16: 11, bfloat16: 8), ties to even. */
function roundTo(v: number, bits: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const scale = 2 ** (Math.floor(Math.log2(Math.abs(v))) - (bits - 1));
  const q = v / scale;
  const r = Math.round(q);
  const even = Math.abs(q - Math.trunc(q)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return even * scale;
}

/** A 1×n dot product as a conv case: input [1,1,1,n], weight [1,1,1,n] of ones. */
function dotCase(values: readonly number[]): ConvCase {
  const n = values.length;
  return { input: tensor(values, [1, 1, 1, n]), weight: tensor(new Array(n).fill(1), [1, 1, 1, n]), options: {} };
}

/** The sum of the case's products accumulated with `round` after every operation, in `order`. */
function accumulate(c: ConvCase, round: (v: number) => number, order: 'forward' | 'reverse' = 'forward'): Tensor {
  const idx = [...c.input.data.keys()];
  if (order === 'reverse') idx.reverse();
  let acc = 0;
  for (const i of idx) acc = round(acc + round(c.input.data[i] * c.weight.data[i]));
  return tensor([acc], [1, 1, 1, 1]);
}

/** The float32 value `k` ulps above `v` (k may be negative). */
function stepFloat32(v: number, k: number): number {
  const f = new Float32Array([v]);
  const bits = new Int32Array(f.buffer);
  bits[0] += v >= 0 ? k : -k;
  return f[0];
}

const ONES_AND_TINY = [1, ...new Array(63).fill(2 ** -25)];

describe('the error bound', () => {
  test('gamma_n = n·u/(1−n·u), and u is 2^-24 for float32, 2^-53 for float64', () => {
    expect(unitRoundoff('float32')).toBe(2 ** -24);
    expect(unitRoundoff('float64')).toBe(2 ** -53);
    expect(gamma(1, 2 ** -24)).toBe(2 ** -24 / (1 - 2 ** -24));
    expect(gamma(2 ** 24, 2 ** -24)).toBe(Infinity);
  });

  test('a forward expectation counts n = KH·KW·C/groups taps per output, plus one with a bias', () => {
    const x = tensor(new Array(4 * 5 * 5).fill(1), [1, 4, 5, 5]);
    const w = tensor(new Array(6 * 2 * 3 * 2).fill(1), [6, 2, 3, 2]);
    const terms = (options: ConvCase['options']) =>
      Array.from(forwardExpectation({ input: x, weight: w, options }).terms as Float64Array);
    expect(new Set(terms({ groups: 2 }))).toEqual(new Set([3 * 2 * 2]));
    const bias = tensor(new Array(6).fill(1), [6]);
    expect(new Set(terms({ groups: 2, bias }))).toEqual(new Set([13]));
  });

  test('n counts only real taps: zero padding is no term, a padding-mode copy is one', () => {
    const x = tensor(new Array(9).fill(1), [1, 1, 3, 3]);
    const w = tensor(new Array(9).fill(1), [1, 1, 3, 3]);
    const terms = (options: ConvCase['options']) =>
      Array.from(forwardExpectation({ input: x, weight: w, options }).terms as Float64Array);
    // corners read 2×2 real pixels, edges 2×3, the centre 3×3
    expect(terms({ padding: 1 })).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
    expect(terms({ padding: 1, paddingMode: 'reflect' })).toEqual(new Array(9).fill(9));
  });

  test('M is |X| ⋆ |K| + |b|: the model run on absolute values', () => {
    const c: ConvCase = {
      input: tensor([
        [
          [
            [1, -2],
            [-3, 4],
          ],
        ],
      ]),
      weight: tensor([[[[-1, 1]]]]),
      options: { bias: tensor([-5]) },
    };
    const e = forwardExpectation(c);
    expect(Array.from(e.value)).toEqual([-5 - 1 - 2, -5 + 3 + 4]);
    expect(Array.from(e.magnitude)).toEqual([5 + 1 + 2, 5 + 3 + 4]);
  });

  test('gradient expectations count the terms of each element (one tap per output for a 1×1 kernel)', () => {
    const c: ConvCase = { input: tensor([[[[1, 2, 3]]]]), weight: tensor([[[[2]]]]), options: { stride: 2 } };
    const g = gradientExpectations(c, tensor([[[[1, -1]]]]));
    expect(Array.from(g.gradInput.value)).toEqual([2, 0, -2]);
    expect(Array.from(g.gradInput.terms as Float64Array)).toEqual([1, 0, 1]);
    expect(Array.from(g.gradWeight.value)).toEqual([1 - 3]);
    expect(Array.from(g.gradWeight.magnitude)).toEqual([1 + 3]);
    expect(Array.from(g.gradBias.value)).toEqual([0]);
    expect(g.gradBias.terms).toBe(2);
  });

  test('gradInput of a padding mode counts each copy once: reflect [a, b, c] by one on the right, a 1×2 kernel', () => {
    // padded [b, a, b, c, b]; a is read by outputs 0 and 1, b by all four (twice as its reflection), c by 2 and 3
    const c: ConvCase = {
      input: tensor([[[[1, 2, 5]]]]),
      weight: tensor([[[[10, 1]]]]),
      options: { padding: [0, 1], paddingMode: 'reflect' },
    };
    const g = gradientExpectations(c, tensor([[[[1, 2, 3, 4]]]]));
    expect(Array.from(g.gradInput.value)).toEqual([1 + 20, 10 + 2 + 30 + 4, 3 + 40]);
    expect(Array.from(g.gradInput.terms as Float64Array)).toEqual([2, 4, 2]);
    expect(Array.from(g.gradWeight.value)).toEqual([2 + 2 + 6 + 20, 1 + 4 + 15 + 8]);
    expect(Array.from(g.gradWeight.terms as Float64Array)).toEqual([4, 4]);
  });

  test('c and tiny live in one named place', () => {
    expect(TOLERANCE.factor).toBe(2);
    expect(TOLERANCE.underflowPerTerm.float32).toBe(2 ** -149);
  });
});

describe('compareBounded accepts correct results', () => {
  test('a float32 accumulator in the forward order, though it drifts (err/(u·M) ≈ 31.5 on 1 + 63·2^-25)', () => {
    const c = dotCase(ONES_AND_TINY);
    const cmp = compareBounded(accumulate(c, Math.fround), forwardExpectation(c));
    expect(cmp.ok).toBe(true);
    expect(cmp.worstRatio).toBeGreaterThan(31);
    expect(cmp.worstRatio).toBeLessThan(32);
  });

  test('a float32 accumulator in the reverse order (any order obeys the same γ_n bound)', () => {
    const c = dotCase(ONES_AND_TINY);
    const cmp = compareBounded(accumulate(c, Math.fround, 'reverse'), forwardExpectation(c));
    expect(cmp.ok).toBe(true);
    expect(cmp.worstRatio).toBeLessThanOrEqual(0.5);
  });

  test('a float64 accumulation rounded once to float32, on a whole conv', () => {
    const x = tensor(
      Array.from({ length: 2 * 3 * 6 * 5 }, (_, i) => ((i * 37) % 23) / 7 - 1.5),
      [2, 3, 6, 5],
    );
    const w = tensor(
      Array.from({ length: 4 * 3 * 3 * 2 }, (_, i) => ((i * 11) % 13) / 9 - 0.7),
      [4, 3, 3, 2],
    );
    const c: ConvCase = {
      input: x,
      weight: w,
      options: {
        padding: [
          [1, 0],
          [2, 1],
        ],
        stride: [2, 1],
      },
    };
    const r = resolveConv(x.shape, w.shape, c.options);
    const y = tensor(Float32Array.from(modelConv2d(r, x, w, null)), [...r.outputShape]);
    const cmp = compareBounded(y, forwardExpectation(c));
    expect(cmp.ok).toBe(true);
    expect(cmp.worstRatio).toBeLessThanOrEqual(1);
  });

  test('the same NaN, +Inf and −Inf where the model has them', () => {
    const want: Expectation = {
      label: 'y',
      shape: [3],
      dtype: 'float32',
      value: Float64Array.of(NaN, Infinity, -Infinity),
      magnitude: Float64Array.of(NaN, Infinity, Infinity),
      terms: 1,
    };
    expect(compareBounded(tensor([NaN, Infinity, -Infinity]), want).ok).toBe(true);
  });

  test('a float32 result that overflowed to Infinity where the exact value is beyond the float32 range', () => {
    const want: Expectation = {
      label: 'y',
      shape: [1],
      dtype: 'float32',
      value: Float64Array.of(2 ** 128),
      magnitude: Float64Array.of(2 ** 128),
      terms: 2,
    };
    expect(compareBounded(tensor([Infinity]), want).ok).toBe(true);
    expect(compareBounded(tensor([-Infinity]), want).ok).toBe(false);
  });
});

describe('compareBounded rejects wrong results', () => {
  test('a float16-like accumulator (11 significant bits) on 1 + 63·2^-12', () => {
    const c = dotCase([1, ...new Array(63).fill(2 ** -12)]);
    const cmp = compareBounded(
      accumulate(c, (v) => roundTo(v, 11)),
      forwardExpectation(c),
    );
    expect(cmp.ok).toBe(false);
    expect(cmp.worstRatio).toBe(Infinity);
  });

  test('a bfloat16-like accumulator (8 significant bits) on dyadic data', () => {
    const c = dotCase(Array.from({ length: 27 }, (_, i) => ((i * 29) % 41) / 64 - 0.3));
    expect(
      compareBounded(
        accumulate(c, (v) => roundTo(v, 8)),
        forwardExpectation(c),
      ).ok,
    ).toBe(false);
  });

  test('a float32 accumulator presented as a float64 result', () => {
    const values = ONES_AND_TINY;
    const c: ConvCase = {
      input: tensor(values, [1, 1, 1, 64], 'float64'),
      weight: tensor(new Array(64).fill(1), [1, 1, 1, 64], 'float64'),
      options: {},
    };
    const y = tensor([accumulate(dotCase(values), Math.fround).data[0]], [1, 1, 1, 1], 'float64');
    expect(compareBounded(y, forwardExpectation(c)).ok).toBe(false);
  });

  test('a value a few float32 ulps beyond the bound, while the last float32 inside it passes', () => {
    const c = dotCase(ONES_AND_TINY);
    const want = forwardExpectation(c);
    const n = (want.terms as Float64Array)[0];
    expect(n).toBe(64);
    const bound = TOLERANCE.factor * gamma(n, 2 ** -24) * want.magnitude[0] + (n + 1) * 2 ** -149;
    let inside = Math.fround(want.value[0] + bound);
    if (inside > want.value[0] + bound) inside = stepFloat32(inside, -1);
    expect(compareBounded(tensor([inside], [1, 1, 1, 1]), want).ok).toBe(true);
    const outside = compareBounded(tensor([stepFloat32(inside, 3)], [1, 1, 1, 1]), want);
    expect(outside.ok).toBe(false);
    expect(outside.message).toMatch(
      /at \[0, 0, 0, 0\]: got [\d.e+-]+, expected [\d.e+-]+, \|err\| [\d.e+-]+ > bound [\d.e+-]+ \(err\/\(u·M\) = [\d.e+-]+, M = [\d.e+-]+, n = 64\)/,
    );
  });

  test('one wrong element in a larger tensor is reported by its multi-index', () => {
    const want: Expectation = {
      label: 'conv2d output',
      shape: [2, 3, 4],
      dtype: 'float32',
      value: new Float64Array(24).fill(1),
      magnitude: new Float64Array(24).fill(1),
      terms: 4,
    };
    const got = tensor(new Array(24).fill(1), [2, 3, 4]);
    got.data[1 * 12 + 2 * 4 + 3] = 1.5;
    const cmp = compareBounded(got, want);
    expect(cmp.mismatches).toBe(1);
    expect(cmp.message).toContain('conv2d output: 1 element(s) out of bound');
    expect(cmp.message).toContain('at [1, 2, 3]: got 1.5, expected 1');
  });

  const special = (value: number, magnitude: number): Expectation => ({
    label: 'y',
    shape: [1],
    dtype: 'float32',
    value: Float64Array.of(value),
    magnitude: Float64Array.of(magnitude),
    terms: 1,
  });

  test('a number where the model has NaN, and NaN where it has a number', () => {
    expect(compareBounded(tensor([0]), special(NaN, NaN)).ok).toBe(false);
    expect(compareBounded(tensor([NaN]), special(3, 3)).ok).toBe(false);
  });

  test('+Inf against −Inf, Inf against NaN, and a finite value against Inf', () => {
    expect(compareBounded(tensor([-Infinity]), special(Infinity, Infinity)).ok).toBe(false);
    expect(compareBounded(tensor([Infinity]), special(NaN, NaN)).ok).toBe(false);
    expect(compareBounded(tensor([3.4e38]), special(Infinity, Infinity)).ok).toBe(false);
    expect(compareBounded(tensor([Infinity]), special(1, 1)).ok).toBe(false);
  });

  test('a different shape or dtype, before any value is looked at', () => {
    const want = special(1, 1);
    const shape = compareBounded(tensor([1], [1, 1]), want);
    expect(shape.ok).toBe(false);
    expect(shape.message).toContain('shape differs: got [1, 1], expected [1]');
    const dtype = compareBounded(tensor([1], [1], 'float64'), want);
    expect(dtype.message).toContain('dtype differs: got float64, expected float32');
  });
});

describe('compareExact', () => {
  test('−0 equals +0 and NaN equals NaN', () => {
    expect(compareExact(tensor([-0, NaN, 2]), tensor([0, NaN, 2]), 'y').ok).toBe(true);
  });

  test('one float32 ulp is a difference, reported with its index', () => {
    const cmp = compareExact(
      tensor([
        [1, 2],
        [3, stepFloat32(4, 1)],
      ]),
      tensor([
        [1, 2],
        [3, 4],
      ]),
      'conv(Xᵀ, Kᵀ)',
    );
    expect(cmp.ok).toBe(false);
    expect(cmp.message).toContain('conv(Xᵀ, Kᵀ): 1 element(s) out of bound');
    expect(cmp.message).toContain('at [1, 1]: got 4.000000476837158, expected 4 (exact)');
  });

  test('+Inf against −Inf and NaN against Inf', () => {
    expect(compareExact(tensor([Infinity]), tensor([-Infinity]), 'y').ok).toBe(false);
    expect(compareExact(tensor([NaN]), tensor([Infinity]), 'y').ok).toBe(false);
  });

  test('shapes that differ', () => {
    expect(compareExact(tensor([1, 2]), tensor([[1, 2]]), 'y').message).toContain('shape differs');
  });
});

describe('the spec agrees with itself (its two routes to the same numbers)', () => {
  const { seed } = suiteEnv();
  const run = { numRuns: 200, seed };

  test("for any 'same' case, the resolved output size is ceil(H / s) on both axes", () => {
    fc.assert(
      fc.property(convConfig({ paddings: ['same'], maxStride: 4 }), (cfg) => {
        const r = resolveConv(cfg.inputShape, cfg.weightShape, cfg.options);
        // the design's statement of SAME_UPPER, against axisOutput with the pads sameUpperPads chose
        expect([r.OH, r.OW]).toEqual([Math.ceil(cfg.H / cfg.stride[0]), Math.ceil(cfg.W / cfg.stride[1])]);
      }),
      run,
    );
  });

  test("for any zero-padded case, the model's gradInput (dy spread by the stride, correlated with the flipped kernel) equals its transposed conv (a scatter)", () => {
    const arb = convCase({ kind: 'integer', paddingModes: ['zeros'], dtype: 'float64' }).chain((c) =>
      tensorData('float64', resolveConv(c.input.shape, c.weight.shape, c.options).outputShape, { kind: 'integer' }).map(
        (dy) => ({ c, dy }),
      ),
    );
    fc.assert(
      fc.property(arb, ({ c, dy }) => {
        const r = resolveConv(c.input.shape, c.weight.shape, c.options);
        const viaGradient = modelConv2dBackward(r, c.input, c.weight, dy);
        const rt = resolveTranspose(dy.shape, c.weight.shape, restoringTransposeOptions(r));
        expect([...rt.outputShape]).toEqual([...c.input.shape]);
        const viaScatter = modelConvTranspose2d(rt, dy, c.weight, null);
        expect(Array.from(viaGradient.gradInput)).toEqual(Array.from(viaScatter.value));
        expect(Array.from(viaGradient.inputTerms)).toEqual(Array.from(viaScatter.terms));
      }),
      run,
    );
  });

  test('for any case, the terms forEachTap enumerates sum to the model (which pads, then dots windows)', () => {
    fc.assert(
      fc.property(convCase({ kind: 'integer', dtype: 'float64' }), (c) => {
        const r = resolveConv(c.input.shape, c.weight.shape, c.options);
        const sums = new Float64Array(r.N * r.O * r.OH * r.OW);
        forEachTap(r, (o, i, k) => {
          sums[o] += c.input.data[i] * c.weight.data[k];
        });
        expect(Array.from(modelConv2d(r, c.input, c.weight, null))).toEqual(Array.from(sums));
      }),
      run,
    );
  });
});

describe('the float64 model the bound is built on', () => {
  test("the chapter's corr2d example: [[0,1,2],[3,4,5],[6,7,8]] ⋆ [[0,1],[2,3]] = [[19,25],[37,43]]", () => {
    const x = tensor([
      [
        [
          [0, 1, 2],
          [3, 4, 5],
          [6, 7, 8],
        ],
      ],
    ]);
    const k = tensor([
      [
        [
          [0, 1],
          [2, 3],
        ],
      ],
    ]);
    expect(Array.from(modelConv2d(resolveConv(x.shape, k.shape), x, k, null))).toEqual([19, 25, 37, 43]);
  });

  test('reflect padding by 1 of [1, 2, 3] reads [2, 1, 2, 3, 2] (hand-computed)', () => {
    const x = tensor([[[[1, 2, 3]]]]);
    const k = tensor([[[[1]]]]);
    const r = resolveConv(x.shape, k.shape, { padding: [0, 1], paddingMode: 'reflect' });
    expect(Array.from(modelConv2d(r, x, k, null))).toEqual([2, 1, 2, 3, 2]);
    const c = resolveConv(x.shape, k.shape, { padding: [0, 2], paddingMode: 'circular' });
    expect(Array.from(modelConv2d(c, x, k, null))).toEqual([2, 3, 1, 2, 3, 1, 2]);
  });

  test("'same' with stride 2 on 8 pixels and a 3-tap kernel pads (0, 1): OH = 4 (SAME_UPPER, hand-computed)", () => {
    const r = resolveConv([1, 1, 8, 8], [1, 1, 3, 3], { padding: 'same', stride: 2 });
    expect([r.top, r.bottom, r.OH]).toEqual([0, 1, 4]);
  });
});
