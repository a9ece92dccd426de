/**
 * The TensorFlow.js adapter against the real package (cpu and wasm backends):
 * random cases compared with the suite's float64 model, the pinned defects
 * re-checked (each witness must still be wrong on 4.22.0), and the suite
 * shown to catch each pinned defect when it is not pinned.
 */
import * as tfcore from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { pinDefects, recheckDefects } from '../adapters/defects.js';
import { tfjsAdapter } from '../adapters/tfjs.js';
import { loadOracles } from '../properties/oracles/index.js';
import { suiteEnv } from '../properties/profile.js';
import { compareBounded, gradientExpectations } from '../properties/spec/index.js';
import { tensor } from '../src/index.js';
import { checkAdapter } from './adapters/check.js';

await loadOracles(['cpu', 'wasm']); // registers both backends and points wasm at its .wasm files
const tf = tfcore;
const env = suiteEnv();
// Cases are not yet drawn from the declared support, so many are refused: draw enough that tens are compared.
const runs = Math.max(env.runs, 200);

describe.each(['cpu', 'wasm'])('tfjs %s', (backend) => {
  const raw = tfjsAdapter(tf, { backend });
  const impl = pinDefects(raw);

  test.each(['conv2d', 'convTranspose2d', 'conv2dBackward', 'convTranspose2dBackward'] as const)(
    '%s agrees with the model on random cases (pinned defects and refusals counted apart)',
    async (op) => {
      const r = await checkAdapter(impl, op, { runs, seed: env.seed });
      expect(r.failure).toBeNull();
      if (op.endsWith('Backward') && backend === 'wasm') {
        expect(r.held).toBe(0); // no Conv2DBackpropFilter kernel (tfjs #8474): every case refused, none passed
        expect(Object.keys(r.notApplicable).join()).toMatch(/#8474/);
      } else expect(r.held).toBeGreaterThanOrEqual(10);
      console.log(`tfjs-${backend} ${op}: ${r.held} held, not applicable ${JSON.stringify(r.notApplicable)}`);
    },
  );

  test('every pinned defect still reproduces (a fixed one fails here and names its issue)', async () => {
    const checks = await recheckDefects(raw);
    expect(checks.map((c) => c.issue)).toEqual(raw.knownDefects.map((d) => d.issue));
    for (const c of checks) expect(c.reproduces, `${c.issue}: ${c.detail}`).toBe(true);
  });
});

test('wasm: an empty batch runs through the adapter (layouts moved on plain arrays), while tf.transpose of one with C > 1 still divides by zero', async () => {
  await tf.setBackend('wasm');
  expect(() => tf.transpose(tf.tensor([], [0, 2, 3, 3], 'float32'), [0, 2, 3, 1])).toThrow(/divide by zero/);
  const y = await tfjsAdapter(tf, { backend: 'wasm' }).conv2d(tensor([], [0, 2, 3, 3]), tensor([1, 1], [1, 2, 1, 1]));
  expect(y.shape).toEqual([0, 1, 3, 3]);
  expect(y.data.length).toBe(0);
});

test('wasm: unpinned, the random cases find #8405 (the suite catches the defect the pin hides)', async () => {
  const raw = tfjsAdapter(tf, { backend: 'wasm' });
  const nanless = pinDefects({ ...raw, knownDefects: raw.knownDefects.filter((d) => !d.issue.includes('8405')) });
  const r = await checkAdapter(nanless, 'conv2d', { runs: 300, seed: 7 });
  expect(r.failure).toMatch(/got 0, expected/);
  expect(r.failure).toMatch(/same/);
});

test('cpu: depthwise gradients (channel multiplier 2, stride 2, padding 1) through the DepthwiseConv2dNative kernels match the model', async () => {
  const ramp = (n: number, k: number) => Array.from({ length: n }, (_, i) => ((i * k) % 7) - 3);
  const input = tensor(ramp(2 * 3 * 5 * 5, 3), [2, 3, 5, 5]);
  const weight = tensor(ramp(6 * 9, 5), [6, 1, 3, 3]);
  const options = { stride: 2, padding: 1, groups: 3 };
  const dy = tensor(ramp(2 * 6 * 3 * 3, 2), [2, 6, 3, 3]);
  const got = await tfjsAdapter(tf, { backend: 'cpu' }).conv2dBackward!(dy, input, weight, options);
  const want = gradientExpectations({ input, weight, options }, dy);
  for (const k of ['gradInput', 'gradWeight', 'gradBias'] as const) {
    const c = compareBounded(got[k], want[k]);
    expect(c.ok, `${k}: ${c.message}`).toBe(true);
  }
});

test('cpu: the layout properties pass with NHWC data and HWIO filters handed to tfjs as they are (no moves on our side)', async () => {
  const { verify } = await import('../properties/index.js');
  const { layoutProperties } = await import('../properties/layout.js');
  const impl = pinDefects(tfjsAdapter(tf, { backend: 'cpu' }));
  const report = await verify(impl, { properties: layoutProperties.map((p) => p.name), seed: env.seed, runs: 60 });
  for (const p of report.properties) {
    expect(p.status, `${p.name}: ${p.failure?.message ?? p.reason ?? ''}`).toBe('passed');
    expect(p.runs).toBeGreaterThan(0);
  }
});
