/**
 * Known TensorFlow.js defects, pinned as expected failures that keep being
 * checked. Each test asserts that the defect is STILL there (measured on
 * 4.22.0): when an upgrade fixes one, its test fails and names the issue, so
 * the oracle layer's workaround for it can be reconsidered. Every expected
 * value is computed by hand in the comment beside it. The defects that
 * corrupt wasm's memory have files of their own (oracle-defects-unsafe-*).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ConvError, conv2d, tensor } from '../src/index.js';
import { wasmSameZerosCondition } from '../properties/oracles/index.js';
import { suiteEnv } from '../properties/profile.js';
import { nhwc, on, pad649, tf } from './oracle-defects/tfjs.js';

const env = suiteEnv();

describe('tfjs cpu', () => {
  test('#649: a numeric pad with a non-square filter computes the width from the filter height (x=[1,5,5,1] f=[3,1,1,1] pad=1)', () => {
    const numeric = on('cpu', pad649.numeric);
    expect(numeric.shape).toEqual([1, 5, 5, 1]); // still wrong: the width is 7
    expect(numeric.data).toEqual(pad649.rows.flatMap((r) => r.slice(0, 5))); // the first 5 columns of the answer
    const explicit = on('cpu', pad649.explicit);
    expect(explicit.shape).toEqual([1, 5, 7, 1]);
    expect(explicit.data).toEqual(pad649.rows.flat());
    const ours = conv2d(tensor(new Array(25).fill(1), [1, 1, 5, 5]), tensor([1, 1, 1], [1, 1, 3, 1]), { padding: 1 });
    expect(ours.shape).toEqual([1, 1, 5, 7]);
    expect(Array.from(ours.data)).toEqual(pad649.rows.flat());
  });

  test('#649: a numeric pad with a non-square stride computes the width from the stride height (x=[1,5,5,1] f=1×1 s=[1,2] pad=1)', () => {
    // Columns: floor((5 + 2 − 1)/2) + 1 = 4; rows: (5 + 2 − 1)/1 + 1 = 7.
    const conv = (pad: unknown) => () =>
      tf.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([1, 1, 1, 1]), [1, 2], pad as never, 'NHWC', [1, 1]);
    expect(on('cpu', conv(1)).shape).toEqual([1, 7, 7, 1]); // still wrong
    expect(
      on(
        'cpu',
        conv([
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]),
      ).shape,
    ).toEqual([1, 7, 4, 1]);
    expect(
      conv2d(tensor(new Array(25).fill(1), [1, 1, 5, 5]), tensor([1], [1, 1, 1, 1]), { padding: 1, stride: [1, 2] })
        .shape,
    ).toEqual([1, 1, 7, 4]);
  });

  test('not validated: a 4×4 filter on a 2×2 input returns negative dimensions instead of throwing', () => {
    // floor((2 − 4)/1) + 1 = −1 on both axes.
    const y = on('cpu', () => tf.conv2d(tf.ones([1, 2, 2, 1]), tf.ones([4, 4, 1, 1]), [1, 1], 'valid', 'NHWC', [1, 1]));
    expect(y.shape).toEqual([1, -1, -1, 1]);
    expect(() => conv2d(tensor([1, 1, 1, 1], [1, 1, 2, 2]), tensor(new Array(16).fill(1), [1, 1, 4, 4]))).toThrow(
      ConvError,
    );
  });
});

describe('tfjs wasm', () => {
  const x = Array.from({ length: 18 }, (_, i) => i + 1);

  test("#8405/#5907: 'same' returns zeros when the filter is smaller than the stride (x=[1,9,2,1] f=[2,1,1,1] s=2)", () => {
    // Column 0 holds 1,3,…,17; output i sums rows 2i and 2i+1 there: (4i+1)+(4i+3) = 8i+4, and the last is 17 + a zero pad.
    const want = [4, 12, 20, 28, 17];
    const same = () => tf.conv2d(nhwc(x, [1, 9, 2, 1]), tf.ones([2, 1, 1, 1]), [2, 2], 'same', 'NHWC', [1, 1]);
    expect(on('cpu', same).data).toEqual(want);
    expect(on('wasm', same).data).toEqual([0, 0, 0, 0, 0]); // still wrong
    expect(
      Array.from(conv2d(tensor(x, [1, 1, 9, 2]), tensor([1, 1], [1, 1, 2, 1]), { stride: 2, padding: 'same' }).data),
    ).toEqual(want);
    // The same pads given explicitly (SAME_UPPER: rows 0 before, 1 after; columns none) work on wasm.
    const explicit = () =>
      tf.conv2d(
        nhwc(x, [1, 9, 2, 1]),
        tf.ones([2, 1, 1, 1]),
        [2, 2],
        [
          [0, 0],
          [0, 1],
          [0, 0],
          [0, 0],
        ],
        'NHWC',
        [1, 1],
      );
    expect(on('wasm', explicit).data).toEqual(want);
  });

  test("#8405: 'same' on wasm returns all zeros exactly when wasmSameZerosCondition holds", () => {
    const config = fc.record({
      H: fc.integer({ min: 1, max: 9 }),
      W: fc.integer({ min: 1, max: 9 }),
      KH: fc.integer({ min: 1, max: 4 }),
      KW: fc.integer({ min: 1, max: 4 }),
      sh: fc.integer({ min: 1, max: 5 }),
      sw: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(config, ({ H, W, KH, KW, sh, sw }) => {
        // Positive data and filter: every correct output is positive (each window holds a real pixel under 'same').
        const run = (b: string) =>
          on(b, () =>
            tf.conv2d(
              nhwc(
                Array.from({ length: H * W }, (_, i) => 1 + (i % 7)),
                [1, H, W, 1],
              ),
              nhwc(
                Array.from({ length: KH * KW }, (_, i) => 1 + (i % 3)),
                [KH, KW, 1, 1],
              ),
              [sh, sw],
              'same',
              'NHWC',
              [1, 1],
            ),
          ).data;
        const wasm = run('wasm');
        if (wasmSameZerosCondition(H, W, KH, KW, [sh, sw], [KH, KW])) return wasm.every((v) => v === 0);
        return wasm.join() === run('cpu').join();
      }),
      { numRuns: env.runs, seed: env.seed },
    );
  });

  test('#8474: wasm has no Conv2DBackpropFilter kernel', () => {
    tf.setBackend('wasm').catch(() => undefined);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: tf.ones([1, 3, 3, 1]), dy: tf.ones([1, 2, 2, 1]) },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 1, 1] },
        ),
    ).toThrow(/not registered/);
  });

  test('NaN comes back as −Infinity through a 1×1 single-channel filter (no issue filed; XNNPACK gives no NaN guarantee, tfjs PR #3855)', () => {
    const nan = () =>
      tf.conv2d(nhwc([NaN, 1, 2, 3], [1, 2, 2, 1]), nhwc([1], [1, 1, 1, 1]), [1, 1], 'valid', 'NHWC', [1, 1]);
    expect(on('wasm', nan).data).toEqual([-Infinity, 1, 2, 3]); // still wrong
    expect(on('cpu', nan).data).toEqual([NaN, 1, 2, 3]);
    expect(Array.from(conv2d(tensor([NaN, 1, 2, 3], [1, 1, 2, 2]), tensor([1], [1, 1, 1, 1])).data)).toEqual([
      NaN,
      1,
      2,
      3,
    ]);
  });
});

describe('tfjs-core gradients', () => {
  test('#7906: the registered Conv2D gradient throws for dilation > 1', async () => {
    // The gradient tf.grad would call; it refuses before touching its inputs.
    const { conv2DGradConfig } = await import('@tensorflow/tfjs-core/dist/gradients/Conv2D_grad.js');
    const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [2, 2] };
    expect(() =>
      conv2DGradConfig.gradFunc(
        tf.ones([1, 1, 1, 1]) as never,
        [tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1])] as never,
        attrs as never,
      ),
    ).toThrow(/dilation rates greater than 1 are not yet supported/);
  });
});
