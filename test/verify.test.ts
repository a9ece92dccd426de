/**
 * `verify` end to end: our conv2d passes; a few simple wrong convs written
 * here are rejected by the property that names their bug; the report
 * carries what is needed to replay a failure; capabilities, groups, name
 * filters, oracles and the shrink budget behave as documented.
 * (The large bug zoo lives in its own test.)
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import { conv2d, type Conv2dOptions, type Tensor } from '../src/index.js';
import { suiteEnv, verify, formatReport, type PropertyReport, type VerifyOptions } from '../properties/index.js';
import { forwardProperties } from '../properties/forward.js';
import { runProperty, runSettings } from '../properties/verify.js';
import type { ConvImplementation, Oracle, PropertyDefinition } from '../properties/types.js';

const env = suiteEnv();
const base: VerifyOptions = { profile: env.profile, runs: env.runs, seed: env.seed, dtype: env.dtype };

const NAMES = {
  shape: "for any case, the output has the input's dtype and the shape of the size formula",
  accuracy: 'for any case, every output is within the error bound of the float64 model',
  impulse: 'for any kernel, the fully padded conv of a unit impulse is the kernel rotated by 180 degrees',
  specials: 'for any case with NaN or ±Inf planted, they reach exactly the outputs whose real taps read them',
  purity: 'for any case, conv2d leaves its arguments unchanged and returns fresh storage',
  corr2d: 'for any 2-D input and kernel, corr2d equals conv2d on [1, 1, H, W]',
} as const;

function failed(reports: readonly PropertyReport[]): string[] {
  return reports.filter((r) => r.status === 'failed').map((r) => r.name);
}

/** The kernel rotated by 180° in its two spatial axes. */
function flipped(w: Tensor): Tensor {
  const [O, C, KH, KW] = w.shape;
  const data = w.data.slice();
  for (let p = 0; p < O * C; p++) {
    for (let i = 0; i < KH * KW; i++) data[p * KH * KW + i] = w.data[p * KH * KW + (KH * KW - 1 - i)];
  }
  return { shape: [...w.shape], data };
}

function swappedStride(o: Conv2dOptions = {}): Conv2dOptions {
  const s = o.stride;
  return Array.isArray(s) ? { ...o, stride: [s[1], s[0]] } : o;
}

/** Simple wrong convs, each with one bug. */
const wrong: Record<string, ConvImplementation> = {
  'true convolution (kernel flipped)': { conv2d: (x, w, o) => conv2d(x, flipped(w), o) },
  'strides swapped between the axes': { conv2d: (x, w, o) => conv2d(x, w, swappedStride(o)) },
  'NaN outputs replaced by 0': {
    conv2d: (x, w, o) => {
      const y = conv2d(x, w, o);
      return { shape: y.shape, data: y.data.map((v) => (Number.isNaN(v) ? 0 : v)) };
    },
  },
  'input overwritten as scratch space': {
    conv2d: (x, w, o) => {
      const y = conv2d(x, w, o);
      (x.data as Float32Array).fill(0);
      return y;
    },
  },
};

describe('verify accepts our implementation', () => {
  test('every registered property our exports allow passes', async () => {
    const report = await verify(ours, base);
    expect(failed(report.properties), formatReport(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.seed).toBe(env.seed);
    const status = new Map(report.properties.map((p) => [p.name, p.status]));
    expect(forwardProperties.map((p) => status.get(p.name))).toEqual(forwardProperties.map(() => 'passed'));
    const accuracy = report.properties.find((p) => p.name === NAMES.accuracy)!;
    expect(accuracy.runs).toBe(env.runs);
    expect(Number.isFinite(accuracy.worstRatio)).toBe(true);
    console.log(
      `our conv2d: worst err/(u·M) ${accuracy.worstRatio!.toPrecision(3)} over ${accuracy.runs} cases (seed ${env.seed})`,
    );
  });
});

describe('verify rejects simple wrong convs with the property that names the bug', () => {
  const expected: Record<string, string[]> = {
    'true convolution (kernel flipped)': [NAMES.accuracy, NAMES.impulse],
    'strides swapped between the axes': [NAMES.shape, NAMES.accuracy],
    'NaN outputs replaced by 0': [NAMES.specials],
    'input overwritten as scratch space': [NAMES.purity],
  };
  for (const [name, impl] of Object.entries(wrong)) {
    test(name, async () => {
      const report = await verify(impl, base);
      expect(report.ok).toBe(false);
      const names = failed(report.properties);
      for (const p of expected[name]) expect(names, formatReport(report)).toContain(p);
    });
  }

  test('NaN swallowed fails only properties about NaN and ±Inf', async () => {
    const report = await verify(wrong['NaN outputs replaced by 0'], base);
    const names = failed(report.properties);
    expect(names).toContain(NAMES.specials);
    expect(names.filter((n) => !n.includes('NaN or ±Inf'))).toEqual([]);
  });

  test('an exception on a valid case is a failure that names the exception and the case', async () => {
    const impl: ConvImplementation = {
      conv2d: (x, w, o) => {
        if (x.shape.length === 4 && x.shape[0] === 0) throw new RangeError('empty batch not supported');
        return conv2d(x, w, o);
      },
    };
    const report = await verify(impl, { ...base, properties: [NAMES.shape] });
    const f = report.properties[0].failure!;
    expect(f.message).toBe('threw RangeError: empty batch not supported');
    expect(f.counterexample).toMatch(/^conv2d\(input \[0, /);
  });
});

test('a result that is not a tensor fails with what was returned', async () => {
  const impl = { conv2d: () => [1, 2, 3] } as unknown as ConvImplementation;
  const report = await verify(impl, { ...base, properties: [NAMES.shape] });
  expect(report.properties[0].failure!.message).toBe(
    'conv2d returned [1, 2, 3], not a tensor {shape: number[], data: Float32Array | Float64Array}',
  );
});

describe('a failure report replays', () => {
  const impl = wrong['true convolution (kernel flipped)'];
  const accuracy = forwardProperties.find((p) => p.name === NAMES.accuracy)!;

  test('it holds the shrunk case, seed, path and a replay command', async () => {
    const r = await runProperty(accuracy, impl, runSettings({ ...base, seed: 7 }));
    const f = r.failure!;
    expect(f.seed).toBe(7);
    expect(f.path).toMatch(/^\d+(:\d+)*$/);
    expect(f.counterexample).toMatch(/^conv2d\(input \[/);
    expect(f.message).toMatch(/conv2d output: \d+ element\(s\) out of bound\n {2}at \[/);
    expect(f.replay).toContain(`--seed 7 --path ${f.path}`);
    expect(f.replay).toContain(
      "--property 'for any case, every output is within the error bound of the float64 model'",
    );
  });

  test('running again with its seed and path reproduces the same counterexample at once', async () => {
    const first = (await runProperty(accuracy, impl, runSettings({ ...base, seed: 11 }))).failure!;
    const again = await runProperty(accuracy, impl, runSettings({ ...base, seed: 11, path: first.path }));
    expect(again.failure!.counterexample).toBe(first.counterexample);
    expect(again.runs).toBe(1);
  });

  test('verify replays a path only for a single named property', async () => {
    await expect(verify(impl, { ...base, seed: 11, path: '0' })).rejects.toThrow(
      'a path replays one counterexample of one property',
    );
    const first = (await runProperty(accuracy, impl, runSettings({ ...base, seed: 11 }))).failure!;
    const report = await verify(impl, { ...base, seed: 11, path: first.path, properties: [NAMES.accuracy] });
    expect(report.properties[0].failure!.counterexample).toBe(first.counterexample);
  });

  test('shrinking stops after the shrink budget', async () => {
    const none = await runProperty(accuracy, impl, runSettings({ ...base, seed: 3, maxShrinks: 0 }));
    expect(none.failure!.shrinks).toBe(0);
    const some = await runProperty(accuracy, impl, runSettings({ ...base, seed: 3, maxShrinks: 5 }));
    expect(some.failure!.shrinks).toBeLessThanOrEqual(5);
  });
});

describe('what verify runs', () => {
  const needsBackward: PropertyDefinition = {
    name: 'for any case, a property that needs conv2dBackward',
    group: 'gradient',
    requires: ['conv2d', 'conv2dBackward'],
    property: () => fc.property(fc.constant(0), () => true),
  };
  const errorsProperty: PropertyDefinition = {
    name: 'for any invalid case, an opt-in error property',
    group: 'errors',
    requires: ['conv2d'],
    property: () => fc.property(fc.constant(0), () => true),
  };
  const registry = [forwardProperties[0], needsBackward, errorsProperty];
  const only = { conv2d };

  test('a property needing an export the implementation lacks is skipped, with the reason', async () => {
    const report = await verify(only, { ...base, registry });
    const r = report.properties.find((p) => p.name === needsBackward.name)!;
    expect(r.status).toBe('not run');
    expect(r.reason).toBe('the implementation exports no conv2dBackward');
    expect(report.properties.find((p) => p.name === NAMES.shape)!.status).toBe('passed');
  });

  test('corr2d equivalence is skipped when the implementation has no corr2d', async () => {
    const report = await verify(only, { ...base, properties: [NAMES.corr2d] });
    expect(report.properties[0]).toMatchObject({ status: 'not run', reason: 'the implementation exports no corr2d' });
  });

  test("the 'errors' group runs only when asked for", async () => {
    const byDefault = await verify(only, { ...base, registry });
    expect(byDefault.properties.map((p) => p.name)).not.toContain(errorsProperty.name);
    const asked = await verify(only, { ...base, registry, groups: ['errors'] });
    expect(asked.properties.map((p) => [p.name, p.status])).toEqual([[errorsProperty.name, 'passed']]);
  });

  test("the 'errors' group: our conv2d throws on every breakage, a lenient conv that returns zeros instead is rejected", async () => {
    const mine = await verify(ours, { ...base, groups: ['errors'] });
    expect(mine.properties.map((p) => p.status)).toEqual(['passed']);
    const lenient: ConvImplementation = {
      conv2d: (x, w, o) => {
        try {
          return conv2d(x, w, o);
        } catch {
          return { shape: [0], data: new Float32Array(0) };
        }
      },
    };
    const report = await verify(lenient, { ...base, groups: ['errors'] });
    expect(report.properties[0].status).toBe('failed');
    expect(report.properties[0].failure!.message).toMatch(
      /^conv2d with .+ returned a tensor of shape \[0\] instead of throwing$/,
    );
  });

  test('properties are filtered by exact name; an unknown name is an error', async () => {
    const report = await verify(ours, { ...base, properties: [NAMES.purity] });
    expect(report.properties.map((p) => p.name)).toEqual([NAMES.purity]);
    await expect(verify(ours, { ...base, properties: ['no such property'] })).rejects.toThrow(
      'no property named "no such property"',
    );
  });

  test('progress is reported before and after each property', async () => {
    const events: string[] = [];
    await verify(ours, {
      ...base,
      properties: [NAMES.shape, NAMES.purity],
      onProgress: (e) => events.push(`${e.phase} ${e.index}/${e.total}`),
    });
    expect(events).toEqual(['start 0/2', 'end 0/2', 'start 1/2', 'end 1/2']);
  });

  test('oracles that are not ready are listed with their reason', async () => {
    const oracle = (name: string, ready: () => Promise<boolean>): Oracle => ({
      name,
      ready,
      whyUnavailable: 'backend missing',
      ops: ['forward'],
      unsupported: () => null,
      conv2d: (c) => conv2d(c.input, c.weight, c.options),
    });
    const report = await verify(ours, {
      ...base,
      properties: [NAMES.shape],
      oracles: [
        oracle('absent', async () => false),
        oracle('broken', async () => {
          throw new Error('no wasm');
        }),
        oracle('here', async () => true),
      ],
    });
    expect(report.oracles).toEqual([
      { name: 'absent', ready: false, reason: 'backend missing' },
      { name: 'broken', ready: false, reason: 'failed to load: no wasm' },
      { name: 'here', ready: true },
    ]);
  });

  test('float64 alone, and a bad implementation argument', async () => {
    const report = await verify(ours, { ...base, dtype: 'float64', properties: [NAMES.accuracy] });
    expect(report.properties[0].status).toBe('passed');
    await expect(verify({} as ConvImplementation)).rejects.toThrow('impl must be a module object with a conv2d');
  });
});
