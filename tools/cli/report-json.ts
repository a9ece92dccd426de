/**
 * The JSON report of `convproof verify --json`: the report of `verify` with
 * the implementation's path relative to the working directory, the versions
 * of everything that took part, and no absolute path of this machine (a
 * report is meant to be attached to an issue).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VerifyReport } from '../../properties/verify.js';

/** The packages each oracle loads, for the versions of a report. */
const ORACLE_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  'tfjs-cpu': ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'],
  'tfjs-wasm': ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'],
  'tfjs-node': ['@tensorflow/tfjs-node'],
};

/** The versions of a report: `name@version` for the implementation's package, plain versions otherwise. */
export interface ReportVersions {
  readonly convproof: string;
  readonly 'fast-check': string;
  readonly node: string;
  /** The tfjs packages of the oracles that were ready. */
  readonly oracles: Readonly<Record<string, string>>;
  /** The package the --impl module belongs to (the nearest package.json above it), as `name@version`. */
  readonly implementation?: string;
}

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
}

function readPackage(dir: string): PackageJson | null {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return null;
  }
}

/** The nearest package.json at or above `dir` that `accept`s, with its folder. */
function packageAbove(dir: string, accept: (p: PackageJson) => boolean): { pkg: PackageJson; dir: string } | null {
  for (let d = dir; ; d = dirname(d)) {
    const pkg = readPackage(d);
    if (pkg && accept(pkg)) return { pkg, dir: d };
    if (dirname(d) === d) return null;
  }
}

/** The version of `name` as this module resolves it (the suite resolves it the same way), or 'not found'. */
function installedVersion(name: string): string {
  try {
    const entry = fileURLToPath(import.meta.resolve(name));
    return packageAbove(dirname(entry), (p) => p.name === name)?.pkg.version ?? 'unknown';
  } catch {
    return 'not found';
  }
}

/** convproof's own package.json and folder (the CLI sits in tools/cli/ or dist/tools/cli/ below it). */
function convproofPackage(): { pkg: PackageJson; dir: string } | null {
  return packageAbove(dirname(fileURLToPath(import.meta.url)), (p) => p.name === 'convproof');
}

/**
 * The versions that took part in a run.
 * @example reportVersions(report, '/home/me/conv/dist/index.js').implementation // 'my-conv@1.2.0'
 */
export function reportVersions(report: VerifyReport, implFile: string | null): ReportVersions {
  const oracles: Record<string, string> = {};
  for (const o of report.oracles) {
    if (!o.ready) continue;
    for (const name of ORACLE_PACKAGES[o.name] ?? []) oracles[name] = installedVersion(name);
  }
  const own = implFile ? packageAbove(dirname(implFile), () => true)?.pkg : undefined;
  return {
    convproof: convproofPackage()?.pkg.version ?? 'unknown',
    'fast-check': installedVersion('fast-check'),
    node: process.versions.node,
    oracles,
    ...(own ? { implementation: `${own.name ?? '(unnamed package)'}@${own.version ?? '(no version)'}` } : {}),
  };
}

/** A folder of this machine and what a report writes instead. */
interface Scrub {
  readonly pattern: RegExp;
  readonly label: string;
}

function escaped(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The folders a report must not name, most specific first: convproof's own,
 * the working directory, the temporary directory, the home directory; then
 * any other absolute path's folders.
 */
function scrubs(cwd: string): Scrub[] {
  const named: [string | null, string][] = [
    [convproofPackage()?.dir ?? null, '<convproof>'],
    [cwd, '.'],
    [tmpdir(), '<tmp>'],
    [homedir(), '~'],
  ];
  const folders = named
    .filter(
      (n): n is [string, string] => n[0] !== null && isAbsolute(n[0]) && n[0].split(sep).filter(Boolean).length > 0,
    )
    .sort((a, b) => b[0].length - a[0].length)
    // A folder ends at a separator or at the end of a path (not inside a longer name).
    .map(([dir, label]) => ({ pattern: new RegExp(`${escaped(dir)}(?![\\w.-])`, 'g'), label }));
  // Whatever absolute path is left (a dependency's, a system folder): its folders go, its file name stays.
  const rest = { pattern: /(?<=^|[\s('"`=:[]|file:\/\/)\/(?:[\w.@+~-]+\/)+/g, label: '<path>/' };
  return [...folders, rest];
}

/**
 * A string with every absolute path of this machine replaced (see `scrubs`).
 * @example scrubbed('at /home/me/x/conv.mjs:3:9', '/home/me/x') // 'at ./conv.mjs:3:9'
 */
export function scrubbed(text: string, cwd: string): string {
  let out = text;
  for (const s of scrubs(cwd)) out = out.replace(s.pattern, s.label);
  return out;
}

/**
 * The body of the JSON report, as text: the implementation (relative to
 * `cwd`), the versions, then the report; numbers JSON cannot hold as
 * strings ('NaN', 'Infinity', '-Infinity'), typed arrays as arrays, and no
 * absolute path in any string.
 * @example writeFileSync(file, reportJson(report, './my-conv.mjs', process.cwd()))
 */
export function reportJson(report: VerifyReport, impl: string | null, cwd: string): string {
  const implFile = impl === null ? null : resolve(cwd, impl);
  const shown = implFile === null ? 'convproof' : relative(cwd, implFile) || implFile;
  const body = { implementation: shown, versions: reportVersions(report, implFile), ...report };
  const patterns = scrubs(cwd);
  const replacer = (_key: string, value: unknown): unknown => {
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    if (typeof value === 'string') return patterns.reduce((s, p) => s.replace(p.pattern, p.label), value);
    if (ArrayBuffer.isView(value) && !(value instanceof DataView))
      return Array.from(value as unknown as ArrayLike<number>);
    return value;
  };
  return `${JSON.stringify(body, replacer, 2)}\n`;
}
