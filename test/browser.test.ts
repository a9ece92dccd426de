/**
 * `convproof/properties` in a browser: a page that runs `verify` on
 * convproof's own conv is bundled with esbuild and with Vite's build API
 * (no externals), served from 127.0.0.1 and opened in the machine's
 * headless Chromium (playwright-core driving /usr/bin/chromium; no browser
 * is downloaded). Every property the suite runs without an oracle must run
 * there and hold, the WebAssembly SIMD kernels must be the ones that ran,
 * and the TensorFlow.js oracles must be in the bundle but never fetched.
 *
 * No Chromium is a failure, not a skip: the error says how to install it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registry, suiteEnv, type VerifyReport } from '../properties/index.js';
import { bundlePage, type Bundler, type PageBundle } from '../tools/browser/bundle.js';
import type { PageOptions } from '../tools/browser/page.js';
import {
  findChromium,
  openChromium,
  verifyInBrowser,
  type BrowserRunResult,
  type ChromiumSession,
} from '../tools/browser/run.js';

const env = suiteEnv();

/** What the page is asked to run: the quick profile, the run's seed and dtype. */
const options = { profile: 'quick', seed: env.seed, dtype: env.dtype } as const;

/** The properties `verify` runs with no oracle and the default groups (all but 'errors' and 'oracle'). */
const expected = registry.filter((p) => p.group !== 'errors' && p.group !== 'oracle').map((p) => p.name);

function failures(report: VerifyReport): string[] {
  return report.properties
    .filter((p) => p.status === 'failed')
    .map((p) => `${p.name}: ${p.failure?.message}\n  ${p.failure?.replay}`);
}

/** Output files holding a TensorFlow.js module. */
function tfjsFiles(r: BrowserRunResult): string[] {
  return r.bundle.files.filter((f) => f.modules.some((m) => m.includes('@tensorflow/'))).map((f) => f.file);
}

// Both pages are bundled, and Chromium launched, once and side by side; each test awaits what it needs
// (no Chromium: every browser test fails with the message saying how to install it).
const bundles = new Map<Bundler, Promise<PageBundle>>();
let session: Promise<ChromiumSession> | undefined;

/** Starts `work` now; its failure is reported by whichever test awaits it, not as an unhandled rejection. */
function started<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

beforeAll(() => {
  for (const bundler of ['esbuild', 'vite'] as const) {
    bundles.set(bundler, started(bundlePage({ impl: 'src/index.ts', probe: 'test/browser/probe.ts', bundler })));
  }
  session = started(openChromium());
});

afterAll(async () => {
  await (await session?.catch(() => undefined))?.close();
  for (const b of bundles.values()) await (await b.catch(() => undefined))?.dispose();
});

async function run(bundler: Bundler, verify: PageOptions = options): Promise<BrowserRunResult> {
  const bundle = await bundles.get(bundler)!;
  const r = await (await session!).run(bundle, { verify, timeoutMs: 60_000 });
  const entry = r.bundle.files.find((f) => f.entry);
  console.log(
    `${bundler}: bundled in ${r.bundle.timeMs.toFixed(0)} ms, entry ${entry?.file} ${entry?.bytes} B, ` +
      `${r.bundle.files.length} files; ${r.browser}: verify ${r.report.timeMs.toFixed(0)} ms, ` +
      `page ${r.pageMs.toFixed(0)} ms (seed ${r.report.seed})`,
  );
  return r;
}

describe.each(['esbuild', 'vite'] as const)('verify in headless Chromium, page bundled with %s', (bundler) => {
  test('every property runs and holds, on the WebAssembly SIMD kernels, with the oracles bundled but not loaded', async () => {
    const r = await run(bundler);

    // The bundler reached nothing it could not bundle for a browser (a Node built-in would warn or fail).
    expect(r.bundle.warnings).toEqual([]);
    expect(r.bundle.files.flatMap((f) => f.externals)).toEqual([]);

    // The report: every property of the default groups ran cases in the page and held.
    expect(failures(r.report)).toEqual([]);
    expect(r.report.ok).toBe(true);
    expect(r.report.profile).toBe('quick');
    const ran = r.report.properties.filter((p) => p.status === 'passed');
    expect(ran.map((p) => p.name).sort()).toEqual([...expected].sort());
    for (const p of ran) expect(p.runs, p.name).toBeGreaterThan(0);

    // The page's engine has WebAssembly SIMD, and convproof's kernels there are the wasm ones.
    expect(r.environment.userAgent).toMatch(/Chrome\//);
    expect(r.environment.webAssemblySimd).toBe(true);
    // The run itself took them: the default backend's fast-kernel count grew during verify.
    const [before, after] = [r.probe.before, r.probe.after] as { kernels: string; fast: number }[];
    expect(before.kernels).toBe('wasm');
    expect(after.kernels).toBe('wasm');
    expect(after.fast).toBeGreaterThan(before.fast);

    // No externals: tfjs is in the output, outside the entry chunk, and the page fetched none of it.
    const entries = r.bundle.files.filter((f) => f.entry);
    expect(entries).toHaveLength(1);
    const tfjs = tfjsFiles(r);
    expect(tfjs.length).toBeGreaterThan(0);
    expect(tfjs).not.toContain(entries[0].file);
    const fetched = r.requests.map((u) => u.split('?')[0].split('/').pop());
    expect(fetched).toContain('index.html');
    expect(fetched.filter((f) => tfjs.includes(f ?? ''))).toEqual([]);
  }, 90_000);
});

test('an oracle named in the page is fetched lazily and runs there: the oracle properties hold against tfjs-cpu', async () => {
  const r = await run('esbuild', { ...options, groups: ['oracle'], oracles: ['cpu'], runs: 20 });
  expect(r.report.oracles).toEqual([{ name: 'tfjs-cpu', ready: true }]);
  expect(failures(r.report)).toEqual([]);
  const oracleProperties = registry.filter((p) => p.group === 'oracle').map((p) => p.name);
  expect(r.report.properties.map((p) => [p.name, p.status])).toEqual(oracleProperties.map((n) => [n, 'passed']));
  for (const p of r.report.properties) expect(p.runs, p.name).toBeGreaterThan(0);
  // The tfjs chunks came from the local server, after the entry.
  const fetched = r.requests.map((u) => u.split('/').pop());
  expect(fetched.filter((f) => tfjsFiles(r).includes(f ?? '')).length).toBeGreaterThan(0);
}, 90_000);

test('with no Chromium at the path, a browser run fails and says how to install one', async () => {
  const run = verifyInBrowser({
    page: { impl: 'src/index.ts', bundler: 'esbuild' },
    chromium: '/nonexistent/chromium',
  });
  await expect(run).rejects.toThrow(/not found \(looked for \/nonexistent\/chromium\).*apt-get install -y chromium/);
  expect(() => findChromium(undefined, { CONVPROOF_CHROMIUM: '/nonexistent/chromium' })).toThrow(/apt-get install/);
});
