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
export function elementBound(n: number, M: number, dtype: DType, u: number = unitRoundoff(dtype)): number {
  return TOLERANCE.factor * gamma(n, u) * M + (n + 1) * TOLERANCE.underflowPerTerm[dtype];
}

/**
 * The precision an implementation declares (`Conventions.precision`):
 * `'float32'` (the default: per element, u of the data's dtype), a coarser
 * `{ unitRoundoff }` (fp16 2^-11, bf16 2^-8, TF32 2^-11 products), or
 * `'normwise'` (FFT, Winograd, DFT: bounded over each output plane, not per
 * element; see `compareNormwise`).
 * @example compareBounded(y, want, { unitRoundoff: 2 ** -11 })
 */
export type Precision = 'float32' | { readonly unitRoundoff: number } | 'normwise';

/** The unit roundoff of a comparison: the data's, or a coarser declared one. */
function roundoffOf(dtype: DType, precision: Precision | undefined): number {
  const u = unitRoundoff(dtype);
  return typeof precision === 'object' ? Math.max(u, precision.unitRoundoff) : u;
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
  /** What was compared (e.g. `'conv2d output'`, `'gradWeight'`), when the comparison names it. */
  readonly label?: string;
  /**
   * The first differing elements (at most `DIFFERENCES_KEPT`, in row-major
   * order; `mismatches` counts them all). Absent for a shape or dtype
   * mismatch and for the planes of a normwise comparison.
   */
  readonly differences?: readonly Difference[];
}

/**
 * One element of a result outside its bound.
 * @example cmp.differences?.[0] // { index: [0, 1, 2, 2], got: 5, expected: 4, bound: 4.8e-7 }
 */
export interface Difference {
  /** The element's index in the compared tensor (or the combination's index, for a projection). */
  readonly index: readonly number[];
  readonly got: number;
  readonly expected: number;
  /** The allowed |got − expected|: 0 for an exact comparison and for an expected NaN or ±Inf. */
  readonly bound: number;
}

/** How many differing elements a comparison keeps for reports. */
export const DIFFERENCES_KEPT = 20;

/** Collects the first differing elements of a comparison. */
class Differences {
  readonly kept: Difference[] = [];
  add(index: () => readonly number[], got: number, expected: number, bound: number): void {
    if (this.kept.length < DIFFERENCES_KEPT) this.kept.push({ index: index(), got, expected, bound });
  }
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
export function compareBounded(got: Tensor, want: Expectation, precision?: Precision): Comparison {
  if (precision === 'normwise') return compareNormwise(got, want);
  const bad = structural(want.label, got, want.shape, want.dtype);
  if (bad) return bad;
  return elementwise(got.data, want, roundoffOf(want.dtype, precision), null, (i) => multiIndex(want.shape, i));
}

/** Where a combined comparison's elements came from, and the extra allowance each carries. */
export interface Combination {
  /**
   * An absolute allowance per element added to its bound: the rounding the
   * combination itself adds (sums of many results in float64) and the
   * underflow terms of every combined element beyond the first.
   */
  readonly slack: Float64Array;
  /** The index shown for element `i` in messages (default: its index in `want.shape`). */
  readonly indexOf?: (i: number) => readonly number[];
}

/**
 * Compares float64 combinations of a result — e.g. a random projection
 * `Σ r_o·y[n, o]` — with the same combinations of the model: the bound of
 * `compareBounded` with the dtype's (or the declared) u, n and M (M
 * combined with |r|), plus `slack` per element. Under `'normwise'`
 * precision each plane's 2-norm error is bounded by `c·γ·‖M‖₁` (a
 * combination of planes each within `c·γ·‖M_p‖₂ ≤ c·γ·‖M_p‖₁` is within
 * the 1-norm of the combined M, which is all non-negative), plus `‖slack‖₂`.
 * The caller checks the result's shape and dtype.
 * @example compareCombined(projected, { ...want, label: 'y projected over o' }, { slack })
 */
export function compareCombined(
  got: Float64Array,
  want: Expectation,
  combination: Combination,
  precision?: Precision,
): Comparison {
  if (got.length !== want.value.length) {
    const message = `${want.label}: ${got.length} combined values, expected ${want.value.length}`;
    return { ok: false, worstRatio: Infinity, mismatches: 1, message };
  }
  if (precision === 'normwise') return combinedNormwise(got, want, combination.slack);
  const indexOf = combination.indexOf ?? ((i) => multiIndex(want.shape, i));
  return elementwise(got, want, roundoffOf(want.dtype, precision), combination.slack, indexOf);
}

/** The element loop of `compareBounded` and `compareCombined`. */
function elementwise(
  got: ArrayLike<number>,
  want: Expectation,
  u: number,
  slack: Float64Array | null,
  indexOf: (i: number) => readonly number[],
): Comparison {
  let worst = 0;
  let count = 0;
  const lines: string[] = [];
  const diffs = new Differences();
  for (let i = 0; i < want.value.length; i++) {
    const g = got[i];
    const e = want.value[i];
    const n = typeof want.terms === 'number' ? want.terms : want.terms[i];
    const M = want.magnitude[i];
    if (!Number.isFinite(e)) {
      if (specialMatches(g, e)) continue;
      count++;
      diffs.add(() => indexOf(i), g, e, 0);
      if (lines.length < SHOWN)
        lines.push(`at ${showShape(indexOf(i))}: got ${g}, expected ${e} (non-finite values must match exactly)`);
      continue;
    }
    const bound = elementBound(n, M, want.dtype, u) + (slack ? slack[i] : 0);
    const err = Math.abs(g - e);
    const ratio = err === 0 ? 0 : M > 0 ? err / (u * M) : Infinity;
    const overflowed =
      Math.abs(g) === Infinity && Math.sign(g) === Math.sign(e) && Math.abs(e) + bound >= overflowThreshold(want.dtype);
    if (err <= bound || overflowed) {
      if (Number.isFinite(ratio) && ratio > worst) worst = ratio;
      continue;
    }
    count++;
    diffs.add(() => indexOf(i), g, e, bound);
    if (lines.length < SHOWN) {
      lines.push(
        `at ${showShape(indexOf(i))}: got ${g}, expected ${e}, |err| ${Number.isNaN(err) ? 'NaN' : err.toExponential(3)} > bound ${bound.toExponential(3)} (err/(u·M) = ${ratio.toExponential(3)}, M = ${M}, n = ${n})`,
      );
    }
  }
  const worstRatio = count > 0 ? Infinity : worst;
  if (count === 0) return { ok: true, worstRatio, mismatches: 0, message: '' };
  const message = summary(want.label, count, lines);
  return { ok: false, worstRatio, mismatches: count, message, label: want.label, differences: diffs.kept };
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
  const diffs = new Differences();
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i];
    const e = want.data[i];
    if (g === e || (Number.isNaN(g) && Number.isNaN(e))) continue;
    count++;
    diffs.add(() => multiIndex(want.shape, i), g, e, 0);
    if (lines.length < SHOWN) lines.push(`at ${showShape(multiIndex(want.shape, i))}: got ${g}, expected ${e} (exact)`);
  }
  if (count === 0) return { ok: true, worstRatio: 0, mismatches: 0, message: '' };
  return {
    ok: false,
    worstRatio: 0,
    mismatches: count,
    message: summary(label, count, lines),
    label,
    differences: diffs.kept,
  };
}

/**
 * `compareBounded`, throwing a `ComparisonError` on failure.
 * @returns the worst err/(u·M), for reports
 * @example ctx.observe(expectBounded(impl.conv2d(c.input, c.weight, c.options), forwardExpectation(c)));
 */
export function expectBounded(got: Tensor, want: Expectation, precision?: Precision): number {
  const cmp = compareBounded(got, want, precision);
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

/** The planes a normwise comparison bounds separately: the last two axes (one output image, one kernel). */
function planeSize(shape: readonly number[]): number {
  return shape.length >= 2 ? shape[shape.length - 2] * shape[shape.length - 1] : Math.max(1, shape[0] ?? 1);
}

/**
 * The effective number of terms of the normwise bound for a plane of `P`
 * elements whose elements sum at most `n` terms: `n·⌈log₂ 2P⌉`.
 *
 * Why. A direct sum errs by at most γ_n·M_i per element, so by γ_n·‖M‖₂
 * over a plane: the normwise bound is implied by the elementwise one, and
 * every correct direct kernel meets it. An FFT-based conv of a plane of P
 * points errs, in the 2-norm, by about c·log₂P·u·‖x‖₂·‖k‖₁ (each FFT level
 * adds u relative to the 2-norm, and |FFT(k)| ≤ ‖k‖₁); since
 * ‖x‖₂·‖k‖₁ ≤ n·‖k‖∞·‖x‖₂ ≤ n·‖M‖₂ (M = |x|⋆|k| dominates each shifted
 * |k_j|·|x|), that is within γ_{n·log₂P}·‖M‖₂ up to the factor c. Winograd's
 * transforms add a constant factor of the same kind. The error of such
 * algorithms spreads across the plane, so a small output next to large ones
 * may err by far more than its own M_i: only the plane's norm is bounded.
 * @example normwiseTerms(9, 64) // 9·7 = 63
 */
export function normwiseTerms(n: number, P: number): number {
  return n * Math.ceil(Math.log2(2 * Math.max(1, P)));
}

/**
 * Compares plane by plane (the last two axes) in the 2-norm:
 * `‖got − value‖₂ ≤ c·γ_{n·⌈log₂ 2P⌉}·‖M‖₂ + (n+1)·η·√P` with u = float32's
 * (or the data's, if coarser), n the plane's largest term count and P its
 * size (see `normwiseTerms` for the derivation); NaN and ±Inf must still
 * match exactly. The worst ratio reported is ‖err‖₂/(u·‖M‖₂).
 * @example compareNormwise(fftConv(x, w), forwardExpectation(c)).ok
 */
export function compareNormwise(got: Tensor, want: Expectation): Comparison {
  const bad = structural(want.label, got, want.shape, want.dtype);
  if (bad) return bad;
  const u = Math.max(unitRoundoff(want.dtype), unitRoundoff('float32'));
  const P = planeSize(want.shape);
  const lines: string[] = [];
  let [count, worst] = [0, 0];
  for (let p0 = 0; p0 < want.value.length; p0 += P) {
    let [err2, M2, n, special] = [0, 0, 0, -1];
    for (let i = p0; i < p0 + P; i++) {
      const [g, e] = [got.data[i], want.value[i]];
      if (!Number.isFinite(e)) {
        if (!specialMatches(g, e) && special < 0) special = i;
        continue;
      }
      err2 += (g - e) ** 2;
      M2 += want.magnitude[i] ** 2;
      n = Math.max(n, typeof want.terms === 'number' ? want.terms : want.terms[i]);
    }
    const [err, M] = [Math.sqrt(err2), Math.sqrt(M2)];
    const bound =
      TOLERANCE.factor * gamma(normwiseTerms(n, P), u) * M +
      (n + 1) * TOLERANCE.underflowPerTerm[want.dtype] * Math.sqrt(P);
    const where = `plane at ${showShape(multiIndex(want.shape, p0))}`;
    const ratio = err === 0 ? 0 : M > 0 ? err / (u * M) : Infinity;
    if (special >= 0) {
      count++;
      if (lines.length < SHOWN)
        lines.push(
          `at ${showShape(multiIndex(want.shape, special))}: got ${got.data[special]}, expected ${want.value[special]} (non-finite values must match exactly)`,
        );
    } else if (!(err <= bound)) {
      count++;
      if (lines.length < SHOWN)
        lines.push(
          `${where}: ‖err‖₂ ${err.toExponential(3)} > normwise bound ${bound.toExponential(3)} (‖err‖₂/(u·‖M‖₂) = ${ratio.toExponential(3)}, ‖M‖₂ = ${M}, n = ${n}, P = ${P})`,
        );
    } else if (ratio > worst) worst = ratio;
  }
  const message = count ? summary(`${want.label} (normwise)`, count, lines).replace('element(s)', 'plane(s)') : '';
  return { ok: count === 0, worstRatio: count ? Infinity : worst, mismatches: count, message };
}

/** `compareCombined` under `'normwise'` precision: plane by plane, the 1-norm of the combined M. */
function combinedNormwise(got: Float64Array, want: Expectation, slack: Float64Array): Comparison {
  const u = Math.max(unitRoundoff(want.dtype), unitRoundoff('float32'));
  const P = planeSize(want.shape);
  const lines: string[] = [];
  let [count, worst] = [0, 0];
  for (let p0 = 0; p0 < want.value.length; p0 += P) {
    let [err2, M1, slack2, n, special] = [0, 0, 0, 0, -1];
    for (let i = p0; i < p0 + P; i++) {
      if (!Number.isFinite(want.value[i])) {
        if (!specialMatches(got[i], want.value[i]) && special < 0) special = i;
        continue;
      }
      err2 += (got[i] - want.value[i]) ** 2;
      M1 += want.magnitude[i];
      slack2 += slack[i] ** 2;
      n = Math.max(n, typeof want.terms === 'number' ? want.terms : want.terms[i]);
    }
    const err = Math.sqrt(err2);
    const bound =
      TOLERANCE.factor * gamma(normwiseTerms(n, P), u) * M1 +
      (n + 1) * TOLERANCE.underflowPerTerm[want.dtype] * Math.sqrt(P) +
      Math.sqrt(slack2);
    const ratio = err === 0 ? 0 : M1 > 0 ? err / (u * M1) : Infinity;
    if (special < 0 && err <= bound) {
      worst = Math.max(worst, ratio);
      continue;
    }
    count++;
    if (lines.length < SHOWN)
      lines.push(
        special >= 0
          ? `at ${showShape(multiIndex(want.shape, special))}: got ${got[special]}, expected ${want.value[special]} (non-finite values must match exactly)`
          : `plane at ${showShape(multiIndex(want.shape, p0))}: ‖err‖₂ ${err.toExponential(3)} > bound ${bound.toExponential(3)} (‖M‖₁ = ${M1}, n = ${n}, P = ${P})`,
      );
  }
  const message = count ? summary(`${want.label} (normwise)`, count, lines).replace('element(s)', 'plane(s)') : '';
  return { ok: count === 0, worstRatio: count ? Infinity : worst, mismatches: count, message };
}

/**
 * The scale of a metamorphic comparison: the largest term count and the
 * largest magnitude M any output of the calls compared can have.
 */
export interface MetamorphicScale {
  readonly terms: number;
  readonly magnitude: number;
}

/**
 * A metamorphic comparison of two results of the implementation itself.
 * Under the default precision it is exact (the data are small integers, so
 * every sum is exact). Under a declared coarser precision each side may err
 * by its bound, so the two may differ by twice it: `2·c·γ_n·M` per element
 * with the declared u, and for `'normwise'` twice the plane's normwise bound
 * with ‖M‖₂ ≤ √P·M (one element may carry a plane's whole error).
 * @example compareWithin(a, b, 'stride', ctx.conventions.precision, { terms: 9, magnitude: 27 })
 */
export function compareWithin(
  got: Tensor,
  want: Tensor,
  label: string,
  precision: Precision | undefined,
  scale: MetamorphicScale,
): Comparison {
  if (precision === undefined || precision === 'float32') return compareExact(got, want, label);
  const bad = structural(label, got, want.shape, dtypeOfTensor(want));
  if (bad) return bad;
  const tolerance = metamorphicTolerance(precision, scale.terms, scale.magnitude, planeSize(want.shape));
  let count = 0;
  const lines: string[] = [];
  const diffs = new Differences();
  for (let i = 0; i < want.data.length; i++) {
    const [g, e] = [got.data[i], want.data[i]];
    if (Math.abs(g - e) <= tolerance || (Number.isNaN(g) && Number.isNaN(e)) || g === e) continue;
    count++;
    diffs.add(() => multiIndex(want.shape, i), g, e, Number.isFinite(e) ? tolerance : 0);
    if (lines.length < SHOWN)
      lines.push(
        `at ${showShape(multiIndex(want.shape, i))}: got ${g}, expected ${e}, beyond ${tolerance.toExponential(3)}`,
      );
  }
  if (count === 0) return { ok: true, worstRatio: 0, mismatches: 0, message: '' };
  const message = summary(`${label} (within twice the declared bound)`, count, lines);
  return { ok: false, worstRatio: 0, mismatches: count, message, label, differences: diffs.kept };
}

/**
 * The per-element tolerance of a metamorphic comparison (see
 * `compareWithin`): 0 under the default precision; else twice the declared
 * bound for `terms` terms of magnitude up to `magnitude`, in planes of `P`.
 * @example metamorphicTolerance({ unitRoundoff: 2 ** -11 }, 9, 27, 16) // 2·c·γ_9(2^-11)·27 + …
 */
export function metamorphicTolerance(
  precision: Precision | undefined,
  terms: number,
  magnitude: number,
  P: number,
): number {
  if (precision === undefined || precision === 'float32') return 0;
  const f32 = unitRoundoff('float32');
  if (precision === 'normwise')
    return elementBound(normwiseTerms(terms, P), 2 * Math.sqrt(P) * magnitude, 'float32', f32);
  return elementBound(terms, 2 * magnitude, 'float32', Math.max(f32, precision.unitRoundoff));
}

/**
 * `compareWithin`, throwing a `ComparisonError` on failure.
 * @example expectWithin(await run(ctx, t), transposeHW(y), 'transpose', ctx.conventions.precision, scaleOf(c))
 */
export function expectWithin(
  got: Tensor,
  want: Tensor,
  label: string,
  precision: Precision | undefined,
  scale: MetamorphicScale,
): void {
  const cmp = compareWithin(got, want, label, precision, scale);
  if (!cmp.ok) throw new ComparisonError(cmp);
}
