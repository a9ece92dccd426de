/**
 * `'same-lower'` (ONNX SAME_LOWER) and `'same-upper'` (= `'same'`) by hand:
 * every expected value below is worked out from the rule (total pad as
 * SAME_UPPER's, the odd pixel before for SAME_LOWER), not from convproof.
 */
import { describe, expect, test } from 'vitest';
import { conv2d, conv2dBackward, conv2dOutputShape, ConvError, reference, tensor } from '../src/index.js';

const col = (values: number[]) => tensor(values, [1, 1, values.length, 1]);
const kernel = (values: number[]) => tensor(values, [1, 1, values.length, 1]);
const values = (t: { data: ArrayLike<number> }) => Array.from(t.data);

describe("padding 'same-lower' and 'same-upper'", () => {
  // x = 1..5 (5 rows), k = [1, 10], stride 1: total 1.
  test('x=[1,1,5,1] k=[1,1,2,1] p=same-lower: pads (1, 0), y = [10, 21, 32, 43, 54]', () => {
    for (const conv of [conv2d, reference.conv2d])
      expect(values(conv(col([1, 2, 3, 4, 5]), kernel([1, 10]), { padding: 'same-lower' }))).toEqual([
        10, 21, 32, 43, 54,
      ]);
  });

  test("x=[1,1,5,1] k=[1,1,2,1] p=same-upper: pads (0, 1), y = [21, 32, 43, 54, 5], as 'same'", () => {
    const x = col([1, 2, 3, 4, 5]);
    const w = kernel([1, 10]);
    expect(values(conv2d(x, w, { padding: 'same-upper' }))).toEqual([21, 32, 43, 54, 5]);
    expect(values(conv2d(x, w, { padding: 'same' }))).toEqual([21, 32, 43, 54, 5]);
  });

  // x = 1..4, k = [1, 10, 100], stride 2: OH = 2, total = (2−1)·2 + 3 − 4 = 1.
  test('x=[1,1,4,1] k=[1,1,3,1] s=2: same-lower y = [210, 432], same-upper y = [321, 43]', () => {
    const x = col([1, 2, 3, 4]);
    const w = kernel([1, 10, 100]);
    expect(values(conv2d(x, w, { padding: 'same-lower', stride: 2 }))).toEqual([210, 432]);
    expect(values(conv2d(x, w, { padding: 'same-upper', stride: 2 }))).toEqual([321, 43]);
  });

  test('an even total splits evenly: x=[1,1,3,1] k=[1,1,3,1] p=same-lower ≡ p=same-upper ≡ padding [1, 0]', () => {
    const x = col([1, 2, 3]);
    const w = kernel([1, 10, 100]);
    const want = [210, 321, 32];
    for (const padding of ['same-lower', 'same-upper', [1, 0]] as const)
      expect(values(conv2d(x, w, { padding }))).toEqual(want);
  });

  test('the width axis too: x=[1,1,1,5] k=[1,1,1,2] p=same-lower gives [10, 21, 32, 43, 54]', () => {
    const x = tensor([1, 2, 3, 4, 5], [1, 1, 1, 5]);
    const w = tensor([1, 10], [1, 1, 1, 2]);
    expect(values(conv2d(x, w, { padding: 'same-lower' }))).toEqual([10, 21, 32, 43, 54]);
  });

  test("conv2dOutputShape: same-lower has SAME_UPPER's shape ceil(H/s)", () => {
    expect(conv2dOutputShape([2, 3, 7, 8], [4, 3, 3, 2], { padding: 'same-lower', stride: [2, 3] })).toEqual([
      2, 4, 4, 3,
    ]);
  });

  // dy = ones. SAME_LOWER pads (1, 0): output o reads rows o−1 (weight 1) and o (weight 10).
  test('backward x=[1,1,5,1] k=[1,1,2,1] p=same-lower dy=1: gradInput [11,11,11,11,10], gradWeight [10, 15]', () => {
    const g = conv2dBackward(col([1, 1, 1, 1, 1]), col([1, 2, 3, 4, 5]), kernel([1, 10]), { padding: 'same-lower' });
    expect(values(g.gradInput)).toEqual([11, 11, 11, 11, 10]);
    expect(values(g.gradWeight)).toEqual([10, 15]);
    expect(values(g.gradBias)).toEqual([5]);
  });

  // SAME_UPPER pads (0, 1): output o reads rows o (weight 1) and o+1 (weight 10).
  test('backward x=[1,1,5,1] k=[1,1,2,1] p=same-upper dy=1: gradInput [1,11,11,11,11], gradWeight [15, 14]', () => {
    const g = conv2dBackward(col([1, 1, 1, 1, 1]), col([1, 2, 3, 4, 5]), kernel([1, 10]), { padding: 'same-upper' });
    expect(values(g.gradInput)).toEqual([1, 11, 11, 11, 11]);
    expect(values(g.gradWeight)).toEqual([15, 14]);
  });

  test("names are lower case and exact: 'SAME_LOWER', 'same_lower', 'lower' are refused with code padding", () => {
    for (const padding of ['SAME_LOWER', 'same_lower', 'lower', 'Same-lower']) {
      const call = () => conv2d(col([1, 2]), kernel([1]), { padding } as never);
      expect(call).toThrow(ConvError);
      expect(call).toThrow(/unknown padding .*'same-lower'/);
    }
  });
});
