/**
 * The error-contract fuzzer's engine: one outcome rule for every call of
 * every export, and the edits that make calls invalid.
 *
 * A call either returns the right result (each session file checks it
 * against the suite's float64 model, the suite's formulas or exact values)
 * or throws a `ConvError` whose code is one that a broken argument calls
 * for — never a TypeError, a RangeError, another error, a hang, or a bad
 * argument silently accepted. Errors thrown by the caller's own getters
 * propagate unchanged (wrapping them would hide the caller's bug): that is
 * the one non-ConvError a call may throw, and it must be the very object
 * the getter threw.
 *
 * Each call starts from a valid one and applies 0–3 *edits*. An edit breaks
 * one argument in one way and names the codes that may answer it, or
 * rewrites it in an equivalent form. Edits of one family never combine, so
 * two edits cannot repair each other.
 */
import fc from 'fast-check';
import type * as Api from '../../src/index.js';
import type { ConvErrorCode, Tensor } from '../../src/index.js';
import { printable, sameShape, showShape } from './suite.js';

/** Every documented `ConvErrorCode` (docs/errors.md); the compiler checks that none is missing. */
export const CONV_ERROR_CODES = [
  'type',
  'rank',
  'shape',
  'data-length',
  'dtype',
  'channels',
  'groups',
  'stride',
  'dilation',
  'padding',
  'padding-mode',
  'output-padding',
  'output-size',
  'data-format',
  'filter-format',
  'kernel-too-large',
  'bias',
  'option',
  'grad-output',
  'state',
  'too-large',
] as const satisfies readonly ConvErrorCode[];
type Missing = Exclude<ConvErrorCode, (typeof CONV_ERROR_CODES)[number]>;
const everyCodeListed: [Missing] extends [never] ? true : Missing = true;
void everyCodeListed;

/** The exports the fuzzers call. */
export type FuzzTarget =
  | 'tensor'
  | 'toNested'
  | 'corr2d'
  | 'conv2d'
  | 'conv2dBackward'
  | 'convTranspose2d'
  | 'convTranspose2dBackward'
  | 'conv2dOutputShape'
  | 'Conv2d'
  | 'sgd';

/** What is fuzzed: convproof's module, or any object with some of its exports (e.g. `reference`). */
export type FuzzSubject = Partial<Pick<typeof Api, FuzzTarget | 'ConvError'>>;

/** What hostile getters in generated arguments throw. */
export class FuzzSentinel extends Error {
  constructor() {
    super('a getter of the caller threw (the fuzzer planted it)');
    this.name = 'FuzzSentinel';
  }
}

/** The one object every hostile getter throws; a call may let exactly it through. */
export const FUZZ_SENTINEL = new FuzzSentinel();

/** One call of one export, and what it must do. `codes` empty and `hostile` false: it must return a right result. */
export interface FuzzCall {
  readonly target: FuzzTarget;
  /** Names of the edits applied to the valid call it started from. */
  readonly edits: readonly string[];
  /** The codes it may throw (empty for a valid call). */
  readonly codes: readonly ConvErrorCode[];
  /** Whether a hostile getter is among its arguments (it may then throw `FUZZ_SENTINEL`). */
  readonly hostile: boolean;
  /** Function names a ConvError message may start with (`"conv2d: …"`). */
  readonly functions: readonly string[];
  run(subject: FuzzSubject): unknown;
  /** Throws (saying what is wrong) unless `result` is right. Called only for valid calls. */
  check(result: unknown, subject: FuzzSubject): void;
  /** Throws if a failed call changed what it was given. */
  unchanged?(): void;
}

/** Calls sharing state (a `Conv2d` layer and its methods), or one call; `calls()` builds fresh state each time. */
export interface FuzzSession {
  readonly target: FuzzTarget;
  readonly label: string;
  calls(): FuzzCall[];
}

/** How a call ended. */
export type FuzzOutcome =
  | { readonly kind: 'returned'; readonly value: unknown; readonly ms: number }
  | { readonly kind: 'threw'; readonly error: unknown; readonly ms: number };

/** Runs a call, catching whatever it throws and timing it. */
export function attempt(call: FuzzCall, subject: FuzzSubject): FuzzOutcome {
  const start = performance.now();
  try {
    const value = call.run(subject);
    return { kind: 'returned', value, ms: performance.now() - start };
  } catch (error) {
    return { kind: 'threw', error, ms: performance.now() - start };
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`;
  return `a thrown non-Error ${String(e)}`;
}

function isConvError(e: unknown, subject: FuzzSubject): e is Error & { code: string } {
  if (!(e instanceof Error) || e.name !== 'ConvError' || typeof (e as { code?: unknown }).code !== 'string')
    return false;
  return subject.ConvError === undefined || e instanceof subject.ConvError;
}

/** Calls slower than this count as hangs (generous: machines are shared and noisy). */
export const HANG_MS = 5000;

/**
 * The outcome rule: throws an Error describing the violation, if any.
 * @example checkOutcome(call, attempt(call, convproof), convproof)
 */
export function checkOutcome(call: FuzzCall, outcome: FuzzOutcome, subject: FuzzSubject): void {
  const what = `${call.target} with edits [${call.edits.join(', ') || 'none'}]`;
  if (outcome.ms > HANG_MS) throw new Error(`${what} took ${outcome.ms.toFixed(0)} ms (a hang)`);
  const expected = call.codes.join(' or ') || "the getter's own error";
  if (outcome.kind === 'returned') {
    if (call.codes.length > 0 || call.hostile) throw new Error(`${what} returned instead of throwing ${expected}`);
    call.check(outcome.value, subject);
    return;
  }
  const e = outcome.error;
  if (call.codes.length === 0 && !call.hostile) throw new Error(`${what} is valid but threw ${describeError(e)}`);
  call.unchanged?.();
  if (e === FUZZ_SENTINEL && call.hostile) return;
  if (!isConvError(e, subject)) throw new Error(`${what} threw a non-ConvError: ${describeError(e)}`);
  if (!(CONV_ERROR_CODES as readonly string[]).includes(e.code))
    throw new Error(`${what} threw undocumented code ${e.code}`);
  if (!(call.codes as readonly string[]).includes(e.code))
    throw new Error(`${what} threw ConvError(${e.code}), expected ${expected}: ${e.message}`);
  if (!call.functions.some((f) => e.message.startsWith(`${f}: `)))
    throw new Error(`${what}: the message does not start with ${call.functions.join(' or ')}: ${e.message}`);
  if (e.code === 'too-large' && !/\d{10,}/.test(e.message))
    throw new Error(`${what}: a too-large message must state the refused size (≥ 2^30): ${e.message}`);
}

/** Counts of what the fuzzers ran, per target, and the codes each provoked. */
export class FuzzStats {
  readonly calls = new Map<FuzzTarget, { valid: number; invalid: number; hostile: number; slowestMs: number }>();
  readonly codes = new Map<string, number>();
  /** Per target, how often each code was thrown. */
  readonly codesByTarget = new Map<FuzzTarget, Map<string, number>>();

  record(call: FuzzCall, outcome: FuzzOutcome): void {
    const row = this.calls.get(call.target) ?? { valid: 0, invalid: 0, hostile: 0, slowestMs: 0 };
    if (call.codes.length === 0 && !call.hostile) row.valid++;
    else row.invalid++;
    if (call.hostile) row.hostile++;
    row.slowestMs = Math.max(row.slowestMs, outcome.ms);
    this.calls.set(call.target, row);
    const code = outcome.kind === 'threw' ? (outcome.error as { code?: unknown }).code : undefined;
    if (typeof code !== 'string') return;
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    const byCode = this.codesByTarget.get(call.target) ?? new Map<string, number>();
    this.codesByTarget.set(call.target, byCode.set(code, (byCode.get(code) ?? 0) + 1));
  }

  /** A table: calls per target (valid / invalid / hostile), slowest call, codes seen. */
  format(): string {
    const lines = ['target              calls   valid invalid hostile  slowest  codes'];
    let total = 0;
    for (const [t, r] of this.calls) {
      const n = r.valid + r.invalid;
      total += n;
      const cells = [n, r.valid, r.invalid, r.hostile].map((v, i) => String(v).padStart(i ? 7 : 6)).join(' ');
      const codes = [...(this.codesByTarget.get(t)?.keys() ?? [])].sort().join(' ');
      lines.push(`${t.padEnd(18)} ${cells} ${r.slowestMs.toFixed(1).padStart(7)}ms  ${codes}`);
    }
    lines.push(`total ${total} calls; codes seen: ${[...this.codes].map(([c, n]) => `${c} ${n}`).join(', ')}`);
    return lines.join('\n');
  }
}

/**
 * The outcome rule over sessions of one target.
 * @example fc.assert(fuzzProperty(convproof, conv2dSessions(), stats), { numRuns: 500 })
 */
export function fuzzProperty(
  subject: FuzzSubject,
  sessions: fc.Arbitrary<FuzzSession>,
  stats?: FuzzStats,
): fc.IPropertyWithHooks<[FuzzSession]> {
  return fc.property(sessions, (session) => {
    for (const call of session.calls()) {
      const outcome = attempt(call, subject);
      stats?.record(call, outcome);
      checkOutcome(call, outcome, subject);
    }
  });
}

// ------------------------------------------------------------------ edits

/**
 * When an edit applies: structure first, then values, then equivalent
 * rewrites, then replacements, and hostile getters on options last (a later
 * edit copying the options would otherwise trip them while generating).
 */
export type Stage = 0 | 1 | 2 | 3 | 4;

/** One way to change one argument of a draft call. */
export interface Edit<D> {
  readonly name: string;
  /** Edits of one family never combine. */
  readonly family: string;
  readonly stage: Stage;
  /** The codes that may answer it (empty: the call stays valid, unless `hostile`). */
  readonly codes: readonly ConvErrorCode[];
  readonly hostile: boolean;
  apply(draft: D): void;
}

/** An edit (`hostile`: it plants a throwing getter). */
export function edit<D>(
  family: string,
  stage: Stage,
  name: string,
  codes: readonly ConvErrorCode[],
  apply: (d: D) => void,
  hostile = false,
): Edit<D> {
  return { family, stage, name, codes, apply, hostile };
}

/** One of `items`. */
export const choose = <D>(items: ReadonlyArray<Edit<D>>): fc.Arbitrary<Edit<D>> => fc.constantFrom(...items);

/** No edit `valid` times in 4 (default once), else 1–3 of distinct families, in stage order. */
export function pickEdits<D>(choices: readonly fc.Arbitrary<Edit<D>>[], valid = 1): fc.Arbitrary<Edit<D>[]> {
  const one = fc.oneof(...choices);
  return fc
    .oneof(
      { weight: valid, arbitrary: fc.constant<Edit<D>[]>([]) },
      { weight: 4 - valid, arbitrary: fc.array(one, { minLength: 1, maxLength: 3 }) },
    )
    .map((edits) => {
      const seen = new Set<string>();
      return edits.filter((e) => !seen.has(e.family) && seen.add(e.family)).sort((a, b) => a.stage - b.stage);
    });
}

/** Applies edits to a fresh draft: the draft, the codes that may answer, whether a getter may throw, the names. */
export function applyEdits<D>(draft: D, edits: readonly Edit<D>[]) {
  for (const e of edits) e.apply(draft);
  const codes = [...new Set(edits.flatMap((e) => e.codes))];
  return { draft, codes, hostile: edits.some((e) => e.hostile), names: edits.map((e) => e.name) };
}

/** A session that fast-check prints by its label. */
export function session(target: FuzzTarget, label: string, calls: () => FuzzCall[]): FuzzSession {
  return printable<FuzzSession>({ target, label, calls }, (s) => s.label);
}

/** The label of a call with its edits. */
export const editedLabel = (base: string, names: readonly string[]): string =>
  `${base}${names.length ? ` edited by [${names.join('; ')}]` : ''}`;

/** One call of one export, as a draft of its arguments and how to run and check it. */
export interface CallSpec<D> {
  readonly target: FuzzTarget;
  readonly label: string;
  /** Function names its messages may start with; default the target's. */
  readonly functions?: readonly string[];
  /** Fresh valid arguments (edits change them in place). */
  draft(): D;
  run(subject: FuzzSubject, d: D): unknown;
  check(result: unknown, subject: FuzzSubject, d: D): void;
  unchanged?(d: D): void;
}

/** The session of one call: a fresh draft, the edits applied, then the call. */
export function editedCall<D>(spec: CallSpec<D>, edits: readonly Edit<D>[]): FuzzSession {
  const names = edits.map((e) => e.name);
  return session(spec.target, editedLabel(spec.label, names), () => {
    const { draft, codes, hostile } = applyEdits(spec.draft(), edits);
    const call: FuzzCall = {
      target: spec.target,
      edits: names,
      codes,
      hostile,
      functions: spec.functions ?? [spec.target],
      run: (s) => spec.run(s, draft),
      check: (r, s) => spec.check(r, s, draft),
      unchanged: spec.unchanged && (() => spec.unchanged?.(draft)),
    };
    return [call];
  });
}

/**
 * Sessions of one call: a valid base case, then 0–3 edits of the base's edit choices.
 * @example callSessions(convCase(), (c) => [strideEdits], (c) => ({ target: 'conv2d', … }))
 */
export function callSessions<B, D>(
  base: fc.Arbitrary<B>,
  choices: (b: B) => fc.Arbitrary<Edit<D>>[],
  spec: (b: B) => CallSpec<D>,
): fc.Arbitrary<FuzzSession> {
  return base.chain((b) => pickEdits(choices(b)).map((edits) => editedCall(spec(b), edits)));
}

// ------------------------------------------------------------------ helpers of the session files

/** An object whose `key` getter throws the sentinel. */
export function hostile(fields: Record<string, unknown>, key: string): object {
  const o: Record<string, unknown> = { ...fields };
  Object.defineProperty(o, key, {
    get: () => {
      throw FUZZ_SENTINEL;
    },
    enumerable: true,
    configurable: true,
  });
  return o;
}

/** An array whose index reads throw the sentinel (other reads, like `length`, work). */
export function hostileArray(items: readonly unknown[]): unknown[] {
  const throwing = (k: string | symbol): boolean => typeof k === 'string' && /^\d+$/.test(k);
  return new Proxy([...items], {
    get: (t, k, r) => {
      if (throwing(k)) throw FUZZ_SENTINEL;
      return Reflect.get(t, k, r);
    },
  });
}

/** A value as it reads in an edit's name. */
export function showLiteral(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length})`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** `v` as a tensor, or an error saying it is none. */
export function asTensor(v: unknown, label: string): Tensor {
  if (typeof v !== 'object' || v === null || !('shape' in v) || !('data' in v))
    throw new Error(`${label}: expected a tensor, got ${String(v)}`);
  return v as Tensor;
}

export function expectShape(got: readonly number[], want: readonly number[], label: string): void {
  if (!Array.isArray(got) || !sameShape(got, want))
    throw new Error(`${label}: shape ${showShape(got)}, expected ${showShape(want)}`);
}

/** Same numbers bit for bit (−0 ≠ +0, NaN = NaN). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
}
