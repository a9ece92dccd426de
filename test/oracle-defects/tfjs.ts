/**
 * What the pinned TensorFlow.js defect tests share: tfjs with its cpu and wasm
 * backends registered through the suite's oracle loader, a runner that keeps
 * a copy of a result, and the #649 case with its answer derived by hand.
 */
import { expect } from 'vitest';
import { loadOracles, type TfjsApi } from '../../properties/oracles/index.js';

await loadOracles(['cpu', 'wasm']);
// The oracles registered both backends on tfjs's one engine; the tests below talk to it directly.
export const tf = (await import('@tensorflow/tfjs-core')) as unknown as TfjsApi & {
  ones(shape: number[]): { shape: number[]; dataSync(): ArrayLike<number>; dispose(): void };
};

/**
 * Runs `fn` on `backend` and returns the shape and a copy of the data of the
 * tensor it makes. `keep` leaves the tensor undisposed: after a kernel wrote
 * past its output, freeing it can trap.
 */
export function on(
  backend: string,
  fn: () => { shape: number[]; dataSync(): ArrayLike<number>; dispose(): void },
  keep = false,
) {
  tf.setBackend(backend).catch(() => undefined);
  expect(tf.getBackend()).toBe(backend);
  const t = tf.tidy(fn);
  const result = { shape: [...t.shape], data: Array.from(t.dataSync()) };
  if (!keep) t.dispose();
  return result;
}

export const nhwc = (values: number[], shape: number[]) => tf.tensor(Float32Array.from(values), shape, 'float32');

/** x = ones [1,5,5,1], f = ones [3,1,1,1], pad 1 on every side: 5 × 7 (rows 5+2−3+1, columns 5+2−1+1). */
export const pad649 = {
  numeric: () => tf.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([3, 1, 1, 1]), [1, 1], 1 as never, 'NHWC', [1, 1]),
  explicit: () =>
    tf.conv2d(
      tf.ones([1, 5, 5, 1]),
      tf.ones([3, 1, 1, 1]),
      [1, 1],
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      'NHWC',
      [1, 1],
    ),
  // A 3×1 column of ones over the padded image: 2 in the first and last row, 3 inside, 0 in the pad columns.
  rows: [2, 3, 3, 3, 2].map((v) => [0, v, v, v, v, v, 0]),
};
