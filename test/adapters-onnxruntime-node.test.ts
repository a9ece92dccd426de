/**
 * The same onnxruntime adapter on onnxruntime-node (the native CPU provider,
 * a different build of the runtime than onnxruntime-web's WebAssembly):
 * `verify` at the quick profile holds on every property that runs, and the
 * defects pinned for onnxruntime-web reproduce here too (they live in the
 * runtime's shared Conv/ConvTranspose code, not in the WebAssembly build).
 * The package installs without its GPU download through the project's
 * .npmrc (`onnxruntime_node_install=skip`); its CPU binaries are in the tarball.
 */
import * as ort from 'onnxruntime-node';
import { afterAll, expect, test } from 'vitest';
import { onnxruntimeAdapter, pinDefects, recheckDefects } from '../adapters/index.js';
import { formatReport, verify } from '../properties/index.js';

const raw = onnxruntimeAdapter(ort);
// Its sessions hold native thread pools: released, the test worker can end.
afterAll(() => raw.close?.());

test('verify onnxruntime-node (seed 42): every property that runs holds', async () => {
  const r = await verify(pinDefects(raw), { seed: 42 });
  const failed = r.properties.filter((p) => p.status === 'failed');
  expect(
    failed.map((f) => `${f.name}: ${f.failure?.message}`),
    formatReport(r),
  ).toEqual([]);
  // conv2d and convTranspose2d: the forward, transposed and scale properties run, gradients are not exported.
  expect(r.properties.filter((p) => p.status === 'passed').length).toBeGreaterThanOrEqual(20);
  expect(r.ok).toBe(true);
}, 180_000);

test('the defects pinned for onnxruntime-web reproduce on onnxruntime-node', async () => {
  const checks = await recheckDefects(raw);
  expect(checks.map((c) => c.issue)).toEqual(raw.knownDefects.map((d) => d.issue));
  for (const c of checks) expect(c.reproduces, `${c.issue}: ${c.detail}`).toBe(true);
});
