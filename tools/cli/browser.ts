/**
 * `convproof verify --browser`: the same run, inside headless Chromium. The
 * page is bundled around the implementation (a named one such as
 * `tfjs:webgpu`, a module file, or convproof's own), Chromium is started
 * with WebGPU when the name needs it, progress comes back line by line, and
 * the report returns to verify.ts, which prints it as for a Node run.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OracleName } from '../../properties/oracles/index.js';
import type { Conventions, Supports } from '../../properties/support.js';
import type { VerifyReport } from '../../properties/verify.js';
import { NO_WEBGPU } from '../browser/named-page.js';
import { looksNamed } from '../browser/named.js';
import type { PageOptions } from '../browser/page.js';
import type { BrowserRunResult } from '../browser/run.js';
import { println, type CliContext } from './context.js';
import { createProgress, logProgress, teeProgress, type Progress } from './progress.js';
import { UsageError } from './usage.js';

/** What a browser run takes from the checked verify command line (verify.ts's VerifyArgs fits). */
export interface BrowserArgs {
  readonly impl: string | null;
  readonly profile: 'quick' | 'ci' | 'deep';
  readonly runs?: number;
  readonly seed?: number;
  readonly dtype: 'float32' | 'float64' | 'both';
  readonly properties?: readonly string[];
  readonly path?: string;
  readonly supports: Supports;
  readonly conventions: Conventions;
  readonly scaleWork?: number;
  readonly log: string;
}

/** The raw flags a browser run reads itself. */
export interface BrowserFlags {
  readonly browser?: boolean;
  readonly chromium?: string;
  readonly oracle?: string;
}

/** How long the page may go without a message (one property's run) before the run is called hung. */
const IDLE_MS = 15 * 60_000;

/** In a page only the tfjs-cpu oracle is bundled and served: `--oracle` may name it or none. */
function pageOracles(flag: string | undefined): OracleName[] {
  if (flag === undefined || flag === 'cpu') return ['cpu'];
  if (flag === 'none') return [];
  throw new UsageError('verify', `--oracle ${flag}: in --browser runs the oracle is cpu (the default) or none`);
}

/** convproof's own entry, from source or from dist/. */
function ownEntry(): string {
  const ts = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(ts ? '../../src/index.ts' : '../../src/index.js', import.meta.url));
}

function pageOptions(a: BrowserArgs, f: BrowserFlags): PageOptions {
  const head = [
    'convproof verify --browser',
    a.impl ? `--impl ${a.impl}` : '',
    f.chromium ? `--chromium ${f.chromium}` : '',
  ];
  return {
    profile: a.profile,
    dtype: a.dtype,
    oracles: pageOracles(f.oracle),
    supports: a.supports,
    conventions: a.conventions,
    replayCommand: head.filter(Boolean).join(' '),
    ...(a.runs !== undefined ? { runs: a.runs } : {}),
    ...(a.seed !== undefined ? { seed: a.seed } : {}),
    ...(a.properties ? { properties: a.properties } : {}),
    ...(a.path !== undefined ? { path: a.path } : {}),
    ...(a.scaleWork !== undefined ? { scaleWork: a.scaleWork } : {}),
  };
}

/** A page's failure as one line a user can act on (no WebGPU, no Chromium: what to do). */
function explain(e: unknown): Error {
  const text = e instanceof Error ? e.message : String(e);
  const at = text.indexOf(NO_WEBGPU);
  if (at >= 0) return new UsageError('verify', text.slice(at).split('\n')[0]);
  if (/not found \(looked for|no implementation named|needs .* installed neither/.test(text))
    return new UsageError('verify', text.split('\n')[0]);
  return new Error(`the browser run failed: ${text.split('\n').slice(0, 3).join(' / ')}`);
}

/** What the page ran on, in one line. */
function environmentLine(r: BrowserRunResult): string {
  const facts = r.probe.after as
    | { gpu?: { vendor: string; architecture: string; isFallbackAdapter: boolean } | null; adapter?: string }
    | undefined;
  const parts = [`Chromium ${r.browser}`];
  if (facts?.adapter) parts.push(`adapter ${facts.adapter}`);
  const gpu = facts?.gpu;
  if (gpu)
    parts.push(
      `WebGPU adapter ${gpu.vendor} ${gpu.architecture}${gpu.isFallbackAdapter ? ' (software fallback)' : ''}`,
    );
  parts.push(`page ${(r.pageMs / 1000).toFixed(1)} s, bundled in ${(r.bundle.timeMs / 1000).toFixed(1)} s`);
  return `browser: ${parts.join('; ')}`;
}

/**
 * Runs the suite in headless Chromium and returns its report (with a
 * `browser` field: the version, the GPU adapter and the adapter that ran).
 * Without `--browser`, a named implementation is a usage error.
 * @example const report = await browserSuite(args, { browser: true }, ctx);
 */
export async function browserSuite(a: BrowserArgs, f: BrowserFlags, ctx: CliContext): Promise<VerifyReport> {
  if (!f.browser)
    throw new UsageError(
      'verify',
      `--impl ${a.impl} names a shipped adapter that runs in a browser page: add --browser`,
    );
  const named = a.impl !== null && looksNamed(a.impl);
  const verify = pageOptions(a, f);
  const { verifyInBrowser } = await import('../browser/run.js');
  let progress: Progress = createProgress(ctx.stderr, ctx.env, 0);
  const onProgress = (e: import('../../properties/verify.js').ProgressEvent) => {
    if (e.phase === 'start' && e.index === 0) {
      progress = createProgress(ctx.stderr, ctx.env, e.total);
      if (!ctx.stdout.isTTY) progress = teeProgress(progress, logProgress(a.log, e.total));
    }
    if (e.phase === 'start') progress.start(e.index, e.property);
    else
      progress.finish(
        e.index,
        e.property,
        e.report ? e.report.status.replace('passed', 'held').replace('failed', 'FAILED') : 'done',
      );
  };
  if (ctx.stderr.isTTY) ctx.stderr.write('bundling the page and starting Chromium…\n');
  let result: BrowserRunResult;
  try {
    result = await verifyInBrowser({
      ...(named
        ? { impl: a.impl! }
        : { page: { impl: a.impl ? resolve(ctx.cwd, a.impl) : ownEntry(), bundler: 'esbuild' } }),
      ...(f.chromium !== undefined ? { chromium: f.chromium } : {}),
      cwd: ctx.cwd,
      verify,
      timeoutMs: 24 * 3600_000,
      idleMs: IDLE_MS,
      onProgress,
    });
  } catch (e) {
    throw explain(e);
  } finally {
    progress.close();
  }
  println(ctx.stdout, environmentLine(result));
  const { report } = result;
  return Object.assign({ ...report }, { browser: { version: result.browser, ...(result.probe.after as object) } });
}
