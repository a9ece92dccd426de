/**
 * The check the hand-computed backward-*.test.ts files share: all three
 * gradients of conv2dBackward against the values worked out by hand.
 */
import type { Conv2dOptions, Nested, Tensor } from '../src/index.js';
import { expectTensor, type Kernels } from './helpers.js';

/** The gradients a case expects, as nested arrays. */
export interface Expected {
  gradInput: Nested;
  gradWeight: Nested;
  gradBias: number[];
}

/**
 * Returns a check that `conv2dBackward(dy, x, w, options)` gives exactly the
 * expected gradInput, gradWeight and gradBias.
 *
 * @example
 * const expectGrads = gradsCheck(conv2dBackward);
 * expectGrads(t([[[[1]]]]), t([[[[2]]]]), t([[[[3]]]]), {}, { gradInput: [[[[3]]]], gradWeight: [[[[2]]]], gradBias: [1] });
 */
export function gradsCheck(
  conv2dBackward: Kernels['conv2dBackward'],
): (dy: Tensor, x: Tensor, w: Tensor, options: Conv2dOptions, want: Expected) => void {
  return (dy, x, w, options, want) => {
    const g = conv2dBackward(dy, x, w, options);
    expectTensor(g.gradInput, want.gradInput);
    expectTensor(g.gradWeight, want.gradWeight);
    expectTensor(g.gradBias, want.gradBias);
  };
}
