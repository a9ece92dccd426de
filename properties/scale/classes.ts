/**
 * The remainder classes of a blocked dimension, in one table.
 *
 * A fast kernel splits a dimension of size L into blocks of b (channels
 * by 4/8/16, positions by tiles, the batch by the vector width) and handles
 * the last partial block with other code. Its bugs live in the classes
 * XNNPACK's micro-kernel testers enumerate: L < b, L = b, L > b, L a
 * multiple of b, and a remainder after one or more full blocks. Since the
 * suite does not know b, it draws L next to every plausible block size:
 * b − 1, b and b + 1 for b a power of two or three times one.
 */

/**
 * The block sizes a kernel plausibly uses, up to `max`: 2^k and 3·2^k (k ≥ 1).
 * @example blockSizes(20) // [2, 3, 4, 6, 8, 12, 16]
 */
export function blockSizes(max: number): number[] {
  const out = new Set<number>();
  for (let p = 2; p <= max; p *= 2) {
    out.add(p);
    if (3 * (p / 2) <= max) out.add(3 * (p / 2));
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Sizes next to every block size (b − 1, b, b + 1), from `min` to `max`, ascending.
 * @example remainderClasses(17) // [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17]
 */
export function remainderClasses(max: number, min = 1): number[] {
  const out = new Set<number>();
  for (const b of blockSizes(max + 1)) for (const v of [b - 1, b, b + 1]) if (v >= min && v <= max) out.add(v);
  if (min <= 1 && max >= 1) out.add(1);
  return [...out].sort((a, b) => a - b);
}

/**
 * The classes above `from` only (the large end of the table), for dimensions
 * a case pushes: what makes a case reach past a block boundary.
 * @example largeClasses(65, 16) // [17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65]
 */
export function largeClasses(max: number, from: number): number[] {
  return remainderClasses(max).filter((v) => v > from);
}
