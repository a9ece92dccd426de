/**
 * Loading the implementation under test from a user's module file.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTIONS } from '../../properties/isolate-protocol.js';
import type { Conventions, Supports } from '../../properties/support.js';
import type { ConvExtras, ConvImplementation } from '../../properties/types.js';
import type { KnownDefect } from '../../adapters/defects.js';
import { knownDefectsOf } from './defects.js';
import { UsageError } from './usage.js';

const EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** The exports the suite uses: `conv2d`, the others when present, and the module's declarations. */
export type LoadedImplementation = ConvImplementation &
  ConvExtras & {
    readonly supports?: Supports;
    readonly conventions?: Conventions;
    /** Defects it knows it has: re-checked before the run, pinned while they reproduce. */
    readonly knownDefects?: readonly KnownDefect[];
  };

function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return text.split('\n')[0];
}

/** A CommonJS module arrives as `default`; an ES module with a default object export likewise. */
function exportsOf(mod: Record<string, unknown>): Record<string, unknown> {
  if (typeof mod.conv2d !== 'function' && mod.default !== null && typeof mod.default === 'object') {
    return mod.default as Record<string, unknown>;
  }
  return mod;
}

/**
 * Imports `path` (relative to `cwd`) and checks it exports `conv2d` and, if
 * present, the other functions of this package's API. Every problem becomes
 * a one-line `UsageError`.
 *
 * @example const impl = await loadImplementation('./my-conv.mjs', process.cwd());
 */
export async function loadImplementation(path: string, cwd: string): Promise<LoadedImplementation> {
  const file = resolve(cwd, path);
  if (!EXTENSIONS.includes(extname(file))) {
    throw new UsageError(
      'verify',
      `--impl must be a JavaScript module (.js, .mjs or .cjs), got ${path}; build TypeScript first`,
    );
  }
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError('verify', `--impl: no such file ${path}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError('verify', `--impl: importing ${path} failed: ${firstLine(e)}`);
  }
  const exported = exportsOf(mod);
  if (typeof exported.conv2d !== 'function') {
    const names = Object.keys(exported).filter((k) => k !== 'default');
    throw new UsageError(
      'verify',
      `--impl: ${path} does not export a conv2d function (its exports: ${names.length ? names.join(', ') : 'none'})`,
    );
  }
  for (const name of FUNCTIONS) {
    if (exported[name] !== undefined && typeof exported[name] !== 'function') {
      throw new UsageError(
        'verify',
        `--impl: ${path} exports ${name}, but as a ${typeof exported[name]}, not a function`,
      );
    }
  }
  const impl: Record<string, unknown> = {};
  for (const name of FUNCTIONS) if (exported[name] !== undefined) impl[name] = exported[name];
  for (const name of ['supports', 'conventions'] as const) {
    const v = exported[name];
    if (v === undefined) continue;
    if (v === null || typeof v !== 'object')
      throw new UsageError('verify', `--impl: ${path} exports ${name}, but as a ${typeof v}, not an object`);
    impl[name] = v;
  }
  if (exported.knownDefects !== undefined) impl.knownDefects = knownDefectsOf(exported.knownDefects, path);
  return impl as unknown as LoadedImplementation;
}
