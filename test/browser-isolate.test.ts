/**
 * Isolation in a browser: a page bundled with the tools/browser runner runs
 * the implementation in a module Web Worker (`isolate` and `serveIsolated`
 * of convproof/properties/browser) and `verify`s it in the machine's headless
 * Chromium. The implementation (test/fixtures/faulty-hang-3x2.mjs) is correct
 * except that it never returns for a 3×2 kernel: the property that draws one
 * must fail with a 'timeout' fault on such a case, after the deadline, and
 * the run must go on with a fresh worker (the 1×1 property runs all its
 * cases and holds). Two more fixtures, bundled with esbuild, misbehave on
 * kernels taller than one row as in test/isolate.test.ts: an ArrayBuffer the
 * engine refuses gives 'memory', an exception thrown from a timer 'died'.
 *
 * No Chromium is a failure, not a skip (as in test/browser.test.ts).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { VerifyReport } from '../properties/index.js';
import { bundlePage, type Bundler, type PageBundle } from '../tools/browser/bundle.js';
import type { PageOptions } from '../tools/browser/page.js';
import { openChromium, type BrowserRunResult, type ChromiumSession } from '../tools/browser/run.js';

const BOUND = 'for any case, every output is within the error bound of the float64 model';
const ONE_BY_ONE = 'for any 1×1 kernel, the conv is a matrix product over channels at strided pixels';

let session: Promise<ChromiumSession> | undefined;
const bundles = new Map<string, Promise<PageBundle>>();
const PAGES: Record<string, { impl: string; bundler: Bundler }> = {
  'hang, esbuild': { impl: 'faulty-hang-3x2', bundler: 'esbuild' },
  'hang, vite': { impl: 'faulty-hang-3x2', bundler: 'vite' },
  alloc: { impl: 'faulty-alloc-browser', bundler: 'esbuild' },
  'async throw': { impl: 'faulty-async-throw', bundler: 'esbuild' },
  'heap full': { impl: 'faulty-memory', bundler: 'esbuild' },
};

/** Starts `work` now; its failure is reported by the test that awaits it, not as an unhandled rejection. */
function started<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

beforeAll(() => {
  for (const [key, { impl, bundler }] of Object.entries(PAGES)) {
    const spec = { impl: `test/fixtures/${impl}.mjs`, bundler, isolate: { timeoutMs: 1000 } };
    bundles.set(key, started(bundlePage(spec)));
  }
  session = started(openChromium());
});

afterAll(async () => {
  await (await session?.catch(() => undefined))?.close();
  for (const b of bundles.values()) await (await b.catch(() => undefined))?.dispose();
});

async function run(key: string, verify: PageOptions): Promise<BrowserRunResult> {
  const bundle = await bundles.get(key)!;
  const r = await (await session!).run(bundle, { verify, timeoutMs: 30_000 });
  console.log(
    `${key}, isolated: bundled in ${r.bundle.timeMs.toFixed(0)} ms; ${r.browser}: ` +
      `verify ${r.report.timeMs.toFixed(0)} ms, page ${r.pageMs.toFixed(0)} ms`,
  );
  expect(r.bundle.warnings).toEqual([]);
  expect(r.bundle.files.flatMap((f) => f.externals)).toEqual([]);
  // The page requested the worker's script: the implementation ran there, not in the page.
  expect(r.requests.some((u) => /worker[-\w]*\.js$/.test(u.split('?')[0]))).toBe(true);
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
    const r = await run(`hang, ${bundler}`, { profile: 'quick', seed: 1, properties: [BOUND, ONE_BY_ONE] });

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
  },
  30_000,
);

/** The faulty property failed on a tall kernel with `message`, unshrunk; the 1×1 property still ran and held. */
async function expectReported(key: string, kind: string, message: RegExp): Promise<void> {
  const r = await run(key, { seed: 1, runs: 30, properties: [BOUND, ONE_BY_ONE] });
  const bound = property(r.report, BOUND);
  expect(bound.status).toBe('failed');
  expect(bound.failure?.fault).toBe(kind);
  expect(bound.failure?.message).toMatch(message);
  expect(bound.failure?.shrinks).toBe(0);
  expect(bound.failure?.counterexample).toMatch(/weight \[\d+, \d+, [2-9], \d+\]/);
  expect(property(r.report, ONE_BY_ONE)).toMatchObject({ status: 'passed', runs: 30 });
}

test('an ArrayBuffer the engine refuses in the worker is reported as out of memory', async () => {
  await expectReported('alloc', 'memory', /^ran out of memory \(RangeError: Array buffer allocation failed\)/);
}, 30_000);

test('an exception thrown from a timer in the worker (nobody can catch it) is reported with its message', async () => {
  await expectReported('async throw', 'died', /^its thread died: RangeError: the backend lost its context/);
}, 30_000);

test("a worker whose heap fills up takes the page down with it (Chromium's behaviour, which docs/browser.md states): the runner reports the crash and the property", async () => {
  // A small V8 heap (the switch applies to the page's workers too) makes it quick; without it the same
  // happens once the default heap limit is reached.
  const small = await openChromium(undefined, ['--js-flags=--max-old-space-size=256']);
  try {
    const bundle = await bundles.get('heap full')!;
    const run = small.run(bundle, { verify: { seed: 1, runs: 30, properties: [BOUND] }, timeoutMs: 20_000 });
    await expect(run).rejects.toThrow(/^the page crashed \(last seen: \w+ of "for any case, every output is within/);
  } finally {
    await small.close();
  }
}, 30_000);
