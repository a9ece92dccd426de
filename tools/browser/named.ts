/**
 * Named implementations: `tfjs:<backend>` (cpu, wasm, webgl, webgpu) and
 * `onnxruntime-web:<provider>` (wasm, webgpu) resolve to the shipped
 * adapters (convproof/adapters) with their declared support, conventions
 * and known defects pinned. For a page, a small module is generated that
 * imports the library (only the named backend's packages get bundled) and
 * readies it through ./named-page.ts; the runtime files the library fetches
 * by itself (`.wasm`, onnxruntime's loader) are linked into the bundle's folder.
 *
 * The generated module is written under `<base>/node_modules/.cache/convproof/`,
 * so that its bare imports resolve from the project that installed the libraries.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every name `--impl` takes besides a module path. */
export const IMPL_NAMES = [
  'tfjs:cpu',
  'tfjs:wasm',
  'tfjs:webgl',
  'tfjs:webgpu',
  'onnxruntime-web:wasm',
  'onnxruntime-web:webgpu',
] as const;

/** One of `IMPL_NAMES`. */
export type ImplName = (typeof IMPL_NAMES)[number];

/**
 * A named implementation, resolved.
 * @example namedImpl('tfjs:webgpu') // { name: 'tfjs:webgpu', library: 'tfjs', backend: 'webgpu', webgpu: true, packages: [...] }
 */
export interface NamedImpl {
  readonly name: ImplName;
  readonly library: 'tfjs' | 'onnxruntime-web';
  readonly backend: string;
  /** True when the page needs WebGPU (Chromium started with `WEBGPU_ARGS`). */
  readonly webgpu: boolean;
  /** The npm packages the page imports. */
  readonly packages: readonly string[];
}

/**
 * True for a string that means a named implementation rather than a module
 * path (`library:backend`, a library convproof ships an adapter for).
 * @example looksNamed('tfjs:webgpu') // true; looksNamed('./mine.mjs') // false
 */
export function looksNamed(impl: string): boolean {
  return /^(tfjs|onnxruntime-web):/.test(impl);
}

/**
 * Resolves a name; throws, listing the names, for an unknown one.
 * @example namedImpl('onnxruntime-web:webgpu').packages // ['onnxruntime-web']
 */
export function namedImpl(impl: string): NamedImpl {
  const name = IMPL_NAMES.find((n) => n === impl);
  if (!name) throw new Error(`no implementation named ${JSON.stringify(impl)}; the names are ${IMPL_NAMES.join(', ')}`);
  const [library, backend] = name.split(':') as ['tfjs' | 'onnxruntime-web', string];
  const packages =
    library === 'tfjs' ? ['@tensorflow/tfjs-core', `@tensorflow/tfjs-backend-${backend}`] : ['onnxruntime-web'];
  return { name, library, backend, webgpu: backend === 'webgpu', packages };
}

/** named-page.ts beside this file when run from source, named-page.js when run from dist/. */
const SETUP_MODULE = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './named-page.ts' : './named-page.js', import.meta.url),
);

/** The package folder this file belongs to (convproof's root, from source or from dist/). */
const OWN_ROOT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../' : '../../../', import.meta.url));

/**
 * The folder whose node_modules holds every package of `n`: `cwd` first,
 * then convproof's own. Throws, with the install command, when neither does.
 * @example packageBase(namedImpl('tfjs:webgpu'), process.cwd()) // '/my/project'
 */
export function packageBase(n: NamedImpl, cwd: string): string {
  const has = (base: string) => n.packages.every((p) => existsSync(join(base, 'node_modules', p, 'package.json')));
  const base = [cwd, OWN_ROOT].find(has);
  if (base) return base;
  throw new Error(
    `${n.name} needs ${n.packages.join(' and ')}, installed neither in ${cwd} nor beside convproof: ` +
      `npm i -D ${n.packages.map((p) => (p === 'onnxruntime-web' ? p : `${p}@^4.22.0`)).join(' ')}`,
  );
}

/** The source of the generated page module: the library's imports, the ready adapter's exports, the probe. */
export function namedModuleSource(n: NamedImpl): string {
  const setup = JSON.stringify(SETUP_MODULE);
  const exports =
    'export const { name, supports, conventions, knownDefects, conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward } = impl;';
  if (n.library === 'tfjs') {
    const wasm = n.backend === 'wasm';
    return [
      `import * as tf from '@tensorflow/tfjs-core';`,
      wasm ? `import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';` : `import '${n.packages[1]}';`,
      `import { gpuFacts, tfjsInPage } from ${setup};`,
      `const impl = await tfjsInPage(tf, ${JSON.stringify(n.backend)}${wasm ? ', setWasmPaths' : ''});`,
      `const gpu = await gpuFacts();`,
      exports,
      // The adapter sets its backend before each of its calls (the tfjs-cpu oracle switches to cpu for its own), so
      // the backend its calls ran on is the one it was made for, whatever tf.getBackend() says after the run.
      `export default () => ({ gpu, adapter: impl.name, backend: ${JSON.stringify(n.backend)} });`,
      '',
    ].join('\n');
  }
  return [
    `import * as ort from 'onnxruntime-web/${n.backend}';`,
    `import { gpuFacts, onnxruntimeInPage } from ${setup};`,
    `const impl = await onnxruntimeInPage(ort, ${JSON.stringify(n.backend)});`,
    `const gpu = await gpuFacts();`,
    exports,
    `export default () => ({ gpu, adapter: impl.name, backend: ${JSON.stringify(n.backend)} });`,
    '',
  ].join('\n');
}

/** The files the library fetches at run time, which no bundler copies: [folder, file names]. */
function runtimeFiles(n: NamedImpl, base: string): [string, string[]] | null {
  const require = createRequire(join(base, 'package.json'));
  if (n.library === 'onnxruntime-web') {
    const dist = dirname(require.resolve('onnxruntime-web')); // the CommonJS entry sits in dist/
    const stem = n.backend === 'webgpu' ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
    return [dist, [`${stem}.mjs`, `${stem}.wasm`]];
  }
  if (n.backend !== 'wasm') return null;
  const dist = join(base, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  return [dist, ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']];
}

/**
 * A named implementation's page module, written to disk.
 * @example const m = await writeNamedModule(namedImpl('tfjs:webgpu'), process.cwd()); bundlePage({ impl: m.path, probe: m.path, bundler: 'esbuild' })
 */
export interface NamedModule {
  /** The generated module (its default export is the page's probe). */
  readonly path: string;
  /** Links (or copies) the library's runtime files into a bundle's folder. */
  addRuntimeFiles(dir: string): Promise<void>;
  /** Removes the generated module. */
  dispose(): Promise<void>;
}

/**
 * Writes the page module of `n` under the base folder's node_modules/.cache/convproof.
 * @example const m = await writeNamedModule(namedImpl('tfjs:webgpu'), process.cwd());
 */
export async function writeNamedModule(n: NamedImpl, cwd: string): Promise<NamedModule> {
  const base = packageBase(n, cwd);
  const folder = join(base, 'node_modules', '.cache', 'convproof');
  await mkdir(folder, { recursive: true });
  const path = join(folder, `page-${n.name.replace(':', '-')}-${process.pid}-${Date.now()}.mjs`);
  await writeFile(path, namedModuleSource(n));
  const files = runtimeFiles(n, base);
  return {
    path,
    addRuntimeFiles: async (dir) => {
      if (!files) return;
      for (const f of files[1]) {
        const from = join(files[0], f);
        await symlink(from, join(dir, f)).catch(() => copyFile(from, join(dir, f)));
      }
    },
    dispose: () => rm(path, { force: true }),
  };
}
