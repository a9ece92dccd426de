/**
 * The check the forward-*.test.ts files share: conv2d against the naive
 * nested-array convolution of ./helpers.ts on integer data.
 */
import type { Conv2dOptions } from '../src/index.js';
import { expectTensor, ints, naiveConv2d, t, type Kernels, type NaiveOptions } from './helpers.js';

type N4 = number[][][][];

/**
 * Returns a check that `conv2d` on integer data of the given shapes equals the
 * naive conv exactly (sums of small integers are exact in float32).
 *
 * @example
 * const expectNaive = naiveCheck(conv2d);
 * expectNaive([1, 1, 5, 5], [1, 1, 3, 3], { stride: 2 }, { stride: [2, 2] });
 */
export function naiveCheck(
  conv2d: Kernels['conv2d'],
): (xShape: number[], wShape: number[], options: Conv2dOptions, naive: NaiveOptions) => void {
  return (xShape, wShape, options, naive) => {
    const xs = ints(xShape, 1) as N4;
    const ws = ints(wShape, 2) as N4;
    const bias = naive.bias;
    const got = conv2d(t(xs), t(ws), { ...options, ...(bias ? { bias: t(bias) } : {}) });
    expectTensor(got, naiveConv2d(xs, ws, naive));
  };
}
