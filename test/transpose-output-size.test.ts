/**
 * convTranspose2d by output size and with padding names, by hand. The
 * column x = [1, 10, 100] (3 rows) with the kernel k = [1, 2, 3, 4] scatters
 * into the full output (nothing cropped): stride 1 gives
 * [1, 12, 123, 234, 340, 400], stride 2 gives [1, 2, 13, 24, 130, 240, 300, 400].
 * Every expected value is that full output cropped or extended by the rule
 * (PyTorch's output_size, ONNX's auto_pad/output_shape, tfjs's 'same'), not
 * convproof's own result; onnxruntime gave the same numbers for the ONNX cases.
 */
import { describe, expect, test } from 'vitest';
import { ConvError, convTranspose2d, reference, tensor, type ConvTranspose2dOptions } from '../src/index.js';

const x = () => tensor([1, 10, 100], [1, 1, 3, 1]);
const k = () => tensor([1, 2, 3, 4], [1, 1, 4, 1]);
const column = (o: ConvTranspose2dOptions) => {
  const y = convTranspose2d(x(), k(), o);
  expect(Array.from(reference.convTranspose2d(x(), k(), o).data)).toEqual(Array.from(y.data));
  expect(y.shape.slice(0, 2)).toEqual([1, 1]);
  expect(y.shape[3]).toBe(1);
  return Array.from(y.data);
};

describe('convTranspose2d with outputSize and padding names', () => {
  test('x=[1,1,3,1] k=[1,1,4,1] s=1 p=same: input·stride = 3 rows, the odd crop at the bottom: [12, 123, 234]', () => {
    expect(column({ padding: 'same' })).toEqual([12, 123, 234]);
    expect(column({ padding: 'same-upper' })).toEqual([12, 123, 234]);
  });

  test('x=[1,1,3,1] k=[1,1,4,1] s=1 p=same-lower: the odd crop at the top: [123, 234, 340]', () => {
    expect(column({ padding: 'same-lower' })).toEqual([123, 234, 340]);
  });

  test('s=2 p=same: 6 rows, total 2 split (1, 1): [2, 13, 24, 130, 240, 300]', () => {
    expect(column({ padding: 'same', stride: [2, 1] })).toEqual([2, 13, 24, 130, 240, 300]);
  });

  test('s=2 p=same outputSize [7, 1]: total 1 cropped at the bottom (ONNX output_shape, SAME_UPPER)', () => {
    expect(column({ padding: 'same', stride: [2, 1], outputSize: [7, 1] })).toEqual([1, 2, 13, 24, 130, 240, 300]);
  });

  test('s=2 p=same-lower outputSize [7, 1]: total 1 cropped at the top (SAME_LOWER)', () => {
    expect(column({ padding: 'same-lower', stride: [2, 1], outputSize: [7, 1] })).toEqual([
      2, 13, 24, 130, 240, 300, 400,
    ]);
  });

  test('s=2 p=same outputSize [9, 1]: the full output is 8 rows, so one zero row follows', () => {
    expect(column({ padding: 'same', stride: [2, 1], outputSize: [9, 1] })).toEqual([
      1, 2, 13, 24, 130, 240, 300, 400, 0,
    ]);
  });

  test("s=5 p=same (kernel shorter than the stride): 15 rows = 3·5, as tfjs's conv2dTranspose 'same'", () => {
    expect(column({ padding: 'same', stride: [5, 1] })).toEqual([
      1, 2, 3, 4, 0, 10, 20, 30, 40, 0, 100, 200, 300, 400, 0,
    ]);
  });

  test('s=2 padding 1 outputSize [7, 1]: PyTorch output_size: output padding 7 − 6 = 1, then the crop of 1 each side', () => {
    expect(column({ padding: [1, 0], stride: [2, 1], outputSize: [7, 1] })).toEqual([2, 13, 24, 130, 240, 300, 400]);
    expect(column({ padding: [1, 0], stride: [2, 1], outputSize: [6, 1] })).toEqual([2, 13, 24, 130, 240, 300]);
  });

  test('p=valid is no crop, and outputSize [9, 1] with s=2 is the full output plus one row', () => {
    expect(column({ padding: 'valid', stride: [2, 1] })).toEqual([1, 2, 13, 24, 130, 240, 300, 400]);
    expect(column({ padding: 'valid', stride: [2, 1], outputSize: [9, 1] })).toEqual([
      1, 2, 13, 24, 130, 240, 300, 400, 0,
    ]);
  });

  test('outputSize equals outputPadding chosen by hand, on both axes at once', () => {
    const xs = tensor(
      Array.from({ length: 2 * 3 * 4 }, (_, i) => (i % 5) - 2),
      [1, 2, 3, 4],
    );
    const ws = tensor(
      Array.from({ length: 2 * 3 * 3 * 2 }, (_, i) => (i % 3) - 1),
      [2, 3, 3, 2],
    );
    // full: rows (3−1)·2 + 3 = 7, columns (4−1)·3 + 2 = 11; padding [1, 2] crops 2 rows and 4 columns.
    const bySize = convTranspose2d(xs, ws, { stride: [2, 3], padding: [1, 2], outputSize: [6, 9] });
    const byPadding = convTranspose2d(xs, ws, { stride: [2, 3], padding: [1, 2], outputPadding: [1, 2] });
    expect(bySize.shape).toEqual([1, 3, 6, 9]);
    expect(Array.from(bySize.data)).toEqual(Array.from(byPadding.data));
  });

  test('an unreachable outputSize is refused in terms of the size asked for', () => {
    const call = () => convTranspose2d(x(), k(), { stride: [2, 1], padding: [1, 0], outputSize: [8, 1] });
    expect(call).toThrow(ConvError);
    expect(call).toThrow(/outputSize \[8, 1\] cannot be reached: .* the output height is 6 or 7/);
  });
});

describe('outputSize with an output padding, and pairs of the wrong length', () => {
  const x = tensor(new Array(16).fill(1), [1, 1, 4, 4]);
  const w = tensor([1, 1, 1, 1], [1, 1, 2, 2]);
  test.each([
    [1, 0],
    [0, 1],
  ])('outputSize with outputPadding [%i, %i] (one axis non-zero) is refused', (a, b) => {
    const call = () => convTranspose2d(x, w, { stride: 2, outputSize: [9, 9], outputPadding: [a, b] });
    expect(call).toThrow(ConvError);
    expect(call).toThrow(`outputSize [9, 9] and outputPadding [${a}, ${b}] were both given`);
  });
  test.each(['stride', 'dilation', 'outputPadding'] as const)(
    'a %s of three numbers is refused, not read as a pair',
    (k) => {
      const call = () => convTranspose2d(x, w, { stride: 2, dilation: 2, [k]: [1, 1, 1] });
      expect(call).toThrow(ConvError);
      expect(call).toThrow(`${k} must be a number or [h, w] pair`);
    },
  );
});

test('a padding that crops the whole output is the padding’s fault with an outputSize too (code padding, not output-size)', () => {
  const one = tensor([1], [1, 1, 1, 1]);
  const call = () =>
    convTranspose2d(one, one, {
      padding: [
        [1, 0],
        [0, 0],
      ],
      outputSize: [1, 1],
    });
  expect(call).toThrow(ConvError);
  expect(call).toThrow('convTranspose2d: padding (1, 0) crops the whole output height; reduce the padding');
  try {
    call();
  } catch (e) {
    expect((e as ConvError).code).toBe('padding');
  }
});
