/**
 * Every gradient and transposed-conv property, run against our kernels: one
 * test per property, failing with the shrunk counterexample and its replay
 * command. Steer with CONVPROOF_PROFILE / CONVPROOF_RUNS / CONVPROOF_SEED / CONVPROOF_DTYPE.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import { envSettings } from './helpers.js';
import { transposeCase, type TransposeCase } from '../properties/index.js';
import { gradientProperties } from '../properties/gradients.js';
import { resolveTranspose } from '../properties/spec/index.js';
import { transposeProperties } from '../properties/transpose.js';
import { formatFailure, runProperty } from '../properties/verify.js';

const settings = envSettings('test/properties.gradients.test.ts', 'gradient properties');

for (const [title, list] of [
  ['gradient properties of our conv2dBackward', gradientProperties],
  ['transposed-conv properties of our convTranspose2d', transposeProperties],
] as const) {
  describe(title, () => {
    for (const property of list) {
      test(property.name, async () => {
        const report = await runProperty(property, ours, settings);
        if (report.failure) throw new Error(formatFailure(report.failure));
        expect(report.status, report.reason).toBe('passed');
      });
    }
  });
}

describe('transposeCase draws the risky transposed regions', () => {
  test('asymmetric pads, output padding, dilation > stride, groups, N = 0 and unbatched inputs each appear in at least 5% of 2000 cases', () => {
    const cases = fc.sample(transposeCase({ dtype: 'both' }), { numRuns: 2000, seed: 42 });
    const share = (pred: (c: TransposeCase) => boolean): number => cases.filter(pred).length / cases.length;
    const r = (c: TransposeCase) => resolveTranspose(c.input.shape, c.weight.shape, c.options);
    const regions: Record<string, (c: TransposeCase) => boolean> = {
      'asymmetric padding': (c) => r(c).pads.some(([a, b]) => a !== b),
      'output padding > 0': (c) => r(c).outputPadding.some((p) => p > 0),
      'output padding ≥ stride': (c) => r(c).outputPadding.some((p, k) => p >= r(c).stride[k]),
      'dilation > stride': (c) => r(c).dilation.some((d, k) => d > r(c).stride[k]),
      'groups > 1': (c) => r(c).groups > 1,
      'N = 0': (c) => r(c).N === 0 && r(c).batched,
      'unbatched input': (c) => !r(c).batched,
      float64: (c) => c.input.data instanceof Float64Array,
      bias: (c) => !!c.options.bias,
    };
    const low = Object.entries(regions)
      .filter(([, pred]) => share(pred) < 0.05)
      .map(([name, pred]) => `${name}: ${share(pred)}`);
    expect(low).toEqual([]);
  });
});
