/**
 * A pinned TensorFlow.js wasm defect that writes or reads outside wasm's
 * buffers: it can corrupt the heap for every later call in the process, so it
 * has a file (a fresh module graph, a fresh wasm instance) of its own and no
 * other test depends on running before or after it. See oracle-defects.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { on, tf } from './oracle-defects/tfjs.js';

describe('tfjs wasm, memory-unsafe', () => {
  test('not validated: a 4×4 filter on a 2×2 input returns negative dimensions instead of throwing (tfjs #7621)', () => {
    const y = on(
      'wasm',
      () => tf.conv2d(tf.ones([1, 2, 2, 1]), tf.ones([4, 4, 1, 1]), [1, 1], 'valid', 'NHWC', [1, 1]),
      true,
    );
    expect(y.shape).toEqual([1, -1, -1, 1]);
  });
});
