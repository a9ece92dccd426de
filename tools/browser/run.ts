/**
 * Runs `verify` inside headless Chromium: bundle a page (./bundle.ts), serve
 * it on 127.0.0.1 from a random port, open it with `playwright-core` driving
 * the Chromium installed on the machine (never a downloaded browser), and
 * collect the progress and the report the page posts back (./page.ts).
 * This is the engine a `convproof verify --browser` command stands on.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { VerifyReport } from '../../properties/index.js';
import type { ProgressEvent } from '../../properties/verify.js';
import { bundlePage, type PageBundle, type PageSpec } from './bundle.js';
import { namedImpl, writeNamedModule } from './named.js';
import { HOST_BINDING, OPTIONS_PARAM, type PageEnvironment, type PageMessage, type PageOptions } from './page.js';

/** Where Debian and Ubuntu put Chromium. */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The Chromium to run: `explicit`, else `CONVPROOF_CHROMIUM`, else the first
 * of `CHROMIUM_PATHS` that exists. Throws, saying how to install it, when
 * there is none: a browser run is never skipped silently.
 * @example findChromium() // '/usr/bin/chromium'
 */
export function findChromium(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const named = explicit ?? env.CONVPROOF_CHROMIUM;
  const candidates = named ? [named] : CHROMIUM_PATHS;
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  throw new Error(
    `headless Chromium not found (looked for ${candidates.join(', ')}). ` +
      'Install it: apt-get install -y chromium (Debian/Ubuntu, as root), ' +
      'or name an installed one with CONVPROOF_CHROMIUM=/path/to/chromium.',
  );
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.map': 'application/json',
};

/**
 * A static file server for `dir` on 127.0.0.1, on a port the system picks.
 * @example const s = await serveDirectory(page.dir); … await s.close();
 */
export async function serveDirectory(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const root = normalize(dir + sep);
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/**
 * How to run one page: the options of `verify` there, a time limit, a
 * progress callback.
 * @example { verify: { profile: 'quick', seed: 1 }, timeoutMs: 60_000 }
 */
export interface PageRunOptions {
  readonly verify?: PageOptions;
  /** The page's limit, from opening it to its report (default 120 s). */
  readonly timeoutMs?: number;
  /** The longest wait for the page's next message (default: no limit but `timeoutMs`). */
  readonly idleMs?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Each line the page writes to its console, with its type (`'log'`, `'warning'`, `'error'`, …). */
  readonly onConsole?: (type: string, text: string) => void;
}

/**
 * What came back from the page, with what it took.
 * @example const r = await session.run(bundle, {}); r.report.ok && r.environment.webAssemblySimd
 */
export interface BrowserRunResult {
  readonly report: VerifyReport;
  readonly probe: { readonly before: unknown; readonly after: unknown };
  readonly environment: PageEnvironment;
  readonly bundle: Pick<PageBundle, 'files' | 'warnings' | 'timeMs'>;
  /** Paths the page requested from the server, in order. */
  readonly requests: readonly string[];
  /** The browser's version string. */
  readonly browser: string;
  /** Milliseconds from opening the page to its report. */
  readonly pageMs: number;
}

/**
 * One headless Chromium, to run any number of bundled pages in.
 * @example const s = await openChromium(); try { await s.run(bundle, {}); } finally { await s.close(); }
 */
export interface ChromiumSession {
  /** Serves `bundle.dir` on 127.0.0.1 and runs its page in a fresh browser context. */
  run(bundle: PageBundle, options: PageRunOptions): Promise<BrowserRunResult>;
  close(): Promise<void>;
}

/**
 * Launches the machine's Chromium headless (`findChromium(path)`), driven
 * by playwright-core; no browser is ever downloaded. In each page, requests
 * that leave the local server are refused, so the page runs on what was
 * bundled and nothing else. `args` are extra command-line switches (e.g.
 * `WEBGPU_ARGS`).
 * @example const session = await openChromium('/usr/bin/chromium', WEBGPU_ARGS);
 */
export async function openChromium(path?: string, args: readonly string[] = []): Promise<ChromiumSession> {
  const executablePath = findChromium(path);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: [...args] });
  return {
    run: (bundle, options) => runPage(browser, bundle, options),
    close: () => browser.close(),
  };
}

async function runPage(
  browser: import('playwright-core').Browser,
  bundle: PageBundle,
  options: PageRunOptions,
): Promise<BrowserRunResult> {
  const server = await serveDirectory(bundle.dir);
  const context = await browser.newContext();
  try {
    const start = performance.now();
    const requests: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (!url.startsWith(server.url)) return route.abort();
      requests.push(url.slice(server.url.length - 1));
      return route.continue();
    });
    const page = await context.newPage();
    if (options.onConsole) page.on('console', (m) => options.onConsole?.(m.type(), m.text()));
    const { done } = await listen(page, options);
    const query = new URLSearchParams({ [OPTIONS_PARAM]: JSON.stringify(options.verify ?? {}) });
    // The page runs verify as it loads: wait for the navigation only, then for its report (`done`), however long.
    await page.goto(`${server.url}index.html?${query}`, { waitUntil: 'commit' });
    const message = await done;
    return {
      report: message.report,
      probe: message.probe,
      environment: message.environment,
      bundle: { files: bundle.files, warnings: bundle.warnings, timeMs: bundle.timeMs },
      requests,
      browser: browser.version(),
      pageMs: performance.now() - start,
    };
  } finally {
    await context.close();
    await server.close();
  }
}

/**
 * A one-shot browser run: the page to bundle (a module, or a named
 * implementation such as `'tfjs:webgpu'`), the browser, and the page's options.
 * @example { page: { impl: 'src/index.ts', bundler: 'esbuild' }, verify: { profile: 'quick', seed: 1 } }
 * @example { impl: 'tfjs:webgpu', verify: { profile: 'quick', seed: 1 } }
 */
export interface BrowserRunOptions extends PageRunOptions {
  /** A module to bundle (give this or `impl`). */
  readonly page?: PageSpec;
  /**
   * A named implementation (`IMPL_NAMES` of ./named.ts: `'tfjs:webgpu'`, `'onnxruntime-web:wasm'`, …): the shipped
   * adapter with its known defects pinned, bundled with esbuild; WebGPU is switched on when the name needs it.
   */
  readonly impl?: string;
  /** Where a named implementation's packages are looked for first (default: the working directory). */
  readonly cwd?: string;
  /** Path of the Chromium executable (default: `findChromium()`). */
  readonly chromium?: string;
  /** Extra Chromium switches (e.g. `WEBGPU_ARGS`). */
  readonly args?: readonly string[];
}

/**
 * The switch that exposes WebGPU (`navigator.gpu`) in headless Chromium on
 * Linux; where the machine has no GPU, Chromium's software adapter
 * (SwiftShader) serves it — no other switch is needed (measured on Chromium 156).
 */
export const WEBGPU_ARGS: readonly string[] = ['--enable-unsafe-webgpu'];

/**
 * Bundles the page, opens it in headless Chromium and returns the report
 * `verify` produced there (`bundlePage`, then `openChromium().run`). A named
 * implementation's probe answers `{ gpu, adapter, backend }` (the GPU adapter, null
 * without WebGPU, and the backend that ran) in `result.probe`.
 *
 * @example
 * const r = await verifyInBrowser({ page: { impl: 'src/index.ts', bundler: 'esbuild' }, verify: { profile: 'quick' } });
 * console.log(formatReport(r.report));
 * @example
 * const r = await verifyInBrowser({ impl: 'tfjs:webgpu', verify: { profile: 'quick', seed: 1 } }); // throws "WebGPU is unavailable in this Chromium: …" without it
 */
export async function verifyInBrowser(options: BrowserRunOptions): Promise<BrowserRunResult> {
  findChromium(options.chromium); // before bundling: a missing browser says so at once
  const named = options.impl === undefined ? null : namedImpl(options.impl);
  if (!named && !options.page) throw new Error('verifyInBrowser: give page (a module to bundle) or impl (a name)');
  const module = named ? await writeNamedModule(named, options.cwd ?? process.cwd()) : null;
  try {
    const spec = module ? { impl: module.path, probe: module.path, bundler: 'esbuild' as const } : options.page!;
    const bundle = await bundlePage(spec);
    try {
      await module?.addRuntimeFiles(bundle.dir);
      const args = [...(named?.webgpu ? WEBGPU_ARGS : []), ...(options.args ?? [])];
      const session = await openChromium(options.chromium, args);
      try {
        return await session.run(bundle, options);
      } finally {
        await session.close();
      }
    } finally {
      await bundle.dispose();
    }
  } finally {
    await module?.dispose();
  }
}

type DoneMessage = Extract<PageMessage, { type: 'done' }>;

/**
 * Installs the host binding; `done` resolves with the page's `done` message
 * and rejects on its `error`, an uncaught page error, a crash or the timeout.
 */
async function listen(
  page: import('playwright-core').Page,
  options: PageRunOptions,
): Promise<{ done: Promise<DoneMessage> }> {
  const limit = options.timeoutMs ?? 120_000;
  let last = 'before the first property';
  let settle: { resolve(m: DoneMessage): void; reject(e: Error): void } | undefined;
  const done = new Promise<DoneMessage>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const timer = setTimeout(() => fail(`the page did not report within ${limit / 1000} s (last seen: ${last})`), limit);
  let idle: ReturnType<typeof setTimeout> | undefined;
  const waitNext = () => {
    clearTimeout(idle);
    const ms = options.idleMs;
    if (ms !== undefined)
      idle = setTimeout(() => fail(`the page went ${ms / 1000} s without a message (last seen: ${last})`), ms);
  };
  waitNext();
  function fail(why: string): void {
    clearTimeout(timer);
    clearTimeout(idle);
    settle?.reject(new Error(why));
  }
  page.on('pageerror', (e) => fail(`uncaught error in the page: ${e.stack ?? e.message}`));
  page.on('crash', () => fail(`the page crashed (last seen: ${last})`));
  await page.exposeFunction(HOST_BINDING, (m: PageMessage) => {
    waitNext();
    if (m.type === 'progress') {
      last = `${m.event.phase} of "${m.event.property}"`;
      options.onProgress?.(m.event);
    } else if (m.type === 'error') fail(`verify threw in the page: ${m.message}`);
    else {
      clearTimeout(timer);
      clearTimeout(idle);
      settle?.resolve(m);
    }
  });
  return { done };
}
