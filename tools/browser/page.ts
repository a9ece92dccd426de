/**
 * The page side of running `verify` in a browser: what a bundled page calls
 * with the implementation under test. It reads the run's options from the
 * page's query string (`?verify=<JSON of PageOptions>`), runs `verify`, and
 * posts progress and the report to the host that opened the page (the
 * `__convproofHost` binding the Chromium runner installs). Opened by hand,
 * with no host, it logs the same messages to the console.
 *
 * Browser code only: no Node built-in, nothing that needs a bundler's shims.
 *
 * @example
 * // page.ts, bundled with esbuild or Vite and opened as page.html?verify={"profile":"quick","seed":1}
 * import * as mine from './my-conv.js';
 * import { runInPage } from './tools/browser/page.js'; // inside this repository (bundlePage generates this entry)
 * await runInPage(mine);
 */
import {
  loadOracles,
  verify,
  type ConvImplementation,
  type VerifyOptions,
  type VerifyReport,
} from '../../properties/index.js';
import type { OracleName } from '../../properties/oracles/index.js';
import { mergeSupports } from '../../properties/support-flags.js';
import type { Conventions, Supports } from '../../properties/support.js';
import { cliReplay, type ProgressEvent } from '../../properties/verify.js';

/**
 * The options of a page run: the JSON-expressible part of `VerifyOptions`,
 * with the oracles by name (loaded in the page, only when named: TensorFlow.js
 * sits in chunks of its own that a page without oracles never fetches).
 * `supports` and `conventions` override the implementation's own field by
 * field (as the CLI's declaration flags do); `replayCommand`, if given,
 * replaces `convproof verify --impl <module>` at the head of each replay.
 * @example const o: PageOptions = { profile: 'quick', seed: 1, groups: ['oracle'], oracles: ['cpu'] };
 */
export type PageOptions = Pick<
  VerifyOptions,
  'runs' | 'seed' | 'path' | 'dtype' | 'properties' | 'groups' | 'maxShrinks' | 'scaleWork'
> & {
  readonly profile?: 'quick' | 'ci' | 'deep';
  readonly oracles?: readonly OracleName[];
  readonly supports?: Supports;
  readonly conventions?: Conventions;
  readonly replayCommand?: string;
};

/**
 * What the page tells its host, in order: progress events, then one `done`
 * (or one `error` if `verify` itself threw).
 * @example if (m.type === 'done') console.log(m.report.ok, m.probe);
 */
export type PageMessage =
  | { readonly type: 'progress'; readonly event: ProgressEvent }
  | {
      readonly type: 'done';
      readonly report: VerifyReport;
      /** The probe's answers before and after the run (see `runInPage`). */
      readonly probe: { readonly before: unknown; readonly after: unknown };
      readonly environment: PageEnvironment;
    }
  | { readonly type: 'error'; readonly message: string };

/**
 * Facts about the page's runtime, measured there.
 * @example environment.webAssemblySimd // true in Chromium ≥ 91
 */
export interface PageEnvironment {
  readonly userAgent: string;
  /** Whether this engine validates a module using a v128 instruction (WebAssembly SIMD). */
  readonly webAssemblySimd: boolean;
}

/** The query parameter that carries the options. */
export const OPTIONS_PARAM = 'verify';

/** The name of the host's binding (a function taking one `PageMessage`). */
export const HOST_BINDING = '__convproofHost';

/**
 * Parses `?verify=<JSON>` out of a query string (empty or absent: `{}`).
 * @example pageOptions('?verify=%7B%22seed%22%3A1%7D') // { seed: 1 }
 */
export function pageOptions(search: string): PageOptions {
  const raw = new URLSearchParams(search).get(OPTIONS_PARAM);
  if (raw === null || raw === '') return {};
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`the ${OPTIONS_PARAM} parameter must be a JSON object, got ${raw}`);
  }
  return parsed as PageOptions;
}

/** The smallest module with one SIMD instruction: `(func (result v128) v128.const i32x4 0 0 0 0)`. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 11,
]);

function environment(): PageEnvironment {
  const g = globalThis as {
    navigator?: { userAgent?: string };
    WebAssembly?: { validate(bytes: Uint8Array): boolean };
  };
  let simd = false;
  try {
    simd = g.WebAssembly?.validate(SIMD_PROBE) ?? false;
  } catch {
    simd = false;
  }
  return { userAgent: g.navigator?.userAgent ?? 'unknown', webAssemblySimd: simd };
}

/** The host's binding, or the console when the page was opened by hand. */
function host(): (message: PageMessage) => void {
  const binding = (globalThis as Record<string, unknown>)[HOST_BINDING];
  if (typeof binding === 'function') return (m) => void (binding as (m: PageMessage) => unknown)(m);
  return (m) => console.log(JSON.stringify(m));
}

/**
 * Runs `verify(impl)` in this page with the options of the page's URL and
 * posts the messages to the host. `probe`, if given, is called just before
 * and just after the run and its answers travel with the report (e.g. which
 * kernels a library ran, and how many calls took them).
 *
 * @example
 * import * as conv from 'convproof';
 * await runInPage(conv); // the host receives progress, then { type: 'done', report, … }
 */
export async function runInPage(impl: ConvImplementation, probe?: () => unknown): Promise<VerifyReport | null> {
  const post = host();
  try {
    const search = (globalThis as { location?: { search?: string } }).location?.search ?? '';
    const { oracles: names, supports, conventions, replayCommand, ...options } = pageOptions(search);
    const oracles = names?.length ? await loadOracles(names) : [];
    const before = probe?.();
    const declared = impl as { supports?: Supports; conventions?: Conventions };
    const head = 'convproof verify --impl <module>';
    const report = await verify(impl, {
      ...options,
      ...(supports ? { supports: mergeSupports(declared.supports, supports) } : {}),
      ...(conventions ? { conventions: { ...declared.conventions, ...conventions } } : {}),
      ...(replayCommand ? { replay: (info) => cliReplay(info).replace(head, replayCommand) } : {}),
      oracles,
      onProgress: (event) => post({ type: 'progress', event }),
    });
    post({ type: 'done', report, probe: { before, after: probe?.() }, environment: environment() });
    return report;
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    return null;
  }
}
