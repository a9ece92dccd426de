/**
 * Edits of tensor arguments: every way to break one (not a tensor, a shape
 * that disagrees with its data or holds no size, a wrong rank, a zero-sized
 * dimension, a hostile getter), the other dtype, and equivalent rewrites
 * (data as a view into a larger buffer, frozen).
 */
import type fc from 'fast-check';
import type { ConvErrorCode, DType, Tensor, TensorData } from '../../src/index.js';
import { choose, edit, hostile, type Edit } from './engine.js';
import { dtypeOfTensor, fromFunction, storage } from './suite.js';

/** Where an argument lives in a draft. */
export interface Slot<D> {
  readonly name: string;
  get(d: D): unknown;
  set(d: D, v: unknown): void;
}

/** The slot of a draft's field `key`. */
export function slot<D>(key: keyof D & string): Slot<D> {
  return {
    name: key,
    get: (d) => d[key],
    set: (d, v) => {
      d[key] = v as D[typeof key];
    },
  };
}

export interface TensorLike {
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** A tensor of plain own fields (not a getter an earlier edit planted). */
export function isTensorLike(v: unknown): v is TensorLike {
  if (typeof v !== 'object' || v === null) return false;
  const d = Object.getOwnPropertyDescriptor(v, 'data');
  const s = Object.getOwnPropertyDescriptor(v, 'shape');
  return !!d && !!s && 'value' in d && 'value' in s && ArrayBuffer.isView(d.value) && Array.isArray(s.value);
}

/** Applies `f` to the slot's value if it is still a tensor (an earlier edit may have replaced it). */
export function onTensor<D>(slot: Slot<D>, f: (t: TensorLike) => unknown): (d: D) => void {
  return (d) => {
    const v = slot.get(d);
    if (isTensorLike(v)) slot.set(d, f(v));
  };
}

/** The shape with its size changed (zeros become ones; else the last dimension grows). */
export function resized(shape: readonly number[]): number[] {
  if (shape.includes(0)) return shape.map((s) => (s === 0 ? 1 : s));
  return shape.length === 0 ? [2] : [...shape.slice(0, -1), shape[shape.length - 1] + 1];
}

export const zeros = (dtype: DType, shape: readonly number[]): Tensor => fromFunction(dtype, shape, () => 0);

/** The tensor's data as a view into a larger buffer whose other elements are NaN. */
function offsetView(t: TensorLike): TensorLike {
  const big = storage(dtypeOfTensor(t as Tensor), t.data.length + 7).fill(Number.NaN);
  big.set(t.data, 3);
  return { shape: t.shape, data: big.subarray(3, 3 + t.data.length) };
}

/** The tensor in the other dtype. */
export function converted(t: TensorLike): TensorLike {
  const data = storage(t.data instanceof Float64Array ? 'float32' : 'float64', t.data.length);
  data.set(t.data);
  return { shape: t.shape, data };
}

type Replacement = readonly [label: string, make: () => unknown, code: ConvErrorCode];

/** Values given where a tensor belongs. */
export const NOT_TENSORS: readonly Replacement[] = [
  ...(
    [
      ['a number', 7],
      ['a string', 'tensor'],
      ['true', true],
      ['nested arrays', [[1, 2]]],
      ['an empty object', {}],
      ['a function', () => 1],
      ['a bigint', 1n],
      ['a symbol', Symbol('tensor')],
    ] as const
  ).map(([label, v]): Replacement => [label, () => v, 'type']),
  ...(
    [
      ['a plain array', () => [1, 2]],
      ['an Int32Array', () => new Int32Array(2)],
      ['a Uint8Array', () => new Uint8Array(2)],
      ['a BigInt64Array', () => new BigInt64Array(2)],
    ] as const
  ).map(([label, data]): Replacement => [`data as ${label}`, () => ({ shape: [2], data: data() }), 'type']),
  ['no shape', () => ({ data: new Float32Array(1) }), 'shape'],
  ['shape as a string', () => ({ shape: '1', data: new Float32Array(1) }), 'shape'],
  ['shape as a typed array', () => ({ shape: new Int32Array([1]), data: new Float32Array(1) }), 'shape'],
];

/** Values no dimension of a shape may hold (a size above 2^30 is 'too-large', below). */
const BAD_DIMS: readonly unknown[] = [-1, 1.5, Number.NaN, Infinity, -Infinity, '2', null, undefined, [1], true];

/** A way to break a shape: what is wrong, the codes refusing it, and the breaking. */
export type ShapeBreak = readonly [what: string, codes: ConvErrorCode[], apply: (s: readonly unknown[]) => unknown[]];

/**
 * Ways to break a shape whatever the function: a dimension that is no size,
 * rank 65, a dimension of 2^31.
 * @example SHAPE_BREAKS.map(([what, , apply]) => `${what}: ${JSON.stringify(apply([2, 3]))}`)
 */
export const SHAPE_BREAKS: readonly ShapeBreak[] = [
  ...BAD_DIMS.map((b): ShapeBreak => [`holds ${String(b)}`, ['shape'], (s) => [b, ...s.slice(1)]]),
  ['has rank 65', ['rank'], (s) => [...new Array(65 - s.length).fill(1), ...s]],
  ['has a 2^31 dimension', ['too-large'], (s) => [2 ** 31, ...s.slice(1)]],
];

/** How a slot's tensor may be wrongly ranked (same size), and the code refusing it. */
export interface RankSpec {
  readonly code: ConvErrorCode;
  reshape(shape: readonly number[]): number[];
}

/** Rank 3/4 become 2 (rows merged) or 5 (a leading 1): never a valid rank. */
export const activationRank = (code: ConvErrorCode): RankSpec => ({
  code,
  reshape: (s) => (s.length === 4 ? [1, ...s] : [s.slice(0, -1).reduce((a, b) => a * b, 1), s[s.length - 1]]),
});

export interface TensorSlotSpec {
  /** null/undefined are valid here (an absent bias). */
  readonly nullishValid?: boolean;
  /** Wrong-rank reshapes (omitted when every rank is valid). */
  readonly rank?: RankSpec;
  /** A dimension that must not be 0 (with empty data), and the code refusing it. */
  readonly zeroDim?: { readonly index: (shape: readonly number[]) => number; readonly code: ConvErrorCode };
}

/** Every way to break one tensor argument (one family: the slot's name). */
export function tensorSlotEdits<D>(slot: Slot<D>, spec: TensorSlotSpec): fc.Arbitrary<Edit<D>> {
  const f = slot.name;
  const reshaped = (what: string, codes: ConvErrorCode[], shape: (s: readonly number[]) => unknown[]): Edit<D> =>
    edit(
      f,
      1,
      `${f}.shape ${what}`,
      codes,
      onTensor(slot, (t) => ({ shape: shape(t.shape), data: t.data })),
    );
  const getter = (key: 'data' | 'shape'): Edit<D> =>
    edit(
      f,
      3,
      `${f}.${key} is a throwing getter`,
      [],
      onTensor(slot, (t) => hostile({ ...t }, key)),
      true,
    );
  const nullish: Replacement[] = [
    ['null', () => null, 'type'],
    ['undefined', () => undefined, 'type'],
  ];
  const items: Edit<D>[] = [
    ...[...NOT_TENSORS, ...(spec.nullishValid ? [] : nullish)].map(([label, make, code]) =>
      edit<D>(f, 3, `${f} is ${label}`, [code], (d) => slot.set(d, make())),
    ),
    reshaped('disagrees with its data', ['data-length'], resized),
    ...SHAPE_BREAKS.map(([what, codes, apply]) => reshaped(what, codes, apply)),
    getter('data'),
    getter('shape'),
  ];
  const { rank, zeroDim: zero } = spec;
  if (rank) items.push(reshaped('has the wrong rank', [rank.code], rank.reshape));
  if (zero) {
    const emptied = onTensor(slot, (t) => {
      const shape = [...t.shape];
      shape[zero.index(shape)] = 0;
      return { shape, data: t.data.subarray(0, 0) };
    });
    items.push(edit(f, 1, `${f} has a zero-sized dimension`, [zero.code], emptied));
  }
  return choose(items);
}

/** Equivalent rewrites of a tensor argument (the call stays valid). */
export function tensorForms<D>(slot: Slot<D>): Edit<D>[] {
  const frozen = (t: TensorLike): TensorLike => Object.freeze({ shape: Object.freeze([...t.shape]), data: t.data });
  return [
    edit('form', 2, `${slot.name}.data is a view into a larger buffer`, [], onTensor(slot, offsetView)),
    edit('form', 2, `${slot.name} is frozen`, [], onTensor(slot, frozen)),
  ];
}

/** One of the slots in the other dtype. */
export function dtypeEdits<D>(slots: readonly Slot<D>[]): fc.Arbitrary<Edit<D>> {
  return choose(
    slots.map((s) => edit<D>('dtype', 1, `${s.name} in the other dtype`, ['dtype'], onTensor(s, converted))),
  );
}
