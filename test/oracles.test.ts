/**
 * Our conv2d and conv2dBackward against every TensorFlow.js oracle available
 * here, on generated cases covering every option, as drawn (small: mostly the
 * reference loops) and with their batch tiled to the fast kernels' size. A
 * case an oracle cannot express is skipped and its reason counted; a summary
 * line per oracle and op reports runs, skips and the worst err/(u·M). M and n
 * come from the spec's model (properties/spec), never from our conv.
 *
 * Replay: CONVPROOF_SEED=<seed> npx vitest run test/oracles.test.ts -t '<name>'
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import { conv2d, conv2dBackward, tensor, type Tensor } from '../src/index.js';
import { convCase, tensorData, type GeneratedCase } from '../properties/arbitraries/index.js';
import {
  compareBounded,
  forwardExpectation,
  gradientExpectations,
  resolveConv,
  type Expectation,
} from '../properties/spec/index.js';
import { oracleProperties } from '../properties/oracle-properties.js';
import { cpuSpec, loadOracles, nodeSpec, tfjsOracle } from '../properties/oracles/index.js';
import { suiteEnv } from '../properties/profile.js';
import { formatFailure, runProperty, runSettings, vitestReplay } from '../properties/verify.js';
import type { ConvCase, Oracle, OracleOp } from '../properties/types.js';
import { FAST_PATH_WORK, repeatsFor, tileBatch } from './helpers.js';

const env = suiteEnv();
const oracles = await loadOracles(['cpu', 'wasm', 'node']);
const available = oracles.filter((o) => !o.whyUnavailable);

/** 20-bit mantissas: products then need up to 40 bits, so float32 rounding really happens. */
const VALUES = { mantissaBits: 20, fractionBits: 16 } as const;

/** Runs, skips by reason and the worst ratio of one oracle op. */
class Tally {
  runs = 0;
  compared = 0;
  worst = 0;
  readonly skips = new Map<string, number>();
  readonly seen = new Map<string, number>();

  skip(reason: string): void {
    this.skips.set(reason, (this.skips.get(reason) ?? 0) + 1);
  }

  feature(name: string): void {
    this.seen.set(name, (this.seen.get(name) ?? 0) + 1);
  }

  line(label: string): string {
    const skipped = [...this.skips].map(([r, n]) => `\n    skipped ${n}: ${r}`).join('');
    return `${label}: ${this.runs} runs, ${this.compared} compared, worst err/(u·M) = ${this.worst.toFixed(3)}${skipped}`;
  }
}

const tallies = new Map<string, Tally>();
afterAll(() => {
  const lines = [...tallies].map(([label, t]) => t.line(label));
  const missing = oracles.filter((o) => o.whyUnavailable).map((o) => `${o.name}: unavailable — ${o.whyUnavailable}`);
  console.log(`oracles (seed ${env.seed}):\n  ${[...lines, ...missing].join('\n  ')}`);
});

/** The features of a compared case, counted so that coverage can be asserted. */
function features(c: GeneratedCase): string[] {
  const k = c.config;
  const f: string[] = [`padding ${k.paddingKind}`, `mode ${k.paddingMode}`, k.dtype];
  if (k.groups > 1) f.push(k.groups === k.C ? 'depthwise' : 'groups');
  if (k.stride[0] > 1 || k.stride[1] > 1) f.push('stride');
  if (k.dilation[0] > 1 || k.dilation[1] > 1) f.push('dilation');
  if ((k.stride[0] > 1 || k.stride[1] > 1) && (k.dilation[0] > 1 || k.dilation[1] > 1)) f.push('stride with dilation');
  if (k.bias) f.push('bias');
  if (!k.batched) f.push('unbatched');
  if (k.batched && k.N === 0) f.push('N = 0');
  if (k.N > 1) f.push('batch > 1');
  return f;
}

function outShape(c: GeneratedCase): number[] {
  const k = c.config;
  return k.batched ? [k.N, k.O, k.OH, k.OW] : [k.O, k.OH, k.OW];
}

/** Our result as the expected value, with the bound's M and n, in the oracle's float32. */
function expectation(base: Expectation, ours: Tensor): Expectation {
  return { ...base, value: Float64Array.from(ours.data), dtype: 'float32' };
}

function compute(o: Oracle, op: OracleOp, c: ConvCase, dy: Tensor): { got: Tensor; want: Expectation } {
  if (op === 'forward') {
    return { got: o.conv2d(c), want: expectation(forwardExpectation(c), conv2d(c.input, c.weight, c.options)) };
  }
  const ours = conv2dBackward(dy, c.input, c.weight, c.options);
  const e = gradientExpectations(c, dy);
  return op === 'gradInput'
    ? { got: o.gradInput!(c, dy), want: expectation(e.gradInput, ours.gradInput) }
    : { got: o.gradWeight!(c, dy), want: expectation(e.gradWeight, ours.gradWeight) };
}

const caseWithDy = convCase({ dtype: env.dtype, ...VALUES }).chain((c) =>
  tensorData(c.config.dtype, outShape(c), VALUES).map((dy) => ({ c, dy })),
);

/** Features every oracle op must have compared at least once in a default run. */
const MUST_COVER = [
  'groups',
  'depthwise',
  'stride',
  'dilation',
  'stride with dilation',
  'padding same',
  'padding explicit',
  'mode reflect',
  'mode replicate',
  'mode circular',
  'bias',
  'unbatched',
  'N = 0',
  'batch > 1',
  'float64',
];

// tfjs-node's plan (pads materialised in JS, dilation always baked into the filter), run on the cpu backend,
// so that the mapping it relies on is checked even where tfjs-node cannot be installed.
const nodePlanOnCpu = tfjsOracle({ ...cpuSpec, name: 'tfjs-cpu with the tfjs-node plan', traits: nodeSpec.traits });
await nodePlanOnCpu.ready();

describe.each([...available, nodePlanOnCpu].map((o) => [o.name, o] as const))('%s', (_, o) => {
  test.each([...o.ops])(`%s: for any valid case, ${o.name} agrees with the reference within c·γ_n·M`, (op) => {
    const tally = new Tally();
    tallies.set(`${o.name} ${op}`, tally);
    const property = fc.property(caseWithDy, ({ c, dy }) => {
      tally.runs++;
      const why = o.unsupported(c, op, dy);
      if (why) return void tally.skip(why);
      const { got, want } = compute(o, op, c, dy);
      const cmp = compareBounded(got, want);
      if (!cmp.ok) throw new Error(`${o.name} ${op} differs from the reference: ${cmp.message}`);
      tally.compared++;
      tally.worst = Math.max(tally.worst, cmp.worstRatio);
      for (const f of features(c)) tally.feature(f);
    });
    fc.assert(property, { numRuns: env.runs, seed: env.seed, path: env.path });
    // The property must not pass by skipping: most cases are finite float32 data every backend takes.
    expect(tally.compared).toBeGreaterThan(tally.runs * 0.9);
    if (env.runs >= 100 && env.dtype === 'both') {
      expect(MUST_COVER.filter((f) => !tally.seen.has(f))).toEqual([]);
    }
  });
});

/** Multiply-adds of a case: N·O·OH·OW·(C/g)·KH·KW (N = 1 when unbatched). */
function work(c: ConvCase): number {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  return r.N * r.O * r.OH * r.OW * (r.C / r.groups) * r.KH * r.KW;
}

/** The case and dy with their batch tiled to the fast kernels' size (null for an empty batch: no work). */
function atFastPathSize(c: ConvCase, dy: Tensor): { c: ConvCase; dy: Tensor } | null {
  const R = repeatsFor(work(c));
  if (work(c) === 0) return null;
  const dtype = dy.data instanceof Float64Array ? 'float64' : 'float32';
  const grow = (t: Tensor): Tensor => {
    const big = tileBatch(t, R);
    return tensor(big.data, big.shape, dtype);
  };
  return { c: { ...c, input: grow(c.input) }, dy: grow(dy) };
}

// The generated cases are small, so the comparisons above mostly meet the reference loops; here the same cases,
// with their batch tiled (exact by batch independence), run where the public kernels take the fast path.
describe.each(available.map((o) => [o.name, o] as const))('%s at the fast kernels’ size', (_, o) => {
  test.each([...o.ops])(
    `%s: for any case tiled to ≥ ${FAST_PATH_WORK} multiply-adds, ${o.name} agrees with ours`,
    (op) => {
      const tally = new Tally();
      tallies.set(`${o.name} ${op} tiled`, tally);
      const property = fc.property(caseWithDy, ({ c: small, dy: smallDy }) => {
        tally.runs++;
        const big = atFastPathSize(small, smallDy);
        if (!big) return void tally.skip('an empty batch has no work to tile');
        expect(work(big.c)).toBeGreaterThanOrEqual(FAST_PATH_WORK);
        const why = o.unsupported(big.c, op, big.dy);
        if (why) return void tally.skip(why);
        const { got, want } = compute(o, op, big.c, big.dy);
        const cmp = compareBounded(got, want);
        if (!cmp.ok) throw new Error(`${o.name} ${op} differs from ours at the fast kernels' size: ${cmp.message}`);
        tally.compared++;
        tally.worst = Math.max(tally.worst, cmp.worstRatio);
      });
      fc.assert(property, { numRuns: Math.max(20, Math.round(env.runs / 2)), seed: env.seed, path: env.path });
      expect(tally.compared).toBeGreaterThan(tally.runs * 0.6);
    },
  );
});

describe('oracle capabilities and skips', () => {
  const byName = (name: string): Oracle => oracles.find((o) => o.name === name)!;
  const x = tensor(
    Array.from({ length: 18 }, (_, i) => i + 1),
    [1, 1, 9, 2],
  );
  const w = tensor([1, 1], [1, 1, 2, 1]);

  test('tfjs-cpu and tfjs-wasm load here; tfjs-node is optional and says why when absent', () => {
    expect(byName('tfjs-cpu').whyUnavailable).toBeUndefined();
    expect(byName('tfjs-wasm').whyUnavailable).toBeUndefined();
    const node = byName('tfjs-node');
    if (node.whyUnavailable) {
      expect(node.whyUnavailable).toMatch(/tfjs-node/);
      expect(node.unsupported({ input: x, weight: w, options: {} }, 'forward')).toMatch(/not available/);
    }
  });

  test('tfjs-cpu computes forward, dX and dW; tfjs-wasm has no Conv2DBackpropFilter (tfjs #8474)', () => {
    expect(byName('tfjs-cpu').ops).toEqual(['forward', 'gradInput', 'gradWeight']);
    expect(byName('tfjs-wasm').ops).toEqual(['forward', 'gradInput']);
    expect(byName('tfjs-wasm').unsupported({ input: x, weight: w, options: {} }, 'gradWeight')).toMatch(/#8474/);
  });

  test('x=[1,1,9,2] w=[1,1,2,1] s=2 p=same: both oracles give 4,12,20,28,17 (wasm through explicit pads, tfjs #8405)', () => {
    // Hand computation: output i sums rows 2i and 2i+1 of column 0, i.e. (4i+1)+(4i+3); the last row is 17 + a zero pad.
    for (const name of ['tfjs-cpu', 'tfjs-wasm']) {
      const y = byName(name).conv2d({ input: x, weight: w, options: { stride: 2, padding: 'same' } });
      expect(y.shape).toEqual([1, 1, 5, 1]);
      expect(Array.from(y.data)).toEqual([4, 12, 20, 28, 17]);
    }
  });

  test('a float64 case holding values float32 cannot represent is skipped with the reason', () => {
    const c = {
      input: tensor([1 / 3, 1, 2, 3], [1, 1, 2, 2], 'float64'),
      weight: tensor([1], [1, 1, 1, 1], 'float64'),
      options: {},
    };
    expect(byName('tfjs-cpu').unsupported(c, 'forward')).toMatch(/float32 cannot represent/);
    const exact = { ...c, input: tensor([0.25, 1, 2, 3], [1, 1, 2, 2], 'float64') };
    expect(byName('tfjs-cpu').unsupported(exact, 'forward')).toBeNull();
  });

  test('NaN/±Inf: skipped on wasm, and only where a value would meet a zero convproof never multiplies by', () => {
    const input = tensor([NaN, 1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 3, 3]);
    const weight = tensor([1, 2], [1, 1, 1, 2]);
    const c = { input, weight, options: {} };
    const cpu = byName('tfjs-cpu');
    expect(byName('tfjs-wasm').unsupported(c, 'forward')).toMatch(/NaN/);
    expect(cpu.unsupported(c, 'forward')).toBeNull();
    // Stride with dilation: the stride-1 dilated output is subsampled, so NaN keeps its meaning.
    expect(cpu.unsupported({ ...c, options: { stride: 2, dilation: 2 } }, 'forward')).toBeNull();
    // dX with dilation bakes zero taps into the filter: a NaN in dy would meet them, one in x never enters dX.
    const dilated = { ...c, options: { dilation: [1, 2] as [number, number] } };
    const dy = (v: number) => tensor([v, 1, 1], [1, 1, 3, 1]);
    expect(cpu.unsupported(dilated, 'gradInput', dy(NaN))).toMatch(/dy with the zero taps/);
    expect(cpu.unsupported(dilated, 'gradInput', dy(1))).toBeNull();
    // tfjs-node's plan materialises zero padding: an Inf weight would meet it in the forward.
    const padded = {
      input: tensor([1, 2, 3, 4], [1, 1, 2, 2]),
      weight: tensor([Infinity], [1, 1, 1, 1]),
      options: { padding: 1 },
    };
    expect(nodePlanOnCpu.unsupported(padded, 'forward')).toMatch(/weight with materialised zero padding/);
    expect(cpu.unsupported(padded, 'forward')).toBeNull();
  });
});

/** A case with one NaN or ±Inf planted in its input, weight or upstream gradient. */
const plantedArb = caseWithDy.chain(({ c, dy }) =>
  fc
    .record({
      where: fc.constantFrom('input', 'weight', 'dy'),
      at: fc.nat(),
      value: fc.constantFrom(NaN, Infinity, -Infinity),
    })
    .map(({ where, at, value }) => {
      const t = where === 'input' ? c.input : where === 'weight' ? c.weight : dy;
      const data = t.data.slice();
      if (data.length > 0) data[at % data.length] = value;
      const copy = { shape: t.shape, data };
      return where === 'dy' ? { c, dy: copy } : { c: { ...c, [where]: copy }, dy };
    }),
);

const takesSpecials = (o: Oracle): boolean =>
  !o.unsupported({ input: tensor([NaN], [1, 1, 1, 1]), weight: tensor([1], [1, 1, 1, 1]), options: {} }, 'forward');

describe.each(available.filter(takesSpecials).map((o) => [o.name, o] as const))('%s with IEEE specials', (_, o) => {
  test.each([...o.ops])(
    `%s: for any case with a NaN or ±Inf planted, ${o.name}'s non-finite values are exactly ours`,
    (op) => {
      const tally = new Tally();
      tallies.set(`${o.name} ${op} with NaN/±Inf`, tally);
      fc.assert(
        fc.property(plantedArb, ({ c, dy }) => {
          tally.runs++;
          const why = o.unsupported(c, op, dy);
          if (why) return void tally.skip(why);
          const { got, want } = compute(o, op, c, dy);
          const cmp = compareBounded(got, want);
          if (!cmp.ok) throw new Error(`${o.name} ${op} differs from the reference: ${cmp.message}`);
          tally.compared++;
          tally.worst = Math.max(tally.worst, cmp.worstRatio);
        }),
        { numRuns: Math.max(20, Math.round(env.runs / 2)), seed: env.seed, path: env.path },
      );
      expect(tally.compared).toBeGreaterThan(tally.runs / 4);
    },
  );
});

describe('the oracle group of the property registry, run against our implementation by the verify runner', () => {
  const settings = runSettings({
    profile: env.profile,
    runs: env.runs,
    seed: env.seed,
    dtype: env.dtype,
    oracles: available,
    ...(env.path ? { path: env.path } : {}),
    replay: vitestReplay('test/oracles.test.ts'),
  });
  for (const property of oracleProperties) {
    test(property.name, async () => {
      const report = await runProperty(property, ours, settings);
      if (report.failure) throw new Error(formatFailure(report.failure));
      expect(report.status, report.reason).toBe('passed');
      expect(report.worstRatio).not.toBeNull();
    });
  }
});
