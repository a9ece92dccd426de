/**
 * The arbitraries: every configuration valid, every risky region well
 * represented (counted over 500 draws), constraints honoured, values
 * shrinking to small integers and cases to minimal configurations.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conv2dOutputShape } from '../src/index.js';
import { convCase, convConfig, convValue, PROFILES, suiteEnv, tensorData } from '../properties/index.js';
import { riskyRegions, RISKY_REGIONS, type ConvConfig, type RiskyRegion } from '../properties/arbitraries/index.js';

const { seed } = suiteEnv();
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

describe('convConfig draws valid configurations', () => {
  for (const profile of Object.values(PROFILES)) {
    test(`every one of ${DRAWS} configurations within the ${profile.name} limits is valid and our conv2dOutputShape agrees with its size`, () => {
      for (const cfg of fc.sample(convConfig({ ...profile.limits, dtype: 'both' }), { numRuns: DRAWS, seed })) {
        expect(validityProblems(cfg), JSON.stringify(cfg)).toEqual([]);
        const shape = conv2dOutputShape(cfg.inputShape, cfg.weightShape, cfg.options);
        expect(shape.slice(-2), JSON.stringify(cfg)).toEqual([cfg.OH, cfg.OW]);
        expect(
          cfg.H <=
            2 * profile.limits.maxDilation * profile.limits.maxKernel + profile.limits.maxPad + profile.limits.maxExtra,
        ).toBe(true);
      }
    });
  }

  test(`the quick limits keep shapes small: H, W ≤ 9, C, O ≤ 4, N ≤ 3`, () => {
    for (const cfg of fc.sample(convConfig(), { numRuns: DRAWS, seed })) {
      expect(Math.max(cfg.H, cfg.W)).toBeLessThanOrEqual(9);
      expect(Math.max(cfg.C, cfg.O)).toBeLessThanOrEqual(4);
      expect(cfg.N).toBeLessThanOrEqual(3);
    }
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
