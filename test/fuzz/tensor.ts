/**
 * Sessions of `tensor(values, shape?, dtype?)` in every input form, and of
 * `toNested(t)`: valid calls must store (or give back) exactly the values,
 * built here independently of the function under test.
 */
import fc from 'fast-check';
import type { ConvErrorCode, DType, Nested, Tensor } from '../../src/index.js';
import {
  asTensor,
  callSessions,
  choose,
  edit,
  expectShape,
  hostile,
  hostileArray,
  showLiteral,
  type Edit,
  type FuzzSession,
} from './engine.js';
import { count, dtypeOfTensor, fromFunction, showTensor } from './suite.js';
import { resized, SHAPE_BREAKS, slot, tensorForms, tensorSlotEdits } from './tensorArgs.js';

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
export const elementValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -100, max: 100 }) },
  { weight: 3, arbitrary: fc.integer({ min: -4096, max: 4096 }).map((m) => m / 64) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e300, 5e-324) },
);

const FORMS = ['nested', 'array', 'Float32Array', 'Float64Array', 'Int16Array', 'array-like', 'scalar'] as const;
type ValueForm = (typeof FORMS)[number];

interface TensorDraft {
  values: unknown;
  shape: unknown;
  dtype: unknown;
  /** The values as first given (a valid call must copy them). */
  readonly given?: unknown;
}

function makeValues(form: ValueForm, shape: readonly number[], flat: readonly number[]): unknown {
  if (form === 'nested') return nestedOf(shape, flat);
  if (form === 'array') return [...flat];
  if (form === 'array-like') return Object.assign({ length: flat.length }, flat);
  if (form === 'scalar') return flat[0];
  return { Float32Array, Float64Array, Int16Array }[form].from(flat);
}

/** The values `tensor` must store for a form, in its dtype (typed arrays convert on the way in). */
function storedValues(form: ValueForm, flat: readonly number[], dtype: DType): number[] {
  const given =
    form === 'Float32Array' || form === 'Int16Array'
      ? Array.from(makeValues(form, [], flat) as ArrayLike<number>)
      : [...flat];
  return dtype === 'float32' ? given.map(Math.fround) : given;
}

/** Replaces the last element of nested (or array-like) values: the first fixes the inferred shape, the last never does. */
function withLast(values: unknown, bad: unknown): unknown {
  if (Array.isArray(values)) {
    const copy = [...values];
    const last = copy.length - 1;
    copy[last] = Array.isArray(copy[last]) ? withLast(copy[last], bad) : bad;
    return copy;
  }
  if (typeof values !== 'object' || values === null || !('length' in values)) return values;
  return { ...(values as object), [String((values as { length: number }).length - 1)]: bad };
}

/** The last innermost array one longer (ragged). */
function withLastRow(values: unknown): unknown {
  if (!Array.isArray(values)) return values;
  const copy = [...values];
  const last = copy.length - 1;
  copy[last] = Array.isArray(copy[last][0]) ? withLastRow(copy[last]) : [...copy[last], 0];
  return copy;
}

function valueEdits(form: ValueForm, shape: readonly number[], size: number): Edit<TensorDraft>[] {
  const set = (name: string, codes: ConvErrorCode[], make: () => unknown, h = false) =>
    edit<TensorDraft>(
      'values',
      3,
      name,
      codes,
      (d) => {
        d.values = make();
      },
      h,
    );
  const items: Edit<TensorDraft>[] = [
    ...([null, undefined, 'abc', {}, true, () => 1, Symbol('v'), 1n, new BigInt64Array(2)] as unknown[]).map((v) =>
      set(`values is ${showLiteral(v)}`, ['type'], () => v),
    ),
    set('values contains itself', ['rank'], () => {
      const a: unknown[] = [];
      a.push(a);
      return a;
    }),
    set('values nested 65 deep', ['rank'], () => Array.from({ length: 65 }).reduce<unknown>((v) => [v], 1)),
    ...[-1, 1.5, Number.NaN, Infinity, '3'].map((len) =>
      set(`an array-like of length ${String(len)}`, ['type'], () => ({ length: len, 0: 1 })),
    ),
    set('an array-like claiming 2^31 elements', ['too-large'], () => ({ length: 2 ** 31, 0: 1 })),
    set('an array-like whose elements throw', [], () => hostile({ length: 2 }, '0'), true),
    set('an array whose elements throw', [], () => hostileArray([1, 2]), true),
  ];
  // A rank-0 nested literal is a bare number: it has no element to replace.
  const editable = (form === 'nested' && shape.length > 0) || form === 'array' || form === 'array-like';
  if (editable && size > 0) {
    for (const bad of ['1', null, undefined, {}, 1n, true] as unknown[]) {
      items.push(
        edit('values', 1, `last value is ${showLiteral(bad)}`, ['type', 'shape'], (d) => {
          d.values = withLast(d.values, bad);
        }),
      );
    }
  }
  if (form === 'nested' && shape.length >= 2 && !shape.includes(0) && shape.slice(0, -1).some((s) => s > 1)) {
    items.push(
      edit('values', 1, 'the last innermost array one longer (ragged)', ['shape'], (d) => {
        d.values = withLastRow(d.values);
      }),
    );
  }
  if (form === 'scalar') {
    items.push(
      edit('values', 1, 'the scalar is a string', ['type'], (d) => {
        d.values = '1';
      }),
    );
  }
  return items;
}

function shapeEdits(form: ValueForm, literalShape: readonly number[]): Edit<TensorDraft>[] {
  const set = (name: string, codes: ConvErrorCode[], v: unknown) =>
    edit<TensorDraft>('shape', 1, name, codes, (d) => {
      d.shape = v;
    });
  const nested = form === 'nested' && literalShape.length > 1;
  return [
    ...(['abc', 5, { length: 1 }, new Int32Array(1), null] as unknown[]).map((v) =>
      set(`shape is ${showLiteral(v)}`, ['shape'], v),
    ),
    ...SHAPE_BREAKS.map(([what, codes, apply]) => set(`shape ${what}`, codes, apply(literalShape))),
    set('shape of another size', nested ? ['shape', 'data-length'] : ['data-length'], resized(literalShape)),
  ];
}

const dtypeEdits = (['float16', 'int32', 'Float32', 5, {}] as unknown[]).map((v) =>
  edit<TensorDraft>('dtype', 1, `dtype ${showLiteral(v)}`, ['dtype'], (d) => {
    d.dtype = v;
  }),
);

/** `tensor(values, shape?, dtype?)` sessions in every input form; valid ones must store exactly the given values. */
export function tensorSessions(): fc.Arbitrary<FuzzSession> {
  const base = fc
    .record({
      drawn: smallShape,
      form: fc.constantFrom(...FORMS),
      giveShape: fc.boolean(),
      dtype: fc.constantFrom<DType | undefined | null>(undefined, 'float32', 'float64', null),
    })
    .chain((b) => {
      // A nested literal's shape stops at its first 0; a scalar has none.
      const zero = b.drawn.indexOf(0);
      const shape = b.form === 'scalar' ? [] : b.form === 'nested' && zero >= 0 ? b.drawn.slice(0, zero + 1) : b.drawn;
      const length = b.form === 'nested' && zero >= 0 ? 0 : count(shape);
      const value =
        b.form === 'Int16Array' ? elementValue.map((v) => (Number.isFinite(v) ? Math.trunc(v) : 0)) : elementValue;
      return fc.array(value, { minLength: length, maxLength: length }).map((flat) => ({ ...b, shape, flat }));
    });
  return callSessions(
    base,
    (b) => [
      choose(valueEdits(b.form, b.shape, b.flat.length)),
      choose(shapeEdits(b.form, b.shape)),
      choose(dtypeEdits),
    ],
    ({ form, shape, flat, giveShape, dtype }) => {
      const flatForm = form !== 'nested' && form !== 'scalar';
      // A flat form needs its shape unless it is 1-D; a nested literal may or may not repeat it.
      const shapeArg = flatForm && shape.length !== 1 ? shape : giveShape ? shape : undefined;
      const wantDType: DType = dtype ?? (form === 'Float64Array' ? 'float64' : 'float32');
      const wantShape = shapeArg ?? (flatForm ? [flat.length] : shape);
      const want = storedValues(form, flat, wantDType);
      return {
        target: 'tensor',
        label: `tensor(${form} ${JSON.stringify(flat)}, ${showLiteral(shapeArg)}, ${showLiteral(dtype)})`,
        draft: (): TensorDraft => {
          const values = makeValues(form, shape, flat);
          return { values, shape: shapeArg && [...shapeArg], dtype, given: values };
        },
        run: (s, d) => s.tensor!(d.values as number[], d.shape as number[], d.dtype as DType),
        check: (r, _, d) => {
          const t = asTensor(r, 'tensor');
          expectShape(t.shape, wantShape, 'tensor');
          if (dtypeOfTensor(t) !== wantDType)
            throw new Error(`tensor: dtype ${dtypeOfTensor(t)}, expected ${wantDType}`);
          if (t.data === d.given) throw new Error('tensor: the data was not copied');
          if (t.data.length !== want.length || want.some((v, i) => !Object.is(v, t.data[i])))
            throw new Error(`tensor: stored [${Array.from(t.data).join(', ')}], expected [${want.join(', ')}]`);
        },
      };
    },
  );
}

/** `toNested(t)` sessions: tensors of rank 0–4 (zero sizes included) must come back as the same nested values. */
export function toNestedSessions(): fc.Arbitrary<FuzzSession> {
  const tensors = fc
    .record({ shape: smallShape, dtype: fc.constantFrom<DType>('float32', 'float64') })
    .chain(({ shape, dtype }) =>
      fc
        .array(elementValue, { minLength: count(shape), maxLength: count(shape) })
        .map((flat): Tensor => fromFunction(dtype, shape, (i) => flat[i])),
    );
  const t = slot<{ t: unknown }>('t');
  return callSessions(
    tensors,
    () => [tensorSlotEdits(t, {}), choose(tensorForms(t))],
    (x) => ({
      target: 'toNested',
      label: `toNested(${showTensor(x)})`,
      draft: () => ({ t: x as unknown }),
      run: (s, d) => s.toNested!(d.t as Tensor),
      check: (r) => {
        const want = nestedOf(x.shape, x.data);
        if (!sameNested(r, want))
          throw new Error(`toNested: got ${JSON.stringify(r)}, expected ${JSON.stringify(want)}`);
      },
    }),
  );
}
