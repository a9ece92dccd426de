/**
 * The structured counterexample of a failure (`FailureReport.case`), judged
 * on implementations with one planted bug each: the failing call's routine,
 * tensors and options; which outputs differ (got − expected is the planted
 * error); values JSON cannot hold survive as strings; and a counterexample
 * keeps only the options its failure needs, because the arbitraries shrink
 * every option toward its default.
 */
import { describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import type { Conv2dOptions, ConvTranspose2dOptions, Tensor } from '../src/index.js';
import { forwardProperties } from '../properties/forward.js';
import { gradientProperties } from '../properties/gradients.js';
import { scaleProperties } from '../properties/scale/index.js';
import { transposeProperties } from '../properties/transpose.js';
import type { ConvImplementation, PropertyDefinition } from '../properties/types.js';
import { CallLog, jsonNumber, recordedImplementation, type JsonNumber } from '../properties/verify-case.js';
import { formatFailure, runProperty, runSettings, type FailureReport } from '../properties/verify.js';

const byName = (list: readonly PropertyDefinition[], pattern: RegExp): PropertyDefinition => {
  const found = list.find((p) => pattern.test(p.name));
  if (!found) throw new Error(`no property matches ${pattern}`);
  return found;
};
const forwardAccuracy = byName(forwardProperties, /every output is within the error bound/);
const specials = byName(forwardProperties, /NaN or ±Inf planted, they reach exactly/);
const transposeAccuracy = byName(transposeProperties, /every output is within the error bound of the scatter/);
const gradientAccuracy = byName(gradientProperties, /every gradient is within the error bound/);

/** Whether an options' stride is anything but 1 on both axes. */
function strided(o: Conv2dOptions | ConvTranspose2dOptions = {}): boolean {
  const s = o.stride ?? 1;
  return Array.isArray(s) ? s[0] !== 1 || s[1] !== 1 : s !== 1;
}

/** `t` with 1 added to its first element. */
function bumped(t: Tensor): Tensor {
  const data = t.data.slice();
  if (data.length > 0) data[0] += 1;
  return { shape: [...t.shape], data };
}

async function failureOf(def: PropertyDefinition, impl: ConvImplementation, seed: number): Promise<FailureReport> {
  const r = await runProperty(def, impl, runSettings({ seed, dtype: 'both' }));
  expect(r.status, r.reason).toBe('failed');
  return r.failure!;
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('a counterexample keeps only the options its failure needs', () => {
  // The bug: the first output is off by one whenever a stride other than 1 is given.
  const stridedConv: ConvImplementation = {
    conv2d: (x, w, o) => (strided(o) ? bumped(ours.conv2d(x, w, o)) : ours.conv2d(x, w, o)),
  };
  const stridedTranspose: ConvImplementation = {
    conv2d: ours.conv2d,
    convTranspose2d: (x, w, o) => (strided(o) ? bumped(ours.convTranspose2d(x, w, o)) : ours.convTranspose2d(x, w, o)),
  };

  test.each([1, 2, 3, 4])('conv2d with a stride-only bug, seed %i: the options are just { stride }', async (seed) => {
    const f = await failureOf(forwardAccuracy, stridedConv, seed);
    expect(f.case?.routine).toBe('conv2d');
    expect(Object.keys(f.case?.options ?? {}), formatFailure(f)).toEqual(['stride']);
    expect(f.counterexample).not.toMatch(/dilation|groups|paddingMode|padding|bias/);
  });

  test.each([1, 2, 3])(
    'convTranspose2d with a stride-only bug, seed %i: the options are just { stride }',
    async (seed) => {
      const f = await failureOf(transposeAccuracy, stridedTranspose, seed);
      expect(f.case?.routine).toBe('convTranspose2d');
      expect(Object.keys(f.case?.options ?? {}), formatFailure(f)).toEqual(['stride']);
    },
  );
});

describe('the failing call as data', () => {
  const offByOne: ConvImplementation = { conv2d: (x, w, o) => bumped(ours.conv2d(x, w, o)) };

  test('routine, every tensor with its values, the options, and the differing output with the planted error', async () => {
    const f = await failureOf(forwardAccuracy, offByOne, 11);
    const c = f.case!;
    expect(c.routine).toBe('conv2d');
    expect(c.calls).toBe(1);
    expect(c.earlier).toEqual([]);
    for (const t of Object.values(c.tensors)) expect(t.data).toHaveLength(count(t.shape));
    expect(Object.keys(c.tensors).sort()).toEqual(['input', 'weight', ...('bias' in c.tensors ? ['bias'] : [])].sort());
    expect(c.differences?.total).toBe(1);
    const [d] = c.differences!.shown;
    expect(d.output).toBe('conv2d output');
    expect(d.index.every((i) => i === 0)).toBe(true);
    expect(Number(d.got) - Number(d.expected)).toBeCloseTo(1, 6);
    expect(Number(d.bound)).toBeLessThan(1);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  test('NaN and ±Infinity in tensors and outputs are written as strings, and survive JSON', async () => {
    // The bug: a NaN output comes back as 0.
    const nanToZero: ConvImplementation = {
      conv2d: (x, w, o) => {
        const y = ours.conv2d(x, w, o);
        return { shape: y.shape, data: y.data.map((v) => (Number.isNaN(v) ? 0 : v)) };
      },
    };
    const f = await failureOf(specials, nanToZero, 7);
    const c = f.case!;
    const values = Object.values(c.tensors).flatMap((t) => t.data ?? []);
    expect(values.some((v) => v === 'NaN' || v === 'Infinity' || v === '-Infinity')).toBe(true);
    expect(values.every((v) => typeof v === 'number' || ['NaN', 'Infinity', '-Infinity', '-0'].includes(v))).toBe(true);
    expect(c.differences?.shown.some((d) => d.expected === 'NaN' && d.got === 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  test('conv2dBackward: gradOutput is among the tensors, and the differing output is named', async () => {
    const wrongBias: ConvImplementation = {
      conv2d: ours.conv2d,
      conv2dBackward: (dy, x, w, o) => {
        const g = ours.conv2dBackward(dy, x, w, o);
        return { ...g, gradBias: bumped(g.gradBias) };
      },
    };
    const f = await failureOf(gradientAccuracy, wrongBias, 5);
    expect(f.case?.routine).toBe('conv2dBackward');
    expect(Object.keys(f.case?.tensors ?? {})).toEqual(expect.arrayContaining(['gradOutput', 'input', 'weight']));
    expect(f.case?.differences?.shown[0]?.output).toBe('gradBias');
  });

  test('a scale failure carries the numbers its case is built from, and its differing outputs', async () => {
    // The bug: the last output channel is zero once there are more than 8.
    const tail: ConvImplementation = {
      conv2d: (x, w, o) => {
        const y = ours.conv2d(x, w, o);
        const [N, O] = [y.shape[0], y.shape[1]];
        if (O <= 8) return y;
        const plane = y.shape[2] * y.shape[3];
        const data = y.data.slice();
        for (let n = 0; n < N; n++) data.fill(0, (n * O + O - 1) * plane, (n * O + O) * plane);
        return { shape: y.shape, data };
      },
    };
    const r = await runProperty(scaleProperties[0], tail, runSettings({ seed: 5, scaleWork: 20 }));
    const c = r.failure?.case;
    expect(c?.routine).toBe('conv2d');
    expect(c?.params?.op).toBe('forward');
    const weight = c!.tensors.weight;
    expect(weight.shape[0]).toBe(Number(c!.params!.O) * Number(c!.params!.groups));
    expect(weight.shape[0]).toBeGreaterThan(8);
    expect(c?.differences?.total).toBeGreaterThan(0);
  });
});

describe('pieces', () => {
  test('jsonNumber writes what JSON cannot hold as strings', () => {
    const cases: [number, JsonNumber][] = [
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
      [-0, '-0'],
      [0, 0],
      [-1.5, -1.5],
    ];
    for (const [v, want] of cases) expect(jsonNumber(v)).toBe(want);
  });

  test('the call log keeps the first calls and the last, copies what it records, and counts them all', async () => {
    const log = new CallLog();
    const impl = recordedImplementation({ conv2d: ours.conv2d }, log);
    const x = ours.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const w = ours.tensor([1], [1, 1, 1, 1]);
    log.begin();
    for (let i = 0; i < 12; i++) await impl.conv2d(x, w, { stride: i + 1 });
    x.data[0] = 99;
    const { calls, count: made } = log.taken();
    expect(made).toBe(12);
    expect(calls.map((c) => c.options?.stride)).toEqual([1, 2, 3, 4, 5, 6, 7, 12]);
    expect(calls[0].tensors.input.data).toEqual([1, 2, 3, 4]);
    log.begin();
    expect(log.taken()).toEqual({ calls: [], count: 0 });
  });
});
