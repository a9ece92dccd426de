/**
 * The comparator, the suite's only one: how close a result must be to what
 * is expected of it (the float64 model, or an external result with the
 * model's M and n).
 *
 * There is no fixed atol/rtol. A sum of n products computed in a format
 * with unit roundoff u, in any order, errs by at most γ_n·Σ|terms| with
 * γ_n = n·u/(1−n·u) (Higham, *Accuracy and Stability of Numerical
 * Algorithms*, §3.1). So each element may differ from the float64 model by
 * `c·γ_n·M + tiny`, where M is the same computation on absolute values.
 * Each comparison reports its worst `err/(u·M)`: a correct float32 kernel
 * stays around n or below, so drift shows long before the bound is crossed.
 *
 * NaN and ±Inf are compared as themselves: NaN equals only NaN, +Inf only
 * +Inf. Metamorphic checks on small-integer data are exact (−0 equals +0).
 */
import type { DType, Tensor } from '../../src/index.js';
import { dtypeOfTensor, multiIndex, sameShape, showShape } from '../tensors.js';

/**
 * The comparator's two constants, in one place.
 *
 * - `factor` (c = 2): the result and the float64 model each carry rounding
 *   error; for a float64 result both are bounded by γ_n·M, so c must be at
 *   least 2. For float32 the model's share is 2^-29 of the result's, and 2
 *   still leaves room for a kernel that sums in another order or in blocks
 *   (each such order obeys the same γ_n bound) without admitting a
 *   lower-precision accumulator (bfloat16/float16 sit 2^8–2^13 higher).
 * - `underflowPerTerm` (tiny = (n+1)·η): a product or sum that underflows
 *   loses up to the subnormal spacing η (2^-149 in float32, 2^-1074 in
 *   float64) absolutely, which no relative bound covers; n terms and the
 *   final rounding give at most n+1 such losses.
 * @example const bound = TOLERANCE.factor * gamma(n, unitRoundoff('float32')) * M;
 */
export const TOLERANCE = {
  factor: 2,
  underflowPerTerm: { float32: 2 ** -149, float64: 2 ** -1074 },
} as const;

/**
 * Unit roundoff: 2^-24 for float32, 2^-53 for float64.
 * @example unitRoundoff('float32') // 2 ** -24
 */
export function unitRoundoff(dtype: DType): number {
  return dtype === 'float64' ? 2 ** -53 : 2 ** -24;
}

/**
 * γ_n = n·u/(1−n·u), Infinity once n·u ≥ 1.
 * @example gamma(9, 2 ** -24) // ≈ 5.4e-7
 */
export function gamma(n: number, u: number): number {
  const nu = n * u;
  return nu < 1 ? nu / (1 - nu) : Infinity;
}

/**
 * The bound on one element's error: `c·γ_n·M + (n+1)·η` for a sum of `n`
 * products of magnitude `M` (the sum of their absolute values) in `dtype`.
 * @example elementBound(9, 4.5, 'float32') // 2·γ_9·4.5 + 10·2^-149
 */
export function elementBound(n: number, M: number, dtype: DType): number {
  return TOLERANCE.factor * gamma(n, unitRoundoff(dtype)) * M + (n + 1) * TOLERANCE.underflowPerTerm[dtype];
}

/** The largest finite value of a dtype, and the magnitude from which rounding gives Infinity. */
function overflowThreshold(dtype: DType): number {
  return dtype === 'float64' ? Number.MAX_VALUE : (2 - 2 ** -24) * 2 ** 127;
}

/**
 * What a result should be: the expected values (the float64 model's, or
 * an external result such as PyTorch's or an oracle's), the magnitudes M
 * that scale the bound and the number of terms n of each element, all in
 * the result's row-major layout.
 * @example const want: Expectation = { ...forwardExpectation(c), value: Float64Array.from(oracleResult.data) };
 */
export interface Expectation {
  /** e.g. `'conv2d output'`, `'gradWeight'`; used in messages. */
  readonly label: string;
  readonly shape: readonly number[];
  /** The dtype the result must have (and whose u the bound uses). */
  readonly dtype: DType;
  readonly value: Float64Array;
  readonly magnitude: Float64Array;
  /** n per element, or one n for all. */
  readonly terms: number | Float64Array;
}

/**
 * The outcome of one comparison.
 * @example const cmp: Comparison = compareBounded(y, forwardExpectation(c)); if (!cmp.ok) throw new Error(cmp.message);
 */
export interface Comparison {
  readonly ok: boolean;
  /** The worst err/(u·M) over all finite elements (0 for exact comparisons). */
  readonly worstRatio: number;
  /** How many elements fail. */
  readonly mismatches: number;
  /** Empty when ok; otherwise where and how the result differs. */
  readonly message: string;
}

/**
 * Thrown by `expectBounded`/`expectExact`: the message says where and by how much.
 * @example try { expectExact(a, b, 'y'); } catch (e) { if (e instanceof ComparisonError) e.comparison.mismatches; }
 */
export class ComparisonError extends Error {
  readonly comparison: Comparison;
  constructor(comparison: Comparison) {
    super(comparison.message);
    this.name = 'ComparisonError';
    this.comparison = comparison;
  }
}

const SHOWN = 3;

function structural(label: string, got: Tensor, shape: readonly number[], dtype: DType | null): Comparison | null {
  if (!sameShape(got.shape, shape)) {
    return {
      ok: false,
      worstRatio: Infinity,
      mismatches: 1,
      message: `${label}: shape differs: got ${showShape(got.shape)}, expected ${showShape(shape)}`,
    };
  }
  if (got.data.length !== shape.reduce((a, b) => a * b, 1)) {
    return {
      ok: false,
      worstRatio: Infinity,
      mismatches: 1,
      message: `${label}: shape ${showShape(shape)} but ${got.data.length} data elements`,
    };
  }
  if (dtype && dtypeOfTensor(got) !== dtype) {
    return {
      ok: false,
      worstRatio: Infinity,
      mismatches: 1,
      message: `${label}: dtype differs: got ${dtypeOfTensor(got)}, expected ${dtype}`,
    };
  }
  return null;
}

/** Whether a non-finite `got` matches `want` as IEEE values (NaN only NaN, ±Inf only itself). */
function specialMatches(got: number, want: number): boolean {
  return Number.isNaN(want) ? Number.isNaN(got) : got === want;
}

function summary(label: string, count: number, lines: readonly string[]): string {
  const more = count > lines.length ? `\n  … and ${count - lines.length} more` : '';
  return `${label}: ${count} element(s) out of bound\n  ${lines.join('\n  ')}${more}`;
}

/**
 * Compares a result with an expectation element by element:
 * `|got − value| ≤ c·γ_n·M + (n+1)·η` for finite values, identity for NaN/±Inf.
 * @example
 * const cmp = compareBounded(y, forwardExpectation(c));
 * if (!cmp.ok) throw new Error(cmp.message);
 */
export function compareBounded(got: Tensor, want: Expectation): Comparison {
  const bad = structural(want.label, got, want.shape, want.dtype);
  if (bad) return bad;
  const u = unitRoundoff(want.dtype);
  let worst = 0;
  let count = 0;
  const lines: string[] = [];
  for (let i = 0; i < want.value.length; i++) {
    const g = got.data[i];
    const e = want.value[i];
    const n = typeof want.terms === 'number' ? want.terms : want.terms[i];
    const M = want.magnitude[i];
    const where = `at ${showShape(multiIndex(want.shape, i))}`;
    if (!Number.isFinite(e)) {
      if (specialMatches(g, e)) continue;
      count++;
      if (lines.length < SHOWN) lines.push(`${where}: got ${g}, expected ${e} (non-finite values must match exactly)`);
      continue;
    }
    const bound = elementBound(n, M, want.dtype);
    const err = Math.abs(g - e);
    const ratio = err === 0 ? 0 : M > 0 ? err / (u * M) : Infinity;
    const overflowed =
      Math.abs(g) === Infinity && Math.sign(g) === Math.sign(e) && Math.abs(e) + bound >= overflowThreshold(want.dtype);
    if (err <= bound || overflowed) {
      if (Number.isFinite(ratio) && ratio > worst) worst = ratio;
      continue;
    }
    count++;
    if (lines.length < SHOWN) {
      lines.push(
        `${where}: got ${g}, expected ${e}, |err| ${Number.isNaN(err) ? 'NaN' : err.toExponential(3)} > bound ${bound.toExponential(3)} (err/(u·M) = ${ratio.toExponential(3)}, M = ${M}, n = ${n})`,
      );
    }
  }
  const worstRatio = count > 0 ? Infinity : worst;
  return { ok: count === 0, worstRatio, mismatches: count, message: count ? summary(want.label, count, lines) : '' };
}

/**
 * Exact comparison for metamorphic checks on small-integer data, where every
 * sum is exact in either dtype: equal values (−0 equals +0), NaN only NaN.
 * @example compareExact(impl.conv2d(xT, kT, swapped), transposeHW(y), 'conv(Xᵀ,Kᵀ)')
 */
export function compareExact(got: Tensor, want: Tensor, label: string): Comparison {
  const bad = structural(label, got, want.shape, dtypeOfTensor(want));
  if (bad) return bad;
  let count = 0;
  const lines: string[] = [];
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i];
    const e = want.data[i];
    if (g === e || (Number.isNaN(g) && Number.isNaN(e))) continue;
    count++;
    if (lines.length < SHOWN) lines.push(`at ${showShape(multiIndex(want.shape, i))}: got ${g}, expected ${e} (exact)`);
  }
  return { ok: count === 0, worstRatio: 0, mismatches: count, message: count ? summary(label, count, lines) : '' };
}

/**
 * `compareBounded`, throwing a `ComparisonError` on failure.
 * @returns the worst err/(u·M), for reports
 * @example ctx.observe(expectBounded(impl.conv2d(c.input, c.weight, c.options), forwardExpectation(c)));
 */
export function expectBounded(got: Tensor, want: Expectation): number {
  const cmp = compareBounded(got, want);
  if (!cmp.ok) throw new ComparisonError(cmp);
  return cmp.worstRatio;
}

/**
 * `compareExact`, throwing a `ComparisonError` on failure.
 * @example expectExact(impl.conv2d(x, w, { padding: [[0, 1], [0, 1]] }), impl.conv2d(x, w, { padding: 'same' }), 'same')
 */
export function expectExact(got: Tensor, want: Tensor, label: string): void {
  const cmp = compareExact(got, want, label);
  if (!cmp.ok) throw new ComparisonError(cmp);
}
