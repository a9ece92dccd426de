/**
 * The arbitraries: every configuration valid, every risky region well
 * represented (counted over 500 draws), constraints honoured, values
 * shrinking to small integers and cases to minimal configurations.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conv2d, conv2dOutputShape, defaultBackend } from '../src/index.js';
import { SMALL_WORK } from '../src/dispatch.js';
import {
  convCase,
  convConfig,
  convValue,
  LARGE_CHANNEL_CLASSES,
  PADDING_KINDS,
  riskyRegions,
  RISKY_REGIONS,
  tensorData,
  type ConvConfig,
  type ConvConfigConstraints,
  type RiskyRegion,
} from '../properties/arbitraries/index.js';
import { PROFILES, suiteEnv } from '../properties/profile.js';

const { seed } = suiteEnv();
const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const DRAWS = 500;

/** The smallest share of draws each risky region must reach (the measured shares are 2–20× higher). */
const MIN_SHARE = 0.03;

function effective(k: number, d: number): number {
  return d * (k - 1) + 1;
}

/** The validity rules of the design, checked from the configuration's numbers alone. */
function validityProblems(cfg: ConvConfig): string[] {
  const [[t, b], [l, r]] = cfg.pads;
  const problems: string[] = [];
  if (cfg.C % cfg.groups || cfg.O % cfg.groups) problems.push('groups do not divide C and O');
  if (cfg.H + t + b < effective(cfg.KH, cfg.dilation[0]) || cfg.W + l + r < effective(cfg.KW, cfg.dilation[1]))
    problems.push('kernel larger than the padded input');
  const limit = cfg.paddingMode === 'reflect' ? 1 : 0;
  if (cfg.paddingMode === 'reflect' || cfg.paddingMode === 'circular') {
    if (Math.max(t, b) > cfg.H - limit || Math.max(l, r) > cfg.W - limit)
      problems.push(`${cfg.paddingMode} pad beyond its limit`);
  }
  if (cfg.OH < 1 || cfg.OW < 1) problems.push('empty output');
  if (!cfg.batched && cfg.N !== 1) problems.push('unbatched with N ≠ 1');
  return problems;
}

/** Multiply-adds of a configuration, from its own fields. */
function workOf(cfg: ConvConfig): number {
  return cfg.N * cfg.O * cfg.OH * cfg.OW * (cfg.C / cfg.groups) * cfg.KH * cfg.KW;
}

describe('convConfig draws valid configurations', () => {
  for (const profile of Object.values(PROFILES)) {
    test(`every one of ${DRAWS} configurations within the ${profile.name} limits is valid, our conv2dOutputShape agrees with its size, and a small-arm input is no taller than the limits allow`, () => {
      const L = profile.limits;
      for (const cfg of fc.sample(convConfig({ ...L, dtype: 'both' }), { numRuns: DRAWS, seed })) {
        expect(validityProblems(cfg), JSON.stringify(cfg)).toEqual([]);
        const shape = conv2dOutputShape(cfg.inputShape, cfg.weightShape, cfg.options);
        expect(shape.slice(-2), JSON.stringify(cfg)).toEqual([cfg.OH, cfg.OW]);
        expect(cfg.work, JSON.stringify(cfg)).toBe(workOf(cfg));
        if (!cfg.large) expect(cfg.H).toBeLessThanOrEqual(2 * L.maxDilation * L.maxKernel + L.maxPad + L.maxExtra);
      }
    });
  }

  test('the small arm of the quick limits keeps shapes small: H, W ≤ 9, C, O ≤ 4, N ≤ 3', () => {
    const small = fc.sample(convConfig(), { numRuns: DRAWS, seed }).filter((c) => !c.large);
    expect(small.length).toBeGreaterThan(DRAWS / 2);
    for (const cfg of small) {
      expect(Math.max(cfg.H, cfg.W)).toBeLessThanOrEqual(9);
      expect(Math.max(cfg.C, cfg.O)).toBeLessThanOrEqual(4);
      expect(cfg.N).toBeLessThanOrEqual(3);
    }
  });
});

/**
 * conv2d leaves its reference loops for its fast kernels from this many
 * multiply-adds on (SMALL_WORK of src/dispatch.ts; also the large arm's default
 * `minWork`). The test below checks the threshold against what conv2d does.
 */
const FAST_WORK = SMALL_WORK;
/** The large arm's default share is 15%: over 2000 draws the measured share lies within ±5 standard deviations (±4%) of it for any seed. */
const REACH_DRAWS = 2000;
const MIN_REACH = 0.11;
const MAX_REACH = 0.19;
/**
 * The large arm aims at most at 2·4096 multiply-adds; rounding the output up
 * to whole rows and columns adds less than two more targets' worth (measured:
 * under one).
 */
const MAX_LARGE_WORK = 3 * 2 * FAST_WORK;
/** …and its inputs stay below 2^17 elements (a stride-3, one-channel case is the largest). */
const MAX_LARGE_INPUT = 2 ** 17;

describe('reach: a share of the cases is large enough for the fast kernels', () => {
  /** Constraint sets the properties use (the default; 1×1 kernels; corr2d's valid stride-1 cases; 'same'), each over the quick limits. */
  const propertyConstraints: ReadonlyArray<[string, ConvConfigConstraints]> = [
    ['the quick profile', {}],
    ['1×1 kernels without padding', { maxKernel: 1, paddings: ['omitted', 'valid'] }],
    ['valid, stride 1, dilation 1', { paddings: ['valid'], maxStride: 1, maxDilation: 1 }],
    ["'same' with kernels ≤ 2", { paddings: ['same'], maxKernel: 2 }],
  ];

  test.each(propertyConstraints)(
    `between ${MIN_REACH * 100}% and ${MAX_REACH * 100}% of ${REACH_DRAWS} cases under %s reach ${FAST_WORK} multiply-adds, none above the large arm's budget`,
    (_, constraints) => {
      const reach: boolean[] = [];
      const lines: string[] = [];
      fc.statistics(
        convConfig({ ...PROFILES.quick.limits, dtype: 'both', ...constraints }).map((cfg) => {
          reach.push(cfg.work >= FAST_WORK);
          expect(cfg.work, JSON.stringify(cfg)).toBeLessThanOrEqual(MAX_LARGE_WORK);
          expect(count(cfg.inputShape), JSON.stringify(cfg)).toBeLessThan(MAX_LARGE_INPUT);
          if (cfg.large) expect(cfg.work, JSON.stringify(cfg)).toBeGreaterThanOrEqual(FAST_WORK);
          return cfg;
        }),
        (cfg) => (cfg.work >= FAST_WORK ? `≥ ${FAST_WORK} multiply-adds (fast kernels)` : 'reference loops'),
        { numRuns: REACH_DRAWS, seed, logger: (line) => lines.push(line) },
      );
      console.log(`reach over ${REACH_DRAWS} configurations (seed ${seed}):\n${lines.join('\n')}`);
      const share = reach.filter(Boolean).length / reach.length;
      expect(share, lines.join('\n')).toBeGreaterThanOrEqual(MIN_REACH);
      expect(share, lines.join('\n')).toBeLessThanOrEqual(MAX_REACH);
    },
  );

  test('the large arm covers every channel class, batches above 1, groups, both dtypes and every padding kind', () => {
    const large = fc.sample(convConfig({ dtype: 'both' }), { numRuns: REACH_DRAWS, seed }).filter((c) => c.large);
    const outputs = new Set(large.map((c) => c.O / c.groups));
    const inputs = new Set(large.map((c) => c.C / c.groups));
    const missing = LARGE_CHANNEL_CLASSES.filter((k) => !outputs.has(k) || !inputs.has(k));
    expect(missing, 'channel classes never drawn').toEqual([]);
    expect(large.some((c) => c.N > 1)).toBe(true);
    expect(large.some((c) => c.groups > 1)).toBe(true);
    expect(new Set(large.map((c) => c.dtype))).toEqual(new Set(['float32', 'float64']));
    expect(new Set(large.map((c) => c.paddingKind))).toEqual(new Set(PADDING_KINDS));
  });

  test(`conv2d takes its fast kernels exactly on the cases of ≥ ${FAST_WORK} multiply-adds`, () => {
    const cases = fc.sample(convCase({ dtype: 'both', emptyBatch: false }), { numRuns: 400, seed });
    const wrong: string[] = [];
    for (const c of cases) {
      const before = defaultBackend.stats().fast;
      conv2d(c.input, c.weight, c.options);
      const fast = defaultBackend.stats().fast > before;
      if (fast !== c.config.work >= FAST_WORK) wrong.push(`work ${c.config.work}: fast ${fast}`);
    }
    expect(wrong).toEqual([]);
    // 15% of 400 is 60; 30 lies more than 4 standard deviations below.
    expect(cases.filter((c) => c.config.work >= FAST_WORK).length).toBeGreaterThan(30);
  });

  test('large.share: 0 turns the arm off, 1 draws only large cases; a bad share is refused', () => {
    expect(fc.sample(convConfig({ large: { share: 0 } }), { numRuns: 300, seed }).some((c) => c.large)).toBe(false);
    const all = fc.sample(convConfig({ large: { share: 1, minWork: 500, maxWork: 500 } }), { numRuns: 300, seed });
    for (const c of all) expect([c.large, c.work >= 500]).toEqual([true, true]);
    expect(() => convConfig({ large: { share: 1.5 } })).toThrow(/share/);
    expect(() => convConfig({ large: { channels: [4, 2] } })).toThrow(/ascending/);
  });
});

describe('coverage of the risky regions', () => {
  test(`each risky region appears in at least ${MIN_SHARE * 100}% of ${DRAWS} configurations`, () => {
    const counts = new Map<RiskyRegion, number>(RISKY_REGIONS.map((r) => [r, 0]));
    const lines: string[] = [];
    fc.statistics(
      convConfig({ dtype: 'both' }).map((cfg) => {
        for (const r of riskyRegions(cfg)) counts.set(r, counts.get(r)! + 1);
        return cfg;
      }),
      (cfg) => riskyRegions(cfg),
      { numRuns: DRAWS, seed, logger: (line) => lines.push(line) },
    );
    console.log(`risky regions over ${DRAWS} configurations (seed ${seed}):\n${lines.join('\n')}`);
    const rare = [...counts].filter(([, n]) => n < MIN_SHARE * DRAWS);
    expect(rare, lines.join('\n')).toEqual([]);
  });

  test('riskyRegions classifies hand-made configurations correctly', () => {
    const [same] = fc.sample(
      convConfig({ paddings: ['same'], paddingModes: ['zeros'], maxStride: 1, maxDilation: 1, maxKernel: 1 }),
      { numRuns: 1, seed },
    );
    expect(riskyRegions(same)).not.toContain("odd 'same' total");
    // Any odd total on either axis (not one particular total), over enough draws that no seed misses it.
    const isOdd = (c: ConvConfig) => (c.pads[0][0] + c.pads[0][1]) % 2 === 1 || (c.pads[1][0] + c.pads[1][1]) % 2 === 1;
    const odd = fc.sample(convConfig({ paddings: ['same'] }), { numRuns: 1000, seed }).find(isOdd);
    expect(odd && riskyRegions(odd)).toContain("odd 'same' total");
  });
});

describe('constraints are honoured', () => {
  const draw = (c: Parameters<typeof convConfig>[0]): ConvConfig[] => fc.sample(convConfig(c), { numRuns: 200, seed });

  test("paddings: ['same'] gives only 'same', passed as 'same'", () => {
    expect(new Set(draw({ paddings: ['same'] }).map((c) => c.options.padding))).toEqual(new Set(['same']));
  });

  test('maxKernel: 1 gives only 1×1 kernels; maxStride: 1 only stride 1', () => {
    for (const c of draw({ maxKernel: 1, maxStride: 1 })) {
      expect([c.KH, c.KW, ...c.stride]).toEqual([1, 1, 1, 1]);
    }
  });

  test("paddingModes: ['zeros'], bias: 'never', unbatched: false, emptyBatch: false", () => {
    for (const c of draw({ paddingModes: ['zeros'], bias: 'never', unbatched: false, emptyBatch: false })) {
      expect([c.paddingMode, c.bias, c.batched, c.N >= 1]).toEqual(['zeros', false, true, true]);
    }
  });

  test("dtype: 'both' draws both dtypes, and cases carry data of the drawn dtype", () => {
    const cases = fc.sample(convCase({ dtype: 'both' }), { numRuns: 100, seed });
    const kinds = new Set(
      cases.map((c) => `${c.config.dtype}:${c.input.data.constructor.name}:${c.weight.data.constructor.name}`),
    );
    expect(kinds).toEqual(new Set(['float32:Float32Array:Float32Array', 'float64:Float64Array:Float64Array']));
  });

  test('option forms vary: stride as a number, as a pair and left out', () => {
    const forms = new Set(draw({}).map((c) => (c.options.stride === undefined ? 'omitted' : typeof c.options.stride)));
    expect(forms).toEqual(new Set(['omitted', 'number', 'object']));
  });
});

describe('values', () => {
  test("kind 'integer' gives only integers in [−maxInt, maxInt]", () => {
    for (const v of fc.sample(convValue({ kind: 'integer', maxInt: 2 }), { numRuns: 500, seed })) {
      expect(Number.isInteger(v) && Math.abs(v) <= 2).toBe(true);
    }
  });

  test("kind 'mixed' draws small integers and non-integer dyadic values, all exact in float32", () => {
    const vs = fc.sample(convValue(), { numRuns: 500, seed });
    expect(vs.filter(Number.isInteger).length).toBeGreaterThan(100);
    expect(vs.filter((v) => !Number.isInteger(v)).length).toBeGreaterThan(100);
    for (const v of vs) expect(Math.fround(v)).toBe(v);
  });

  test('a failing value shrinks to a small integer', () => {
    const details = fc.check(
      fc.property(convValue(), (v) => Math.abs(v) < 1.5),
      { seed },
    );
    expect(details.failed).toBe(true);
    expect(Math.abs(details.counterexample![0])).toBe(2);
  });

  test('a large tensor is filled from a seed: deterministic, with the same kinds of values', () => {
    const arb = tensorData('float32', [4, 8, 20, 20]);
    const [a] = fc.sample(arb, { numRuns: 1, seed });
    const [b] = fc.sample(arb, { numRuns: 1, seed });
    expect(a.data.length).toBe(12800);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data).every((v) => Math.abs(v) <= 2 ** 12 && Math.fround(v) === v)).toBe(true);
    const ints = Array.from(a.data).filter(Number.isInteger).length;
    expect(ints / a.data.length).toBeGreaterThan(0.4);
    expect(ints / a.data.length).toBeLessThan(0.8);
  });
});

describe('shrinking', () => {
  test('a case failing only with groups ≥ 2 and N ≥ 2 shrinks to the minimal such case', () => {
    const details = fc.check(
      fc.property(convCase(), (c) => !(c.config.groups >= 2 && c.config.N >= 2)),
      { seed },
    );
    expect(details.failed).toBe(true);
    const c = details.counterexample![0];
    expect({
      groups: c.config.groups,
      N: c.config.N,
      C: c.config.C,
      O: c.config.O,
      KH: c.config.KH,
      KW: c.config.KW,
    }).toEqual({ groups: 2, N: 2, C: 2, O: 2, KH: 1, KW: 1 });
    expect([...c.config.stride, ...c.config.dilation]).toEqual([1, 1, 1, 1]);
    expect(Array.from(c.input.data).every((v) => v === 0)).toBe(true);
  });

  test('a failure that does not need size leaves the large arm when it shrinks, keeping the other draws', () => {
    const details = fc.check(
      fc.property(convConfig({ large: { share: 0.999 } }), (c) => !(c.groups >= 2 && c.N >= 2)),
      { seed },
    );
    expect(details.failed).toBe(true);
    const c = details.counterexample![0];
    expect([c.large, c.groups, c.N, c.KH, c.KW]).toEqual([false, 2, 2, 1, 1]);
  });

  test('a failure that needs size shrinks to a large case at the smallest work', () => {
    const details = fc.check(
      fc.property(convConfig({ large: { share: 0.5 } }), (c) => c.work < FAST_WORK),
      { seed },
    );
    expect(details.failed).toBe(true);
    const c = details.counterexample![0];
    expect(c.large).toBe(true);
    expect(c.work).toBeLessThan(2 * FAST_WORK);
  });

  test('a counterexample prints as the conv2d call it stands for', () => {
    const details = fc.check(
      fc.property(convCase({ bias: 'always' }), () => false),
      { seed },
    );
    expect(fc.stringify(details.counterexample![0])).toMatch(
      /^conv2d\(input \[[\d, ]+\] float32 \[[-\d., ]*\], weight \[[\d, ]+\] float32 \[[-\d., ]*\], \{ .*bias: \[\d+\] float32/,
    );
  });
});
