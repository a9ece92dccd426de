/**
 * Element values for conv tensors. Plain `fc.float` spreads its samples over
 * bit patterns (mostly tiny or subnormal numbers), which says little about a
 * convolution; these values are small integers (every sum exact, so
 * metamorphic checks compare exactly) or dyadic numbers `m / 2^k` with a
 * dozen significant bits (sums round in float32, so the error bound is
 * exercised). Both kinds are exact in float32 inputs, and a dyadic value
 * shrinks to a small integer.
 */
import fc from 'fast-check';

/** Constraints of `convValue`; every field is optional. */
export interface ConvValueConstraints {
  /**
   * `'integer'`: small integers only, for exact metamorphic checks;
   * `'mixed'`: small integers and dyadic values. Default `'mixed'`.
   */
  readonly kind?: 'integer' | 'mixed';
  /** Small integers lie in `[−maxInt, maxInt]`. Default 3. */
  readonly maxInt?: number;
  /** Dyadic values are `m / 2^k` with `|m| ≤ 2^mantissaBits`… Default 12. */
  readonly mantissaBits?: number;
  /** …and `0 ≤ k ≤ fractionBits`. Default 10. */
  readonly fractionBits?: number;
}

/**
 * The constraints with their defaults filled in.
 * @example valueDefaults({ kind: 'integer' }).maxInt // 3
 */
export function valueDefaults(c: ConvValueConstraints = {}): Required<ConvValueConstraints> {
  return {
    kind: c.kind ?? 'mixed',
    maxInt: c.maxInt ?? 3,
    mantissaBits: c.mantissaBits ?? 12,
    fractionBits: c.fractionBits ?? 10,
  };
}

/**
 * One element value.
 * @example fc.sample(convValue({ kind: 'integer' }), 3) // e.g. [0, -2, 3]
 */
export function convValue(constraints: ConvValueConstraints = {}): fc.Arbitrary<number> {
  const c = valueDefaults(constraints);
  const small = fc.integer({ min: -c.maxInt, max: c.maxInt });
  if (c.kind === 'integer') return small;
  const m = 2 ** c.mantissaBits;
  const dyadic = fc
    .tuple(fc.integer({ min: -m, max: m }), fc.integer({ min: 0, max: c.fractionBits }))
    .map(([mantissa, k]) => mantissa / 2 ** k);
  return fc.oneof({ withCrossShrink: true }, small, dyadic);
}

/**
 * The same distribution drawn from a plain PRNG `rand` (uniform in [0, 1)),
 * for tensors too large to draw element by element.
 * @example const rand = seededRandom(7); sampleValue(rand) // e.g. -2 or 0.3125
 */
export function sampleValue(rand: () => number, constraints: ConvValueConstraints = {}): number {
  return valueSampler(constraints)(rand);
}

/**
 * `sampleValue` with the constraints resolved once, for filling large tensors.
 * @example const sample = valueSampler({ kind: 'integer' }); const v = sample(seededRandom(7));
 */
export function valueSampler(constraints: ConvValueConstraints = {}): (rand: () => number) => number {
  const c = valueDefaults(constraints);
  const m = 2 ** c.mantissaBits;
  const int = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  return (rand) => {
    if (c.kind === 'integer' || rand() < 0.5) return int(rand, -c.maxInt, c.maxInt);
    return int(rand, -m, m) / 2 ** int(rand, 0, c.fractionBits);
  };
}
