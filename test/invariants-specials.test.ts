/**
 * Invariants, each a property: NaN/±Inf follow the DESIGN.md rule
 * (zero-padding taps skipped, real taps by IEEE), and float32 overflow gives
 * ±Inf exactly where the float64 model leaves the float32 range. conv2d's
 * own planted-specials accuracy is a property of the suite
 * (properties/forward.ts); here it is checked a second, independent way and
 * extended to conv2dBackward and convTranspose2d.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conv2d, conv2dBackward, convTranspose2d, reference, type Tensor } from '../src/index.js';
import {
  caseData,
  count,
  expectBounded,
  forEachTap,
  forwardExpectation,
  gradientExpectations,
  resolveConv,
  tensorData,
  transposeExpectation,
  type Expectation,
  type GeneratedCase,
} from './fuzz/suite.js';
import { assertProp, configs, cases, outShape, transposeCases } from './invariants-helpers.js';

type Cls = 'finite' | 'NaN' | '+Inf' | '-Inf';

const clsOf = (v: number): Cls =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : 'finite';

/** The IEEE class of a sum of terms: NaN if any term is NaN or +Inf meets −Inf, else the infinity present, else finite. */
function sumClass(classes: readonly Cls[]): Cls {
  if (classes.includes('NaN') || (classes.includes('+Inf') && classes.includes('-Inf'))) return 'NaN';
  return classes.includes('+Inf') ? '+Inf' : classes.includes('-Inf') ? '-Inf' : 'finite';
}

interface Planting {
  readonly target: 'input' | 'weight' | 'bias';
  readonly at: number;
  readonly value: number;
}

const plantings = fc.array(
  fc.record({
    target: fc.constantFrom<Planting['target']>('input', 'weight', 'weight', 'bias'),
    at: fc.nat(),
    value: fc.constantFrom(Number.NaN, Infinity, -Infinity),
  }),
  { minLength: 1, maxLength: 4 },
);

function planted(c: GeneratedCase, ps: readonly Planting[]): GeneratedCase {
  const edit = (t: Tensor, target: Planting['target']): Tensor => {
    const data = t.data.slice();
    for (const p of ps) if (p.target === target && data.length) data[p.at % data.length] = p.value;
    return { shape: t.shape, data };
  };
  const bias = c.options.bias ? edit(c.options.bias, 'bias') : undefined;
  return {
    ...c,
    input: edit(c.input, 'input'),
    weight: edit(c.weight, 'weight'),
    options: bias ? { ...c.options, bias } : c.options,
  };
}

/**
 * Predicts each output's class from its terms: the bias and every product
 * x·w over the real taps (properties/model.ts enumerates them; zero-padding
 * taps are not among them), each product by IEEE (Inf·0 = NaN).
 */
function predictedClasses(c: GeneratedCase): Cls[] {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const plane = r.OH * r.OW;
  const terms: Cls[][] = Array.from({ length: r.N * r.O * plane }, (_, p) =>
    c.options.bias ? [clsOf(c.options.bias.data[Math.floor(p / plane) % r.O])] : [],
  );
  forEachTap(r, (o, i, k) => terms[o].push(clsOf(c.input.data[i] * c.weight.data[k])));
  return terms.map(sumClass);
}

describe('NaN and ±Inf follow the rule: zero-padding taps skipped, real taps by IEEE', () => {
  test('for any case with NaN/±Inf planted, each conv2d output (public and reference) has the class its terms predict', () => {
    let skippedSpecialTaps = 0;
    let infTimesZero = 0;
    assertProp(
      fc.tuple(cases(), plantings),
      ([c0, ps]) => {
        const c = planted(c0, ps);
        const want = predictedClasses(c);
        for (const impl of [conv2d, reference.conv2d]) {
          const got = Array.from(impl(c.input, c.weight, c.options).data, clsOf);
          expect(got).toEqual(want);
        }
        // Coverage: an output whose filter holds a special yet stays finite had that tap on padding.
        const r = resolveConv(c.input.shape, c.weight.shape, c.options);
        const filterSize = count(c.weight.shape.slice(1));
        want.forEach((cls, p) => {
          const o = Math.floor(p / (r.OH * r.OW)) % r.O;
          const filter = c.weight.data.subarray(o * filterSize, (o + 1) * filterSize);
          if (cls === 'finite' && filter.some((v) => !Number.isFinite(v))) skippedSpecialTaps++;
        });
        forEachTap(r, (_, i, k) => {
          if (c.input.data[i] === 0 && !Number.isFinite(c.weight.data[k]) && !Number.isNaN(c.weight.data[k]))
            infTimesZero++;
        });
      },
      300,
    );
    expect(skippedSpecialTaps, 'no case put a special weight tap on zero padding').toBeGreaterThan(0);
    expect(infTimesZero, 'no case met Inf·0 on a real tap').toBeGreaterThan(0);
  });

  test('for any case with NaN/±Inf planted in input, weight, bias or gradOutput, conv2dBackward matches the model (specials exactly)', () => {
    const arb = fc
      .tuple(
        cases(),
        plantings,
        fc.array(fc.record({ at: fc.nat(), value: fc.constantFrom(Number.NaN, Infinity, -Infinity) }), {
          maxLength: 2,
        }),
      )
      .chain(([c, ps, dps]) =>
        fc.tuple(
          fc.constant(planted(c, ps)),
          tensorData(c.config.dtype, outShape(c.config)).map((dy) => {
            const data = dy.data.slice();
            for (const p of dps) if (data.length) data[p.at % data.length] = p.value;
            return { shape: dy.shape, data };
          }),
        ),
      );
    assertProp(
      arb,
      ([c, dy]) => {
        const e = gradientExpectations(c, dy);
        for (const impl of [conv2dBackward, reference.conv2dBackward]) {
          const g = impl(dy, c.input, c.weight, c.options);
          expectBounded(g.gradInput, e.gradInput);
          expectBounded(g.gradWeight, e.gradWeight);
          expectBounded(g.gradBias, e.gradBias);
        }
      },
      200,
    );
  });

  test('for any transposed case with NaN/±Inf planted, convTranspose2d matches the scatter model (specials exactly)', () => {
    const arb = fc.tuple(transposeCases(), plantings).map(([t, ps]) => {
      const edit = (x: Tensor, target: Planting['target']): Tensor => {
        const data = x.data.slice();
        for (const p of ps) if (p.target === target && data.length) data[p.at % data.length] = p.value;
        return { shape: x.shape, data };
      };
      const bias = t.options.bias ? edit(t.options.bias, 'bias') : null;
      return {
        input: edit(t.input, 'input'),
        weight: edit(t.weight, 'weight'),
        options: bias ? { ...t.options, bias } : t.options,
      };
    });
    assertProp(
      arb,
      (t) => {
        for (const impl of [convTranspose2d, reference.convTranspose2d])
          expectBounded(impl(t.input, t.weight, t.options), transposeExpectation(t));
      },
      200,
    );
  });
});

// ------------------------------------------------------------------ float32 overflow

/** float32 values of magnitude 2^60–2^63: products reach 2^126, sums of a few dozen pass 2^128. */
const HUGE = { kind: 'integer' as const, maxInt: 8 };
const scaled = (t: Tensor): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data, (v) => v * 2 ** 60) });
const F32_OVERFLOW = (2 - 2 ** -24) * 2 ** 127;

/** Counts elements the model puts clearly beyond the float32 range, and checks each is ±Inf with the model's sign. */
function expectInfWhereOverflow(got: Tensor, want: Expectation): number {
  let beyond = 0;
  want.value.forEach((e, i) => {
    if (Math.abs(e) <= F32_OVERFLOW * (1 + 2 ** -10)) return;
    beyond++;
    expect(got.data[i], `element ${i}: the model gives ${e}`).toBe(Math.sign(e) * Infinity);
  });
  return beyond;
}

describe('float32 overflow gives ±Inf where the float64 model leaves the range, and nothing else changes', () => {
  test('for any float32 case with values near 2^60, conv2d, conv2dBackward and convTranspose2d match the model: ±Inf beyond the range, within the bound inside it', () => {
    let overflowed = 0;
    let inRange = 0;
    const arb = configs({ dtype: 'float32' }).chain((cfg) =>
      fc.tuple(caseData(cfg, HUGE), tensorData('float32', outShape(cfg), HUGE)),
    );
    assertProp(
      arb,
      ([c0, dy0]) => {
        const bias = c0.options.bias ? scaled(c0.options.bias) : undefined;
        const c: GeneratedCase = {
          ...c0,
          input: scaled(c0.input),
          weight: scaled(c0.weight),
          options: bias ? { ...c0.options, bias } : c0.options,
        };
        const dy = scaled(dy0);
        const fwd = forwardExpectation(c);
        const y = conv2d(c.input, c.weight, c.options);
        expectBounded(y, fwd);
        overflowed += expectInfWhereOverflow(y, fwd);
        inRange += fwd.value.filter((v) => Math.abs(v) < F32_OVERFLOW && Math.abs(v) > 2 ** 120).length;
        const e = gradientExpectations(c, dy);
        const g = conv2dBackward(dy, c.input, c.weight, c.options);
        for (const [got, want] of [
          [g.gradInput, e.gradInput],
          [g.gradWeight, e.gradWeight],
          [g.gradBias, e.gradBias],
        ] as const) {
          expectBounded(got, want);
          overflowed += expectInfWhereOverflow(got, want);
        }
      },
      150,
    );
    assertProp(
      transposeCases(HUGE, 'float32'),
      (t0) => {
        const bias = t0.options.bias ? scaled(t0.options.bias) : null;
        const t = {
          input: scaled(t0.input),
          weight: scaled(t0.weight),
          options: bias ? { ...t0.options, bias } : t0.options,
        };
        const want = transposeExpectation(t);
        const y = convTranspose2d(t.input, t.weight, t.options);
        expectBounded(y, want);
        overflowed += expectInfWhereOverflow(y, want);
      },
      100,
    );
    expect(overflowed, 'no output overflowed: the property was not exercised').toBeGreaterThan(0);
    expect(inRange, 'no output came near the top of the range without overflowing').toBeGreaterThan(0);
  });
});
