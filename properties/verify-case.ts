/**
 * The structured counterexample of a failure (`FailureReport.case`): the
 * call of the implementation that failed, with every tensor argument's
 * shape, dtype and values, the options as the call got them, and — when the
 * failure is a comparison — which outputs differ.
 *
 * How the call is known. During each run of a property, every call of the
 * implementation is recorded (its arguments copied as they were passed);
 * the calls of the last failing run — the shrunk counterexample — are the
 * report's. The failing call is the last one made before the property
 * failed: the one that threw, hung, or whose result the property compared
 * last. Metamorphic properties compare two calls, so the calls before it
 * are kept too (`earlier`).
 *
 * Everything here is plain JSON: a number JSON cannot hold is written as a
 * string, `'NaN'`, `'Infinity'`, `'-Infinity'`, and −0 as `'-0'` (a sign a
 * conv can propagate), so `JSON.stringify` loses nothing.
 */
import type { DType } from '../src/index.js';
import { ScaleFailure } from './scale/index.js';
import { isTensor } from './scenario.js';
import { ComparisonError, type Comparison } from './spec/index.js';
import type { ConvExtras, ConvImplementation } from './types.js';

/**
 * A number as JSON holds it: finite numbers as themselves, the rest as strings.
 * @example jsonNumber(NaN) // 'NaN'; jsonNumber(-0) // '-0'; jsonNumber(1.5) // 1.5
 */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** A JSON value whose numbers are `JsonNumber`s. */
export type JsonValue =
  | JsonNumber
  | string
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

/**
 * A tensor argument: its shape, dtype and values in row-major order;
 * `data` is null for a tensor of more than `DATA_KEPT` elements (scale cases,
 * whose data `params` rebuilds).
 */
export interface TensorJson {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: readonly JsonNumber[] | null;
}

/** The routines of an implementation whose calls are recorded. */
export type Routine =
  | 'conv2d'
  | 'conv2dBackward'
  | 'convTranspose2d'
  | 'convTranspose2dBackward'
  | 'corr2d'
  | 'conv2dOutputShape';

/** One call of the implementation, as it was made. */
export interface CallData {
  readonly routine: Routine;
  /** Tensor arguments by parameter name (`input`, `weight`, `gradOutput`, `X`, `K`); an options `bias` is here as `bias`. */
  readonly tensors: Readonly<Record<string, TensorJson>>;
  /** The options as the call got them, less a bias tensor (in `tensors`); absent when none were passed. */
  readonly options?: Readonly<Record<string, JsonValue>>;
  /** Any other argument (`conv2dOutputShape`'s shapes, or a malformed argument of an error property). */
  readonly other?: Readonly<Record<string, JsonValue>>;
}

/** One output element outside its bound. */
export interface DifferingOutput {
  /** What was compared: `'conv2d output'`, `'gradInput'`, `'gradWeight'`, `'gradBias'`, or a metamorphic comparison's label. */
  readonly output: string;
  readonly index: readonly number[];
  readonly got: JsonNumber;
  readonly expected: JsonNumber;
  /** The allowed |got − expected| (0: must match exactly). */
  readonly bound: JsonNumber;
}

/**
 * The structured counterexample: the failing call, the calls before it,
 * which outputs differ, and for a scale case the numbers it is built from.
 * @example const c = report.properties[0].failure?.case; c?.routine // 'conv2d'; c?.options // { stride: 2 }
 */
export interface CounterexampleData extends CallData {
  /** The calls the property made on this case before the failing one (the first `CALLS_KEPT − 1`). */
  readonly earlier: readonly CallData[];
  /** How many calls it made on this case in all, the failing one included. */
  readonly calls: number;
  /** For a failed comparison: its first differing elements (at most 20) and how many differ in all. */
  readonly differences?: { readonly total: number; readonly shown: readonly DifferingOutput[] };
  /** A scale case: the numbers it is built from (sizes, options and the seed of its data). */
  readonly params?: Readonly<Record<string, JsonValue>>;
}

/** Tensors of more elements are recorded without their values. */
export const DATA_KEPT = 16384;
/** Calls recorded per case: the first `CALLS_KEPT − 1` and the last. */
export const CALLS_KEPT = 8;

const PARAMETERS: Record<Routine, readonly string[]> = {
  conv2d: ['input', 'weight', 'options'],
  conv2dBackward: ['gradOutput', 'input', 'weight', 'options'],
  convTranspose2d: ['input', 'weight', 'options'],
  convTranspose2dBackward: ['gradOutput', 'input', 'weight', 'options'],
  corr2d: ['X', 'K'],
  conv2dOutputShape: ['inputShape', 'weightShape', 'options'],
};
const ROUTINES = Object.keys(PARAMETERS) as Routine[];

/**
 * A number JSON can hold.
 * @example jsonNumber(-Infinity) // '-Infinity'
 */
export function jsonNumber(v: number): JsonNumber {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return Object.is(v, -0) ? '-0' : v;
}

/**
 * A tensor argument as it was when passed: its values copied (a plain copy
 * per call is cheap; the JSON form is made only for a failure's calls).
 */
class TensorCopy {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: Float32Array | Float64Array | null;
  constructor(t: { shape: readonly number[]; data: Float32Array | Float64Array }) {
    this.shape = [...t.shape];
    this.dtype = t.data instanceof Float64Array ? 'float64' : 'float32';
    this.data = t.data.length > DATA_KEPT ? null : t.data.slice();
  }
  json(): TensorJson {
    return { shape: this.shape, dtype: this.dtype, data: this.data ? Array.from(this.data, jsonNumber) : null };
  }
}

/** Any value as JSON (tensors as `TensorJson`, at most six levels deep, functions by name). */
function jsonValue(v: unknown, depth = 0): JsonValue {
  if (typeof v === 'number') return jsonNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  if (v === undefined) return null;
  if (isTensor(v)) return new TensorCopy(v).json() as unknown as JsonValue;
  if (typeof v !== 'object' || depth >= 6) return String(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v))
    return Array.from(v as ArrayLike<unknown>, (x) => jsonValue(x, depth + 1));
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = jsonValue(x, depth + 1);
  return out;
}

/** A call as recorded: tensors copied, the other arguments already JSON (they are small). */
interface RecordedCall extends Omit<CallData, 'tensors'> {
  readonly tensors: Readonly<Record<string, TensorCopy>>;
}

/** A call's arguments sorted into tensors, options and the rest. */
function recorded(routine: Routine, args: readonly unknown[]): RecordedCall {
  const tensors: Record<string, TensorCopy> = {};
  const other: Record<string, JsonValue> = {};
  let options: Record<string, JsonValue> | undefined;
  args.forEach((arg, i) => {
    const name = PARAMETERS[routine][i] ?? `argument${i}`;
    if (isTensor(arg)) tensors[name] = new TensorCopy(arg);
    else if (name === 'options' && arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
      const { bias, ...rest } = arg as Record<string, unknown>;
      if (isTensor(bias)) tensors.bias = new TensorCopy(bias);
      options = jsonValue(isTensor(bias) ? rest : arg) as Record<string, JsonValue>;
    } else if (arg !== undefined) other[name] = jsonValue(arg);
  });
  return {
    routine,
    tensors,
    ...(options ? { options } : {}),
    ...(Object.keys(other).length ? { other } : {}),
  };
}

function callData(call: RecordedCall): CallData {
  const tensors = Object.fromEntries(Object.entries(call.tensors).map(([k, t]) => [k, t.json()]));
  return { ...call, tensors };
}

/** The calls of one run of a property: `begin` at its start, `taken` when it fails. */
export class CallLog {
  private calls: RecordedCall[] = [];
  private count = 0;
  begin(): void {
    this.calls = [];
    this.count = 0;
  }
  record(routine: Routine, args: readonly unknown[]): void {
    const call = recorded(routine, args);
    this.count++;
    if (this.calls.length < CALLS_KEPT) this.calls.push(call);
    else this.calls[CALLS_KEPT - 1] = call;
  }
  /** The calls so far, as data (later calls, e.g. of a re-run, do not change it). */
  taken(): { readonly calls: readonly CallData[]; readonly count: number } {
    return { calls: this.calls.map(callData), count: this.count };
  }
}

type Impl = ConvImplementation & ConvExtras;

/**
 * `impl` with every call recorded in `log` before it is made.
 * @example const log = new CallLog(); const seen = recordedImplementation(impl, log); await seen.conv2d(x, w); log.taken().count // 1
 */
export function recordedImplementation(impl: Impl, log: CallLog): Impl {
  const out: Record<string, unknown> = { ...impl };
  for (const routine of ROUTINES) {
    const f = impl[routine] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof f !== 'function') continue;
    out[routine] = (...args: unknown[]) => {
      log.record(routine, args);
      return f.apply(impl, args);
    };
  }
  return out as unknown as Impl;
}

/** The comparison a failure is about, if it is one (a scale failure carries it as its cause). */
function comparisonOf(error: unknown): Comparison | null {
  if (error instanceof ComparisonError) return error.comparison;
  if (error instanceof Error && error.cause instanceof ComparisonError) return error.cause.comparison;
  return null;
}

function differencesOf(error: unknown): CounterexampleData['differences'] | undefined {
  const cmp = comparisonOf(error);
  if (!cmp?.differences) return undefined;
  const output = cmp.label ?? 'output';
  const shown = cmp.differences.map((d) => ({
    output,
    index: [...d.index],
    got: jsonNumber(d.got),
    expected: jsonNumber(d.expected),
    bound: jsonNumber(d.bound),
  }));
  return { total: cmp.mismatches, shown };
}

/**
 * The structured counterexample of a failure from the calls of its last
 * failing run and what it threw; undefined when the property made no call.
 * @example counterexampleData(log.taken(), details.errorInstance)?.differences?.total // 3
 */
export function counterexampleData(
  taken: { readonly calls: readonly CallData[]; readonly count: number },
  error: unknown,
): CounterexampleData | undefined {
  const last = taken.calls[taken.calls.length - 1];
  if (!last) return undefined;
  const differences = differencesOf(error);
  const scale = error instanceof ScaleFailure ? error : null;
  return {
    ...last,
    earlier: taken.calls.slice(0, -1),
    calls: taken.count,
    ...(differences ? { differences } : {}),
    ...(scale ? { params: jsonValue({ op: scale.op, ...scale.params }) as Record<string, JsonValue> } : {}),
  };
}
