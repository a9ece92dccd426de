/**
 * A module's own known defects under `convproof verify --impl`: the module
 * may export `knownDefects` (a list of `KnownDefect`, as the ready adapters
 * do). Before the run each witness is re-checked on the unpinned
 * implementation; the defects that still reproduce are pinned for the run
 * (their cases are not applicable, named by issue), and one that no longer
 * reproduces is reported so its pin can go — and is not pinned, so its cases
 * are checked like any other.
 */
import type { KnownDefect } from '../../adapters/defects.js';
import type { Adapter } from '../../adapters/types.js';
import type { IsolatedModule } from '../../properties/node/index.js';
import type { VerifyOptions, VerifyReport } from '../../properties/verify.js';
import { println, type CliContext } from './context.js';
import type { Paint } from './style.js';
import { UsageError } from './usage.js';

/** How one declared defect fared before the run (one entry of the JSON report's `knownDefects`). */
export interface DefectStatus {
  readonly issue: string;
  readonly summary: string;
  /** True when its witness still gives a wrong answer or throws. */
  readonly reproduces: boolean;
  /** Whether its cases were pinned (not applicable) in this run: exactly when it reproduces. */
  readonly pinned: boolean;
  /** What the witness gave: the comparison's message, the error's, or `'matches the model'`. */
  readonly detail: string;
  /** The line the report prints. */
  readonly verdict: string;
}

/** A verify report with the module's defects as they were found before the run. */
export type ReportWithDefects = VerifyReport & { readonly knownDefects?: readonly DefectStatus[] };

const OPS = ['conv2d', 'conv2dBackward', 'convTranspose2d', 'convTranspose2dBackward'];

function isTensor(v: unknown): boolean {
  const t = v as { shape?: unknown; data?: unknown } | null;
  return t !== null && typeof t === 'object' && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

/** What is wrong with one entry of `knownDefects`, or null. */
function defectProblem(d: unknown): string | null {
  if (d === null || typeof d !== 'object') return 'is not an object';
  const k = d as Partial<Record<keyof KnownDefect, unknown>>;
  if (typeof k.issue !== 'string' || k.issue === '') return 'has no issue (a string naming where it is reported)';
  if (typeof k.summary !== 'string') return 'has no summary (a string)';
  if (typeof k.when !== 'function') return 'has no when(call) function';
  const w = k.witness as Record<string, unknown> | undefined;
  if (!w || !OPS.includes(w.op as string)) return `has no witness with op ${OPS.join(', ')}`;
  if (!isTensor(w.input) || !isTensor(w.weight)) return 'has a witness without input and weight tensors';
  if ((w.op === 'conv2dBackward' || w.op === 'convTranspose2dBackward') && !isTensor(w.gradOutput))
    return `has a ${w.op} witness without gradOutput`;
  return null;
}

/**
 * The module's `knownDefects` export, checked (a `UsageError` names the first bad entry).
 * @example knownDefectsOf(module.knownDefects, './my-conv.mjs') // KnownDefect[]
 */
export function knownDefectsOf(value: unknown, path: string): readonly KnownDefect[] {
  if (!Array.isArray(value))
    throw new UsageError('verify', `--impl: ${path} exports knownDefects, but not as an array`);
  value.forEach((d, i) => {
    const problem = defectProblem(d);
    if (problem) throw new UsageError('verify', `--impl: ${path}: knownDefects[${i}] ${problem}`);
  });
  return value.map(
    (d: KnownDefect) => ({ ...d, witness: { ...d.witness, options: d.witness.options ?? {} } }) as KnownDefect,
  );
}

function statusOf(d: KnownDefect, reproduces: boolean, detail: string): DefectStatus {
  const verdict = reproduces
    ? `${d.issue}: still reproduces (pinned: its cases are not applicable)`
    : `${d.issue}: no longer reproduces — remove the pin (fixed upstream?); not pinned in this run`;
  return { issue: d.issue, summary: d.summary, reproduces, pinned: reproduces, detail, verdict };
}

/**
 * `verify` of an isolated module whose `defects` are re-checked first (on
 * the unpinned implementation) and pinned for the run when they reproduce.
 * A witness its own `when()` does not hit, or one the module refuses, is bad usage.
 * @example const report = await verifyWithDefects({ module: './my-conv.mjs' }, { seed: 42 }, defects); report.knownDefects
 */
export async function verifyWithDefects(
  spec: IsolatedModule,
  options: VerifyOptions,
  defects: readonly KnownDefect[],
): Promise<ReportWithDefects> {
  // Loaded here, not at the top: the suite needs fast-check, which `verify --help` must not.
  const [{ pinDefects, recheckDefects }, { isolate }, { verify }] = await Promise.all([
    import('../../adapters/defects.js'),
    import('../../properties/node/index.js'),
    import('../../properties/verify.js'),
  ]);
  const impl = await isolate(spec);
  try {
    // The isolated calls return promises (typed as PromiseLike there): an adapter's shape.
    const base = { name: String(spec.module), supports: {}, conventions: {}, ...impl, knownDefects: [] };
    const adapter = base as unknown as Adapter;
    const checks = await recheckDefects(adapter, defects).catch((e: unknown) => {
      throw new UsageError('verify', `--impl: knownDefects: ${(e as Error).message}`);
    });
    const knownDefects = defects.map((d, i) => statusOf(d, checks[i].reproduces, checks[i].detail));
    const pinned = pinDefects(
      adapter,
      defects.filter((_, i) => checks[i].reproduces),
    );
    return { ...(await verify(pinned, options)), knownDefects };
  } finally {
    await impl.close();
  }
}

/**
 * The defects' lines, before the table: what each witness gave before the run.
 * @example printKnownDefects(report, ctx, paint(false))
 */
export function printKnownDefects(report: ReportWithDefects, ctx: CliContext, p: Paint): void {
  if (!report.knownDefects?.length) return;
  println(ctx.stdout, 'known defects (each witness re-checked before the run, unpinned):');
  for (const d of report.knownDefects) {
    const mark = d.reproduces ? p.yellow('pinned') : p.red(p.bold('stale '));
    println(ctx.stdout, `  ${mark}  ${d.verdict}`);
  }
}
