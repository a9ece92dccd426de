/**
 * Isolation in a browser: a page bundled with the tools/browser runner runs
 * the implementation in a module Web Worker (`isolate` and `serveIsolated`
 * of convproof/properties/browser) and `verify`s it in the machine's headless
 * Chromium. The implementation (test/fixtures/faulty-hang-3x2.mjs) is correct
 * except that it never returns for a 3×2 kernel: the property that draws one
 * must fail with a 'timeout' fault on such a case, after the deadline, and
 * the run must go on with a fresh worker (the 1×1 property runs all its
 * cases and holds).
 *
 * No Chromium is a failure, not a skip (as in test/browser.test.ts).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { VerifyReport } from '../properties/index.js';
import { bundlePage, type Bundler, type PageBundle } from '../tools/browser/bundle.js';
import { openChromium, type BrowserRunResult, type ChromiumSession } from '../tools/browser/run.js';

const BOUND = 'for any case, every output is within the error bound of the float64 model';
const ONE_BY_ONE = 'for any 1×1 kernel, the conv is a matrix product over channels at strided pixels';

let session: Promise<ChromiumSession> | undefined;
const bundles = new Map<Bundler, Promise<PageBundle>>();

/** Starts `work` now; its failure is reported by the test that awaits it, not as an unhandled rejection. */
function started<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

beforeAll(() => {
  for (const bundler of ['esbuild', 'vite'] as const) {
    const spec = { impl: 'test/fixtures/faulty-hang-3x2.mjs', bundler, isolate: { timeoutMs: 1000 } } as const;
    bundles.set(bundler, started(bundlePage(spec)));
  }
  session = started(openChromium());
});

afterAll(async () => {
  await (await session?.catch(() => undefined))?.close();
  for (const b of bundles.values()) await (await b.catch(() => undefined))?.dispose();
});

async function run(bundler: Bundler): Promise<BrowserRunResult> {
  const bundle = await bundles.get(bundler)!;
  const verify = { profile: 'quick', seed: 1, properties: [BOUND, ONE_BY_ONE] } as const;
  const r = await (await session!).run(bundle, { verify, timeoutMs: 30_000 });
  console.log(
    `${bundler}, isolated: bundled in ${r.bundle.timeMs.toFixed(0)} ms; ${r.browser}: ` +
      `verify ${r.report.timeMs.toFixed(0)} ms, page ${r.pageMs.toFixed(0)} ms`,
  );
  return r;
}

function property(report: VerifyReport, name: string) {
  const p = report.properties.find((q) => q.name === name);
  if (!p) throw new Error(`${name} is missing from the report`);
  return p;
}

test.each(['esbuild', 'vite'] as const)(
  'page bundled with %s: a call that never returns in the worker fails its property with the case; the run goes on',
  async (bundler) => {
    const r = await run(bundler);
    expect(r.bundle.warnings).toEqual([]);
    expect(r.bundle.files.flatMap((f) => f.externals)).toEqual([]);

    const bound = property(r.report, BOUND);
    expect(bound.status).toBe('failed');
    expect(bound.failure?.fault).toBe('timeout');
    expect(bound.failure?.message).toMatch(/^conv2d did not return within 1 s/);
    // The case is reported as drawn (a fault is not shrunk) and has the one kernel shape that hangs.
    expect(bound.failure?.shrinks).toBe(0);
    expect(bound.failure?.counterexample).toMatch(/weight \[\d+, \d+, 3, 2\]/);
    // Re-run alone in a fresh worker, it hangs again.
    expect(bound.failure?.reproducedAlone).toBe(true);

    // The worker that hung was replaced: the next property ran every case of the quick profile and held.
    const oneByOne = property(r.report, ONE_BY_ONE);
    expect(oneByOne.status).toBe('passed');
    expect(oneByOne.runs).toBe(100);
    expect(r.report.ok).toBe(false);
    // The page requested the worker's script: the implementation ran there, not in the page.
    expect(r.requests.some((u) => /worker[-\w]*\.js$/.test(u.split('?')[0]))).toBe(true);
  },
  30_000,
);
