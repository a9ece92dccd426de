/**
 * Sessions of the chapter's `corr2d(X, K, out?)`: valid calls are checked
 * against the suite's float64 model of conv2d on `[1, 1, H, W]`; `out`
 * buffers are valid (fresh, in X's buffer, overlapping X or K) or not
 * (wrong length, dtype or kind).
 */
import fc from 'fast-check';
import type { DType, Tensor, TensorData } from '../../src/index.js';
import { asTensor, callSessions, choose, edit, type Edit, type FuzzSession } from './engine.js';
import { dtypeOfTensor, expectBounded, forwardExpectation, reshape, showTensor, storage, tensorData } from './suite.js';
import {
  dtypeEdits,
  isTensorLike,
  slot,
  tensorForms,
  tensorSlotEdits,
  zeros,
  type RankSpec,
  type TensorLike,
} from './tensorArgs.js';

interface PlaneDraft {
  X: unknown;
  K: unknown;
  /** corr2d's optional output buffer (absent unless an edit gives one). */
  out?: unknown;
}

/**
 * A copy of `t` at the start of a new buffer, and an `out` of `length`
 * elements in the same buffer from element `at` (past the copy's end, or
 * into it): how a caller ends up with an out that shares an input's memory.
 */
function withOutAt(t: TensorLike, length: number, at: number): [TensorLike, TensorData] {
  const buffer = storage(dtypeOfTensor(t as Tensor), Math.max(t.data.length, at + length)).fill(Number.NaN);
  buffer.set(t.data);
  return [{ shape: t.shape, data: buffer.subarray(0, t.data.length) }, buffer.subarray(at, at + length)];
}

const floatTensor = (v: unknown): TensorLike | null =>
  isTensorLike(v) && (v.data instanceof Float32Array || v.data instanceof Float64Array) ? v : null;

/**
 * Edits giving corr2d an `out` buffer of `length` elements. Applied last, so
 * they see the final X and K; when an earlier edit has spoiled the tensor
 * an out would share, its error comes first and out is a plain fresh one.
 */
function outEdits(dtype: DType, length: number): fc.Arbitrary<Edit<PlaneDraft>> {
  const other: DType = dtype === 'float32' ? 'float64' : 'float32';
  const give = (name: string, codes: 'out'[], make: () => unknown): Edit<PlaneDraft> =>
    edit('out', 3, name, codes, (d) => {
      d.out = make();
    });
  const sharing = (name: string, key: 'X' | 'K', at: (t: TensorLike) => number): Edit<PlaneDraft> =>
    edit('out', 3, name, [], (d) => {
      const t = floatTensor(d[key]);
      if (!t || at(t) < 0) d.out = storage(dtype, length);
      else [d[key], d.out] = withOutAt(t, length, at(t));
    });
  return choose([
    give('a fresh out buffer', [], () => storage(dtype, length).fill(Number.NaN)),
    give('out one element too long', ['out'], () => storage(dtype, length + 1)),
    give('out one element too short', ['out'], () => storage(dtype, length - 1)),
    give('out in the other dtype', ['out'], () => storage(other, length)),
    give('out a plain array', ['out'], () => new Array<number>(length).fill(0)),
    give('out null', ['out'], () => null),
    give('out an Int32Array', ['out'], () => new Int32Array(length)),
    // Valid too: corr2d reads X and K before it writes out.
    sharing("out in X's buffer, after X's data", 'X', (t) => t.data.length),
    sharing("out overlapping X's data", 'X', (t) => t.data.length - length),
    sharing("out overlapping K's data", 'K', (t) => t.data.length - 1),
  ]);
}

const xSlot = slot<PlaneDraft>('X');
const kSlot = slot<PlaneDraft>('K');
/** A plane as 1-D (or 3-D when its first dimension is 1): never a valid rank. */
const planeRank: RankSpec = { code: 'rank', reshape: (s) => (s[0] === 1 ? [s[0] * s[1]] : [1, ...s]) };

/** `corr2d(X, K)` sessions, checked against the model of conv2d on `[1, 1, H, W]`. */
export function corr2dSessions(): fc.Arbitrary<FuzzSession> {
  const planes = fc
    .record({
      H: fc.integer({ min: 1, max: 7 }),
      W: fc.integer({ min: 1, max: 7 }),
      kh: fc.nat(6),
      kw: fc.nat(6),
      dtype: fc.constantFrom<DType>('float32', 'float64'),
    })
    .chain(({ H, W, kh, kw, dtype }) =>
      fc.tuple(tensorData(dtype, [H, W]), tensorData(dtype, [1 + (kh % H), 1 + (kw % W)])),
    );
  return callSessions(
    planes,
    ([X, K]) => {
      const [[H, W], [KH, KW]] = [X.shape, K.shape];
      const dtype = dtypeOfTensor(X);
      return [
        tensorSlotEdits(xSlot, { rank: planeRank, zeroDim: { index: () => 0, code: 'shape' } }),
        tensorSlotEdits(kSlot, { rank: planeRank, zeroDim: { index: () => 1, code: 'shape' } }),
        choose<PlaneDraft>([
          edit('geometry', 0, 'K taller than X', ['kernel-too-large'], (d) => {
            d.K = zeros(dtype, [H + 1, KW]);
          }),
          edit('geometry', 0, 'K wider than X', ['kernel-too-large'], (d) => {
            d.K = zeros(dtype, [KH, W + 1]);
          }),
        ]),
        dtypeEdits([xSlot, kSlot]),
        choose([...tensorForms(xSlot), ...tensorForms(kSlot)]),
        outEdits(dtype, (H - KH + 1) * (W - KW + 1)),
      ];
    },
    ([X, K]) => ({
      target: 'corr2d',
      label: `corr2d(${showTensor(X)}, ${showTensor(K)})`,
      draft: (): PlaneDraft => ({ X, K }),
      run: (s, d) =>
        'out' in d
          ? s.corr2d!(d.X as Tensor, d.K as Tensor, d.out as TensorData)
          : s.corr2d!(d.X as Tensor, d.K as Tensor),
      check: (r, _, d) => {
        const y = asTensor(r, 'corr2d');
        if ('out' in d && y.data !== d.out) throw new Error('corr2d: the result is not written into the given out');
        const [[H, W], [KH, KW]] = [X.shape, K.shape];
        const c = { input: reshape(X, [1, 1, H, W]), weight: reshape(K, [1, 1, KH, KW]), options: {} };
        expectBounded(y, { ...forwardExpectation(c), shape: [H - KH + 1, W - KW + 1] });
      },
    }),
  );
}
