/**
 * Fuzzing: random mixes of valid and invalid arguments for every export,
 * and the one outcome they must all have. A call either returns the right
 * result (the float64 model within the comparator's bound, the formula for
 * shapes, the exact values for `tensor`/`toNested`/`sgd`) or throws a
 * `ConvError` whose code is one that the broken argument calls for — never
 * a TypeError, a RangeError, another error, a hang, or a bad argument
 * silently accepted.
 *
 * Each call starts from a valid one and applies 0–3 *edits*. An edit breaks
 * one argument in one way and names the codes that may answer it, or
 * rewrites it in an equivalent form (frozen options, data as a view into a
 * larger buffer). Edits of one family never combine, so two edits cannot
 * repair each other.
 *
 * Errors thrown by the caller's own getters propagate unchanged (wrapping
 * them would hide the caller's bug): that is the one non-ConvError a call
 * may throw, and it must be the very object the getter threw.
 */
import fc from 'fast-check';
import type * as Api from '../src/index.js';
import type { Conv2dOptions, ConvErrorCode, DType, Nested, Tensor, TensorData } from '../src/index.js';
import * as reference from '../src/reference/index.js';
import {
  caseData,
  convConfig,
  printable,
  showCase,
  showTensor,
  type ConvConfig,
  type GeneratedCase,
} from './arbitraries/index.js';
import { tensorData } from './arbitraries/tensorData.js';
import { expectBounded, forwardExpectation, gradientExpectations, type Expectation } from './compare.js';
import { resolveConv } from './model.js';
import { count, dtypeOfTensor, fromFunction, reshape, sameShape, showShape, storage } from './tensors.js';
import type { SizeLimits } from './types.js';

// ------------------------------------------------------------------ contract

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
  | 'conv2dOutputShape'
  | 'Conv2d'
  | 'sgd';

/** All fuzz targets. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  'tensor',
  'toNested',
  'corr2d',
  'conv2d',
  'conv2dBackward',
  'convTranspose2d',
  'conv2dOutputShape',
  'Conv2d',
  'sgd',
];

/**
 * What is fuzzed: convproof's module, or any object with some of its
 * exports (e.g. the `reference` namespace). Targets it lacks are skipped.
 */
export interface FuzzSubject {
  readonly tensor?: typeof Api.tensor;
  readonly toNested?: typeof Api.toNested;
  readonly corr2d?: typeof Api.corr2d;
  readonly conv2d?: typeof Api.conv2d;
  readonly conv2dBackward?: typeof Api.conv2dBackward;
  readonly convTranspose2d?: typeof Api.convTranspose2d;
  readonly conv2dOutputShape?: typeof Api.conv2dOutputShape;
  readonly Conv2d?: typeof Api.Conv2d;
  readonly sgd?: typeof Api.sgd;
  readonly ConvError?: typeof Api.ConvError;
}

/** What hostile getters in generated arguments throw. */
export class FuzzSentinel extends Error {
  constructor() {
    super('a getter of the caller threw (the fuzzer planted it)');
    this.name = 'FuzzSentinel';
  }
}

/** The one object every hostile getter throws; a call may let exactly it through. */
export const FUZZ_SENTINEL = new FuzzSentinel();

/**
 * One call of one export, and what it must do.
 * `codes` empty and `hostile` false: it must return a correct result.
 */
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
  /** Throws (saying what is wrong) unless `result` is correct. Called only for valid calls. */
  check(result: unknown, subject: FuzzSubject): void;
  /** Throws if a failed call changed what it was given. */
  unchanged?(): void;
}

/**
 * A sequence of calls sharing state (a `Conv2d` layer and its methods), or
 * a single call. `calls()` builds fresh state each time, so fast-check can
 * replay and shrink a session.
 */
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
 * The outcome property: throws an Error describing the violation, if any.
 * @example checkOutcome(call, attempt(call, convproof), convproof)
 */
export function checkOutcome(call: FuzzCall, outcome: FuzzOutcome, subject: FuzzSubject): void {
  const what = `${call.target} with edits [${call.edits.join(', ') || 'none'}]`;
  if (outcome.ms > HANG_MS) throw new Error(`${what} took ${outcome.ms.toFixed(0)} ms (a hang)`);
  const invalid = call.codes.length > 0 || call.hostile;
  if (outcome.kind === 'returned') {
    if (invalid) {
      const expected = [...call.codes, ...(call.hostile ? ["the getter's own error"] : [])].join(' or ');
      throw new Error(`${what} returned instead of throwing ${expected}`);
    }
    call.check(outcome.value, subject);
    return;
  }
  const e = outcome.error;
  if (!invalid) throw new Error(`${what} is valid but threw ${describeError(e)}`);
  call.unchanged?.();
  if (e === FUZZ_SENTINEL && call.hostile) return;
  if (!isConvError(e, subject)) throw new Error(`${what} threw a non-ConvError: ${describeError(e)}`);
  if (!(CONV_ERROR_CODES as readonly string[]).includes(e.code))
    throw new Error(`${what} threw undocumented code ${e.code}`);
  if (!(call.codes as readonly string[]).includes(e.code)) {
    throw new Error(
      `${what} threw ConvError(${e.code}), expected ${call.codes.join(' or ') || "the getter's own error"}: ${e.message}`,
    );
  }
  if (!call.functions.some((f) => e.message.startsWith(`${f}: `))) {
    throw new Error(
      `${what}: the message does not start with the function name (${call.functions.join(' or ')}): ${e.message}`,
    );
  }
  if (e.code === 'too-large' && !/\d{10,}/.test(e.message)) {
    throw new Error(`${what}: a too-large message must state the refused size (≥ 2^30): ${e.message}`);
  }
}

/** Counts of what the fuzzers ran, per target. */
export class FuzzStats {
  readonly calls = new Map<FuzzTarget, { valid: number; invalid: number; hostile: number; slowestMs: number }>();
  readonly codes = new Map<string, number>();
  readonly codesByTarget = new Map<FuzzTarget, Set<string>>();

  record(call: FuzzCall, outcome: FuzzOutcome): void {
    const row = this.calls.get(call.target) ?? { valid: 0, invalid: 0, hostile: 0, slowestMs: 0 };
    if (call.codes.length === 0 && !call.hostile) row.valid++;
    else row.invalid++;
    if (call.hostile) row.hostile++;
    row.slowestMs = Math.max(row.slowestMs, outcome.ms);
    this.calls.set(call.target, row);
    const code = outcome.kind === 'threw' ? (outcome.error as { code?: unknown }).code : undefined;
    if (typeof code === 'string') {
      this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
      const set = this.codesByTarget.get(call.target) ?? new Set<string>();
      set.add(code);
      this.codesByTarget.set(call.target, set);
    }
  }

  /** A table: calls per target (valid / invalid / hostile), slowest call, codes seen. */
  format(): string {
    const lines = ['target              calls   valid invalid hostile  slowest  codes'];
    let total = 0;
    for (const t of FUZZ_TARGETS) {
      const r = this.calls.get(t);
      if (!r) continue;
      const n = r.valid + r.invalid;
      total += n;
      const codes = [...(this.codesByTarget.get(t) ?? [])].sort().join(' ');
      lines.push(
        `${t.padEnd(18)} ${String(n).padStart(6)} ${String(r.valid).padStart(7)} ${String(r.invalid).padStart(7)} ` +
          `${String(r.hostile).padStart(7)} ${r.slowestMs.toFixed(1).padStart(7)}ms  ${codes}`,
      );
    }
    lines.push(`total ${total} calls; codes seen: ${[...this.codes].map(([c, n]) => `${c} ${n}`).join(', ')}`);
    return lines.join('\n');
  }
}

/**
 * The outcome property over sessions of one target.
 * @example fc.assert(fuzzProperty(convproof, conv2dCalls(), stats), { numRuns: 500 })
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
type Stage = 0 | 1 | 2 | 3 | 4;

interface Edit<D> {
  readonly name: string;
  readonly family: string;
  readonly stage: Stage;
  readonly codes: readonly ConvErrorCode[];
  readonly hostile: boolean;
  apply(draft: D): void;
}

function edit<D>(
  family: string,
  stage: Stage,
  name: string,
  codes: readonly ConvErrorCode[],
  apply: (d: D) => void,
  hostile = false,
): Edit<D> {
  return { family, stage, name, codes, apply, hostile };
}

/** 0 edits `valid` times in 4 (default once), else 1–3 of distinct families, in stage order. */
function pickEdits<D>(choices: readonly fc.Arbitrary<Edit<D>>[], valid = 1): fc.Arbitrary<Edit<D>[]> {
  if (choices.length === 0) return fc.constant([]);
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

/** Applies edits to a fresh draft; returns the draft, the allowed codes and whether a getter may throw. */
function applyEdits<D>(
  draft: D,
  edits: readonly Edit<D>[],
): { draft: D; codes: ConvErrorCode[]; hostile: boolean; names: string[] } {
  for (const e of edits) e.apply(draft);
  const codes = [...new Set(edits.flatMap((e) => e.codes))];
  return { draft, codes, hostile: edits.some((e) => e.hostile), names: edits.map((e) => e.name) };
}

/** One of `items` (each keeps its own family and stage). */
const choose = <D>(items: ReadonlyArray<Edit<D>>): fc.Arbitrary<Edit<D>> => fc.constantFrom(...items);

/** Where an argument lives in a draft. */
interface Slot<D> {
  readonly name: string;
  get(d: D): unknown;
  set(d: D, v: unknown): void;
}

interface TensorLike {
  readonly shape: readonly number[];
  readonly data: TensorData;
}

function isTensorLike(v: unknown): v is TensorLike {
  if (typeof v !== 'object' || v === null) return false;
  const d = Object.getOwnPropertyDescriptor(v, 'data');
  const s = Object.getOwnPropertyDescriptor(v, 'shape');
  return !!d && !!s && 'value' in d && 'value' in s && ArrayBuffer.isView(d.value) && Array.isArray(s.value);
}

/** Applies `f` to the slot's value if it is still a tensor (an earlier edit may have replaced it). */
function onTensor<D>(slot: Slot<D>, f: (t: TensorLike) => unknown): (d: D) => void {
  return (d) => {
    const v = slot.get(d);
    if (isTensorLike(v)) slot.set(d, f(v));
  };
}

/** The shape with its size changed (zeros become ones; else the last dimension grows). */
function resized(shape: readonly number[]): number[] {
  if (shape.includes(0)) return shape.map((s) => (s === 0 ? 1 : s));
  return shape.length === 0 ? [2] : [...shape.slice(0, -1), shape[shape.length - 1] + 1];
}

/** An object whose `key` getter throws the sentinel. */
function hostile(fields: Record<string, unknown>, key: string): object {
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

/** The tensor's data as a view into a larger buffer whose other elements are NaN. */
function offsetView(t: TensorLike): TensorLike {
  const big = storage(dtypeOfTensor(t as Tensor), t.data.length + 7).fill(Number.NaN);
  big.set(t.data, 3);
  return { shape: t.shape, data: big.subarray(3, 3 + t.data.length) };
}

function converted(t: TensorLike, dtype: DType): TensorLike {
  const data = storage(dtype, t.data.length);
  data.set(t.data);
  return { shape: t.shape, data };
}

const otherDType = (t: TensorLike): DType => (t.data instanceof Float64Array ? 'float32' : 'float64');

const NOT_TENSORS: ReadonlyArray<readonly [string, () => unknown, ConvErrorCode]> = [
  ['a number', () => 7, 'type'],
  ['a string', () => 'tensor', 'type'],
  ['true', () => true, 'type'],
  [
    'nested arrays',
    () => [
      [1, 2],
      [3, 4],
    ],
    'type',
  ],
  ['an empty object', () => ({}), 'type'],
  ['a function', () => () => 1, 'type'],
  ['a bigint', () => 1n, 'type'],
  ['a symbol', () => Symbol('tensor'), 'type'],
  ['data as a plain array', () => ({ shape: [2], data: [1, 2] }), 'type'],
  ['data as an Int32Array', () => ({ shape: [2], data: new Int32Array(2) }), 'type'],
  ['data as a Uint8Array', () => ({ shape: [2], data: new Uint8Array(2) }), 'type'],
  ['data as a BigInt64Array', () => ({ shape: [2], data: new BigInt64Array(2) }), 'type'],
  ['no shape', () => ({ data: new Float32Array(1) }), 'shape'],
  ['shape as a string', () => ({ shape: '1', data: new Float32Array(1) }), 'shape'],
  ['shape as a typed array', () => ({ shape: new Int32Array([1]), data: new Float32Array(1) }), 'shape'],
];
const NULLISH: ReadonlyArray<readonly [string, () => unknown, ConvErrorCode]> = [
  ['null', () => null, 'type'],
  ['undefined', () => undefined, 'type'],
];
const BAD_DIMS: readonly unknown[] = [-1, 1.5, Number.NaN, Infinity, -Infinity, '2', null, undefined, [1], true];

/** How a slot's tensor may be wrongly ranked: the shapes to try (same size) and the code. */
interface RankSpec {
  readonly code: ConvErrorCode;
  reshape(shape: readonly number[]): number[];
}

interface TensorSlotSpec {
  /** null/undefined are valid here (an absent bias). */
  readonly nullishValid?: boolean;
  /** Wrong-rank reshapes (omitted when every rank is valid). */
  readonly rank?: RankSpec;
  /** A dimension that must not be 0 (with empty data) and the code refusing it. */
  readonly zeroDim?: { readonly index: (shape: readonly number[]) => number; readonly code: ConvErrorCode };
}

/** Every way to break one tensor argument (one family: the slot's name). */
function tensorSlotEdits<D>(slot: Slot<D>, spec: TensorSlotSpec): fc.Arbitrary<Edit<D>> {
  const f = slot.name;
  const items: Edit<D>[] = [];
  for (const [label, make, code] of [...NOT_TENSORS, ...(spec.nullishValid ? [] : NULLISH)]) {
    items.push(edit(f, 3, `${f} is ${label}`, [code], (d) => slot.set(d, make())));
  }
  items.push(
    edit(
      f,
      1,
      `${f}.shape disagrees with its data`,
      ['data-length'],
      onTensor(slot, (t) => ({ shape: resized(t.shape), data: t.data })),
    ),
  );
  for (const bad of BAD_DIMS) {
    items.push(
      edit(
        f,
        1,
        `${f}.shape holds ${String(bad)}`,
        ['shape'],
        onTensor(slot, (t) => ({ shape: t.shape.length ? [bad, ...t.shape.slice(1)] : [bad], data: t.data })),
      ),
    );
  }
  items.push(
    edit(
      f,
      1,
      `${f}.shape has rank 65`,
      ['rank'],
      onTensor(slot, (t) => ({ shape: [...new Array(65 - t.shape.length).fill(1), ...t.shape], data: t.data })),
    ),
  );
  items.push(
    edit(
      f,
      1,
      `${f}.shape has a 2^31 dimension`,
      ['too-large'],
      onTensor(slot, (t) => ({ shape: [2 ** 31, ...t.shape.slice(1)], data: t.data })),
    ),
  );
  if (spec.rank) {
    const r = spec.rank;
    items.push(
      edit(
        f,
        1,
        `${f} has the wrong rank`,
        [r.code],
        onTensor(slot, (t) => ({ shape: r.reshape(t.shape), data: t.data })),
      ),
    );
  }
  if (spec.zeroDim) {
    const z = spec.zeroDim;
    items.push(
      edit(
        f,
        1,
        `${f} has a zero-sized dimension`,
        [z.code],
        onTensor(slot, (t) => {
          const shape = [...t.shape];
          shape[z.index(shape)] = 0;
          return { shape, data: t.data.subarray(0, 0) };
        }),
      ),
    );
  }
  items.push(
    edit(
      f,
      3,
      `${f}.data is a throwing getter`,
      [],
      onTensor(slot, (t) => hostile({ shape: t.shape }, 'data')),
      true,
    ),
  );
  items.push(
    edit(
      f,
      3,
      `${f}.shape is a throwing getter`,
      [],
      onTensor(slot, (t) => hostile({ data: t.data }, 'shape')),
      true,
    ),
  );
  return choose(items);
}

/** Equivalent rewrites of a tensor argument (the call stays valid). */
function tensorForms<D>(slot: Slot<D>): Edit<D>[] {
  return [
    edit('form', 2, `${slot.name}.data is a view into a larger buffer`, [], onTensor(slot, offsetView)),
    edit(
      'form',
      2,
      `${slot.name} is frozen`,
      [],
      onTensor(slot, (t) => Object.freeze({ shape: Object.freeze([...t.shape]), data: t.data })),
    ),
  ];
}

/** Converting one of the slots to the other dtype. */
function dtypeEdits<D>(slots: readonly Slot<D>[]): fc.Arbitrary<Edit<D>> {
  return choose(
    slots.map((s) =>
      edit<D>(
        'dtype',
        1,
        `${s.name} in the other dtype`,
        ['dtype'],
        onTensor(s, (t) => converted(t, otherDType(t))),
      ),
    ),
  );
}

// ------------------------------------------------------------------ option edits

/** Values that no Pair option (stride, dilation) accepts. */
export const BAD_PAIRS: readonly unknown[] = [
  0,
  -1,
  1.5,
  '2',
  [1],
  [1, 2, 3],
  [0, 1],
  [1, '1'],
  Number.NaN,
  Infinity,
  null,
  2 ** 31,
  true,
  [2 ** 31, 1],
  {},
];
/** Values no `groups` accepts. */
export const BAD_GROUPS: readonly unknown[] = [0, -1, 1.5, '2', Number.NaN, Infinity, null, [1], true, 2 ** 31];
/** Values no conv2d `padding` accepts. */
export const BAD_PADDINGS: readonly unknown[] = [
  'SAME',
  'Same',
  'full',
  'VALID',
  '',
  -1,
  1.5,
  Number.NaN,
  Infinity,
  [1],
  [1, 2, 3],
  [[1, 2]],
  [[1, 2], [3]],
  [
    [1, 2],
    [3, -1],
  ],
  [
    [1, 2],
    [3, 4],
    [5, 6],
  ],
  [1, -1],
  ['1', 1],
  '1',
  null,
  {},
  2 ** 31,
  true,
  [
    [0, 0],
    [0, 1.5],
  ],
];
/** Values no `paddingMode` accepts. */
export const BAD_MODES: readonly unknown[] = ['zero', 'Reflect', 'constant', 'symmetric', '', 1, null, true];
/** Values no `outputPadding` accepts. */
export const BAD_OUTPUT_PADDINGS: readonly unknown[] = [
  -1,
  1.5,
  '1',
  [1],
  [1, 2, 3],
  Number.NaN,
  null,
  [0, -1],
  Infinity,
];
const NOT_OBJECTS: readonly unknown[] = ['same', 5, true, [1, 2], () => 0, Symbol('options')];

interface OptionsDraft {
  options: unknown;
}

function setOption(d: OptionsDraft, key: string, value: unknown): void {
  if (typeof d.options === 'object' && d.options !== null && !Array.isArray(d.options))
    d.options = { ...d.options, [key]: value };
}

function optionValueEdits<D extends OptionsDraft>(
  key: string,
  values: readonly unknown[],
  code: ConvErrorCode,
): fc.Arbitrary<Edit<D>> {
  return choose(values.map((v) => edit<D>(key, 1, `${key}: ${showLiteral(v)}`, [code], (d) => setOption(d, key, v))));
}

function unknownKeyEdits<D extends OptionsDraft>(keys: readonly string[]): fc.Arbitrary<Edit<D>> {
  return choose(
    keys.map((k) => edit<D>('option-name', 1, `unknown option ${k}`, ['option'], (d) => setOption(d, k, 1))),
  );
}

function notObjectEdits<D extends OptionsDraft>(): fc.Arbitrary<Edit<D>> {
  return choose(
    NOT_OBJECTS.map((v) =>
      edit<D>('options', 3, `options is ${showLiteral(v)}`, ['option'], (d) => {
        d.options = v;
      }),
    ),
  );
}

function optionForms<D extends OptionsDraft>(keys: readonly string[]): Edit<D>[] {
  return [
    edit('form', 2, 'options frozen', [], (d) => {
      if (typeof d.options === 'object' && d.options !== null) d.options = Object.freeze({ ...d.options });
    }),
    edit('form', 2, 'absent options spelled as undefined', [], (d) => {
      if (typeof d.options !== 'object' || d.options === null) return;
      const o = d.options as Record<string, unknown>;
      d.options = { ...Object.fromEntries(keys.filter((k) => !(k in o)).map((k) => [k, undefined])), ...o };
    }),
  ];
}

function hostileOptionEdit<D extends OptionsDraft>(keys: readonly string[]): fc.Arbitrary<Edit<D>> {
  return choose(
    keys.map((k) =>
      edit<D>(
        'options',
        4,
        `options.${k} is a throwing getter`,
        [],
        (d) => {
          if (typeof d.options === 'object' && d.options !== null)
            d.options = hostile(d.options as Record<string, unknown>, k);
        },
        true,
      ),
    ),
  );
}

function showLiteral(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol' || typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length})`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

// ------------------------------------------------------------------ value checks

function asTensor(v: unknown, label: string): Tensor {
  if (!isTensorLike(v) && !(typeof v === 'object' && v !== null && 'shape' in v && 'data' in v)) {
    throw new Error(`${label}: expected a tensor, got ${String(v)}`);
  }
  return v as Tensor;
}

function expectShape(got: readonly number[], want: readonly number[], label: string): void {
  if (!Array.isArray(got) || !sameShape(got, want))
    throw new Error(`${label}: shape ${showShape(got)}, expected ${showShape(want)}`);
}

const CONV_KEYS = ['bias', 'stride', 'padding', 'dilation', 'groups', 'paddingMode'] as const;
const TRANSPOSE_KEYS = ['bias', 'stride', 'padding', 'outputPadding', 'dilation', 'groups'] as const;

/** Size limits of generated calls: small, since the float64 model is a plain loop nest. */
export const FUZZ_LIMITS: SizeLimits = {
  maxBatch: 2,
  maxGroups: 3,
  maxChannels: 4,
  maxKernel: 3,
  maxStride: 3,
  maxDilation: 2,
  maxPad: 2,
  maxExtra: 3,
};

function zeros(dtype: DType, shape: readonly number[]): Tensor {
  return fromFunction(dtype, shape, () => 0);
}

// ------------------------------------------------------------------ conv2d family

interface ConvDraft extends OptionsDraft {
  input: unknown;
  weight: unknown;
  gradOutput: unknown;
}

const inputSlot: Slot<ConvDraft> = {
  name: 'input',
  get: (d) => d.input,
  set: (d, v) => {
    d.input = v;
  },
};
const weightSlot: Slot<ConvDraft> = {
  name: 'weight',
  get: (d) => d.weight,
  set: (d, v) => {
    d.weight = v;
  },
};
const gradSlot: Slot<ConvDraft> = {
  name: 'gradOutput',
  get: (d) => d.gradOutput,
  set: (d, v) => {
    d.gradOutput = v;
  },
};
const biasSlot: Slot<ConvDraft> = {
  name: 'bias',
  get: (d) => (typeof d.options === 'object' && d.options !== null ? (d.options as Conv2dOptions).bias : undefined),
  set: (d, v) => setOption(d, 'bias', v),
};

/** Rank 3/4 become 2 (rows merged) or 5 (a leading 1): never a valid rank. */
const activationRank = (code: ConvErrorCode): RankSpec => ({
  code,
  reshape: (s) => (s.length === 4 ? [1, ...s] : [count(s.slice(0, -1)), s[s.length - 1]]),
});
const weightRank: RankSpec = { code: 'rank', reshape: (s) => [count(s.slice(0, -1)), s[s.length - 1]] };
const biasRank: RankSpec = { code: 'bias', reshape: (s) => [1, ...s] };

function convGeometryEdits(cfg: ConvConfig): fc.Arbitrary<Edit<ConvDraft>> {
  const { H, KW, O, dtype, pads, paddingMode } = cfg;
  const Cg = cfg.weightShape[1];
  const modeLimit = paddingMode === 'reflect' || paddingMode === 'circular';
  const items: Edit<ConvDraft>[] = [
    edit('geometry', 0, 'kernel taller than the unpadded input', ['kernel-too-large'], (d) => {
      d.weight = zeros(dtype, [O, Cg, H + 1, KW]);
      setOption(d, 'padding', 'valid');
    }),
    edit('geometry', 0, 'pads of 2^30 (output too large)', modeLimit ? ['too-large', 'padding'] : ['too-large'], (d) =>
      setOption(d, 'padding', 2 ** 30),
    ),
    edit('geometry', 0, 'reflect with a pad equal to the height', ['padding'], (d) => {
      setOption(d, 'paddingMode', 'reflect');
      setOption(d, 'padding', [
        [Math.max(H, pads[0][0]), pads[0][1]],
        [pads[1][0], pads[1][1]],
      ]);
    }),
    edit('geometry', 0, 'circular with a pad beyond the height', ['padding'], (d) => {
      setOption(d, 'paddingMode', 'circular');
      setOption(d, 'padding', [
        [pads[0][0], Math.max(H + 1, pads[0][1])],
        [pads[1][0], pads[1][1]],
      ]);
    }),
  ];
  if (cfg.KH > 1) {
    items.push(
      edit('geometry', 0, 'dilation spreading the kernel beyond the input', ['kernel-too-large'], (d) => {
        setOption(d, 'dilation', [H + 1, 1]);
        setOption(d, 'padding', 'valid');
      }),
    );
  }
  return choose(items);
}

function convChannelEdits(cfg: ConvConfig): fc.Arbitrary<Edit<ConvDraft>> {
  const { dtype, O, groups } = cfg;
  const [, Cg, KH, KW] = cfg.weightShape;
  const withC = (s: readonly number[], c: number): number[] =>
    s.length === 4 ? [s[0], c, s[2], s[3]] : [c, s[1], s[2]];
  return choose([
    edit('channels', 0, 'weight expects one more input channel', ['channels'], (d) => {
      d.weight = zeros(dtype, [O, Cg + 1, KH, KW]);
    }),
    edit('channels', 0, 'input has one more channel', ['channels'], (d) => {
      d.input = zeros(dtype, withC(cfg.inputShape, cfg.C + 1));
    }),
    edit('channels', 0, 'groups not dividing the output channels', ['groups', 'channels'], (d) =>
      setOption(d, 'groups', O + 1),
    ),
    edit('channels', 0, 'one group more', ['groups', 'channels'], (d) => setOption(d, 'groups', groups + 1)),
  ]);
}

/** A bad value for each of conv2d's options but bias, with the code it must raise (shared by conv2d and conv2dOutputShape). */
function conv2dOptionValueEdits<D extends OptionsDraft>(): fc.Arbitrary<Edit<D>>[] {
  return [
    optionValueEdits<D>('stride', BAD_PAIRS, 'stride'),
    optionValueEdits<D>('dilation', BAD_PAIRS, 'dilation'),
    optionValueEdits<D>('groups', BAD_GROUPS, 'groups'),
    optionValueEdits<D>('padding', BAD_PADDINGS, 'padding'),
    optionValueEdits<D>('paddingMode', BAD_MODES, 'padding-mode'),
  ];
}

function conv2dEditChoices(c: GeneratedCase, withGrad: boolean): fc.Arbitrary<Edit<ConvDraft>>[] {
  const cfg = c.config;
  const channelIndex = (s: readonly number[]): number => (s.length === 4 ? 1 : 0);
  const slots = [inputSlot, weightSlot, ...(c.options.bias ? [biasSlot] : []), ...(withGrad ? [gradSlot] : [])];
  return [
    tensorSlotEdits(inputSlot, { rank: activationRank('rank'), zeroDim: { index: channelIndex, code: 'shape' } }),
    tensorSlotEdits(weightSlot, { rank: weightRank, zeroDim: { index: () => 0, code: 'shape' } }),
    ...biasEdits(c.options.bias),
    ...(withGrad ? [tensorSlotEdits(gradSlot, { rank: activationRank('grad-output') }), gradShapeEdits(cfg)] : []),
    ...conv2dOptionValueEdits<ConvDraft>(),
    biasLengthEdits(cfg),
    unknownKeyEdits([
      'strides',
      'pad',
      'Stride',
      'outputPadding',
      'kernelSize',
      'dilations',
      'padding_mode',
      'constructor',
    ]),
    notObjectEdits(),
    hostileOptionEdit(['stride', 'padding', 'groups', 'bias']),
    convGeometryEdits(cfg),
    convChannelEdits(cfg),
    dtypeEdits(slots),
    choose([...tensorForms(inputSlot), ...tensorForms(weightSlot), ...optionForms<ConvDraft>(CONV_KEYS)]),
  ];
}

/** A present bias can be broken like any tensor; an absent one can still be given as a non-tensor. */
function biasEdits(bias: Tensor | null | undefined): fc.Arbitrary<Edit<ConvDraft>>[] {
  const replace = choose(
    NOT_TENSORS.map(([label, make, code]) =>
      edit<ConvDraft>('bias-value', 3, `bias is ${label}`, [code], (d) => setOption(d, 'bias', make())),
    ),
  );
  return bias ? [tensorSlotEdits(biasSlot, { nullishValid: true, rank: biasRank }), replace] : [replace];
}

function biasLengthEdits<D extends OptionsDraft>(cfg: { dtype: DType; O: number }): fc.Arbitrary<Edit<D>> {
  return choose([
    edit<D>('bias-shape', 1, 'bias one longer than the output channels', ['bias'], (d) =>
      setOption(d, 'bias', zeros(cfg.dtype, [cfg.O + 1])),
    ),
    edit<D>('bias-shape', 1, 'bias of shape [O, 1]', ['bias'], (d) =>
      setOption(d, 'bias', zeros(cfg.dtype, [cfg.O, 1])),
    ),
  ]);
}

function gradShapeEdits(cfg: ConvConfig): fc.Arbitrary<Edit<ConvDraft>> {
  const out = cfg.batched ? [cfg.N, cfg.O, cfg.OH, cfg.OW] : [cfg.O, cfg.OH, cfg.OW];
  const taller = [...out];
  taller[out.length - 2]++;
  return choose([
    edit<ConvDraft>('gradOutput-shape', 0, 'gradOutput one row taller', ['grad-output'], (d) => {
      d.gradOutput = zeros(cfg.dtype, taller);
    }),
  ]);
}

/**
 * Larger cases, one in eight: the public functions run problems of 4096
 * multiply-adds and more on their fast kernels, the rest on the reference loops.
 */
export const FUZZ_BIG_LIMITS: SizeLimits = {
  maxBatch: 3,
  maxGroups: 2,
  maxChannels: 16,
  maxKernel: 4,
  maxStride: 2,
  maxDilation: 2,
  maxPad: 2,
  maxExtra: 16,
};

function sizedConfig(limits: SizeLimits, extra: object = {}): fc.Arbitrary<ConvConfig> {
  const small = convConfig({ ...limits, dtype: 'both', ...extra });
  if (limits !== FUZZ_LIMITS) return small;
  return fc.oneof(
    { weight: 7, arbitrary: small },
    { weight: 1, arbitrary: convConfig({ ...FUZZ_BIG_LIMITS, dtype: 'both', emptyBatch: false, ...extra }) },
  );
}

function convCaseArbitrary(limits: SizeLimits): fc.Arbitrary<GeneratedCase> {
  return sizedConfig(limits).chain((cfg) => caseData(cfg));
}

function outputShapeOf(c: GeneratedCase): readonly number[] {
  return resolveConv(c.input.shape, c.weight.shape, c.options).outputShape;
}

function session(target: FuzzTarget, label: string, calls: () => FuzzCall[]): FuzzSession {
  return printable<FuzzSession>({ target, label, calls }, (s) => s.label);
}

function convLabel(names: readonly string[], base: string): string {
  return `${base}${names.length ? ` edited by [${names.join('; ')}]` : ''}`;
}

/**
 * `conv2d(input, weight, options)` calls: valid ones must match the float64
 * model within the comparator bound and have the formula's shape.
 */
export function conv2dCalls(limits: SizeLimits = FUZZ_LIMITS): fc.Arbitrary<FuzzSession> {
  return convCaseArbitrary(limits).chain((c) =>
    pickEdits(conv2dEditChoices(c, false)).map((edits) => {
      const label = convLabel(
        edits.map((e) => e.name),
        showCase(c),
      );
      return session('conv2d', label, () => {
        const {
          draft,
          codes,
          hostile: h,
          names,
        } = applyEdits<ConvDraft>(
          { input: c.input, weight: c.weight, options: { ...c.options }, gradOutput: null },
          edits,
        );
        return [
          {
            target: 'conv2d',
            edits: names,
            codes,
            hostile: h,
            functions: ['conv2d'],
            run: (s) => s.conv2d!(draft.input as Tensor, draft.weight as Tensor, draft.options as Conv2dOptions),
            check: (r, s) => {
              const y = asTensor(r, 'conv2d');
              expectShape(y.shape, outputShapeOf(c), 'conv2d output');
              if (s.conv2dOutputShape)
                expectShape(
                  y.shape,
                  s.conv2dOutputShape(c.input.shape, c.weight.shape, c.options),
                  'conv2d vs conv2dOutputShape',
                );
              expectBounded(y, forwardExpectation(c));
            },
          },
        ];
      });
    }),
  );
}

/** `conv2dBackward(gradOutput, input, weight, options)` calls, checked against the model's gradients. */
export function conv2dBackwardCalls(limits: SizeLimits = FUZZ_LIMITS): fc.Arbitrary<FuzzSession> {
  return convCaseArbitrary(limits).chain((c) =>
    fc.tuple(tensorData(c.config.dtype, outputShapeOf(c)), pickEdits(conv2dEditChoices(c, true))).map(([dy, edits]) => {
      const label = convLabel(
        edits.map((e) => e.name),
        `${showCase(c)} with gradOutput ${showTensor(dy)}`,
      );
      return session('conv2dBackward', label, () => {
        const {
          draft,
          codes,
          hostile: h,
          names,
        } = applyEdits<ConvDraft>(
          { input: c.input, weight: c.weight, options: { ...c.options }, gradOutput: dy },
          edits,
        );
        return [
          {
            target: 'conv2dBackward',
            edits: names,
            codes,
            hostile: h,
            functions: ['conv2dBackward'],
            run: (s) =>
              s.conv2dBackward!(
                draft.gradOutput as Tensor,
                draft.input as Tensor,
                draft.weight as Tensor,
                draft.options as Conv2dOptions,
              ),
            check: (r) => {
              const g = r as Api.Conv2dGradients;
              const e = gradientExpectations(c, dy);
              expectBounded(asTensor(g.gradInput, 'gradInput'), e.gradInput);
              expectBounded(asTensor(g.gradWeight, 'gradWeight'), e.gradWeight);
              expectBounded(asTensor(g.gradBias, 'gradBias'), e.gradBias);
            },
          },
        ];
      });
    }),
  );
}

// ------------------------------------------------------------------ conv2dOutputShape

interface ShapeDraft extends OptionsDraft {
  input: unknown;
  weight: unknown;
}

function shapeSlotEdits(
  name: 'input' | 'weight',
  rank: (s: readonly number[]) => number[],
  channel: number,
): fc.Arbitrary<Edit<ShapeDraft>> {
  const get = (d: ShapeDraft): unknown => (name === 'input' ? d.input : d.weight);
  const set = (d: ShapeDraft, v: unknown): void => {
    if (name === 'input') d.input = v;
    else d.weight = v;
  };
  const on =
    (f: (s: number[]) => unknown) =>
    (d: ShapeDraft): void => {
      const v = get(d);
      if (Array.isArray(v)) set(d, f([...(v as number[])]));
    };
  const f = `${name}Shape`;
  const items: Edit<ShapeDraft>[] = [
    ...[5, 'abc', null, undefined, { length: 4 }, new Int32Array(4), {}].map((v) =>
      edit<ShapeDraft>(f, 3, `${f} is ${showLiteral(v)}`, ['shape'], (d) => set(d, v)),
    ),
    ...BAD_DIMS.map((b) =>
      edit<ShapeDraft>(
        f,
        1,
        `${f} holds ${String(b)}`,
        ['shape'],
        on((s) => [b, ...s.slice(1)]),
      ),
    ),
    edit(f, 1, `${f} has the wrong rank`, ['rank'], on(rank)),
    edit(
      f,
      1,
      `${f} has rank 65`,
      ['rank'],
      on((s) => [...new Array(65 - s.length).fill(1), ...s]),
    ),
    edit(
      f,
      1,
      `${f} has a 2^31 dimension`,
      ['too-large'],
      on((s) => [2 ** 31, ...s.slice(1)]),
    ),
    edit(
      f,
      1,
      `${f} has a zero channel count`,
      ['shape'],
      on((s) => {
        s[channel] = 0;
        return s;
      }),
    ),
    edit(
      f,
      3,
      `${f} is an array whose elements throw`,
      [],
      on(
        (s) =>
          new Proxy(s, {
            get: (t, k, r) =>
              typeof k === 'string' && /^\d+$/.test(k)
                ? (() => {
                    throw FUZZ_SENTINEL;
                  })()
                : Reflect.get(t, k, r),
          }),
      ),
      true,
    ),
  ];
  return choose(items);
}

/** `conv2dOutputShape(inputShape, weightShape, options)` calls, checked against the formula. */
export function conv2dOutputShapeCalls(limits: SizeLimits = FUZZ_LIMITS): fc.Arbitrary<FuzzSession> {
  return convCaseArbitrary(limits).chain((c) => {
    const cfg = c.config;
    const choices: fc.Arbitrary<Edit<ShapeDraft>>[] = [
      shapeSlotEdits('input', (s) => (s.length === 4 ? [1, ...s] : s.slice(1)), cfg.batched ? 1 : 0),
      shapeSlotEdits('weight', (s) => s.slice(1), 0),
      ...conv2dOptionValueEdits<ShapeDraft>(),
      biasLengthEdits(cfg),
      choose(
        NOT_TENSORS.map(([label, make, code]) =>
          edit<ShapeDraft>('bias', 3, `bias is ${label}`, [code], (d) => setOption(d, 'bias', make())),
        ),
      ),
      unknownKeyEdits(['strides', 'pad', 'outputPadding', 'kernel_size']),
      notObjectEdits(),
      hostileOptionEdit(['stride', 'dilation', 'paddingMode']),
      choose([
        edit<ShapeDraft>(
          'geometry',
          0,
          'pads of 2^30 (output too large)',
          cfg.paddingMode === 'reflect' || cfg.paddingMode === 'circular' ? ['too-large', 'padding'] : ['too-large'],
          (d) => setOption(d, 'padding', 2 ** 30),
        ),
        edit<ShapeDraft>('geometry', 0, 'kernel taller than the unpadded input', ['kernel-too-large'], (d) => {
          const w = d.weight as number[];
          d.weight = [w[0], w[1], cfg.H + 1, w[3]];
          setOption(d, 'padding', 'valid');
        }),
        edit<ShapeDraft>('geometry', 0, 'reflect with a pad equal to the width', ['padding'], (d) => {
          setOption(d, 'paddingMode', 'reflect');
          setOption(d, 'padding', [
            [cfg.pads[0][0], cfg.pads[0][1]],
            [cfg.pads[1][0], Math.max(cfg.W, cfg.pads[1][1])],
          ]);
        }),
      ]),
      choose(optionForms<ShapeDraft>(CONV_KEYS)),
    ];
    return pickEdits(choices).map((edits) => {
      const label = convLabel(
        edits.map((e) => e.name),
        `conv2dOutputShape(${showShape(c.input.shape)}, ${showShape(c.weight.shape)}, ${JSON.stringify(cfg.options)})`,
      );
      return session('conv2dOutputShape', label, () => {
        const options = c.options.bias ? { ...cfg.options, bias: c.options.bias } : { ...cfg.options };
        const {
          draft,
          codes,
          hostile: h,
          names,
        } = applyEdits<ShapeDraft>({ input: [...c.input.shape], weight: [...c.weight.shape], options }, edits);
        return [
          {
            target: 'conv2dOutputShape',
            edits: names,
            codes,
            hostile: h,
            functions: ['conv2dOutputShape'],
            run: (s) =>
              s.conv2dOutputShape!(draft.input as number[], draft.weight as number[], draft.options as Conv2dOptions),
            check: (r) => {
              expectShape(r as number[], outputShapeOf(c), 'conv2dOutputShape');
              if (r === draft.input || r === draft.weight)
                throw new Error('conv2dOutputShape returned one of its arguments');
            },
          },
        ];
      });
    });
  });
}

// ------------------------------------------------------------------ convTranspose2d

interface TransposeBase {
  readonly input: Tensor;
  readonly weight: Tensor;
  readonly options: Api.ConvTranspose2dOptions;
  readonly outputShape: readonly number[];
  readonly cfg: ConvConfig;
  /** Transposed output channels. */
  readonly outC: number;
}

/** Explicit pads in one of the forms a transposed conv takes. */
function transposePadding(p: readonly (readonly [number, number])[], form: number): Api.TransposePadding | undefined {
  const [[t, b], [l, r]] = p;
  if (form === 0 && t === b && l === r && t === l) return t === 0 ? undefined : t;
  if (form <= 1 && t === b && l === r) return [t, l];
  return [
    [t, b],
    [l, r],
  ];
}

/** A valid transposed case from a conv configuration: the conv's output is its input, the conv's weight its weight. */
function transposeBase(limits: SizeLimits): fc.Arbitrary<TransposeBase> {
  return sizedConfig(limits, { paddingModes: ['zeros'] }).chain((cfg) => {
    const [sh, sw] = cfg.stride;
    const [dh, dw] = cfg.dilation;
    const inShape = cfg.batched ? [cfg.N, cfg.O, cfg.OH, cfg.OW] : [cfg.O, cfg.OH, cfg.OW];
    const outC = cfg.C;
    return fc
      .record({
        input: tensorData(cfg.dtype, inShape),
        weight: tensorData(cfg.dtype, cfg.weightShape),
        bias: fc.option(tensorData(cfg.dtype, [outC]), { nil: null }),
        oph: fc.integer({ min: 0, max: Math.max(sh, dh) - 1 }),
        opw: fc.integer({ min: 0, max: Math.max(sw, dw) - 1 }),
        form: fc.integer({ min: 0, max: 2 }),
      })
      .map(({ input, weight, bias, oph, opw, form }) => {
        const size = (H: number, s: number, d: number, k: number, p: readonly [number, number], op: number): number =>
          (H - 1) * s - p[0] - p[1] + d * (k - 1) + op + 1;
        // Pads that would crop everything are dropped: the base must be valid.
        const ph: [number, number] = size(cfg.OH, sh, dh, cfg.KH, cfg.pads[0], oph) >= 1 ? [...cfg.pads[0]] : [0, 0];
        const pw: [number, number] = size(cfg.OW, sw, dw, cfg.KW, cfg.pads[1], opw) >= 1 ? [...cfg.pads[1]] : [0, 0];
        const OH = size(cfg.OH, sh, dh, cfg.KH, ph, oph);
        const OW = size(cfg.OW, sw, dw, cfg.KW, pw, opw);
        const entries: [string, unknown][] = [
          ['stride', cfg.options.stride],
          ['dilation', cfg.options.dilation],
          ['groups', cfg.options.groups],
          ['padding', transposePadding([ph, pw], form)],
          ['outputPadding', oph || opw ? [oph, opw] : undefined],
          ['bias', bias ?? undefined],
        ];
        const options = Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as Api.ConvTranspose2dOptions;
        const outputShape = cfg.batched ? [cfg.N, outC, OH, OW] : [outC, OH, OW];
        return { input, weight, options, outputShape, cfg, outC };
      });
  });
}

function abs64(t: Tensor): Tensor {
  return fromFunction('float64', t.shape, (i) => Math.abs(t.data[i]));
}

function as64(t: Tensor): Tensor {
  return fromFunction('float64', t.shape, (i) => t.data[i]);
}

/**
 * What a transposed conv must return: the reference kernel run in float64
 * (value), and on absolute values (magnitude), with n = (C_in/g)·KH·KW (+1).
 */
export function transposeReferenceExpectation(b: Pick<TransposeBase, 'input' | 'weight' | 'options'>): Expectation {
  const bias = b.options.bias ?? null;
  const value = reference.convTranspose2d(as64(b.input), as64(b.weight), { ...b.options, bias: bias && as64(bias) });
  const magnitude = reference.convTranspose2d(abs64(b.input), abs64(b.weight), {
    ...b.options,
    bias: bias && abs64(bias),
  });
  const inC = b.input.shape.length === 4 ? b.input.shape[1] : b.input.shape[0];
  const [, , KH, KW] = b.weight.shape;
  return {
    label: 'convTranspose2d output',
    shape: value.shape,
    dtype: dtypeOfTensor(b.input),
    value: value.data as Float64Array,
    magnitude: magnitude.data as Float64Array,
    terms: (inC / (b.options.groups ?? 1)) * KH * KW + (bias ? 1 : 0),
  };
}

/** `convTranspose2d(input, weight, options)` calls: shape by the formula, values by the reference within the bound. */
export function convTranspose2dCalls(limits: SizeLimits = FUZZ_LIMITS): fc.Arbitrary<FuzzSession> {
  return transposeBase(limits).chain((b) => {
    const { cfg } = b;
    const [sh] = cfg.stride;
    const [dh] = cfg.dilation;
    const dtype = cfg.dtype;
    const choices: fc.Arbitrary<Edit<ConvDraft>>[] = [
      tensorSlotEdits(inputSlot, {
        rank: activationRank('rank'),
        zeroDim: { index: (s) => (s.length === 4 ? 1 : 0), code: 'shape' },
      }),
      tensorSlotEdits(weightSlot, { rank: weightRank, zeroDim: { index: () => 1, code: 'shape' } }),
      ...biasEdits(b.options.bias),
      optionValueEdits('stride', BAD_PAIRS, 'stride'),
      optionValueEdits('dilation', BAD_PAIRS, 'dilation'),
      optionValueEdits('groups', BAD_GROUPS, 'groups'),
      optionValueEdits('padding', [...BAD_PADDINGS, 'same', 'valid'], 'padding'),
      optionValueEdits('outputPadding', BAD_OUTPUT_PADDINGS, 'output-padding'),
      biasLengthEdits({ dtype, O: b.outC }),
      unknownKeyEdits(['paddingMode', 'output_padding', 'strides', 'pad', 'kernelSize']),
      notObjectEdits(),
      hostileOptionEdit(['stride', 'outputPadding', 'padding', 'bias']),
      choose([
        edit<ConvDraft>('geometry', 0, 'padding that crops the whole output', ['padding'], (d) =>
          setOption(d, 'padding', [
            [2 ** 30, 2 ** 30],
            [0, 0],
          ]),
        ),
        // In the geometry family: a stride edit could otherwise make this outputPadding legal again.
        edit<ConvDraft>('geometry', 0, 'outputPadding equal to max(stride, dilation)', ['output-padding'], (d) =>
          setOption(d, 'outputPadding', [Math.max(sh, dh), 0]),
        ),
        edit<ConvDraft>(
          'geometry',
          0,
          'stride 2^30 with outputPadding 2^30−1 (output too large)',
          ['too-large'],
          (d) => {
            setOption(d, 'stride', 2 ** 30);
            setOption(d, 'outputPadding', 2 ** 30 - 1);
          },
        ),
      ]),
      choose([
        edit<ConvDraft>('channels', 0, 'weight for one more input channel', ['channels'], (d) => {
          const [Ci, Og, KH, KW] = b.weight.shape;
          d.weight = zeros(dtype, [Ci + 1, Og, KH, KW]);
        }),
        edit<ConvDraft>('channels', 0, 'groups not dividing the input channels', ['groups', 'channels'], (d) =>
          setOption(d, 'groups', cfg.O + 1),
        ),
      ]),
      dtypeEdits([inputSlot, weightSlot, ...(b.options.bias ? [biasSlot] : [])]),
      choose([...tensorForms(inputSlot), ...tensorForms(weightSlot), ...optionForms<ConvDraft>(TRANSPOSE_KEYS)]),
    ];
    return pickEdits(choices).map((edits) => {
      const base = `convTranspose2d(input ${showTensor(b.input)}, weight ${showTensor(b.weight)}, ${JSON.stringify({ ...b.options, bias: b.options.bias && showTensor(b.options.bias) })})`;
      const label = convLabel(
        edits.map((e) => e.name),
        base,
      );
      return session('convTranspose2d', label, () => {
        const {
          draft,
          codes,
          hostile: h,
          names,
        } = applyEdits<ConvDraft>(
          { input: b.input, weight: b.weight, options: { ...b.options }, gradOutput: null },
          edits,
        );
        return [
          {
            target: 'convTranspose2d',
            edits: names,
            codes,
            hostile: h,
            functions: ['convTranspose2d'],
            run: (s) =>
              s.convTranspose2d!(
                draft.input as Tensor,
                draft.weight as Tensor,
                draft.options as Api.ConvTranspose2dOptions,
              ),
            check: (r) => {
              const y = asTensor(r, 'convTranspose2d');
              expectShape(y.shape, b.outputShape, 'convTranspose2d output (formula)');
              expectBounded(y, transposeReferenceExpectation(b));
            },
          },
        ];
      });
    });
  });
}

// ------------------------------------------------------------------ corr2d

interface PlaneDraft {
  X: unknown;
  K: unknown;
}

/** `corr2d(X, K)` calls, checked against the model of conv2d on `[1, 1, H, W]`. */
export function corr2dCalls(): fc.Arbitrary<FuzzSession> {
  const dims = fc.record({
    H: fc.integer({ min: 1, max: 7 }),
    W: fc.integer({ min: 1, max: 7 }),
    kh: fc.nat(6),
    kw: fc.nat(6),
    dtype: fc.constantFrom<DType>('float32', 'float64'),
  });
  return dims.chain(({ H, W, kh, kw, dtype }) => {
    const [KH, KW] = [1 + (kh % H), 1 + (kw % W)];
    return fc.tuple(tensorData(dtype, [H, W]), tensorData(dtype, [KH, KW])).chain(([X, K]) => {
      const xSlot: Slot<PlaneDraft> = {
        name: 'X',
        get: (d) => d.X,
        set: (d, v) => {
          d.X = v;
        },
      };
      const kSlot: Slot<PlaneDraft> = {
        name: 'K',
        get: (d) => d.K,
        set: (d, v) => {
          d.K = v;
        },
      };
      const planeRank: RankSpec = { code: 'rank', reshape: (s) => (s[0] === 1 ? [count(s)] : [1, ...s]) };
      const choices: fc.Arbitrary<Edit<PlaneDraft>>[] = [
        tensorSlotEdits(xSlot, { rank: planeRank, zeroDim: { index: () => 0, code: 'shape' } }),
        tensorSlotEdits(kSlot, { rank: planeRank, zeroDim: { index: () => 1, code: 'shape' } }),
        choose([
          edit<PlaneDraft>('geometry', 0, 'K taller than X', ['kernel-too-large'], (d) => {
            d.K = zeros(dtype, [H + 1, KW]);
          }),
          edit<PlaneDraft>('geometry', 0, 'K wider than X', ['kernel-too-large'], (d) => {
            d.K = zeros(dtype, [KH, W + 1]);
          }),
        ]),
        dtypeEdits([xSlot, kSlot]),
        choose([...tensorForms(xSlot), ...tensorForms(kSlot)]),
      ];
      return pickEdits(choices).map((edits) => {
        const label = convLabel(
          edits.map((e) => e.name),
          `corr2d(${showTensor(X)}, ${showTensor(K)})`,
        );
        return session('corr2d', label, () => {
          const { draft, codes, hostile: h, names } = applyEdits<PlaneDraft>({ X, K }, edits);
          return [
            {
              target: 'corr2d',
              edits: names,
              codes,
              hostile: h,
              functions: ['corr2d'],
              run: (s) => s.corr2d!(draft.X as Tensor, draft.K as Tensor),
              check: (r) => {
                const y = asTensor(r, 'corr2d');
                const c = { input: reshape(X, [1, 1, H, W]), weight: reshape(K, [1, 1, KH, KW]), options: {} };
                expectBounded(y, { ...forwardExpectation(c), shape: [H - KH + 1, W - KW + 1] });
              },
            },
          ];
        });
      });
    });
  });
}

// ------------------------------------------------------------------ tensor and toNested

/** Nested arrays of `data` in `shape` (a number for rank 0), built independently of `toNested`. */
export function nestedOf(shape: readonly number[], data: ArrayLike<number>): Nested {
  if (shape.length === 0) return data[0];
  const build = (depth: number, offset: number): Nested[] =>
    Array.from({ length: shape[depth] }, (_, i) =>
      depth === shape.length - 1 ? data[offset + i] : build(depth + 1, offset + i * count(shape.slice(depth + 1))),
    );
  return build(0, 0);
}

function sameNested(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((x, i) => sameNested(x, b[i]));
}

/** Shapes of rank 0–4 with dimensions 0–3 (at most 81 elements). */
const smallShape = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 4 });

/** Element values: small integers, dyadic numbers, and now and then NaN, ±Infinity or −0. */
const elementValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -100, max: 100 }) },
  { weight: 3, arbitrary: fc.integer({ min: -4096, max: 4096 }).map((m) => m / 64) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e300, 5e-324) },
);

type ValueForm = 'nested' | 'array' | 'Float32Array' | 'Float64Array' | 'Int16Array' | 'array-like' | 'scalar';

interface TensorDraft {
  values: unknown;
  shape: unknown;
  dtype: unknown;
}

function makeValues(form: ValueForm, shape: readonly number[], flat: readonly number[]): unknown {
  switch (form) {
    case 'nested':
      return nestedOf(shape, flat);
    case 'array':
      return [...flat];
    case 'Float32Array':
      return Float32Array.from(flat);
    case 'Float64Array':
      return Float64Array.from(flat);
    case 'Int16Array':
      return Int16Array.from(flat);
    case 'array-like':
      return Object.assign({ length: flat.length }, flat);
    case 'scalar':
      return flat[0];
  }
}

/** The values `tensor` must store for a form (typed arrays convert on the way in). */
function storedValues(form: ValueForm, flat: readonly number[]): number[] {
  if (form === 'Float32Array') return Array.from(Float32Array.from(flat));
  if (form === 'Int16Array') return Array.from(Int16Array.from(flat));
  return [...flat];
}

/** Shape a nested literal has: the dimensions up to (and including) the first 0. */
function nestedShape(shape: readonly number[]): number[] {
  const zero = shape.indexOf(0);
  return zero < 0 ? [...shape] : shape.slice(0, zero + 1);
}

function tensorValueEdits(form: ValueForm, shape: readonly number[], size: number): Edit<TensorDraft>[] {
  const f = 'values';
  const set =
    (v: unknown) =>
    (d: TensorDraft): void => {
      d.values = v;
    };
  const items: Edit<TensorDraft>[] = [
    ...([null, undefined, 'abc', {}, true, () => 1, Symbol('v'), 1n, new BigInt64Array(2)] as unknown[]).map((v) =>
      edit<TensorDraft>(f, 3, `values is ${showLiteral(v)}`, ['type'], set(v)),
    ),
    edit(f, 3, 'values contains itself', ['rank'], (d) => {
      const a: unknown[] = [];
      a.push(a);
      d.values = a;
    }),
    edit(f, 3, 'values nested 65 deep', ['rank'], (d) => {
      let v: unknown = 1;
      for (let i = 0; i < 65; i++) v = [v];
      d.values = v;
    }),
    ...[-1, 1.5, Number.NaN, Infinity, '3'].map((len) =>
      edit<TensorDraft>(f, 3, `an array-like of length ${String(len)}`, ['type'], set({ length: len, 0: 1 })),
    ),
    edit(f, 3, 'an array-like claiming 2^31 elements', ['too-large'], set({ length: 2 ** 31, 0: 1 })),
    edit(f, 3, 'an array-like whose elements throw', [], set(hostile({ length: 2 }, '0')), true),
    edit(
      f,
      3,
      'an array whose elements throw',
      [],
      set(
        new Proxy([1, 2], {
          get: (t, k, r) =>
            k === '0'
              ? (() => {
                  throw FUZZ_SENTINEL;
                })()
              : Reflect.get(t, k, r),
        }),
      ),
      true,
    ),
  ];
  // A rank-0 nested literal is a bare number: it has no element to replace.
  const editable = (form === 'nested' && shape.length > 0) || form === 'array' || form === 'array-like';
  if (editable && size > 0) {
    // Replace the last element (the first one fixes the inferred shape; the last never does).
    for (const bad of ['1', null, undefined, {}, 1n, true] as unknown[]) {
      items.push(
        edit(f, 1, `last value is ${showLiteral(bad)}`, ['type', 'shape'], (d) => {
          d.values = withLast(d.values, () => bad);
        }),
      );
    }
  }
  if (form === 'nested' && shape.length >= 2 && !shape.includes(0) && shape.slice(0, -1).some((s) => s > 1)) {
    items.push(
      edit(f, 1, 'the last innermost array one longer (ragged)', ['shape'], (d) => {
        d.values = withLastRow(d.values);
      }),
    );
  }
  if (form === 'scalar') items.push(edit(f, 1, 'the scalar is a string', ['type'], set('1')));
  return items;
}

function withLast(values: unknown, replace: () => unknown): unknown {
  if (!Array.isArray(values)) {
    if (typeof values === 'object' && values !== null && 'length' in values) {
      const o = { ...(values as Record<string, unknown>) };
      o[String((o.length as number) - 1)] = replace();
      return o;
    }
    return values;
  }
  const copy = [...values];
  const last = copy.length - 1;
  copy[last] = Array.isArray(copy[last]) ? withLast(copy[last], replace) : replace();
  return copy;
}

function withLastRow(values: unknown): unknown {
  if (!Array.isArray(values)) return values;
  const copy = [...values];
  const last = copy.length - 1;
  copy[last] =
    Array.isArray(copy[last]) && Array.isArray(copy[last][0])
      ? withLastRow(copy[last])
      : [...(copy[last] as unknown[]), 0];
  return copy;
}

function tensorShapeEdits(form: ValueForm, literalShape: readonly number[]): Edit<TensorDraft>[] {
  const f = 'shape';
  const set =
    (v: unknown) =>
    (d: TensorDraft): void => {
      d.shape = v;
    };
  const nested = form === 'nested' && literalShape.length > 1;
  return [
    ...(['abc', 5, { length: 1 }, new Int32Array(1), null] as unknown[]).map((v) =>
      edit<TensorDraft>(f, 1, `shape is ${showLiteral(v)}`, ['shape'], set(v)),
    ),
    ...BAD_DIMS.map((b) =>
      edit<TensorDraft>(f, 1, `shape holds ${String(b)}`, ['shape'], set([b, ...literalShape.slice(1)])),
    ),
    edit(
      f,
      1,
      'shape of another size',
      nested ? ['shape', 'data-length'] : ['data-length'],
      set(resized(literalShape)),
    ),
    edit(f, 1, 'shape of rank 65', ['rank'], set(new Array(65).fill(1))),
    edit(f, 1, 'shape with a 2^31 dimension', ['too-large'], set([2 ** 31, 0])),
  ];
}

/** `tensor(values, shape?, dtype?)` calls in every input form; valid ones must store exactly the given values. */
export function tensorCalls(): fc.Arbitrary<FuzzSession> {
  const base = fc.record({
    shape: smallShape,
    form: fc.constantFrom<ValueForm>(
      'nested',
      'array',
      'Float32Array',
      'Float64Array',
      'Int16Array',
      'array-like',
      'scalar',
    ),
    giveShape: fc.boolean(),
    dtype: fc.constantFrom<DType | undefined | null>(undefined, 'float32', 'float64', null),
  });
  return base.chain((b) => {
    const shape = b.form === 'scalar' ? [] : b.form === 'nested' ? nestedShape(b.shape) : b.shape;
    const flatLength = b.form === 'nested' && shape.includes(0) ? 0 : count(shape);
    return fc.array(elementValue, { minLength: flatLength, maxLength: flatLength }).chain((flat) => {
      const values = b.form === 'Int16Array' ? flat.map((v) => (Number.isFinite(v) ? Math.trunc(v) : 0)) : flat;
      const choices = [
        choose<TensorDraft>(tensorValueEdits(b.form, shape, values.length)),
        choose<TensorDraft>(tensorShapeEdits(b.form, shape)),
        choose<TensorDraft>(
          (['float16', 'int32', 'Float32', 5, {}] as unknown[]).map((v) =>
            edit<TensorDraft>('dtype', 1, `dtype ${showLiteral(v)}`, ['dtype'], (d) => {
              d.dtype = v;
            }),
          ),
        ),
      ];
      return pickEdits(choices).map((edits) => {
        const flatForm = b.form !== 'nested' && b.form !== 'scalar';
        // A flat form needs its shape unless it is 1-D; a nested literal may or may not repeat it.
        const shapeArg = flatForm && shape.length !== 1 ? shape : b.giveShape ? shape : undefined;
        const label = convLabel(
          edits.map((e) => e.name),
          `tensor(${b.form} ${JSON.stringify(values)}, ${showLiteral(shapeArg)}, ${showLiteral(b.dtype)})`,
        );
        const wantDType: DType = b.dtype ?? (b.form === 'Float64Array' ? 'float64' : 'float32');
        const want = storedValues(b.form, values);
        const wantShape = shapeArg ?? (flatForm ? [values.length] : shape);
        return session('tensor', label, () => {
          const {
            draft,
            codes,
            hostile: h,
            names,
          } = applyEdits<TensorDraft>(
            { values: makeValues(b.form, shape, values), shape: shapeArg && [...shapeArg], dtype: b.dtype },
            edits,
          );
          const given = draft.values;
          return [
            {
              target: 'tensor',
              edits: names,
              codes,
              hostile: h,
              functions: ['tensor'],
              run: (s) => s.tensor!(draft.values as number[], draft.shape as number[], draft.dtype as DType),
              check: (r) => {
                const t = asTensor(r, 'tensor');
                expectShape(t.shape, wantShape, 'tensor');
                if (dtypeOfTensor(t) !== wantDType)
                  throw new Error(`tensor: dtype ${dtypeOfTensor(t)}, expected ${wantDType}`);
                if (t.data === given) throw new Error('tensor: the data was not copied');
                const stored = wantDType === 'float32' ? want.map(Math.fround) : want;
                if (t.data.length !== stored.length || stored.some((v, i) => !Object.is(v, t.data[i]))) {
                  throw new Error(`tensor: stored [${Array.from(t.data).join(', ')}], expected [${stored.join(', ')}]`);
                }
              },
            },
          ];
        });
      });
    });
  });
}

interface NestedDraft {
  t: unknown;
}

/** `toNested(t)` calls: valid tensors of rank 0–4 (zero sizes included) must come back as the same nested values. */
export function toNestedCalls(): fc.Arbitrary<FuzzSession> {
  const base = fc.record({ shape: smallShape, dtype: fc.constantFrom<DType>('float32', 'float64') });
  return base.chain(({ shape, dtype }) =>
    fc.array(elementValue, { minLength: count(shape), maxLength: count(shape) }).chain((flat) => {
      const t = fromFunction(dtype, shape, (i) => flat[i]);
      const slot: Slot<NestedDraft> = {
        name: 't',
        get: (d) => d.t,
        set: (d, v) => {
          d.t = v;
        },
      };
      const choices = [tensorSlotEdits(slot, {}), choose(tensorForms(slot))];
      return pickEdits(choices).map((edits) => {
        const label = convLabel(
          edits.map((e) => e.name),
          `toNested(${showTensor(t)})`,
        );
        return session('toNested', label, () => {
          const { draft, codes, hostile: h, names } = applyEdits<NestedDraft>({ t }, edits);
          return [
            {
              target: 'toNested',
              edits: names,
              codes,
              hostile: h,
              functions: ['toNested'],
              run: (s) => s.toNested!(draft.t as Tensor),
              check: (r) => {
                const want = nestedOf(shape, t.data);
                if (!sameNested(r, want))
                  throw new Error(`toNested: got ${JSON.stringify(r)}, expected ${JSON.stringify(want)}`);
              },
            },
          ];
        });
      });
    }),
  );
}

// ------------------------------------------------------------------ sgd

interface ParamLike {
  shape: number[];
  data: TensorData;
  grad: TensorData;
}

interface SgdDraft {
  params: unknown;
  lr: unknown;
}

function dataSnapshot(params: readonly ParamLike[]): number[][] {
  return params.map((p) => Array.from(p.data));
}

function sameBits(a: readonly number[], b: ArrayLike<number>): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** `sgd(parameters, lr)` calls: valid ones set each `data[i]` to `data[i] − lr·grad[i]` in its dtype; failed ones change nothing. */
export function sgdCalls(): fc.Arbitrary<FuzzSession> {
  const param = fc
    .record({
      shape: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
      dtype: fc.constantFrom<DType>('float32', 'float64'),
    })
    .chain(({ shape, dtype }) =>
      fc.tuple(
        fc.constant(shape),
        fc.constant(dtype),
        fc.array(elementValue, { minLength: 2 * count(shape), maxLength: 2 * count(shape) }),
      ),
    );
  const lr = fc.oneof(
    fc.integer({ min: -8, max: 8 }).map((m) => m / 16),
    fc.constantFrom(0, 1, 1e-3),
  );
  return fc.tuple(fc.array(param, { minLength: 0, maxLength: 3 }), lr).chain(([drawn, rate]) => {
    const n = drawn.length;
    const choices = [
      choose<SgdDraft>(
        ([Number.NaN, Infinity, -Infinity, '0.1', undefined, null, [0.1], 1n] as unknown[]).map((v) =>
          edit<SgdDraft>('lr', 1, `lr ${showLiteral(v)}`, ['option'], (d) => {
            d.lr = v;
          }),
        ),
      ),
      choose<SgdDraft>(
        (
          [
            null,
            undefined,
            5,
            {},
            'w',
            { shape: [1], data: new Float32Array(1), grad: new Float32Array(1) },
          ] as unknown[]
        ).map((v) =>
          edit<SgdDraft>('params', 3, `parameters is ${showLiteral(v)}`, ['type'], (d) => {
            d.params = v;
          }),
        ),
      ),
      choose<SgdDraft>([
        ...(
          [
            null,
            {},
            5,
            { shape: [1], data: new Float32Array(1) },
            { shape: [2], data: new Float32Array(2), grad: new Float32Array(1) },
            { shape: [1], data: new Float32Array(1), grad: new Int32Array(1) },
            { shape: [1], data: [1], grad: [1] },
          ] as unknown[]
        ).map((v) =>
          edit<SgdDraft>('element', 1, `a parameter is ${showLiteral(v)}`, ['type'], (d) => {
            if (Array.isArray(d.params)) d.params = [...d.params, v];
          }),
        ),
        edit<SgdDraft>(
          'element',
          1,
          'a parameter with a throwing data getter',
          [],
          (d) => {
            if (Array.isArray(d.params))
              d.params = [...d.params, hostile({ shape: [1], grad: new Float32Array(1) }, 'data')];
          },
          true,
        ),
      ]),
    ];
    return pickEdits(choices).map((edits) => {
      const label = convLabel(
        edits.map((e) => e.name),
        `sgd(${n} parameters ${JSON.stringify(drawn.map(([s, t]) => `${t}[${s.join(',')}]`))}, ${rate})`,
      );
      return session('sgd', label, () => {
        const params: ParamLike[] = drawn.map(([shape, dtype, v]) => {
          const size = count(shape);
          return {
            shape,
            data: fromFunction(dtype, [size], (i) => v[i]).data,
            grad: fromFunction(dtype, [size], (i) => v[size + i]).data,
          };
        });
        const before = dataSnapshot(params);
        const { draft, codes, hostile: h, names } = applyEdits<SgdDraft>({ params: [...params], lr: rate }, edits);
        return [
          {
            target: 'sgd',
            edits: names,
            codes,
            hostile: h,
            functions: ['sgd'],
            run: (s) => s.sgd!(draft.params as Api.Parameter[], draft.lr as number),
            check: () =>
              params.forEach((p, k) => {
                const want = before[k].map((d, i) => {
                  const next = d - rate * p.grad[i];
                  return p.data instanceof Float32Array ? Math.fround(next) : next;
                });
                if (!sameBits(want, p.data))
                  throw new Error(
                    `sgd: parameter ${k} is [${Array.from(p.data).join(', ')}], expected [${want.join(', ')}]`,
                  );
              }),
            unchanged: () =>
              params.forEach((p, k) => {
                if (!sameBits(before[k], p.data)) throw new Error(`sgd threw but changed parameter ${k}`);
              }),
          },
        ];
      });
    });
  });
}

// ------------------------------------------------------------------ Conv2d layer sessions

type LayerConfig = Record<string, unknown>;

function layerConfigOf(cfg: ConvConfig, seed: number, dtypeGiven: boolean): LayerConfig {
  const o = cfg.options;
  const entries: [string, unknown][] = [
    ['inChannels', cfg.C],
    ['outChannels', cfg.O],
    ['kernelSize', cfg.KH === cfg.KW ? cfg.KH : [cfg.KH, cfg.KW]],
    ['stride', o.stride],
    ['padding', o.padding],
    ['dilation', o.dilation],
    ['groups', o.groups],
    ['paddingMode', o.paddingMode],
    ['bias', cfg.bias],
    ['dtype', dtypeGiven || cfg.dtype === 'float64' ? cfg.dtype : undefined],
    ['seed', seed],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

function configEdits(cfg: ConvConfig): fc.Arbitrary<Edit<{ config: unknown }>> {
  type D = { config: unknown };
  const set =
    (key: string, v: unknown) =>
    (d: D): void => {
      if (typeof d.config === 'object' && d.config !== null) d.config = { ...d.config, [key]: v };
    };
  const values = (key: string, bad: readonly unknown[], codes: readonly ConvErrorCode[]): Edit<D>[] =>
    bad.map((v) => edit<D>(key, 1, `${key}: ${showLiteral(v)}`, codes, set(key, v)));
  const counts: readonly unknown[] = [0, -1, 1.5, '3', Number.NaN, null, Infinity];
  const items: Edit<D>[] = [
    ...values('inChannels', counts, ['shape']),
    ...values('outChannels', counts, ['shape']),
    ...values('inChannels', [2 ** 31], ['too-large', 'groups']),
    ...values('kernelSize', [0, -1, 1.5, '3', [3], [3, 3, 3], [3, '3'], null, Number.NaN, [0, 1]], ['shape']),
    ...values('groups', [0, 1.5, '2', Number.NaN, cfg.C + 1], ['groups']),
    ...values('stride', BAD_PAIRS, ['stride']),
    ...values('dilation', BAD_PAIRS, ['dilation']),
    ...values('padding', BAD_PADDINGS, ['padding']),
    ...values('paddingMode', BAD_MODES, ['padding-mode']),
    ...values('dtype', ['float16', 5, 'Float32'], ['dtype']),
    ...values('bias', ['yes', 1, null], ['option']),
    ...values('seed', ['1', Number.NaN, Infinity, {}], ['option']),
    ...['in_channels', 'kernel', 'padding_mode', 'strides'].map((k) =>
      edit<D>('name', 1, `unknown key ${k}`, ['option'], set(k, 1)),
    ),
    ...([null, undefined, 5, 'conv'] as unknown[]).map((v) =>
      edit<D>('config', 3, `config is ${showLiteral(v)}`, ['option'], (d) => {
        d.config = v;
      }),
    ),
    edit<D>('config', 3, 'config is an empty array', ['shape', 'option'], (d) => {
      d.config = [];
    }),
    edit<D>(
      'config',
      4,
      'config.kernelSize is a throwing getter',
      [],
      (d) => {
        if (typeof d.config === 'object' && d.config !== null)
          d.config = hostile(d.config as Record<string, unknown>, 'kernelSize');
      },
      true,
    ),
  ];
  if (cfg.groups > 1)
    items.push(
      edit<D>('inChannels', 1, 'inChannels not divisible by groups', ['groups'], set('inChannels', cfg.C + 1)),
    );
  return choose(items);
}

type LayerOp =
  | { readonly op: 'forward'; readonly edit: number }
  | { readonly op: 'backward'; readonly edit: number }
  | { readonly op: 'zeroGrad' }
  | { readonly op: 'parameters' }
  | { readonly op: 'sgd'; readonly lr: number };

/** How a forward/backward argument is broken (index into the slot's edits), or -1 for a valid one. */
const argEdit = fc.oneof({ weight: 2, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(1000) });

const layerOp: fc.Arbitrary<LayerOp> = fc.oneof(
  { weight: 4, arbitrary: argEdit.map((e) => ({ op: 'forward' as const, edit: e })) },
  { weight: 4, arbitrary: argEdit.map((e) => ({ op: 'backward' as const, edit: e })) },
  { weight: 1, arbitrary: fc.constant({ op: 'zeroGrad' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'parameters' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: -4, max: 4 }).map((m) => ({ op: 'sgd' as const, lr: m / 16 })) },
);

interface LayerState {
  layer: Api.Conv2d | null;
  lastInput: Tensor | null;
  /** No sgd since the last forward: the model may check backward against the forward's weights. */
  weightsSinceForward: boolean;
  gradsZero: boolean;
}

function paramTensor(p: Api.Parameter): Tensor {
  return { shape: [...p.shape], data: p.data.slice() };
}

function layerSnapshot(layer: Api.Conv2d): number[][] {
  return layer.parameters().flatMap((p) => [Array.from(p.data), Array.from(p.grad)]);
}

function expectLayerUnchanged(layer: Api.Conv2d, before: number[][], what: string): void {
  const now = layerSnapshot(layer);
  if (now.length !== before.length || now.some((a, i) => !sameBits(a, before[i])))
    throw new Error(`${what} changed the layer's parameters or gradients`);
}

/** Broken variants of a layer's forward input or backward gradient (the slot's edits, drawn by index). */
function brokenArgs(slot: 'x' | 'dy', t: Tensor, cfg: ConvConfig): Edit<{ v: unknown }>[] {
  type D = { v: unknown };
  const code: ConvErrorCode = slot === 'x' ? 'rank' : 'grad-output';
  return [
    ...NOT_TENSORS.map(([label, make, c]) =>
      edit<D>(slot, 3, `${slot} is ${label}`, [c], (d) => {
        d.v = make();
      }),
    ),
    edit<D>(slot, 1, `${slot} of the wrong rank`, [code], (d) => {
      d.v = { shape: activationRank(code).reshape(t.shape), data: t.data };
    }),
    edit<D>(slot, 1, `${slot} in the other dtype`, ['dtype'], (d) => {
      d.v = converted(t, otherDType(t));
    }),
    edit<D>(slot, 1, `${slot}.shape disagrees with its data`, ['data-length'], (d) => {
      d.v = { shape: resized(t.shape), data: t.data };
    }),
    slot === 'x'
      ? edit<D>(slot, 0, 'x with one more channel', ['channels'], (d) => {
          const shape = [...t.shape];
          shape[shape.length - 3]++;
          d.v = zeros(cfg.dtype, shape);
        })
      : edit<D>(slot, 0, 'dy one row taller', ['grad-output'], (d) => {
          const shape = [...t.shape];
          shape[shape.length - 2]++;
          d.v = zeros(cfg.dtype, shape);
        }),
    edit<D>(
      slot,
      3,
      `${slot}.data is a throwing getter`,
      [],
      (d) => {
        d.v = hostile({ shape: t.shape }, 'data');
      },
      true,
    ),
  ];
}

/** The model case of the layer's conv with its current parameters. */
function layerConvCase(layer: Api.Conv2d, cfg: ConvConfig, x: Tensor): GeneratedCase {
  const bias = layer.bias ? paramTensor(layer.bias) : null;
  return {
    input: x,
    weight: paramTensor(layer.weight),
    options: bias ? { ...cfg.options, bias } : { ...cfg.options },
    config: cfg,
  };
}

/** The session's calls after a valid constructor: one per drawn operation, sharing `st`. */
function opCalls(cfg: ConvConfig, ops: readonly LayerOp[], x: Tensor, dy: Tensor, st: LayerState): FuzzCall[] {
  return ops.map((op): FuzzCall => {
    switch (op.op) {
      case 'forward':
      case 'backward':
        return passCall(cfg, op.op, op.edit, x, dy, st);
      case 'zeroGrad':
        return zeroGradCall(st);
      case 'parameters':
        return parametersCall(st);
      case 'sgd':
        return layerSgdCall(op.lr, st);
    }
  });
}

/**
 * `layer.forward(x)` or `layer.backward(dy)` with a valid or broken argument.
 * Valid ones are checked against the model with the layer's parameters at
 * the time (backward only when no sgd step came since the forward), and
 * `.grad` against the model's gradients when it was zero before.
 */
function passCall(
  cfg: ConvConfig,
  pass: 'forward' | 'backward',
  editIndex: number,
  x: Tensor,
  dy: Tensor,
  st: LayerState,
): FuzzCall {
  const forward = pass === 'forward';
  const layer = (): Api.Conv2d => st.layer!;
  const broken = brokenArgs(forward ? 'x' : 'dy', forward ? x : dy, cfg);
  const chosen = editIndex < 0 ? null : broken[editIndex % broken.length];
  const d = { v: (forward ? x : dy) as unknown };
  chosen?.apply(d);
  // Whether backward comes before any successful forward is known only when the step runs.
  let noForward = false;
  let before: number[][] = [];
  let modelCase: GeneratedCase | null = null;
  let checkGrads = false;
  return {
    target: 'Conv2d',
    edits: [`${pass}${chosen ? ` with ${chosen.name}` : ''}`],
    get codes(): ConvErrorCode[] {
      return noForward ? ['state'] : chosen ? [...chosen.codes] : [];
    },
    get hostile(): boolean {
      return !noForward && !!chosen?.hostile;
    },
    functions: forward ? ['conv2d', 'Conv2d.forward'] : ['Conv2d.backward', 'conv2dBackward'],
    run: () => {
      noForward = !forward && st.lastInput === null;
      before = layerSnapshot(layer());
      if (forward) {
        modelCase = layerConvCase(layer(), cfg, x);
        return layer().forward(d.v as Tensor);
      }
      modelCase = st.lastInput && st.weightsSinceForward ? layerConvCase(layer(), cfg, st.lastInput) : null;
      checkGrads = st.gradsZero;
      return layer().backward(d.v as Tensor);
    },
    check: (r) => {
      if (forward) {
        expectBounded(asTensor(r, 'Conv2d.forward'), forwardExpectation(modelCase!));
        expectLayerUnchanged(layer(), before, 'forward');
        st.lastInput = x;
        st.weightsSinceForward = true;
        return;
      }
      checkBackward(asTensor(r, 'Conv2d.backward'), layer(), before, modelCase, checkGrads, x, dy);
      st.gradsZero = false;
    },
    unchanged: () => expectLayerUnchanged(layer(), before, `a failed ${pass}`),
  };
}

function checkBackward(
  gx: Tensor,
  layer: Api.Conv2d,
  before: number[][],
  modelCase: GeneratedCase | null,
  checkGrads: boolean,
  x: Tensor,
  dy: Tensor,
): void {
  expectShape(gx.shape, x.shape, 'Conv2d.backward gradInput');
  const data = layerSnapshot(layer).filter((_, i) => i % 2 === 0);
  if (data.some((a, i) => !sameBits(a, before[2 * i]))) throw new Error("backward changed the parameters' data");
  if (!modelCase) return;
  const e = gradientExpectations(modelCase, dy);
  expectBounded(gx, e.gradInput);
  if (!checkGrads) return;
  expectBounded({ shape: layer.weight.shape, data: layer.weight.grad }, e.gradWeight);
  if (layer.bias) expectBounded({ shape: layer.bias.shape, data: layer.bias.grad }, e.gradBias);
}

function zeroGradCall(st: LayerState): FuzzCall {
  return {
    target: 'Conv2d',
    edits: ['zeroGrad'],
    codes: [],
    hostile: false,
    functions: [],
    run: () => st.layer!.zeroGrad(),
    check: () => {
      if (st.layer!.parameters().some((p) => p.grad.some((g) => !Object.is(g, 0))))
        throw new Error('zeroGrad left a non-zero (or −0) gradient');
      st.gradsZero = true;
    },
  };
}

function parametersCall(st: LayerState): FuzzCall {
  return {
    target: 'Conv2d',
    edits: ['parameters'],
    codes: [],
    hostile: false,
    functions: [],
    run: () => st.layer!.parameters(),
    check: (r) => {
      const { weight, bias } = st.layer!;
      const want = bias ? [weight, bias] : [weight];
      if (!Array.isArray(r) || r.length !== want.length || r.some((p, i) => p !== want[i]))
        throw new Error('parameters() is not [weight, bias?]');
    },
  };
}

function layerSgdCall(lr: number, st: LayerState): FuzzCall {
  let before: number[][] = [];
  return {
    target: 'sgd',
    edits: [`sgd on the layer, lr ${lr}`],
    codes: [],
    hostile: false,
    functions: ['sgd'],
    run: (s) => {
      before = st.layer!.parameters().map((p) => Array.from(p.data));
      s.sgd!(st.layer!.parameters(), lr);
    },
    check: () => {
      st.layer!.parameters().forEach((p, k) => {
        const want = before[k].map((v, i) =>
          p.data instanceof Float32Array ? Math.fround(v - lr * p.grad[i]) : v - lr * p.grad[i],
        );
        if (!sameBits(want, p.data)) throw new Error(`sgd on the layer: parameter ${k} not updated as data − lr·grad`);
      });
      if (lr !== 0) st.weightsSinceForward = false;
    },
  };
}

/**
 * `new Conv2d(config)` with valid or broken configs, then, for a valid
 * layer, a random sequence of forward/backward (valid or broken arguments,
 * backward before any forward), zeroGrad, parameters and sgd. Each step is
 * checked: forward and backward against the model with the layer's current
 * parameters, the gradients added into `.grad`, and failed steps leave the
 * layer untouched.
 */
export function conv2dLayerSessions(limits: SizeLimits = FUZZ_LIMITS): fc.Arbitrary<FuzzSession> {
  return convConfig({ ...limits, dtype: 'both' }).chain((cfg) =>
    fc
      .record({
        seed: fc.nat(),
        dtypeGiven: fc.boolean(),
        x: tensorData(cfg.dtype, cfg.inputShape),
        dy: tensorData(cfg.dtype, cfg.batched ? [cfg.N, cfg.O, cfg.OH, cfg.OW] : [cfg.O, cfg.OH, cfg.OW]),
        // Half the layers are valid, so that method sequences get exercised too.
        edits: pickEdits([configEdits(cfg)], 2),
        ops: fc.array(layerOp, { minLength: 1, maxLength: 8 }),
      })
      .map(({ seed, dtypeGiven, x, dy, edits, ops }) => {
        const config = layerConfigOf(cfg, seed, dtypeGiven);
        const label =
          `new Conv2d(${JSON.stringify(config)})${edits.length ? ` edited by [${edits.map((e) => e.name).join('; ')}]` : ''}` +
          ` then ${ops.map((o) => (o.op === 'forward' || o.op === 'backward' ? `${o.op}(${o.edit < 0 ? 'valid' : `broken #${o.edit}`})` : o.op)).join(', ')}` +
          ` with x ${showTensor(x)}, dy ${showTensor(dy)}`;
        return session('Conv2d', label, () => {
          const { draft, codes, hostile: h, names } = applyEdits<{ config: unknown }>({ config }, edits);
          const st: LayerState = { layer: null, lastInput: null, weightsSinceForward: false, gradsZero: true };
          const construct: FuzzCall = {
            target: 'Conv2d',
            edits: names,
            codes,
            hostile: h,
            functions: ['Conv2d'],
            run: (s) => new s.Conv2d!(draft.config as Api.Conv2dConfig),
            check: (r) => {
              const layer = r as Api.Conv2d;
              checkNewLayer(layer, cfg);
              st.layer = layer;
            },
          };
          if (codes.length > 0 || h) return [construct];
          return [construct, ...opCalls(cfg, ops, x, dy, st)];
        });
      }),
  );
}

function checkNewLayer(layer: Api.Conv2d, cfg: ConvConfig): void {
  expectShape(layer.weight.shape, cfg.weightShape, 'Conv2d weight');
  if (dtypeOfTensor(layer.weight) !== cfg.dtype)
    throw new Error(`Conv2d weight dtype ${dtypeOfTensor(layer.weight)}, expected ${cfg.dtype}`);
  const [, Cg, KH, KW] = cfg.weightShape;
  const bound = 1 / Math.sqrt(Cg * KH * KW);
  for (const p of layer.parameters()) {
    if (p.grad.length !== p.data.length || p.grad.some((g) => g !== 0))
      throw new Error("a new layer must have zero gradients of its data's length");
    if (p.data.some((v) => !(Math.abs(v) <= Math.fround(bound) * (1 + 2 ** -20))))
      throw new Error(`Conv2d init outside ±1/√fan_in = ±${bound}`);
  }
  if ((layer.bias !== null) !== cfg.bias)
    throw new Error(`Conv2d bias ${layer.bias ? 'present' : 'absent'}, config says ${cfg.bias}`);
  if (layer.bias) expectShape(layer.bias.shape, [cfg.O], 'Conv2d bias');
}

/**
 * The session generator of each target.
 * @example fc.assert(fuzzProperty(convproof, FUZZERS.conv2d(), stats))
 */
export const FUZZERS: Readonly<Record<FuzzTarget, () => fc.Arbitrary<FuzzSession>>> = {
  tensor: tensorCalls,
  toNested: toNestedCalls,
  corr2d: corr2dCalls,
  conv2d: () => conv2dCalls(),
  conv2dBackward: () => conv2dBackwardCalls(),
  convTranspose2d: () => convTranspose2dCalls(),
  conv2dOutputShape: () => conv2dOutputShapeCalls(),
  Conv2d: () => conv2dLayerSessions(),
  sgd: sgdCalls,
};
