/**
 * TensorFlow.js's WebGPU backend, verified in headless Chromium: the named
 * implementation `tfjs:webgpu` (the shipped tfjs adapter with its known
 * defects pinned) runs the whole suite at the quick profile with a fixed
 * seed, on the machine's GPU or, without one, Chromium's software adapter
 * (SwiftShader). Every property must hold at the float32 bound; the ones
 * that cannot run say why, and the list of them is fixed here.
 *
 * No WebGPU is a failure, not a skip: the error says which switch fixes it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { VerifyReport } from '../properties/index.js';
import { bundlePage } from '../tools/browser/bundle.js';
import { namedImpl, writeNamedModule } from '../tools/browser/named.js';
import { openChromium, verifyInBrowser } from '../tools/browser/run.js';
import { main } from '../tools/cli/main.js';

const work = mkdtempSync(join(tmpdir(), 'convproof-webgpu-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function failures(report: VerifyReport): string[] {
  return report.properties
    .filter((p) => p.status === 'failed')
    .map((p) => `${p.name}: ${p.failure?.message}\n  ${p.failure?.counterexample}`);
}

/** The properties tfjs:webgpu cannot run, each for the reason given. */
const NOT_RUN: Record<string, RegExp> = {
  'for any 2-D input and kernel, corr2d equals conv2d on [1, 1, H, W]': /exports no corr2d/,
  'for any case padded in reflect, replicate or circular mode, every output is within the error bound of the float64 model':
    /outside the declared modes/,
  'for any case, each gradient matches float64 central differences of ⟨conv2d, dy⟩ along random directions':
    /dtype float64, outside the declared support/,
  'for any case, the gradients of an empty batch are zeros of the right shapes': /known defect tfjs-webgpu/,
  'for any transposed case, the central differences of ⟨convTranspose2d(x, w, b), dy⟩ equal convTranspose2dBackward along random directions':
    /dtype float64, outside the declared support/,
};

test('tfjs:webgpu at the quick profile: every applicable property runs and holds, on WebGPU', async () => {
  const r = await verifyInBrowser({
    impl: 'tfjs:webgpu',
    verify: { profile: 'quick', seed: 1, oracles: ['cpu'] },
    timeoutMs: 150_000,
  });
  const facts = r.probe.before as { gpu: { architecture: string; isFallbackAdapter: boolean } | null; adapter: string };
  console.log(
    `tfjs:webgpu, Chromium ${r.browser}, adapter ${JSON.stringify(facts.gpu)}: verify ${(r.report.timeMs / 1000).toFixed(1)} s, ` +
      `page ${(r.pageMs / 1000).toFixed(1)} s, bundle ${(r.bundle.timeMs / 1000).toFixed(1)} s`,
  );
  expect(facts.gpu).not.toBeNull();
  expect(facts.adapter).toBe('tfjs-webgpu');

  expect(failures(r.report)).toEqual([]);
  expect(r.report.ok).toBe(true);
  // Judged at the float32 bound, padded taps skipped (tfjs's own convention): nothing declared looser.
  expect(r.report.conventions).toEqual({ padded: 'skip', same: 'upper', precision: 'float32' });
  expect(r.report.oracles).toEqual([{ name: 'tfjs-cpu', ready: true }]);
  for (const p of r.report.properties) {
    if (p.status === 'passed') expect(p.runs, p.name).toBeGreaterThan(0);
    else expect(p.reason, p.name).toMatch(NOT_RUN[p.name] ?? /^never$/);
  }
  expect(r.report.properties.filter((p) => p.status === 'not run').map((p) => p.name)).toEqual(
    r.report.properties.map((p) => p.name).filter((n) => n in NOT_RUN),
  );
  // The catalog runs whole: every layer, forward and gradients (depthwise ones through the DepthwiseConv2dNative kernels).
  const catalog = r.report.properties.find((p) => p.name.startsWith('for every layer of the real-layer catalog'));
  expect(catalog?.status).toBe('passed');
  expect(catalog?.notes.filter((n) => n.startsWith('not applicable, left out of the catalog'))).toEqual([]);
}, 180_000);

/** Runs the CLI in this process (from source), with captured streams. */
async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let [stdout, stderr] = ['', ''];
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

const NAN_BOTH =
  'for any zero-padded case with NaN or ±Inf in both input and weight, they reach exactly the outputs whose real taps read them';

test('convproof verify --browser --impl tfjs:webgpu: flags reach the page, a wrong declaration fails with a replay, --json is written', async () => {
  const json = join(work, 'report.json');
  const held = await cli([
    'verify',
    '--browser',
    '--impl',
    'tfjs:webgpu',
    '--property',
    'for any case, every output is within the error bound of the float64 model',
    '--runs',
    '30',
    '--seed',
    '5',
    '--json',
    json,
    '--log',
    join(work, 'progress.log'),
  ]);
  expect(held.code, held.stdout + held.stderr).toBe(0);
  expect(held.stdout).toMatch(/^browser: Chromium [\d.]+; adapter tfjs-webgpu; WebGPU adapter /m);
  expect(held.stdout).toMatch(/every property held: 1 property, 1 held/);
  const written = JSON.parse(readFileSync(json, 'utf8')) as VerifyReport & { implementation: string; browser: object };
  expect(written.implementation).toBe('tfjs:webgpu');
  expect(written.seed).toBe(5);
  expect(written.properties.map((p) => [p.runs, p.status])).toEqual([[30, 'passed']]);
  expect(written.browser).toMatchObject({
    adapter: 'tfjs-webgpu',
    backend: 'webgpu',
    gpu: { vendor: expect.any(String) },
  });

  // Declaring the wrong padded convention: webgpu's depthwise kernel skips padded taps, so 'multiply' fails.
  const failed = await cli([
    'verify',
    '--browser',
    '--impl',
    'tfjs:webgpu',
    '--property',
    NAN_BOTH,
    '--padded',
    'multiply',
    '--seed',
    '1',
  ]);
  expect(failed.code, failed.stdout + failed.stderr).toBe(1);
  expect(failed.stdout).toMatch(
    /replay: convproof verify --browser --impl tfjs:webgpu .*--padded multiply .*--seed 1 --path /,
  );
}, 90_000);

test('a named implementation without --browser, or an unknown name, is a usage error', async () => {
  const plain = await cli(['verify', '--impl', 'tfjs:webgpu']);
  expect(plain.code).toBe(2);
  expect(plain.stderr).toMatch(/tfjs:webgpu names a shipped adapter that runs in a browser page: add --browser/);
  const unknown = await cli(['verify', '--browser', '--impl', 'tfjs:webgl2']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(
    /no implementation named "tfjs:webgl2"; the names are tfjs:cpu, .*onnxruntime-web:webgpu/,
  );
});

test('without WebGPU (Chromium started without --enable-unsafe-webgpu) the run fails and names the switch', async () => {
  const module = await writeNamedModule(namedImpl('tfjs:webgpu'), process.cwd());
  const bundle = await bundlePage({ impl: module.path, probe: module.path, bundler: 'esbuild' });
  const session = await openChromium(); // no WEBGPU_ARGS
  try {
    await expect(session.run(bundle, { verify: { runs: 1 }, timeoutMs: 60_000 })).rejects.toThrow(
      /WebGPU is unavailable in this Chromium: .*--enable-unsafe-webgpu/,
    );
  } finally {
    await session.close();
    await bundle.dispose();
    await module.dispose();
  }
}, 90_000);
