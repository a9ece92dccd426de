/**
 * Cases of the peers' own test suites that convproof could not take before
 * without the caller doing layout moves or size arithmetic, now written in
 * the peers' terms and passed straight to the public API. Each expected value
 * is the peer's documented result, re-derived here by hand in a comment
 * (never from convproof).
 */
import { describe, expect, test } from 'vitest';
import { conv2d, convTranspose2d, convTranspose2dBackward, tensor } from '../src/index.js';

const values = (t: { data: ArrayLike<number> }) => Array.from(t.data);

describe('TensorFlow.js conv2dTranspose tests, in tfjs layouts (NHWC input, [KH, KW, out, in] filter, outputShape)', () => {
  // tfjs-core conv2d_transpose_test 'input=2x2x1,d2=1,f=2,s=1,p=0': x = [2] (1×1×1), w = [3, 1, 5, 0] as
  // [2, 2, 1, 1], outputShape [2, 2, 1]: the pixel 2 scatters 2·w = [6, 2, 10, 0].
  test('one pixel, unbatched [H, W, C] = [1, 1, 1], outputShape [2, 2]', () => {
    const y = convTranspose2d(tensor([2], [1, 1, 1]), tensor([3, 1, 5, 0], [2, 2, 1, 1]), {
      dataFormat: 'NHWC',
      filterFormat: 'HWIO',
      outputSize: [2, 2],
    });
    expect(y.shape).toEqual([2, 2, 1]);
    expect(values(y)).toEqual([6, 2, 10, 0]);
  });

  // '... batch=2': x = [2, 3] as [2, 1, 1, 1] gives 2·w then 3·w.
  test('the same with a batch of two', () => {
    const y = convTranspose2d(tensor([2, 3], [2, 1, 1, 1]), tensor([3, 1, 5, 0], [2, 2, 1, 1]), {
      dataFormat: 'NHWC',
      filterFormat: 'HWIO',
      outputSize: [2, 2],
    });
    expect(y.shape).toEqual([2, 2, 2, 1]);
    expect(values(y)).toEqual([6, 2, 10, 0, 9, 3, 15, 0]);
  });

  // Its gradient, as tfjs's tf.grads would give it: L = Σ y·dy with dy = ones, so dx = Σ w = 9 and
  // dw = x = 2 at every tap.
  test('its gradients with dy = ones: dx = Σ w = 9, dw = 2 everywhere', () => {
    const g = convTranspose2dBackward(
      tensor([1, 1, 1, 1], [2, 2, 1]),
      tensor([2], [1, 1, 1]),
      tensor([3, 1, 5, 0], [2, 2, 1, 1]),
      { dataFormat: 'NHWC', filterFormat: 'HWIO', outputSize: [2, 2] },
    );
    expect(values(g.gradInput)).toEqual([9]);
    expect(g.gradWeight.shape).toEqual([2, 2, 1, 1]);
    expect(values(g.gradWeight)).toEqual([2, 2, 2, 2]);
    expect(values(g.gradBias)).toEqual([4]);
  });
});

describe('ONNX node tests, with their attributes spelled as convproof options', () => {
  // test_convtranspose_output_shape: x = 0..8 as [1, 1, 3, 3], W = ones [1, 2, 3, 3], strides [3, 2],
  // output_shape [10, 8]. The full output is 9 × 7 (rows: 3 per input row, no overlap; columns: input
  // column j covers 2j..2j+2), and one zero row and column follow. Row block i of channel 0 is
  // [3i, 3i, 6i+1, 3i+1, 6i+3, 3i+2, 3i+2, 0]; both output channels are the same.
  test('test_convtranspose_output_shape: outputSize [10, 8] with strides [3, 2]', () => {
    const x = tensor(
      Array.from({ length: 9 }, (_, i) => i),
      [1, 1, 3, 3],
    );
    const y = convTranspose2d(x, tensor(new Array(18).fill(1), [1, 2, 3, 3]), { stride: [3, 2], outputSize: [10, 8] });
    expect(y.shape).toEqual([1, 2, 10, 8]);
    const block = (i: number) => [3 * i, 3 * i, 6 * i + 1, 3 * i + 1, 6 * i + 3, 3 * i + 2, 3 * i + 2, 0];
    const channel = [0, 0, 0, 1, 1, 1, 2, 2, 2].flatMap(block).concat(new Array(8).fill(0));
    expect(values(y)).toEqual([...channel, ...channel]);
  });

  // test_conv_with_autopad_same: x = 0..24 as [1, 1, 5, 5], W = ones [1, 1, 3, 3], auto_pad SAME_LOWER, strides 2:
  // 3 × 3 outputs, total pad 2 split (1, 1); the top-left window covers 0 + 1 + 5 + 6 = 12.
  test("test_conv_with_autopad_same: auto_pad SAME_LOWER is padding 'same-lower'", () => {
    const x = tensor(
      Array.from({ length: 25 }, (_, i) => i),
      [1, 1, 5, 5],
    );
    const y = conv2d(x, tensor(new Array(9).fill(1), [1, 1, 3, 3]), { padding: 'same-lower', stride: 2 });
    expect(values(y)).toEqual([12, 27, 24, 63, 108, 81, 72, 117, 84]);
  });

  // The odd pad decides: x = 0..3 as [1, 1, 1, 4], W = [1, 10] ([1, 1, 1, 2]), stride 1: SAME_LOWER pads one
  // column on the left (outputs 0·10, 0 + 1·10, 1 + 2·10, 2 + 3·10), SAME_UPPER on the right.
  test('SAME_LOWER and SAME_UPPER differ where the total pad is odd', () => {
    const x = tensor([0, 1, 2, 3], [1, 1, 1, 4]);
    const w = tensor([1, 10], [1, 1, 1, 2]);
    expect(values(conv2d(x, w, { padding: 'same-lower' }))).toEqual([0, 10, 21, 32]);
    expect(values(conv2d(x, w, { padding: 'same-upper' }))).toEqual([10, 21, 32, 3]);
  });
});
