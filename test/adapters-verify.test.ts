/**
 * `verify` itself on every adapter, against the real packages (seed 42):
 * the declared supports and conventions come with each adapter, known
 * upstream defects are pinned. Zero false alarms: every library holds on
 * every property that ran, except ndarray-convolve, whose failures are its
 * real defect (`correlate` returns the convolution; see the hand-derived
 * impulse in adapters-examples.test.ts). The table in docs/adapters.md is
 * this test's output (CONVPROOF_ADAPTER_TABLE=1 prints it).
 */
import * as tfcore from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import { expect, test } from 'vitest';
import { onnxruntimeAdapter, pinDefects, recheckDefects, tfjsAdapter } from '../adapters/index.js';
import * as convnet from '../examples/adapters/convnetjs.js';
import * as ndconv from '../examples/adapters/ndarray-convolve.js';
import * as opencv from '../examples/adapters/opencv.js';
import { loadOracles } from '../properties/oracles/index.js';
import { type VerifyReport, verify } from '../properties/verify.js';

await loadOracles(['cpu', 'wasm']);
ort.env.wasm.numThreads = 1;

const cvAdapter = { name: 'opencv', ...opencv };
const libraries: [string, object][] = [
  ['tfjs-cpu', pinDefects(tfjsAdapter(tfcore, { backend: 'cpu' }))],
  ['tfjs-wasm', pinDefects(tfjsAdapter(tfcore, { backend: 'wasm' }))],
  ['onnxruntime-web', pinDefects(onnxruntimeAdapter(ort))],
  ['convnetjs', convnet],
  ['opencv', pinDefects(cvAdapter)],
  ['ndarray-convolve', ndconv],
];

function row(name: string, r: VerifyReport): string {
  const count = (s: string) => r.properties.filter((p) => p.status === s).length;
  const na = r.properties.reduce((s, p) => s + p.notApplicable, 0);
  return `| ${name} | ${count('passed')} | ${count('not run')} | ${count('failed')} | ${na} |`;
}

test.each(libraries)(
  'verify %s: no failure but its real defects',
  async (name, impl) => {
    const r = await verify(impl as never, { seed: 42, runs: 100 });
    const failed = r.properties.filter((p) => p.status === 'failed');
    if (process.env.CONVPROOF_ADAPTER_TABLE) console.log(row(name, r), failed.map((f) => f.name).join(' / '));
    expect(r.properties.filter((p) => p.status === 'passed').length).toBeGreaterThanOrEqual(10);
    if (name === 'ndarray-convolve') {
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) expect(f.failure?.counterexample).toMatch(/padding"?: ?"same"/); // the case text, or a scale case's JSON;
    } else expect(failed.map((f) => `${f.name}: ${f.failure?.message}\n${f.failure?.counterexample}`)).toEqual([]);
  },
  120_000,
);

test("the user's own pin in the OpenCV example still reproduces", async () => {
  const [check] = await recheckDefects(cvAdapter);
  expect(check.reproduces, check.detail).toBe(true);
});
