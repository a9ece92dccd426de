/**
 * Sessions of `sgd(parameters, lr)`: a valid step sets each `data[i]` to
 * `data[i] − lr·grad[i]` rounded once to its dtype; a failed one changes
 * nothing. Also the sgd step of a `Conv2d` session.
 */
import fc from 'fast-check';
import type { DType, Parameter, TensorData } from '../../src/index.js';
import {
  callSessions,
  choose,
  edit,
  hostile,
  sameBits,
  showLiteral,
  type FuzzCall,
  type FuzzSession,
} from './engine.js';
import type { LayerState } from './layer.js';
import { count, fromFunction } from './suite.js';
import { elementValue } from './tensor.js';

interface ParamLike {
  readonly shape: readonly number[];
  readonly data: TensorData;
  readonly grad: TensorData;
}

/** `data − lr·grad`, rounded once to the data's dtype. */
const stepped = (p: ParamLike, before: readonly number[], lr: number): number[] =>
  before.map((v, i) => (p.data instanceof Float32Array ? Math.fround(v - lr * p.grad[i]) : v - lr * p.grad[i]));

/** Throws unless every parameter moved by one sgd step from `before`. */
function expectStepped(params: readonly ParamLike[], before: readonly number[][], lr: number, what: string): void {
  params.forEach((p, k) => {
    const want = stepped(p, before[k], lr);
    if (!sameBits(want, p.data))
      throw new Error(`${what}: parameter ${k} is [${Array.from(p.data).join(', ')}], expected [${want.join(', ')}]`);
  });
}

/** The sgd step of a Conv2d session, on the layer's parameters. */
export function layerSgdCall(lr: number, st: LayerState): FuzzCall {
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
      expectStepped(st.layer!.parameters(), before, lr, 'sgd on the layer');
      if (lr !== 0) st.weightsSinceForward = false;
    },
  };
}

interface SgdDraft {
  params: unknown;
  lr: unknown;
  /** The valid parameters the call started from, and their data before it. */
  readonly given: readonly ParamLike[];
  readonly before: readonly number[][];
}

const badParameters: readonly unknown[] = [
  null,
  {},
  5,
  { shape: [1], data: new Float32Array(1) },
  { shape: [2], data: new Float32Array(2), grad: new Float32Array(1) },
  { shape: [1], data: new Float32Array(1), grad: new Int32Array(1) },
  { shape: [1], data: [1], grad: [1] },
];

/** `sgd(parameters, lr)` sessions over 0–3 parameters of either dtype. */
export function sgdSessions(): fc.Arbitrary<FuzzSession> {
  const param = fc
    .record({
      shape: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
      dtype: fc.constantFrom<DType>('float32', 'float64'),
    })
    .chain(({ shape, dtype }) =>
      fc
        .array(elementValue, { minLength: 2 * count(shape), maxLength: 2 * count(shape) })
        .map((v) => ({ shape, dtype, v })),
    );
  const lr = fc.oneof(
    fc.integer({ min: -8, max: 8 }).map((m) => m / 16),
    fc.constantFrom(0, 1, 1e-3),
  );
  const appended = (v: unknown) => (d: SgdDraft) => {
    if (Array.isArray(d.params)) d.params = [...d.params, v];
  };
  const edits = [
    choose<SgdDraft>(
      ([Number.NaN, Infinity, -Infinity, '0.1', undefined, null, [0.1], 1n] as unknown[]).map((v) =>
        edit('lr', 1, `lr ${showLiteral(v)}`, ['option'], (d) => {
          d.lr = v;
        }),
      ),
    ),
    choose<SgdDraft>(
      [null, undefined, 5, {}, 'w', { shape: [1], data: new Float32Array(1), grad: new Float32Array(1) }].map((v) =>
        edit('params', 3, `parameters is ${showLiteral(v)}`, ['type'], (d) => {
          d.params = v;
        }),
      ),
    ),
    choose<SgdDraft>([
      ...badParameters.map((v) => edit('element', 1, `a parameter is ${showLiteral(v)}`, ['type'], appended(v))),
      edit(
        'element',
        1,
        'a parameter with a throwing data getter',
        [],
        appended(hostile({ shape: [1], grad: new Float32Array(1) }, 'data')),
        true,
      ),
    ]),
  ];
  return callSessions(
    fc.tuple(fc.array(param, { minLength: 0, maxLength: 3 }), lr),
    () => edits,
    ([drawn, rate]) => ({
      target: 'sgd',
      label: `sgd(${drawn.length} parameters ${JSON.stringify(drawn.map((p) => `${p.dtype}[${p.shape.join(',')}]`))}, ${rate})`,
      draft: (): SgdDraft => {
        const given = drawn.map(({ shape, dtype, v }): ParamLike => {
          const size = count(shape);
          const part = (from: number) => fromFunction(dtype, [size], (i) => v[from + i]).data;
          return { shape, data: part(0), grad: part(size) };
        });
        return { params: [...given], lr: rate, given, before: given.map((p) => Array.from(p.data)) };
      },
      run: (s, d) => s.sgd!(d.params as Parameter[], d.lr as number),
      check: (_, __, d) => expectStepped(d.given, d.before, rate, 'sgd'),
      unchanged: (d) =>
        d.given.forEach((p, k) => {
          if (!sameBits(d.before[k], p.data)) throw new Error(`sgd threw but changed parameter ${k}`);
        }),
    }),
  );
}
