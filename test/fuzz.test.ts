/**
 * Fuzzing every export with random mixes of valid and invalid arguments:
 * each call either returns the correct result or throws a ConvError with a
 * code its broken argument calls for — never a TypeError, RangeError, hang
 * or other error (the engine: test/fuzz/engine.ts; the option edits derive
 * from src/options.ts's table). Runs per target scale with
 * CONVPROOF_PROFILE (quick ×1, ci ×3, deep ×10) or are set by CONVPROOF_RUNS;
 * CONVPROOF_SEED replays a run. Below the properties: every counterexample
 * the fuzzers found, as a plain test.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import * as convproof from '../src/index.js';
import {
  Conv2d,
  ConvError,
  conv2d,
  conv2dBackward,
  conv2dOutputShape,
  convTranspose2d,
  reference,
  sgd,
  tensor,
  toNested,
  type Tensor,
} from '../src/index.js';
import { conv2dBackwardSessions, conv2dOutputShapeSessions, conv2dSessions } from './fuzz/conv.js';
import { corr2dSessions } from './fuzz/corr2d.js';
import {
  CONV_ERROR_CODES,
  FuzzStats,
  fuzzProperty,
  type FuzzSession,
  type FuzzSubject,
  type FuzzTarget,
} from './fuzz/engine.js';
import { conv2dLayerSessions } from './fuzz/layer.js';
import { sgdSessions } from './fuzz/sgd.js';
import { OPTION_RULES, optionNames, type OptionSet } from '../src/options.js';
import { suiteEnv } from './fuzz/suite.js';
import { tensorSessions, toNestedSessions } from './fuzz/tensor.js';
import { convTranspose2dBackwardSessions, convTranspose2dSessions } from './fuzz/transpose.js';

/** The session generator of each target. */
const FUZZERS: Readonly<Record<FuzzTarget, () => fc.Arbitrary<FuzzSession>>> = {
  tensor: tensorSessions,
  toNested: toNestedSessions,
  corr2d: corr2dSessions,
  conv2d: conv2dSessions,
  conv2dBackward: conv2dBackwardSessions,
  convTranspose2d: convTranspose2dSessions,
  convTranspose2dBackward: convTranspose2dBackwardSessions,
  conv2dOutputShape: conv2dOutputShapeSessions,
  Conv2d: conv2dLayerSessions,
  sgd: sgdSessions,
};

const env = suiteEnv();
const scale = { quick: 1, ci: 3, deep: 10 }[env.profile.name];
const runsOf = (quick: number): number => (process.env.CONVPROOF_RUNS ? env.runs : quick * scale);

/** Quick-profile runs per target (a Conv2d session is a constructor call and 1–5 method calls). */
const RUNS: Readonly<Record<FuzzTarget, number>> = {
  tensor: 800,
  toNested: 500,
  corr2d: 500,
  conv2d: 800,
  conv2dBackward: 500,
  convTranspose2d: 500,
  convTranspose2dBackward: 300,
  conv2dOutputShape: 800,
  Conv2d: 400,
  sgd: 500,
};

const stats = new FuzzStats();
const referenceStats = new FuzzStats();

function fuzz(subject: FuzzSubject, target: FuzzTarget, runs: number, into: FuzzStats): void {
  fc.assert(fuzzProperty(subject, FUZZERS[target](), into), { numRuns: runsOf(runs), seed: env.seed, path: env.path });
}

/** The option set a target takes (the Conv2d layer's bias is a flag, not the table's tensor). */
const OPTION_SETS: Partial<Record<FuzzTarget, OptionSet>> = {
  conv2d: 'conv2d',
  conv2dBackward: 'conv2d',
  conv2dOutputShape: 'conv2d',
  Conv2d: 'conv2d',
  convTranspose2d: 'convTranspose2d',
  convTranspose2dBackward: 'convTranspose2d',
};

/** The codes a target's option rules must have provoked: each rule's own, and 'option' for the options object. */
function optionCodes(target: FuzzTarget): string[] {
  const set = OPTION_SETS[target];
  if (!set) return [];
  const rules = optionNames(set).filter((n) => target !== 'Conv2d' || OPTION_RULES[n].form.kind !== 'tensor');
  return [...new Set(['option', ...rules.map((n) => OPTION_RULES[n].code)])];
}

describe(`fuzzing every export (seed ${env.seed}, profile ${env.profile.name})`, () => {
  const targets = Object.keys(RUNS) as FuzzTarget[];
  test.each(targets)(
    'for any mix of valid and invalid arguments, %s returns the right result or throws a ConvError with a fitting code',
    (target) => {
      fuzz(convproof, target, RUNS[target], stats);
      const seen = stats.codesByTarget.get(target) ?? new Map();
      expect(
        optionCodes(target).filter((c) => !seen.has(c)),
        'option rules never refused a value',
      ).toEqual([]);
    },
  );

  test.each(['conv2d', 'conv2dBackward', 'convTranspose2d', 'convTranspose2dBackward', 'corr2d'] as const)(
    'the same for reference.%s',
    (target) => fuzz(reference, target, RUNS[target] / 4, referenceStats),
  );

  // Checked once every export has been fuzzed in this run (a run filtered to some tests skips it).
  afterAll(() => {
    console.log(`fuzz (seed ${env.seed}):\n${stats.format()}\nreference namespace:\n${referenceStats.format()}`);
    if (targets.some((t) => !stats.calls.has(t))) return;
    const missing = CONV_ERROR_CODES.filter((c) => !stats.codes.has(c));
    expect(missing, 'together the fuzzers of the public exports provoke every documented error code').toEqual([]);
  });
});

/** Lets a test pass a value the types forbid, to check the runtime guard. */
const bad = <T>(value: unknown): T => value as T;

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof ConvError) return e.code;
    throw e;
  }
  throw new Error('expected a ConvError, but the call returned');
}

const one = (): Tensor => tensor([1], [1, 1, 1, 1]);

describe('regressions found by fuzzing (each once crashed or hung)', () => {
  test('tensor of an array that contains itself: ConvError(rank), was an endless loop that killed the process', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(codeOf(() => tensor(bad(a)))).toBe('rank');
  });

  test('tensor of arrays nested 100000 deep: ConvError(rank), was RangeError (stack overflow)', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(codeOf(() => tensor(bad(v)))).toBe('rank');
  });

  test('tensor({length: -1}): ConvError(type), was RangeError (invalid typed array length)', () => {
    expect(codeOf(() => tensor(bad({ length: -1 })))).toBe('type');
  });

  test('tensor({length: NaN}): ConvError(type), was a tensor of shape [NaN]', () => {
    expect(codeOf(() => tensor(bad({ length: Number.NaN })))).toBe('type');
  });

  test('tensor of an array-like claiming 2^31 numbers: ConvError(too-large) at once, was a 2^31-step walk', () => {
    const fake = new Proxy({}, { get: (_, key) => (key === 'length' ? 2 ** 31 : 1) });
    const start = performance.now();
    expect(codeOf(() => tensor(bad(fake)))).toBe('too-large');
    expect(performance.now() - start).toBeLessThan(1000);
  });

  test('a shape holding a cyclic array: ConvError(shape), was RangeError while formatting the message', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(codeOf(() => tensor([1], bad(a)))).toBe('shape');
  });

  test('stride given as an array of 10^6 zeros: the message stays short', () => {
    let message = '';
    try {
      conv2d(one(), one(), { stride: bad(new Array(1e6).fill(0)) });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^conv2d: stride must be/);
    expect(message.length).toBeLessThan(1000);
  });

  test('toNested of shape [2^32, 0]: ConvError(too-large), was RangeError (invalid array length)', () => {
    expect(codeOf(() => toNested({ shape: [2 ** 32, 0], data: new Float32Array(0) }))).toBe('too-large');
    expect(codeOf(() => tensor([], [2 ** 32, 0]))).toBe('too-large');
  });

  test('toNested of an empty tensor of shape [2^30, 0]: ConvError(too-large), was 2^30 empty arrays and a fatal heap exhaustion', () => {
    expect(codeOf(() => toNested({ shape: [2 ** 30, 0], data: new Float32Array(0) }))).toBe('too-large');
    expect(toNested({ shape: [0, 2 ** 30], data: new Float32Array(0) })).toEqual([]);
    expect(toNested({ shape: [3, 0], data: new Float32Array(0) })).toEqual([[], [], []]);
  });

  test('toNested of a rank-200000 tensor: ConvError(rank), was a stack overflow', () => {
    expect(codeOf(() => toNested({ shape: new Array<number>(200_000).fill(1), data: new Float32Array(1) }))).toBe(
      'rank',
    );
  });

  test('conv2dOutputShape([1,1,1e300,1], [1,1,1,1], {stride: 1e300}): refused, was [1,1,2,1] (true answer 1 row)', () => {
    expect(codeOf(() => conv2dOutputShape([1, 1, 1e300, 1], [1, 1, 1, 1], { stride: 1e300 }))).toBe('too-large');
    expect(codeOf(() => conv2dOutputShape([1, 1, 5, 1], [1, 1, 1, 1], { stride: 2 ** 31 }))).toBe('stride');
  });

  test("'same' with a dilated kernel wider than 2^30: ConvError(kernel-too-large), not inexact size arithmetic", () => {
    const shape = [1, 1, 5, 1];
    expect(codeOf(() => conv2dOutputShape(shape, [1, 1, 2 ** 30, 1], { padding: 'same', dilation: 2 ** 30 }))).toBe(
      'kernel-too-large',
    );
  });

  test('empty batch with a 2^30-row output: ConvError(too-large), was a 4 GiB index map (RangeError beyond)', () => {
    const x = tensor([], [0, 1, 1, 1]);
    expect(codeOf(() => conv2d(x, one(), { padding: [2 ** 29, 0] }))).toBe('too-large');
    expect(codeOf(() => conv2dBackward(tensor([], [0, 1, 2 ** 30 + 1, 1]), x, one(), { padding: [2 ** 29, 0] }))).toBe(
      'too-large',
    );
  });

  test('tap map larger than 2^30 entries (2^16-row input, 2^16-tap kernel): ConvError(too-large), not RangeError', () => {
    const x = tensor(new Float32Array(2 ** 16), [1, 1, 2 ** 16, 1]);
    const w = tensor(new Float32Array(2 ** 16), [1, 1, 2 ** 16, 1]);
    expect(codeOf(() => conv2d(x, w, { padding: 'same' }))).toBe('too-large');
    expect(codeOf(() => convTranspose2d(x, w))).toBe('too-large');
  });

  test('new Conv2d with a 10^12-element weight: ConvError(too-large), was RangeError (invalid typed array length)', () => {
    expect(codeOf(() => new Conv2d({ inChannels: 1e6, outChannels: 1e6, kernelSize: 3 }))).toBe('too-large');
  });

  test('new Conv2d with groups: null: ConvError(groups) as in conv2d, was read as groups 1', () => {
    expect(codeOf(() => new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 1, groups: bad(null) }))).toBe(
      'groups',
    );
    expect(codeOf(() => conv2d(one(), one(), { groups: bad(null) }))).toBe('groups');
  });

  test('sgd([{}], 0.1): ConvError(type), was TypeError', () => {
    expect(codeOf(() => sgd(bad([{}]), 0.1))).toBe('type');
  });

  test('a tensor whose shape getter changes after validation: the validated shape is used', () => {
    let reads = 0;
    const shifty = {
      get shape() {
        reads++;
        return reads === 1 ? [1, 1, 1, 1] : [1, 1, 300, 300];
      },
      data: new Float32Array([2]),
    };
    const y = conv2d(bad(shifty), one());
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expect(Array.from(y.data)).toEqual([2]);
  });
});
