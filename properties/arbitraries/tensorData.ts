/**
 * Tensors of a given shape and dtype filled with `convValue`s. Small
 * tensors are drawn element by element (and shrink element by element);
 * large ones draw one seed and fill from a PRNG, because drawing 10^5
 * floats through fast-check takes ~0.1 s.
 */
import fc from 'fast-check';
import type { DType, Tensor } from '../../src/index.js';
import { seededRandom } from '../../src/random.js';
import { count, fromFunction } from '../tensors.js';
import { convValue, valueSampler, type ConvValueConstraints } from './convValue.js';

/** Constraints of `tensorData`; every field is optional. */
export interface TensorDataConstraints extends ConvValueConstraints {
  /** Above this many elements the data comes from a seeded PRNG (it then does not shrink). Default 512. */
  readonly maxDrawnElements?: number;
}

/**
 * A tensor of `shape` and `dtype`.
 * @example fc.sample(tensorData('float32', [2, 3]), 1)[0].data // Float32Array(6) of small values
 */
export function tensorData(
  dtype: DType,
  shape: readonly number[],
  constraints: TensorDataConstraints = {},
): fc.Arbitrary<Tensor> {
  const n = count(shape);
  if (n > (constraints.maxDrawnElements ?? 512)) {
    const sample = valueSampler(constraints);
    return fc.integer({ min: 0, max: 0x7fffffff }).map((seed) => {
      const rand = seededRandom(seed);
      return fromFunction(dtype, shape, () => sample(rand));
    });
  }
  return fc
    .array(convValue(constraints), { minLength: n, maxLength: n })
    .map((values) => fromFunction(dtype, shape, (i) => values[i]));
}
