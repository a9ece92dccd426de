/**
 * Sessions of the chapter's `corr2d(X, K)`: valid calls are checked
 * against the suite's float64 model of conv2d on `[1, 1, H, W]`.
 */
import fc from 'fast-check';
import type { DType, Tensor } from '../../src/index.js';
import { asTensor, callSessions, choose, edit, type FuzzSession } from './engine.js';
import { dtypeOfTensor, expectBounded, forwardExpectation, reshape, showTensor, tensorData } from './suite.js';
import { dtypeEdits, slot, tensorForms, tensorSlotEdits, zeros, type RankSpec } from './tensorArgs.js';

interface PlaneDraft {
  X: unknown;
  K: unknown;
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
      ];
    },
    ([X, K]) => ({
      target: 'corr2d',
      label: `corr2d(${showTensor(X)}, ${showTensor(K)})`,
      draft: (): PlaneDraft => ({ X, K }),
      run: (s, d) => s.corr2d!(d.X as Tensor, d.K as Tensor),
      check: (r) => {
        const y = asTensor(r, 'corr2d');
        const [[H, W], [KH, KW]] = [X.shape, K.shape];
        const c = { input: reshape(X, [1, 1, H, W]), weight: reshape(K, [1, 1, KH, KW]), options: {} };
        expectBounded(y, { ...forwardExpectation(c), shape: [H - KH + 1, W - KW + 1] });
      },
    }),
  );
}
