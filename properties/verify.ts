/**
 * `verify`: runs every registered property that an implementation's
 * exports allow and returns a per-property report (runs, outcome, worst
 * err/(u·M), time, and for a failure the shrunk counterexample with the
 * seed, path and a one-line replay command).
 *
 * Properties are run with `fc.check` (never `fc.assert`), so one failure
 * does not stop the others. Shrinking is bounded: after `maxShrinks` shrink
 * attempts the smallest counterexample found so far is reported.
 */
import fc from 'fast-check';
import { ComparisonError } from './spec/index.js';
import { PROFILES, type Profile, type ProfileName } from './profile.js';
import { registry as defaultRegistry } from './registry.js';
import { SCALE_LIMITS, scaleSettings, type ScaleSettings } from './scale/limits.js';
import { declarationFlags } from './support-flags.js';
import { guardedImplementation } from './support-guard.js';
import { isUnsupportedCase, type Conventions, type Supports } from './support.js';
import { isImplementationFault } from './fault.js';
import { rerunAlone } from './verify-isolated.js';
import { CallLog, counterexampleData, recordedImplementation, type CallData } from './verify-case.js';
import type { FailureReport, OracleStatus, PropertyReport, VerifyReport, ProgressEvent } from './verify-report.js';

export {
  formatFailure,
  formatReport,
  type FailureReport,
  type OracleStatus,
  type ProgressEvent,
  type PropertyReport,
  type VerifyReport,
} from './verify-report.js';
import type {
  Capability,
  ConvExtras,
  ConvImplementation,
  DTypeChoice,
  Oracle,
  PropertyContext,
  PropertyDefinition,
  PropertyGroup,
  ReplayPins,
} from './types.js';

/** What a replay command is built from. */
export interface ReplayInfo {
  readonly name: string;
  readonly seed: number;
  readonly path: string;
  readonly profile: ProfileName;
  readonly dtype: DTypeChoice;
  readonly runs: number;
  /** The declared support and conventions of the run (a replay must carry them). */
  readonly supports: Supports;
  readonly conventions: Conventions;
  /** log2 of the scale group's work cap, for a scale property (a replay pins it). */
  readonly scaleWork?: number;
}

/**
 * Options of `verify`; every field is optional.
 * @example await verify(mine, { profile: 'ci', seed: 42, dtype: 'float32', groups: ['forward'] })
 */
export interface VerifyOptions {
  /** Case sizes, runs and shrink budget. Default `'quick'`. */
  readonly profile?: ProfileName | Profile;
  /** Runs per property (overrides the profile's). */
  readonly runs?: number;
  /** The fast-check seed of every property. Default: a random one (reported). */
  readonly seed?: number;
  /** Replays one counterexample path (use with `seed` and a single property). */
  readonly path?: string;
  /** Dtype of the cases. Default `'both'` (each case draws one). */
  readonly dtype?: DTypeChoice;
  /** Oracles for the `oracle` group; those not ready are listed in the report. Default none. */
  readonly oracles?: readonly Oracle[];
  /** Only the properties with these exact names. Default all. */
  readonly properties?: readonly string[];
  /** Groups to run. Default all but the opt-in `'errors'`. */
  readonly groups?: readonly PropertyGroup[];
  /** The properties to draw from. Default the package's `registry`. */
  readonly registry?: readonly PropertyDefinition[];
  /** Shrink attempts after a failure (default the profile's). */
  readonly maxShrinks?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Builds the one-line replay command of a failure. Default: a `convproof verify` command line. */
  readonly replay?: (info: ReplayInfo) => string;
  /**
   * log2 of the most multiply-adds one scale case may take. Default: set by
   * each scale property from the measured speed (at most the profile's); a
   * replay pins it.
   */
  readonly scaleWork?: number;
  /**
   * The cases the implementation takes; cases outside are never drawn, and a
   * call a property derives outside it is not made (the case is not applicable).
   * Default: the implementation object's own `supports`, else everything.
   */
  readonly supports?: Supports;
  /** Where the implementation differs from convproof's defaults. Default: the object's own `conventions`, else none. */
  readonly conventions?: Conventions;
}

/** Everything a single property run needs, resolved. */
export interface RunSettings {
  readonly profile: Profile;
  readonly runs: number;
  readonly seed: number;
  readonly path?: string;
  readonly dtype: DTypeChoice;
  readonly oracles: readonly Oracle[];
  readonly maxShrinks: number;
  readonly replay: (info: ReplayInfo) => string;
  readonly supports: Supports;
  readonly conventions: Conventions;
  readonly scale: ScaleSettings;
}

type Impl = ConvImplementation & ConvExtras;

/**
 * A shell-quoted argument.
 * @example shellQuote("for any 'same' case") // a single-quoted, escaped argument
 */
export function shellQuote(s: string): string {
  return /^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The default replay: a `convproof verify` command line (`<module>` stands for the implementation's file).
 * @example cliReplay({ name, seed: 42, path: '3:1', profile: 'quick', dtype: 'both', runs: 100 })
 */
export function cliReplay(info: ReplayInfo): string {
  return [
    'convproof verify --impl <module>',
    `--profile ${info.profile}`,
    `--dtype ${info.dtype}`,
    ...declarationFlags(info.supports, info.conventions),
    `--seed ${info.seed}`,
    `--path ${shellQuote(info.path)}`,
    `--property ${shellQuote(info.name)}`,
    ...(info.scaleWork !== undefined ? [`--scale-work ${info.scaleWork}`] : []),
  ].join(' ');
}

/** Escapes a property name for vitest's `-t` (a regular expression). */
function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A replay builder for a vitest file that runs properties with `suiteEnv()`:
 * `CONVPROOF_SEED=… CONVPROOF_PATH=… npx vitest run <file> -t "<name>"`.
 * @example runSettings({ replay: vitestReplay('test/properties.forward.test.ts') })
 */
export function vitestReplay(file: string): (info: ReplayInfo) => string {
  return (info) =>
    `CONVPROOF_PROFILE=${info.profile} CONVPROOF_DTYPE=${info.dtype} CONVPROOF_RUNS=${info.runs} CONVPROOF_SEED=${info.seed} ` +
    (info.scaleWork !== undefined ? `CONVPROOF_SCALE_WORK=${info.scaleWork} ` : '') +
    `CONVPROOF_PATH=${shellQuote(info.path)} npx vitest run ${file} -t ${shellQuote(regexEscape(info.name))}`;
}

function missing(impl: Impl, requires: readonly Capability[]): Capability[] {
  return requires.filter((k) => typeof impl[k] !== 'function');
}

/** Why a thrown value failed a case, in one line. */
function describeError(e: unknown): string {
  if (e instanceof ComparisonError) return e.message;
  if (isImplementationFault(e)) return `${e.message} (its worker was stopped; a fresh one took the next call)`;
  if (e instanceof Error) return e.name === 'Error' ? e.message : `threw ${e.name}: ${e.message}`;
  return `threw ${String(e)}`;
}

/** Counts of the cases a property found not applicable, by reason. */
class NotApplicable {
  readonly byReason: Record<string, number> = {};
  total = 0;
  /** Once a case failed, the runs that follow are shrink attempts: they are not counted. */
  shrinking = false;
  add(reason: string): void {
    if (this.shrinking) return;
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    this.total++;
  }
}

/** The first failing case, whether a failure was a fault of an isolated call, and the calls of the last failing run. */
interface FailureTrace {
  first?: unknown;
  fault?: 'timeout' | 'memory' | 'died';
  calls?: { readonly calls: readonly CallData[]; readonly count: number };
}

/**
 * Wraps a property: an `UnsupportedCase` thrown by a run makes the case not
 * applicable (it passes, and is counted), and shrinking stops after `budget`
 * candidates, or at once after a fault (a hang would cost its deadline per candidate).
 */
function guardedProperty(
  p: fc.IRawProperty<unknown>,
  budget: number,
  na: NotApplicable,
  trace: FailureTrace,
  log: CallLog,
): fc.IRawProperty<unknown> {
  let attempts = 0;
  const judge = (v: unknown, out: fc.PreconditionFailure | fc.PropertyFailure | null) => {
    if (out !== null && 'error' in out && isUnsupportedCase(out.error)) {
      na.add(`not applicable: ${(out.error as Error).message}`);
      return null;
    }
    if (out !== null && 'error' in out) {
      na.shrinking = true;
      if (!('first' in trace)) trace.first = v;
      if (isImplementationFault(out.error)) trace.fault ??= out.error.kind;
      // fast-check reports the last failing run's value: its calls are the counterexample's.
      trace.calls = log.taken();
    }
    return out;
  };
  return {
    isAsync: () => true,
    generate: (mrng, runId) => p.generate(mrng, runId),
    shrink: (value) => p.shrink(value).takeWhile(() => trace.fault === undefined && attempts++ < budget),
    run: async (v) => {
      log.begin();
      return judge(v, await p.run(v));
    },
    runBeforeEach: () => p.runBeforeEach(),
    runAfterEach: () => p.runAfterEach(),
  } as fc.IRawProperty<unknown>;
}

function shown(values: readonly unknown[] | null): string {
  return values ? values.map((v) => fc.stringify(v)).join(', ') : '(none)';
}

function failureReport(
  def: PropertyDefinition,
  details: fc.RunDetails<unknown>,
  s: RunSettings,
  trace: FailureTrace,
  pins: ReplayPins,
): FailureReport {
  const values = details.counterexample as readonly unknown[] | null;
  const counterexample = shown(values);
  const original = 'first' in trace ? shown(trace.first as readonly unknown[]) : counterexample;
  const message =
    details.errorInstance !== null ? describeError(details.errorInstance) : 'the predicate returned false';
  const path = details.counterexamplePath ?? '';
  const data = trace.calls ? counterexampleData(trace.calls, details.errorInstance) : undefined;
  const info: ReplayInfo = {
    name: def.name,
    seed: details.seed,
    path,
    profile: s.profile.name,
    dtype: s.dtype,
    runs: s.runs,
    supports: s.supports,
    conventions: s.conventions,
    ...pins,
  };
  return {
    message,
    counterexample,
    seed: details.seed,
    path,
    shrinks: details.numShrinks,
    replay: s.replay(info),
    ...(data ? { case: data } : {}),
    ...(original !== counterexample ? { original } : {}),
    ...(trace.fault ? { fault: trace.fault } : {}),
  };
}

/** What a property reports beyond its cases: notes on its run, and the settings its replay must carry. */
interface Remarks {
  readonly notes: string[];
  pins: ReplayPins;
}

/** The context a property is built with; `na` counts its not applicable cases. */
function contextFor(
  impl: Impl,
  s: RunSettings,
  na: NotApplicable,
  observe: (ratio: number) => void,
  remarks: Remarks,
  log: CallLog,
): PropertyContext {
  return {
    impl: guardedImplementation(recordedImplementation(impl, log), s.supports),
    dtype: s.dtype,
    limits: s.profile.limits,
    oracles: s.oracles,
    supports: s.supports,
    conventions: s.conventions,
    observe,
    skipCase: (reason) => na.add(reason),
    scale: s.scale,
    note: (text) => {
      remarks.notes.push(text);
    },
    pin: (settings) => {
      remarks.pins = { ...remarks.pins, ...settings };
    },
  };
}

/** The property's own account of a failure, if it has one (an error in it is reported, not thrown). */
async function explained(
  def: PropertyDefinition,
  ctx: PropertyContext,
  details: fc.RunDetails<unknown>,
): Promise<string | undefined> {
  if (!def.explain) return undefined;
  const counterexample = (details.counterexample as readonly unknown[] | null)?.[0];
  try {
    return (await def.explain(ctx, { counterexample, error: details.errorInstance })) ?? undefined;
  } catch (e) {
    return `(could not explain the failure: ${describeError(e)})`;
  }
}

/** The property, or why it cannot be built here (outside the declared support). */
function built(def: PropertyDefinition, ctx: PropertyContext): fc.IRawProperty<unknown> | string {
  try {
    return def.property(ctx);
  } catch (e) {
    if (isUnsupportedCase(e)) return `outside the declared support: ${(e as Error).message}`;
    throw e;
  }
}

/**
 * Runs one property against `impl` and reports it.
 * @example const r = await runProperty(forwardProperties[0], { conv2d }, settings); r.status // 'passed'
 */
export async function runProperty(def: PropertyDefinition, impl: Impl, s: RunSettings): Promise<PropertyReport> {
  const start = performance.now();
  const remarks: Remarks = { notes: [], pins: {} };
  const base = {
    name: def.name,
    group: def.group,
    skippedCases: {},
    notApplicable: 0,
    worstRatio: null,
    runs: 0,
    notes: remarks.notes,
  };
  const absent = missing(impl, def.requires);
  let worst: number | null = null;
  const na = new NotApplicable();
  const observe = (ratio: number) => {
    if (Number.isFinite(ratio)) worst = Math.max(worst ?? 0, ratio);
  };
  const log = new CallLog();
  const ctx = contextFor(impl, s, na, observe, remarks, log);
  const why = absent.length ? `the implementation exports no ${absent.join(', ')}` : (def.skip?.(ctx) ?? null);
  const raw = why ?? built(def, ctx);
  if (typeof raw === 'string') return { ...base, status: 'not run', reason: raw, timeMs: performance.now() - start };
  const factor = typeof def.runsFactor === 'function' ? def.runsFactor(ctx) : (def.runsFactor ?? 1);
  const runs = Math.max(1, Math.round(s.runs * factor));
  const trace: FailureTrace = {};
  const property = guardedProperty(raw, s.maxShrinks, na, trace, log);
  const details = await fc.check(property, { numRuns: runs, seed: s.seed, ...(s.path ? { path: s.path } : {}) });
  const alone = details.failed ? await rerunAlone(impl, raw, details.counterexample) : undefined;
  const timeMs = performance.now() - start;
  const common = {
    ...base,
    runs: details.numRuns,
    skippedCases: na.byReason,
    notApplicable: na.total,
    worstRatio: worst,
    timeMs,
  };
  if (details.failed) {
    const failure = failureReport(def, details, s, trace, remarks.pins);
    const explanation = await explained(def, ctx, details);
    return {
      ...common,
      status: 'failed',
      failure: {
        ...failure,
        ...(alone === undefined ? {} : { reproducedAlone: alone }),
        ...(explanation ? { explanation } : {}),
      },
      timeMs: performance.now() - start,
    };
  }
  if (details.numRuns > 0 && na.total >= details.numRuns)
    return {
      ...common,
      status: 'not run',
      reason: `no drawn case was applicable: ${Object.keys(na.byReason).join('; ')}`,
    };
  return { ...common, status: 'passed' };
}

async function readyOracles(oracles: readonly Oracle[]): Promise<{ ready: Oracle[]; status: OracleStatus[] }> {
  const ready: Oracle[] = [];
  const status: OracleStatus[] = [];
  for (const o of oracles) {
    let ok = false;
    let reason: string | undefined;
    try {
      ok = await o.ready();
      reason = ok ? undefined : (o.whyUnavailable ?? 'not ready');
    } catch (e) {
      reason = `failed to load: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (ok) ready.push(o);
    status.push(reason === undefined ? { name: o.name, ready: ok } : { name: o.name, ready: ok, reason });
  }
  return { ready, status };
}

/**
 * Resolves verify's options into run settings (oracles not yet loaded).
 * @example const settings = runSettings({ profile: 'ci', seed: 42 }); await runProperty(forwardProperties[0], impl, settings);
 */
export function runSettings(options: VerifyOptions = {}): RunSettings {
  const profile = typeof options.profile === 'object' ? options.profile : PROFILES[options.profile ?? 'quick'];
  if (!profile)
    throw new Error(`verify: unknown profile ${JSON.stringify(options.profile)}; use 'quick', 'ci' or 'deep'`);
  const runs = options.runs ?? profile.runs;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`verify: runs must be a positive integer, got ${runs}`);
  return {
    profile,
    runs,
    seed: options.seed ?? Math.floor(Math.random() * 0x7fffffff),
    ...(options.path ? { path: options.path } : {}),
    dtype: options.dtype ?? 'both',
    oracles: options.oracles ?? [],
    maxShrinks: options.maxShrinks ?? profile.maxShrinks,
    replay: options.replay ?? cliReplay,
    supports: options.supports ?? {},
    conventions: options.conventions ?? {},
    scale: scaleSettings(profile.scale ?? SCALE_LIMITS[profile.name], options.scaleWork ?? null, runs),
  };
}

function selected(options: VerifyOptions): PropertyDefinition[] {
  const groups = options.groups ?? ['forward', 'gradient', 'transpose', 'scale', 'oracle'];
  const names = options.properties;
  const all = options.registry ?? defaultRegistry;
  if (names) {
    const unknown = names.filter((n) => !all.some((p) => p.name === n));
    if (unknown.length)
      throw new Error(`verify: no property named ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  }
  return all.filter((p) => groups.includes(p.group) && (!names || names.includes(p.name)));
}

/**
 * Checks an implementation against every property its exports allow.
 *
 * @param impl a module object with `conv2d` (required) and optionally
 *   `conv2dBackward`, `convTranspose2d`, `corr2d`, `conv2dOutputShape`,
 *   with convproof's signatures. In Node, `isolate({ module, timeoutMs?, maxMemoryMb? })`
 *   from `convproof/properties/node` gives one whose calls run in a worker
 *   thread with a heap cap and a deadline: a call that hangs, runs out of memory
 *   or kills its thread fails its property with that case (a fresh worker takes
 *   the next call), and a shrunk counterexample is re-run alone in a fresh worker
 * @returns a report; `ok` is false when any property failed
 * @example
 * import * as mine from './my-conv.js';
 * const report = await verify(mine, { profile: 'ci', seed: 42 });
 * if (!report.ok) console.log(formatReport(report));
 * const isolated = await isolate({ module: './my-conv.js', timeoutMs: 2000 }); // convproof/properties/node
 * try { await verify(isolated) } finally { await isolated.close() }
 */
export async function verify(impl: ConvImplementation, options: VerifyOptions = {}): Promise<VerifyReport> {
  if (impl === null || typeof impl !== 'object' || typeof impl.conv2d !== 'function') {
    throw new TypeError('verify: impl must be a module object with a conv2d(input, weight, options) function');
  }
  const start = performance.now();
  const declared = impl as { supports?: Supports; conventions?: Conventions };
  const settings = runSettings({
    ...options,
    supports: options.supports ?? declared.supports ?? {},
    conventions: options.conventions ?? declared.conventions ?? {},
  });
  const { ready, status } = await readyOracles(settings.oracles);
  const run = { ...settings, oracles: ready };
  const list = selected(options);
  if (settings.path && list.length > 1) {
    throw new Error(
      `verify: a path replays one counterexample of one property, but ${list.length} are selected; name it in options.properties`,
    );
  }
  const reports: PropertyReport[] = [];
  for (const [index, def] of list.entries()) {
    options.onProgress?.({ phase: 'start', property: def.name, index, total: list.length });
    const report = await runProperty(def, impl as Impl, run);
    reports.push(report);
    options.onProgress?.({ phase: 'end', property: def.name, index, total: list.length, report });
  }
  return {
    ok: reports.every((r) => r.status !== 'failed') && reports.some((r) => r.status === 'passed'),
    supports: settings.supports,
    conventions: settings.conventions,
    profile: settings.profile.name,
    seed: settings.seed,
    dtype: settings.dtype,
    runs: settings.runs,
    timeMs: performance.now() - start,
    oracles: status,
    properties: reports,
  };
}
