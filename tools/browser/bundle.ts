/**
 * Bundles a page that runs `verify` in a browser, with esbuild or with
 * Vite's build API, and no externals: everything the page reaches is in the
 * output folder. The page's entry is generated: it imports the
 * implementation module (and an optional probe module) and hands them to
 * `runInPage` (./page.ts).
 *
 * esbuild and Vite are dev dependencies: they are imported only when a
 * bundle is asked for.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The two bundlers a page can be built with. */
export type Bundler = 'esbuild' | 'vite';

/**
 * What to put in the page.
 * @example { impl: 'src/index.ts', probe: 'test/browser/probe.ts', bundler: 'vite' }
 */
export interface PageSpec {
  /** Path of the module under test (exports `conv2d`, …), absolute or relative to the working directory. */
  readonly impl: string;
  /** Path of a module whose default export is a function the page calls before and after the run. */
  readonly probe?: string;
  readonly bundler: Bundler;
  /** Minify the output (default true, as a user's production build would). */
  readonly minify?: boolean;
  /**
   * Run the implementation isolated: bundled into a module worker that serves it
   * (`serveIsolated`), the page `isolate`s that worker with this deadline per call
   * (`convproof/properties/browser`). The probe still runs in the page.
   */
  readonly isolate?: { readonly timeoutMs: number };
}

/** One output file of a bundle. */
export interface BundleFile {
  /** Path relative to the bundle's folder, with '/'. */
  readonly file: string;
  readonly bytes: number;
  /** True for the file the page loads first (the entry chunk). */
  readonly entry: boolean;
  /** Source modules inside it, as paths with '/' (packages keep their `node_modules/…` part). */
  readonly modules: readonly string[];
  /** What it imports from outside the bundle (a bare or `node:` specifier left to the runtime); none in a self-contained page. */
  readonly externals: readonly string[];
}

/**
 * A built page: serve `dir` and open `index.html`.
 * @example const b = await bundlePage({ impl: 'src/index.ts', bundler: 'esbuild' }); b.files.find((f) => f.entry)?.bytes
 */
export interface PageBundle {
  readonly dir: string;
  readonly files: readonly BundleFile[];
  /** The bundler's warnings, one line each (a Node built-in reached, a dynamic import it could not follow, …). */
  readonly warnings: readonly string[];
  readonly timeMs: number;
  /** Removes the bundle and its sources. */
  dispose(): Promise<void>;
}

/** page.ts beside this file when run from source, page.js when run from dist/. */
const PAGE_MODULE = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './page.ts' : './page.js', import.meta.url),
);

/** properties/browser/index: the browser isolation entry, from source or from dist/ like PAGE_MODULE. */
const BROWSER_MODULE = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? '../../properties/browser/index.ts' : '../../properties/browser/index.js',
    import.meta.url,
  ),
);

/** The generated entry: import the module under test and run `verify` on it. */
export function entrySource(spec: Pick<PageSpec, 'impl' | 'probe' | 'isolate'>, bundler: Bundler = 'esbuild'): string {
  if (spec.isolate) return isolatedEntrySource(spec, spec.isolate.timeoutMs, bundler);
  const lines = [
    `import * as impl from ${JSON.stringify(resolve(spec.impl))};`,
    `import { runInPage } from ${JSON.stringify(PAGE_MODULE)};`,
  ];
  if (spec.probe) lines.push(`import probe from ${JSON.stringify(resolve(spec.probe))};`);
  lines.push(`runInPage(impl${spec.probe ? ', probe' : ''});`, '');
  return lines.join('\n');
}

/**
 * The page's entry of an isolated run: start the worker (worker.ts beside it) with
 * `isolate` and run `verify` on what it serves. esbuild bundles the worker as an entry of
 * its own (worker.js in the output); Vite bundles it from the `new Worker(new URL(…))` form.
 */
function isolatedEntrySource(spec: Pick<PageSpec, 'probe'>, timeoutMs: number, bundler: Bundler): string {
  const worker =
    bundler === 'vite'
      ? "() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })"
      : "new URL('./worker.js', import.meta.url)";
  const lines = [
    `import { isolate } from ${JSON.stringify(BROWSER_MODULE)};`,
    `import { runInPage } from ${JSON.stringify(PAGE_MODULE)};`,
  ];
  if (spec.probe) lines.push(`import probe from ${JSON.stringify(resolve(spec.probe))};`);
  lines.push(
    `const impl = await isolate({ worker: ${worker}, timeoutMs: ${JSON.stringify(timeoutMs)} });`,
    `try { await runInPage(impl${spec.probe ? ', probe' : ''}); } finally { await impl.close(); }`,
    '',
  );
  return lines.join('\n');
}

/** The generated worker of an isolated run: serve the module under test to the page. */
export function workerSource(spec: Pick<PageSpec, 'impl'>): string {
  return [
    `import * as impl from ${JSON.stringify(resolve(spec.impl))};`,
    `import { serveIsolated } from ${JSON.stringify(BROWSER_MODULE)};`,
    'serveIsolated(impl);',
    '',
  ].join('\n');
}

const HTML = (script: string) =>
  `<!doctype html>\n<html><head><meta charset="utf-8"><title>convproof verify</title></head>\n` +
  `<body><script type="module" src="${script}"></script></body></html>\n`;

/** A repository-relative module name: `node_modules/pkg/…` or the path under the working directory. */
function moduleName(id: string): string {
  const path = id.replace(/\\/g, '/').replace(/^\0/, '');
  const at = path.lastIndexOf('node_modules/');
  if (at >= 0) return path.slice(at);
  const cwd = `${process.cwd().replace(/\\/g, '/')}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

async function withEsbuild(
  src: string,
  out: string,
  minify: boolean,
  worker: boolean,
): Promise<Omit<PageBundle, 'dir' | 'dispose'>> {
  const esbuild = await import('esbuild');
  const start = performance.now();
  const result = await esbuild.build({
    entryPoints: { main: join(src, 'entry.ts'), ...(worker ? { worker: join(src, 'worker.ts') } : {}) },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    splitting: true, // keeps the lazily imported oracles in chunks of their own
    minify,
    outdir: out,
    metafile: true,
    logLevel: 'silent',
  });
  await writeFile(join(out, 'index.html'), HTML('./main.js'));
  const files = Object.entries(result.metafile.outputs).map(([file, o]) => ({
    file: file.replace(/\\/g, '/').split('/').pop() ?? file,
    bytes: o.bytes,
    entry: o.entryPoint?.replace(/\\/g, '/').endsWith('/entry.ts') ?? false, // dynamic-import chunks have an entryPoint too
    modules: Object.keys(o.inputs).map((m) => moduleName(resolve(m))),
    externals: o.imports.filter((i) => i.external).map((i) => i.path),
  }));
  const warnings = result.warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`);
  return { files, warnings, timeMs: performance.now() - start };
}

/**
 * A Vite plugin that reports any of our own modules (outside node_modules)
 * reaching a Node built-in: Vite would quietly swap in an empty stub
 * (`__vite-browser-external`) that throws only when the page touches it.
 * Packages' own uses stay theirs to map (their `browser` fields do).
 */
function nodeBuiltinGuard(warnings: string[]): import('vite').Plugin {
  const builtins = new Set(builtinModules);
  return {
    name: 'convproof:no-node-built-ins',
    enforce: 'pre',
    resolveId(source, importer) {
      const builtin = source.startsWith('node:') || builtins.has(source);
      if (builtin && importer && !importer.replace(/\\/g, '/').includes('/node_modules/')) {
        warnings.push(`${moduleName(importer)}: imports the Node built-in '${source}'`);
      }
      return null;
    },
  };
}

async function withVite(src: string, out: string, minify: boolean): Promise<Omit<PageBundle, 'dir' | 'dispose'>> {
  // A worker (isolated runs) is bundled by Vite from the entry's `new Worker(new URL(…))`, as an ES module.
  const vite = await import('vite');
  const warnings: string[] = [];
  const logger = vite.createLogger('warn');
  const start = performance.now();
  await writeFile(join(src, 'index.html'), HTML('./entry.ts'));
  const built = await vite.build({
    root: src,
    configFile: false,
    envDir: false,
    logLevel: 'silent',
    customLogger: { ...logger, warn: (m) => warnings.push(m), warnOnce: (m) => warnings.push(m) },
    plugins: [nodeBuiltinGuard(warnings)],
    build: { outDir: out, emptyOutDir: true, minify, reportCompressedSize: false, target: 'es2022' },
    worker: { format: 'es', plugins: () => [nodeBuiltinGuard(warnings)] },
  });
  const outputs = (Array.isArray(built) ? built : [built]).flatMap((b) => ('output' in b ? b.output : []));
  const names = new Set(outputs.map((o) => o.fileName));
  const files = outputs.map((o) => ({
    file: o.fileName,
    bytes:
      o.type === 'chunk'
        ? Buffer.byteLength(o.code)
        : typeof o.source === 'string'
          ? o.source.length
          : o.source.byteLength,
    entry: o.type === 'chunk' && o.isEntry,
    modules: o.type === 'chunk' ? o.moduleIds.map(moduleName) : [],
    externals: o.type === 'chunk' ? [...o.imports, ...o.dynamicImports].filter((i) => !names.has(i)) : [],
  }));
  return { files, warnings, timeMs: performance.now() - start };
}

/**
 * Bundles a page that runs `verify` on `spec.impl`, into a fresh temporary
 * folder (`dispose()` removes it).
 * @example
 * const page = await bundlePage({ impl: 'src/index.ts', bundler: 'vite' });
 * try { … serve page.dir … } finally { await page.dispose(); }
 */
export async function bundlePage(spec: PageSpec): Promise<PageBundle> {
  const root = await mkdtemp(join(tmpdir(), 'convproof-page-'));
  const src = join(root, 'src');
  const out = join(root, 'out');
  await mkdir(src);
  await writeFile(join(src, 'entry.ts'), entrySource(spec, spec.bundler));
  if (spec.isolate) await writeFile(join(src, 'worker.ts'), workerSource(spec));
  try {
    const minify = spec.minify ?? true;
    const done =
      spec.bundler === 'vite'
        ? await withVite(src, out, minify)
        : await withEsbuild(src, out, minify, spec.isolate !== undefined);
    return { ...done, dir: out, dispose: () => rm(root, { recursive: true, force: true }) };
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    throw e;
  }
}
