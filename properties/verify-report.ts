/**
 * What `verify` returns, and the report as text: the per-property report
 * types (status, runs, not applicable cases, worst err/(u·M), a failure's
 * counterexample and replay) and `formatReport`/`formatFailure`.
 */
import type { ProfileName } from './profile.js';
import type { Conventions, Supports } from './support.js';
import type { CounterexampleData } from './verify-case.js';
import { aloneText } from './verify-isolated.js';
import type { DTypeChoice, PropertyGroup } from './types.js';

/** A progress notification: before and after each property. */
export interface ProgressEvent {
  readonly phase: 'start' | 'end';
  readonly property: string;
  /** 0-based position among the properties that run. */
  readonly index: number;
  readonly total: number;
  /** Present at `end`. */
  readonly report?: PropertyReport;
}

/** A failure, with everything needed to reproduce it. */
export interface FailureReport {
  /** What differs and where (or the exception the implementation threw). */
  readonly message: string;
  /** The shrunk case: shapes, options and values. */
  readonly counterexample: string;
  /**
   * The shrunk case as data: the failing call (routine, tensors with their
   * values, options as the call got them), the calls before it, and which
   * outputs differ; absent when the property made no call. JSON-safe
   * (NaN, ±Infinity and −0 are strings).
   */
  readonly case?: CounterexampleData;
  readonly seed: number;
  readonly path: string;
  readonly shrinks: number;
  /** One line that replays exactly this counterexample. */
  readonly replay: string;
  /** The case that failed first, before shrinking (when shrinking changed it): a call that corrupts state shows here. */
  readonly original?: string;
  /** The call did not return in time, ran out of memory or killed its thread (isolated runs); the case is not shrunk. */
  readonly fault?: 'timeout' | 'memory' | 'died';
  /** Isolated runs: whether the shrunk case, re-run alone in a fresh worker, failed again. */
  readonly reproducedAlone?: boolean;
  /** What the property adds after the failure: for the scale group, the size from which it fails. */
  readonly explanation?: string;
}

/**
 * The outcome of one property.
 * @example report.properties.filter((p: PropertyReport) => p.status === 'failed').map((p) => p.failure?.replay)
 */
export interface PropertyReport {
  readonly name: string;
  readonly group: PropertyGroup;
  /**
   * `'not run'`: no case was checked — a missing export, an unavailable
   * oracle, a property outside the declared support, or every drawn case not
   * applicable (see `reason`).
   */
  readonly status: 'passed' | 'failed' | 'not run';
  /** Why it did not run. */
  readonly reason?: string;
  /** Cases drawn (up to and including the first failure), the not applicable ones included. */
  readonly runs: number;
  /** How many of those cases were not applicable (an `UnsupportedCase`, or a case the property cannot use). */
  readonly notApplicable: number;
  /** The not applicable cases, by reason. */
  readonly skippedCases: Readonly<Record<string, number>>;
  /** The worst err/(u·M) seen over passing comparisons; null if the property compares none. */
  readonly worstRatio: number | null;
  readonly timeMs: number;
  /** What the property said about its run (e.g. how large the scale group's cases were, and why). */
  readonly notes: readonly string[];
  readonly failure?: FailureReport;
}

/** An oracle's availability. */
export interface OracleStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly reason?: string;
}

/**
 * The result of `verify`.
 * @example const report: VerifyReport = await verify(mine); if (!report.ok) console.log(formatReport(report));
 */
export interface VerifyReport {
  /** True when no property failed and at least one ran (a run where nothing ran has not passed). */
  readonly ok: boolean;
  /** The declared support the cases were drawn within (`{}`: everything). */
  readonly supports: Supports;
  /** The declared conventions the results were judged by (`{}`: convproof's). */
  readonly conventions: Conventions;
  readonly profile: ProfileName;
  readonly seed: number;
  readonly dtype: DTypeChoice;
  /** Runs per property before each property's `runsFactor`. */
  readonly runs: number;
  readonly timeMs: number;
  readonly oracles: readonly OracleStatus[];
  readonly properties: readonly PropertyReport[];
}

function ratioText(r: number | null): string {
  return r === null ? '' : ` worst err/(u·M) ${r.toPrecision(3)}`;
}

/**
 * The report as plain text: one line per property, failures in full.
 * @example console.log(formatReport(await verify(impl)))
 */
export function formatReport(report: VerifyReport): string {
  const lines = [
    `convproof verify: profile ${report.profile}, seed ${report.seed}, dtype ${report.dtype}, ${report.runs} runs per property`,
  ];
  for (const o of report.oracles) lines.push(`  oracle ${o.name}: ${o.ready ? 'ready' : `unavailable (${o.reason})`}`);
  for (const p of report.properties) {
    const na = p.notApplicable ? `, ${p.notApplicable} not applicable` : '';
    const head =
      p.status === 'not run'
        ? `not run  ${p.name} (${p.reason})`
        : `${p.status === 'passed' ? 'ok      ' : 'FAIL    '} ${p.name} [${p.runs} runs${na}, ${p.timeMs.toFixed(0)} ms${ratioText(p.worstRatio)}]`;
    lines.push(head);
    for (const note of p.notes) lines.push(`      note: ${note}`);
    if (p.failure)
      lines.push(
        ...formatFailure(p.failure)
          .split('\n')
          .map((l) => `      ${l}`),
      );
  }
  const failed = report.properties.filter((p) => p.status === 'failed').length;
  const verdict = failed ? `${failed} failed` : report.ok ? 'all that ran passed' : 'nothing ran';
  lines.push(`${verdict} in ${(report.timeMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

/**
 * A failure as text: message, counterexample, seed/path and the replay command.
 * @example if (report.failure) throw new Error(formatFailure(report.failure));
 */
export function formatFailure(f: FailureReport): string {
  return [
    f.message,
    `counterexample (after ${f.shrinks} shrinks): ${f.counterexample}`,
    ...(f.original ? [`first failing case (before shrinking): ${f.original}`] : []),
    ...(f.reproducedAlone === undefined ? [] : [aloneText(f.reproducedAlone)]),
    ...(f.explanation ? [f.explanation] : []),
    `seed ${f.seed}, path ${f.path}`,
    `replay: ${f.replay}`,
  ].join('\n');
}
