/**
 * Building blocks shared by the property files: a scenario (a generated
 * case plus whatever extra draws a property needs, printed readably in a
 * counterexample), calls of the implementation, and small tensor edits.
 */
import fc from 'fast-check';
import type { Conv2dOptions, DType, Tensor } from '../src/index.js';
import { caseData, printable, showCase, showTensor, type GeneratedCase } from './arbitraries/convCase.js';
import { convConfig, type ConvConfig, type ConvConfigConstraints } from './arbitraries/convConfig.js';
import type { TensorDataConstraints } from './arbitraries/tensorData.js';
import { seededRandom } from '../src/random.js';
import { count, dims4, fromFunction, offset4, reshape, type Dims4 } from './tensors.js';
import { expectWithin, resolveConv, type MetamorphicScale, type ResolvedConv } from './spec/index.js';
import { narrowConfig } from './support-filter.js';
import { UnsupportedCase } from './support.js';
import type { ConvCase, PropertyContext } from './types.js';

/** A generated case `c` and a property's extra draws `e`. */
export interface Scenario<E> {
  readonly c: GeneratedCase;
  readonly e: E;
}

/** Constraints of a scenario: the configuration's and the values'. */
export type ScenarioConstraints = ConvConfigConstraints & TensorDataConstraints;

/**
 * Whether `v` is a tensor `{shape, data}` with a Float32Array or Float64Array.
 * @example isTensor({ shape: [1], data: new Float32Array(1) }) // true
 */
export function isTensor(v: unknown): v is Tensor {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<Tensor>;
  return Array.isArray(t.shape) && (t.data instanceof Float32Array || t.data instanceof Float64Array);
}

/**
 * A value for a counterexample report: tensors shown with their values, the
 * rest like JSON (nested at most four deep, arrays cut after 64 items, so a
 * huge or cyclic value returned by an implementation still prints).
 * @example showValue({ pixel: 3, delta: -1 }) // '{ pixel: 3, delta: -1 }'
 */
export function showValue(v: unknown, depth = 0): string {
  if (isTensor(v)) return showTensor(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'object' && v !== null) {
    if (depth >= 4) return '…';
    if (Array.isArray(v))
      return `[${v
        .slice(0, 64)
        .map((x) => showValue(x, depth + 1))
        .join(', ')}${v.length > 64 ? ', …' : ''}]`;
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${showValue(x, depth + 1)}`)
      .join(', ')} }`;
  }
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * A case drawn within the context's limits and dtype, with extra draws that
 * may depend on its configuration.
 * @example scenario(ctx, { kind: 'integer' }, (cfg) => fc.integer({ min: 0, max: cfg.H - 1 }))
 */
export function scenario<E>(
  ctx: PropertyContext,
  constraints: ScenarioConstraints,
  extras: (cfg: ConvConfig) => fc.Arbitrary<E>,
): fc.Arbitrary<Scenario<E>> {
  const narrowed = narrowConfig({ ...ctx.limits, dtype: ctx.dtype, ...constraints }, ctx.supports);
  // Thrown while the property is built: verify reports the property as not run, with the reason.
  if (!narrowed.ok) throw new UnsupportedCase(narrowed.reason);
  const config = convConfig(narrowed.constraints);
  return config
    .chain((cfg) => fc.record({ c: caseData(cfg, constraints), e: extras(cfg) }))
    .map((s) => printable<Scenario<E>>({ c: s.c, e: s.e }, (x) => `${showCase(x.c)} with ${showValue(x.e)}`));
}

/** No extra draws. */
export const nothing = (): fc.Arbitrary<null> => fc.constant(null);

/**
 * Throws unless `value` is a tensor `{shape, data}` with a Float32Array or
 * Float64Array, so a malformed result fails with a clear message rather
 * than a TypeError deep inside a property.
 * @example checkResult('conv2d', impl.conv2d(x, w)) // the tensor, or throws
 */
export function checkResult(fn: string, value: unknown): Tensor {
  if (!isTensor(value))
    throw new Error(
      `${fn} returned ${showValue(value)}, not a tensor {shape: number[], data: Float32Array | Float64Array}`,
    );
  return value;
}

/** The implementation's output for a case (awaited, checked to be a tensor). */
export async function run(ctx: PropertyContext, c: ConvCase): Promise<Tensor> {
  return checkResult('conv2d', await ctx.impl.conv2d(c.input, c.weight, c.options));
}

/**
 * The case resolved by the spec's formulas under the declared conventions
 * (where `'same'` puts its odd pad).
 * @example const r = resolved(ctx, c); r.outputShape
 */
export function resolved(ctx: PropertyContext, c: ConvCase): ResolvedConv {
  return resolveConv(c.input.shape, c.weight.shape, c.options, ctx.conventions.same);
}

function maxAbs(t: Tensor | null | undefined): number {
  let m = 0;
  for (const v of t?.data ?? []) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * The largest term count and magnitude any conv output of these tensors can
 * have, whatever its padding, stride or dilation: `Cg·KH·KW + 1` terms and
 * `max|x|·max_o Σ|w_o| + max|b|` (padded values are zeros or copies of x).
 * @example scaleOf(c.input, c.weight, c.options.bias) // { terms: 19, magnitude: 54 }
 */
export function scaleOf(input: Tensor, weight: Tensor, bias?: Tensor | null): MetamorphicScale {
  const per = weight.shape.slice(1).reduce((a, b) => a * b, 1);
  let filter = 0;
  for (let o = 0; o < (weight.shape[0] ?? 0); o++) {
    let s = 0;
    for (let i = o * per; i < (o + 1) * per; i++) s += Math.abs(weight.data[i]);
    filter = Math.max(filter, s);
  }
  return { terms: per + 1, magnitude: maxAbs(input) * filter + maxAbs(bias) };
}

/**
 * A metamorphic comparison of two results of the implementation: exact under
 * the default precision, within twice the declared bound otherwise.
 * @example same(ctx, await run(ctx, t), transposeHW(y), 'conv2d(Xᵀ, Kᵀ) against conv2d(X, K)ᵀ', scaleOf(c.input, c.weight, c.options.bias))
 */
export function same(ctx: PropertyContext, got: Tensor, want: Tensor, label: string, scale: MetamorphicScale): void {
  expectWithin(got, want, label, ctx.conventions.precision, scale);
}

/** The scale of a case (see `scaleOf`). */
export function caseScale(c: ConvCase): MetamorphicScale {
  return scaleOf(c.input, c.weight, c.options.bias);
}

/** The case's options without the given keys. */
export function without(options: Conv2dOptions, ...keys: (keyof Conv2dOptions)[]): Conv2dOptions {
  const out: Record<string, unknown> = { ...options };
  for (const k of keys) delete out[k];
  return out as Conv2dOptions;
}

/** A 4-D view of a 3-D or 4-D tensor (no copy). */
export function as4(t: Tensor): Tensor {
  return reshape(t, dims4(t.shape));
}

/** `t` (4-D) reshaped like `like` (3-D or 4-D). */
export function like(t: Tensor, shape: readonly number[]): Tensor {
  return reshape(t, shape);
}

/** A tensor of `dtype` and 4-D dims `d` with element `(n,c,h,w)` = `at(n,c,h,w)`. */
export function build4(dtype: DType, d: Dims4, at: (n: number, c: number, h: number, w: number) => number): Tensor {
  const [, C, H, W] = d;
  return fromFunction(dtype, d, (i) =>
    at(Math.floor(i / (C * H * W)), Math.floor(i / (H * W)) % C, Math.floor(i / W) % H, i % W),
  );
}

/** Element `(n,c,h,w)` of a 3-D or 4-D tensor. */
export function at4(t: Tensor, n: number, c: number, h: number, w: number): number {
  return t.data[offset4(dims4(t.shape), n, c, h, w)];
}

/** A permutation of `0..n−1` drawn from `seed` (Fisher–Yates). */
export function permutation(n: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Integers in `[min, max]`. */
export const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

/** The configuration a scenario's case was drawn from. */
export type ScenarioConfig = ConvConfig;

/**
 * A tensor of small integers in [−3, 3] (every sum exact), drawn element by element.
 * @example integerTensor('float32', [1, 1, 2, 2]) // shrinks towards zeros
 */
export function integerTensor(dtype: DType, shape: readonly number[]): fc.Arbitrary<Tensor> {
  const n = count(shape);
  return fc.array(int(-3, 3), { minLength: n, maxLength: n }).map((v) => fromFunction(dtype, shape, (i) => v[i]));
}

/**
 * Fails the current case with a message (a property's predicate throws).
 * @example if (a !== b) fail(`got ${a}, expected ${b}`);
 */
export function fail(message: string): never {
  throw new Error(message);
}
