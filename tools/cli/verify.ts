/**
 * `convproof verify`: runs the property suite against our conv2d or a
 * user's module, prints a table and a summary, and exits 0 only if every
 * property held.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { OracleName } from '../../properties/oracles/index.js';
import type { OracleStatus, PropertyReport, ReplayInfo, VerifyOptions, VerifyReport } from '../../properties/verify.js';
import { aloneText } from '../../properties/verify-isolated.js';
import { declarationFlags, mergeSupports } from '../../properties/support-flags.js';
import type { Conventions, Supports } from '../../properties/support.js';
import { looksNamed } from '../browser/named.js';
import { BROWSER_HELP } from './browser-help.js';
import { println, type CliContext } from './context.js';
import { reportJson } from './report-json.js';
import { conventionsFromFlags, DECLARATION_HELP, DECLARATION_OPTIONS, supportsFromFlags } from './declare.js';
import { printKnownDefects, type ReportWithDefects, verifyWithDefects } from './defects.js';
import { loadImplementation, type LoadedImplementation } from './impl.js';
import { createProgress, logProgress, teeProgress, type Progress } from './progress.js';
import { paint, table, useColour, type Paint } from './style.js';
import { UsageError, choiceFlag, integerFlag, parseOrUsage } from './usage.js';

/** The text of `convproof verify --help`. */
export const VERIFY_HELP = `Usage: convproof verify [options]

Checks a 2-D convolution against convproof's properties (output shape,
transpose symmetry, equivariances, gradients, …), the float64 reference and
the TensorFlow.js oracles. Exit code 0 if every property held, 1 if one
failed, 2 for bad usage.

Options:
  --impl path         a .js/.mjs module exporting conv2d (and optionally
                      conv2dBackward, convTranspose2d,
                      convTranspose2dBackward, corr2d,
                      conv2dOutputShape) with convproof's signatures;
                      default: convproof's own kernels
  --profile name      quick (default), ci or deep: runs and case sizes
  --runs N            runs per property (default: the profile's)
  --seed S            fast-check seed (default: random, printed)
  --dtype d           float32, float64 or both (default both)
  --oracle list       comma-separated tfjs oracles: cpu, wasm, node
                      (default cpu,wasm,node; unavailable ones are listed),
                      or none
  --json file         write the whole report (one entry per property, each
                      counterexample as data, the versions; no absolute paths)
  --property name     run only this property (repeatable); with --path
  --path p            replay one counterexample (printed on failure)
  --timeout S         seconds one call of --impl may take (default 5); the
                      module runs in a worker thread, stopped and restarted
                      when a call hangs, runs out of memory or kills it
  --max-memory MB     the worker's heap cap (default 1024)
  --log file          progress lines (each property's start and end) when
                      stdout is not a terminal (default convproof-verify.log)
  --scale-work k      cap scale cases at 2^k multiply-adds (default: set
                      from the measured speed; a replay passes it)
${BROWSER_HELP}
  -h, --help          show this help

${DECLARATION_HELP}

Example:
  convproof verify --impl ./my-conv.mjs --profile ci --json report.json`;

const OPTIONS = {
  impl: { type: 'string' },
  profile: { type: 'string' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  dtype: { type: 'string' },
  oracle: { type: 'string' },
  json: { type: 'string' },
  property: { type: 'string', multiple: true },
  path: { type: 'string' },
  timeout: { type: 'string' },
  'max-memory': { type: 'string' },
  log: { type: 'string' },
  'scale-work': { type: 'string' },
  browser: { type: 'boolean' },
  chromium: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...DECLARATION_OPTIONS,
} as const;

const ORACLES: readonly OracleName[] = ['cpu', 'wasm', 'node'];

/** The verify command line, checked. */
interface VerifyArgs {
  readonly impl: string | null;
  readonly profile: 'quick' | 'ci' | 'deep';
  readonly runs?: number;
  readonly seed?: number;
  readonly dtype: 'float32' | 'float64' | 'both';
  readonly oracles: readonly OracleName[];
  /** Absolute path of the JSON report, if asked for. */
  readonly json: string | null;
  readonly properties?: readonly string[];
  readonly path?: string;
  /** Deadline of one isolated call, ms. */
  readonly timeoutMs: number;
  readonly maxMemoryMb: number;
  /** Absolute path of the progress log (written when stdout is not a terminal). */
  readonly log: string;
  /** What the flags declare (over the module's own). */
  readonly supports: Supports;
  readonly conventions: Conventions;
  /** log2 of the scale group's work cap, when pinned. */
  readonly scaleWork?: number;
}

function oracleList(value: string): OracleName[] {
  if (value === 'none') return [];
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) choiceFlag('verify', '--oracle', n, [...ORACLES, 'none']);
  return [...new Set(names as OracleName[])];
}

function checkArgs(values: ReturnType<typeof parseVerify>, cwd: string): VerifyArgs {
  const c = 'verify';
  if (values.path !== undefined && values.property?.length !== 1) {
    throw new UsageError(c, '--path replays one counterexample: give exactly one --property with it');
  }
  const json = values.json === undefined ? null : resolve(cwd, values.json);
  if (json !== null && (values.json === '' || !existsSync(dirname(json)))) {
    throw new UsageError(c, `--json: no directory to write ${JSON.stringify(values.json)} into`);
  }
  if (json !== null && existsSync(json) && statSync(json).isDirectory())
    throw new UsageError(c, `--json: ${values.json} is a directory`);
  return {
    impl: values.impl ?? null,
    profile: choiceFlag(c, '--profile', values.profile ?? 'quick', ['quick', 'ci', 'deep'] as const),
    ...(values.runs !== undefined ? { runs: integerFlag(c, '--runs', values.runs, 1, 1_000_000) } : {}),
    ...(values.seed !== undefined ? { seed: integerFlag(c, '--seed', values.seed, -0x80000000, 0x7fffffff) } : {}),
    dtype: choiceFlag(c, '--dtype', values.dtype ?? 'both', ['float32', 'float64', 'both'] as const),
    oracles: oracleList(values.oracle ?? ORACLES.join(',')),
    json,
    ...(values.property ? { properties: values.property } : {}),
    ...(values.path !== undefined ? { path: values.path } : {}),
    timeoutMs: 1000 * integerFlag(c, '--timeout', values.timeout ?? '5', 1, 86_400),
    maxMemoryMb: integerFlag(c, '--max-memory', values['max-memory'] ?? '1024', 16, 1_048_576),
    log: resolve(cwd, values.log ?? 'convproof-verify.log'),
    supports: supportsFromFlags(values),
    conventions: conventionsFromFlags(values),
    ...(values['scale-work'] !== undefined
      ? { scaleWork: integerFlag(c, '--scale-work', values['scale-work'], 8, 40) }
      : {}),
  };
}

function parseVerify(args: readonly string[]) {
  return parseOrUsage('verify', () => parseArgs({ args: [...args], options: OPTIONS, strict: true })).values;
}

/** A shell-safe word. */
function quote(s: string): string {
  return /^[\w./:=@,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The one-line command that replays a failure with exactly this run's settings. */
function replayCommand(a: VerifyArgs): (info: ReplayInfo) => string {
  return (info) =>
    [
      'convproof verify',
      a.impl ? `--impl ${quote(a.impl)}` : '',
      `--profile ${info.profile} --dtype ${info.dtype} --runs ${info.runs}`,
      ...declarationFlags(info.supports, info.conventions),
      a.oracles.join(',') !== ORACLES.join(',') ? `--oracle ${a.oracles.length ? a.oracles.join(',') : 'none'}` : '',
      a.timeoutMs !== 5000 ? `--timeout ${a.timeoutMs / 1000}` : '',
      a.maxMemoryMb !== 1024 ? `--max-memory ${a.maxMemoryMb}` : '',
      `--seed ${info.seed} --path ${quote(info.path)} --property ${quote(info.name)}`,
      info.scaleWork !== undefined ? `--scale-work ${info.scaleWork}` : '',
    ]
      .filter(Boolean)
      .join(' ');
}

/** The suite needs fast-check (an optional peer); say so in one line if it is missing. */
async function loadSuite(): Promise<typeof import('../../properties/index.js')> {
  try {
    return await import('../../properties/index.js');
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/fast-check/.test(message)) {
      throw new UsageError(
        'verify',
        'the property suite needs fast-check: npm i -D fast-check (and @tensorflow/tfjs-core with -backend-cpu/-wasm for the oracles)',
      );
    }
    throw e;
  }
}

async function ourImplementation(): Promise<LoadedImplementation> {
  const { conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward, corr2d, conv2dOutputShape } = await import(
    '../../src/index.js'
  );
  return { conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward, corr2d, conv2dOutputShape };
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function resultCell(r: PropertyReport, p: Paint): string {
  if (r.status === 'passed') return p.green('held');
  if (r.status === 'failed') return p.red(p.bold('FAILED'));
  return p.yellow('not run');
}

function runsCell(r: PropertyReport): string {
  const na = Object.values(r.skippedCases).reduce((a, b) => a + b, 0);
  return na > 0 ? `${r.runs} (${na} n/a)` : String(r.runs);
}

function ratioText(ratio: number): string {
  return ratio === 0 ? '0' : ratio.toPrecision(3);
}

/** A failed property's ratio would describe only the cases before the failure: the failure says more. */
function ratioCell(r: PropertyReport, p: Paint): string {
  return r.worstRatio === null || r.status === 'failed' ? p.dim('–') : ratioText(r.worstRatio);
}

/**
 * The table: runs, result, worst err/(u·M), time, property. The property's
 * name (a sentence) comes last so the numbers stay aligned on any width.
 */
function reportTable(report: VerifyReport, p: Paint): string {
  const rows = report.properties.map((r) => [
    runsCell(r),
    resultCell(r, p),
    ratioCell(r, p),
    seconds(r.timeMs),
    r.name,
  ]);
  return table(['runs', 'result', 'worst err/(u·M)', 'time', 'property'], rows, [
    'right',
    'left',
    'right',
    'right',
    'left',
  ]);
}

function printFailures(report: VerifyReport, ctx: CliContext, p: Paint): void {
  for (const r of report.properties) {
    if (!r.failure) continue;
    const f = r.failure;
    println(ctx.stdout);
    println(ctx.stdout, p.red(p.bold(`✗ ${r.name}`)));
    println(ctx.stdout, `  ${f.message.split('\n').join('\n  ')}`);
    println(ctx.stdout, `  counterexample (shrunk in ${f.shrinks} steps):`);
    println(ctx.stdout, `    ${f.counterexample.split('\n').join('\n    ')}`);
    if (f.original) println(ctx.stdout, `  first failing case (before shrinking):\n    ${f.original}`);
    if (f.reproducedAlone !== undefined) println(ctx.stdout, `  ${aloneText(f.reproducedAlone)}`);
    if (f.explanation) println(ctx.stdout, `  ${f.explanation.split('\n').join('\n  ')}`);
    println(ctx.stdout, `  seed ${f.seed}, path ${f.path}`);
    println(ctx.stdout, `  replay: ${p.cyan(f.replay)}`);
  }
}

/** What properties said about their run (the scale group: how large its cases were and what it scaled down). */
function printNotes(report: VerifyReport, ctx: CliContext, p: Paint): void {
  const seen = new Set<string>();
  for (const r of report.properties) {
    for (const note of r.notes) {
      if (seen.has(note)) continue;
      seen.add(note);
      println(ctx.stdout, `${p.dim('note:')} ${note}`);
    }
  }
}

function properties(n: number): string {
  return `${n} ${n === 1 ? 'property' : 'properties'}`;
}

/** Skips grouped by reason (a module without conv2dBackward skips a dozen properties for one reason). */
function printSkips(report: VerifyReport, ctx: CliContext, p: Paint): void {
  const byReason = new Map<string, number>();
  for (const r of report.properties) {
    if (r.status === 'not run')
      byReason.set(r.reason ?? 'no reason given', (byReason.get(r.reason ?? 'no reason given') ?? 0) + 1);
  }
  if (byReason.size === 0) return;
  println(ctx.stdout);
  for (const [reason, n] of byReason) println(ctx.stdout, `${p.yellow('not run')} ${properties(n)}: ${reason}`);
}

function printSummary(report: VerifyReport, a: VerifyArgs, ctx: CliContext, p: Paint): void {
  const count = (s: PropertyReport['status']) => report.properties.filter((r) => r.status === s).length;
  const [held, failed, skipped] = [count('passed'), count('failed'), count('not run')];
  const worst = Math.max(0, ...report.properties.filter((r) => r.status === 'passed').map((r) => r.worstRatio ?? 0));
  println(ctx.stdout);
  const verdict = failed ? p.red(p.bold(`${failed} failed`)) : p.green(p.bold('every property held'));
  println(
    ctx.stdout,
    `${verdict}: ${properties(report.properties.length)}, ${held} held, ${failed} failed, ${skipped} not run; ` +
      `worst err/(u·M) ${ratioText(worst)}; ${seconds(report.timeMs)}`,
  );
  println(
    ctx.stdout,
    `implementation: ${a.impl ?? 'convproof (built-in)'}; profile ${report.profile}, ${report.runs} runs, seed ${report.seed}, dtype ${report.dtype}`,
  );
}

function printOracles(report: VerifyReport, ctx: CliContext, p: Paint): void {
  if (report.oracles.length === 0) {
    println(ctx.stdout, p.dim('oracles: none'));
    return;
  }
  // Node's "Cannot find package '…' imported from /abs/path" adds a path and nothing a user needs.
  const why = (o: OracleStatus) =>
    (o.reason ?? 'not ready')
      .replace(`${o.name}: `, '')
      .replace(/\(Cannot find (package|module) [^)]*\)/, '(not installed)');
  const parts = report.oracles.map((o) => (o.ready ? p.green(o.name) : `${o.name} ${p.dim(`unavailable: ${why(o)}`)}`));
  println(ctx.stdout, `oracles: ${parts.join('; ')}`);
}

/** Progress on stderr, and in the log file too when stdout is not a terminal (a redirected or CI run). */
function progressFor(a: VerifyArgs, ctx: CliContext, total: number): Progress {
  const shown = createProgress(ctx.stderr, ctx.env, total);
  if (ctx.stdout.isTTY) return shown;
  try {
    return teeProgress(shown, logProgress(a.log, total));
  } catch (e) {
    throw new UsageError('verify', `--log: cannot write ${a.log}: ${(e as Error).message}`);
  }
}

/** Runs the suite with the checked arguments, showing progress on stderr. */
async function runSuite(a: VerifyArgs, impl: LoadedImplementation, ctx: CliContext): Promise<ReportWithDefects> {
  const suite = await loadSuite();
  for (const name of a.properties ?? []) {
    if (!suite.registry.some((d) => d.name === name))
      throw new UsageError('verify', `--property: no property named ${JSON.stringify(name)}`);
  }
  // Loading tfjs takes seconds: skip it when no selected property consults an oracle (e.g. a replay).
  const consults = suite.registry.some((d) => d.group === 'oracle' && (!a.properties || a.properties.includes(d.name)));
  if (consults && a.oracles.length && ctx.stderr.isTTY) ctx.stderr.write('loading the TensorFlow.js oracles…');
  const oracles = consults ? await suite.loadOracles(a.oracles) : [];
  let progress = createProgress(ctx.stderr, ctx.env, 0);
  try {
    const options: VerifyOptions = {
      supports: mergeSupports(impl.supports, a.supports),
      conventions: { ...impl.conventions, ...a.conventions },
      profile: a.profile,
      dtype: a.dtype,
      oracles,
      replay: replayCommand(a),
      ...(a.runs !== undefined ? { runs: a.runs } : {}),
      ...(a.seed !== undefined ? { seed: a.seed } : {}),
      ...(a.properties ? { properties: a.properties } : {}),
      ...(a.path !== undefined ? { path: a.path } : {}),
      ...(a.scaleWork !== undefined ? { scaleWork: a.scaleWork } : {}),
      onProgress: (e) => {
        if (e.phase === 'start' && e.index === 0) progress = progressFor(a, ctx, e.total);
        if (e.phase === 'start') progress.start(e.index, e.property);
        else progress.finish(e.index, e.property, e.report ? statusWord(e.report) : 'done');
      },
    };
    if (!a.impl) return await suite.verify(impl, options);
    const { verifyIsolated } = await import('../../properties/node/index.js');
    const spec = { module: resolve(ctx.cwd, a.impl), timeoutMs: a.timeoutMs, maxMemoryMb: a.maxMemoryMb };
    if (impl.knownDefects?.length) return await verifyWithDefects(spec, options, impl.knownDefects);
    return await verifyIsolated(spec, options);
  } finally {
    progress.close();
  }
}

/**
 * `convproof verify [...]`: returns 0 when every property held, 1 when one
 * failed; bad usage throws `UsageError` (exit 2).
 * @example process.exitCode = await verifyCommand(['--impl', './mine.mjs', '--runs', '50'], ctx);
 */
export async function verifyCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const values = parseVerify(args);
  if (values.help) {
    println(ctx.stdout, VERIFY_HELP);
    return 0;
  }
  const a = checkArgs(values, ctx.cwd);
  const report =
    values.browser || (a.impl !== null && looksNamed(a.impl))
      ? await (await import('./browser.js')).browserSuite(a, values, ctx)
      : await runSuite(a, a.impl ? await loadImplementation(a.impl, ctx.cwd) : await ourImplementation(), ctx);
  const p = paint(useColour(ctx.stdout, ctx.env));
  printOracles(report, ctx, p);
  printKnownDefects(report, ctx, p);
  println(ctx.stdout, reportTable(report, p));
  if (report.properties.some((r) => Object.keys(r.skippedCases).length > 0)) {
    println(
      ctx.stdout,
      p.dim('(n/a: cases a property found not applicable, e.g. one an oracle cannot express; reasons in --json)'),
    );
  }
  printNotes(report, ctx, p);
  printSkips(report, ctx, p);
  printFailures(report, ctx, p);
  printSummary(report, a, ctx, p);
  if (a.json) writeReport(a.json, report, a, ctx);
  return report.ok ? 0 : 1;
}

function statusWord(r: PropertyReport): string {
  return r.status === 'passed' ? 'held' : r.status === 'failed' ? 'FAILED' : 'not run';
}

function writeReport(file: string, report: VerifyReport, a: VerifyArgs, ctx: CliContext): void {
  try {
    writeFileSync(file, reportJson(report, a.impl, ctx.cwd));
  } catch (e) {
    throw new UsageError('verify', `--json: cannot write ${file}: ${(e as Error).message}`);
  }
  println(ctx.stdout, `report written to ${relative(ctx.cwd, file) || file}`);
}
