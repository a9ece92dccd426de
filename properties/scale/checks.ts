/**
 * The scale checks: cheap at real sizes, and still blind to no wrong element.
 *
 * 1. **Random projections** (Freivalds). conv2d is bilinear, so
 *    `Σ_n Σ_o s_n·r_o·y[n, o] = conv(Σ_n s_n·x[n], Σ_o r_o·w[o])`: the
 *    float64 model computes one output channel per group for one image,
 *    at 1/K of the full cost, where K ≤ 16 elements (a bin of images ×
 *    a bin of channels) are combined into each projected value. The same
 *    holds for gradInput (bins of images × input channels, `dy` and `w`
 *    combined), gradWeight (bins of input channels; every output channel
 *    and image kept, since the batch is its reduction) and the transposed
 *    conv (bins of images × output channels).
 *
 *    The bound is carried through the projection: each element may differ
 *    from the exact value by the comparator's `c·γ_n·M_e`, so a combination
 *    may differ by `c·γ_n·Σ|s·r|·M_e`, and `Σ|s·r|·M_e` is the model's
 *    conv of the combined absolute values `Σ|s||x|` and `Σ|r||w|`
 *    (bilinearity again). The float64 arithmetic of the combinations adds
 *    `2·γ_k(float64)·(M + Σ|s·r|·|y|)` (k = the combined elements plus n),
 *    given to the comparator as slack.
 *
 *    **Escape probability.** Every coefficient is ±(1 + U), U uniform on
 *    [0, 1). Let T be the projected bound at a position. A single wrong
 *    element with error |δ| > 2T is caught with probability 1: its
 *    coefficient has |s·r| ≥ 1 and every correct element together adds at
 *    most T. Several wrong elements in one bin escape only if their
 *    combination cancels to within 2T: fixing every coefficient but one
 *    channel's r, the combination is affine in it with slope A (that
 *    channel's errors combined over the images), and r has density ≤ 1/2,
 *    so P ≤ 2T/|A|; A in turn is affine in one image's s with slope δ (the
 *    largest error), so P(|A| < a) ≤ a/|δ|. Together P ≤ a/|δ| + 2T/a,
 *    i.e. at most 2·√(2T/|δ|) at the best a, and 2T/|δ| when the bin holds
 *    one image. Errors below 2T are below the projection's resolution: the
 *    full checks see them.
 * 2. **Full float64 checks** on the first and last channel and one drawn
 *    next to a block boundary, over every image and every position: the
 *    first and last rows and columns, every tile boundary, the last partial
 *    tile and the remainder images and channels of any block size (the
 *    last channel and image always lie in the remainder). These compare
 *    element by element with the comparator's own bound.
 */
import type { Conv2dGradients, ConvTranspose2dOptions, DType, Tensor } from '../../src/index.js';
import { checkResult, fail, without } from '../scenario.js';
import {
  ComparisonError,
  type Expectation,
  type SameConvention,
  compareCombined,
  expectBounded,
  forwardExpectation,
  gamma,
  modelConv2d,
  modelConv2dBackward,
  modelConv2dWithTerms,
  modelConvTranspose2d,
  resolveConv,
  resolveTranspose,
  restoringTransposeOptions,
  transposeExpectation,
  unitRoundoff,
  type ResolvedConv,
} from '../spec/index.js';
import { dims4, dtypeOfTensor, sameShape, showShape, type Dims4 } from '../tensors.js';
import type { ConvCase, PropertyContext } from '../types.js';
import { remainderClasses } from './classes.js';
import {
  asTensor,
  binRows,
  coefficients,
  combine,
  gather,
  localRows,
  slab,
  weightOf,
  type Row,
  type Rows,
} from './combine.js';
import { convOf, gradOutputOf, transposeOf, type ScaleParams } from './params.js';

/** Most elements combined into one projected value (images × channels of a bin). */
export const PROJECTION_BIN = 16;

/** What one projection compares: the implementation's combined values and the model's. */
interface Projection {
  readonly label: string;
  readonly dims: Dims4;
  readonly dtype: DType;
  /** Combined result and combined |result| (A). */
  readonly got: Float64Array;
  readonly gotAbs: Float64Array;
  /** The model's combined value, magnitude M and terms n. */
  readonly value: Float64Array;
  readonly magnitude: Float64Array;
  readonly terms: Float64Array;
  /** Σ|coefficients| of each combined value. */
  readonly weight: Float64Array;
}

/** Bin sizes for two combined axes so that a bin holds at most PROJECTION_BIN elements. */
function bins(outer: number, inner: number): [number, number] {
  const b = Math.min(inner, PROJECTION_BIN);
  return [Math.min(outer, Math.max(1, Math.floor(PROJECTION_BIN / b))), b];
}

/** Σ|coef| of every (row a, row b) pair, laid out over `dims` (planes repeat it). */
function weights(a: readonly Row[], b: Rows, dims: Dims4): Float64Array {
  const plane = dims[2] * dims[3];
  const out = new Float64Array(dims[0] * dims[1] * plane);
  for (let i = 0; i < a.length; i++) {
    const inner = typeof b === 'function' ? b(i) : b;
    for (let j = 0; j < inner.length; j++) {
      const at = (i * inner.length + j) * plane;
      out.fill(weightOf(a[i]) * weightOf(inner[j]), at, at + plane);
    }
  }
  return out;
}

function expectProjection(ctx: PropertyContext, p: Projection): void {
  const u64 = unitRoundoff('float64');
  const eta = 2 ** (p.dtype === 'float64' ? -1074 : -149);
  const slack = new Float64Array(p.value.length);
  for (let i = 0; i < slack.length; i++) {
    const n = p.terms[i];
    slack[i] =
      2 * gamma(2 * PROJECTION_BIN + n + 4, u64) * (p.magnitude[i] + p.gotAbs[i]) + (p.weight[i] - 1) * (n + 1) * eta;
  }
  const want = {
    label: p.label,
    shape: [...p.dims],
    dtype: p.dtype,
    value: p.value,
    magnitude: p.magnitude,
    terms: p.terms,
  };
  const cmp = compareCombined(p.got, want, { slack }, ctx.conventions.precision);
  if (!cmp.ok) throw new ComparisonError(cmp);
  ctx.observe(cmp.worstRatio);
}

/** Fails unless `t` has `shape` and `dtype`. */
function expectShape(label: string, t: Tensor, shape: readonly number[], dtype: DType): void {
  if (!sameShape(t.shape, shape) || t.data.length !== shape.reduce((a, b) => a * b, 1))
    fail(`${label} has shape ${showShape(t.shape)} (${t.data.length} elements), expected ${showShape(shape)}`);
  if (dtypeOfTensor(t) !== dtype) fail(`${label} is ${dtypeOfTensor(t)}, expected ${dtype}`);
}

/** The first and last index and one next to a block boundary (drawn), ascending. */
export function edgeIndices(count: number, rand: () => number): number[] {
  const inner = remainderClasses(Math.max(1, count - 2)).filter((v) => v < count - 1);
  const drawn = inner.length ? [inner[Math.floor(rand() * inner.length)]] : [];
  return [...new Set([0, ...drawn, count - 1])].sort((a, b) => a - b);
}

/** `value`, magnitude and terms gain the bias of every (image bin, channel row): (Σs)(Σ r·b), (Σ|s|)(Σ|r||b|), +1. */
function addBias(
  value: Float64Array,
  magnitude: Float64Array,
  terms: Float64Array,
  S: readonly Row[],
  R: readonly Row[],
  b: Tensor,
  plane: number,
): void {
  for (let i = 0; i < S.length; i++) {
    const [s, sa] = [S[i].reduce((a, [, c]) => a + c, 0), weightOf(S[i])];
    for (let j = 0; j < R.length; j++) {
      let [v, m] = [0, 0];
      for (const [o, c] of R[j]) [v, m] = [v + c * b.data[o], m + Math.abs(c * b.data[o])];
      for (let k = (i * R.length + j) * plane; k < (i * R.length + j + 1) * plane; k++) {
        value[k] += s * v;
        magnitude[k] += sa * m;
        terms[k] += 1;
      }
    }
  }
}

/** A result combined by rows along axis 0, then along axis 1: the value and its absolute version. */
function combined(t: Tensor, first: Rows, second: Rows): { got: Float64Array; gotAbs: Float64Array; dims: Dims4 } {
  const d = dims4(t.shape);
  const a = combine(t.data, d, 0, first, false);
  const b = combine(t.data, d, 0, first, true);
  const got = combine(a.data, a.dims, 1, second, false);
  return { got: got.data, gotAbs: combine(b.data, b.dims, 1, second, true).data, dims: got.dims };
}

const zeros = (shape: readonly number[]): Tensor => ({
  shape: [...shape],
  data: new Float64Array(shape.reduce((a, b) => a * b, 1)),
});

// ---------------------------------------------------------------- conv2d

function projectForward(ctx: PropertyContext, c: ConvCase, r: ResolvedConv, y: Tensor, rand: () => number): void {
  const [Og, g] = [r.O / r.groups, r.groups];
  const [bN, bO] = bins(r.N, Og);
  const S = binRows(1, r.N, bN, coefficients(r.N, rand));
  const R = binRows(g, Og, bO, coefficients(r.O, rand));
  const [xd, wd] = [dims4(c.input.shape), dims4(c.weight.shape)];
  const x1 = combine(c.input.data, xd, 0, S, false);
  const w1 = combine(c.weight.data, wd, 0, R, false);
  const r1 = resolveConv(x1.dims, w1.dims, without(c.options, 'bias'), ctx.conventions.same);
  const model = modelConv2dWithTerms(r1, asTensor(x1), asTensor(w1), null);
  const abs = [combine(c.input.data, xd, 0, S, true), combine(c.weight.data, wd, 0, R, true)].map(asTensor);
  const magnitude = modelConv2d(r1, abs[0], abs[1], null, true);
  const terms = Float64Array.from(model.terms);
  if (c.options.bias) addBias(model.value, magnitude, terms, S, R, c.options.bias, r.OH * r.OW);
  const y1 = combined(y, S, R);
  expectProjection(ctx, {
    label: `conv2d output projected, Σ s_n·r_o·y[n, o] over bins of ${bN} image(s) × ${bO} output channel(s) [image bin, channel bin, row, column]`,
    dims: y1.dims,
    dtype: dtypeOfTensor(c.input),
    got: y1.got,
    gotAbs: y1.gotAbs,
    value: model.value,
    magnitude,
    terms,
    weight: weights(S, R, y1.dims),
  });
}

/** Indices of a channel axis grouped by the group they belong to (`per` channels a group). */
function byGroup(indices: readonly number[], per: number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const i of indices) groups.set(Math.floor(i / per), [...(groups.get(Math.floor(i / per)) ?? []), i]);
  return groups;
}

function edgesForward(ctx: PropertyContext, c: ConvCase, r: ResolvedConv, y: Tensor, rand: () => number): void {
  const [Cg, Og] = [r.C / r.groups, r.O / r.groups];
  const bias = c.options.bias ?? null;
  for (const [g, os] of byGroup(edgeIndices(r.O, rand), Og)) {
    const options = { ...without(c.options, 'bias'), groups: 1, ...(bias ? { bias: gather(bias, 0, os) } : {}) };
    const sub = { input: slab(c.input, 1, g * Cg, (g + 1) * Cg), weight: gather(c.weight, 0, os), options };
    const label = `conv2d output channels ${os.join(', ')}, every image and position [image, channel of these, row, column]`;
    const want = { ...forwardExpectation(sub, ctx.conventions), label };
    ctx.observe(expectBounded(gather(y, 1, os), want, ctx.conventions.precision));
  }
}

/**
 * conv2d on the case of `p`: its shape and dtype, a random projection
 * over images and output channels, and the full check of three output channels.
 * @example checkForward(ctx, { ...MINIMAL_PARAMS, C: 17, O: 33 }, seededRandom(1)) // throws on a wrong result
 */
export async function checkForward(ctx: PropertyContext, p: ScaleParams, rand: () => number): Promise<void> {
  const { c, r } = convOf(p, ctx.conventions.same);
  const y = checkResult('conv2d', await ctx.impl.conv2d(c.input, c.weight, c.options));
  expectShape('conv2d output', y, r.outputShape, p.dtype);
  projectForward(ctx, c, r, y, rand);
  edgesForward(ctx, c, r, y, rand);
}

// ---------------------------------------------------------------- conv2dBackward

function projectGradInput(
  ctx: PropertyContext,
  c: ConvCase,
  r: ResolvedConv,
  dy: Tensor,
  dx: Tensor,
  rand: () => number,
): void {
  const [Cg, Og, g] = [r.C / r.groups, r.O / r.groups, r.groups];
  const [bN, bC] = bins(r.N, Cg);
  const S = binRows(1, r.N, bN, coefficients(r.N, rand));
  const T = binRows(g, Cg, bC, coefficients(r.C, rand));
  const local = (o: number) => localRows(T, Math.floor(o / Og), Cg);
  const [dyd, wd] = [dims4(dy.shape), dims4(c.weight.shape)];
  const dy1 = asTensor(combine(dy.data, dyd, 0, S, false));
  const w1 = asTensor(combine(c.weight.data, wd, 1, local, false));
  // Only gradInput is computed: zeros stand in for the input, which it does not read.
  const x0 = zeros([S.length, T.length, r.H, r.W]);
  const r1 = resolveConv(x0.shape, w1.shape, without(c.options, 'bias'), ctx.conventions.same);
  const model = modelGradInput(r1, x0, w1, dy1, false);
  const wa = asTensor(combine(c.weight.data, wd, 1, local, true));
  const abs = modelGradInput(r1, x0, wa, asTensor(combine(dy.data, dyd, 0, S, true)), true);
  const dx1 = combined(dx, S, T);
  expectProjection(ctx, {
    label: `gradInput projected, Σ s_n·t_c·dx[n, c] over bins of ${bN} image(s) × ${bC} input channel(s) [image bin, channel bin, row, column]`,
    dims: dx1.dims,
    dtype: dtypeOfTensor(c.input),
    got: dx1.got,
    gotAbs: dx1.gotAbs,
    value: model.value,
    magnitude: abs.value,
    terms: model.terms,
    weight: weights(S, T, dx1.dims),
  });
}

/**
 * The model's gradInput: for zero padding by the spec's identity
 * gradInput = convTranspose2d(dy, w) with the output padding that restores
 * H (its scatter costs what the conv costs, where spreading dy over the
 * whole input costs H·W/(OH·OW) times more); for the other modes by its
 * backward (dy spread, correlated over the padded input, folded back).
 */
function modelGradInput(r: ResolvedConv, x: Tensor, w: Tensor, dy: Tensor, absolute: boolean): Sums {
  if (r.mode === 'zeros') {
    const t = resolveTranspose(dy.shape, w.shape, restoringTransposeOptions(r));
    return modelConvTranspose2d(t, dy, w, null, absolute);
  }
  const g = modelConv2dBackward(r, x, w, dy, absolute, 'input');
  return { value: g.gradInput, terms: g.inputTerms };
}

/** Values and term counts of a model result. */
interface Sums {
  readonly value: Float64Array;
  readonly terms: Float64Array;
}

/** The expectations of gradInput and gradWeight of a case for `dy` (as `gradientExpectations`, gradInput as above). */
function gradients(
  c: ConvCase,
  dy: Tensor,
  same?: SameConvention,
): { gradInput: Expectation; gradWeight: Expectation } {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options, same);
  const dtype = dtypeOfTensor(c.input);
  const dx = [false, true].map((abs) => modelGradInput(r, c.input, c.weight, dy, abs));
  const dw = [false, true].map((abs) => modelConv2dBackward(r, c.input, c.weight, dy, abs, 'weight'));
  return {
    gradInput: {
      label: 'gradInput',
      shape: c.input.shape,
      dtype,
      value: dx[0].value,
      magnitude: dx[1].value,
      terms: dx[0].terms,
    },
    gradWeight: {
      label: 'gradWeight',
      shape: c.weight.shape,
      dtype,
      value: dw[0].gradWeight,
      magnitude: dw[1].gradWeight,
      terms: dw[0].weightTerms,
    },
  };
}

function projectGradWeight(
  ctx: PropertyContext,
  c: ConvCase,
  r: ResolvedConv,
  dy: Tensor,
  grads: Conv2dGradients,
  rand: () => number,
): void {
  const [Cg, Og, g] = [r.C / r.groups, r.O / r.groups, r.groups];
  const bC = Math.min(Cg, PROJECTION_BIN);
  const T = binRows(g, Cg, bC, coefficients(r.C, rand));
  const xd = dims4(c.input.shape);
  const x1 = asTensor(combine(c.input.data, xd, 1, T, false));
  // Only gradWeight (and gradBias) is computed: zeros stand in for the weight, which it does not read.
  const w0 = zeros([r.O, T.length / g, r.KH, r.KW]);
  const r1 = resolveConv(x1.shape, w0.shape, without(c.options, 'bias'), ctx.conventions.same);
  const model = modelConv2dBackward(r1, x1, w0, dy, false, 'weight');
  const abs = modelConv2dBackward(r1, asTensor(combine(c.input.data, xd, 1, T, true)), w0, dy, true, 'weight');
  const local = (o: number) => localRows(T, Math.floor(o / Og), Cg);
  const wd = dims4(grads.gradWeight.shape);
  const one: Row[] = Array.from({ length: r.O }, (_, o) => [[o, 1] as const]);
  const dw1 = {
    got: combine(grads.gradWeight.data, wd, 1, local, false).data,
    gotAbs: combine(grads.gradWeight.data, wd, 1, local, true).data,
  };
  const dims: Dims4 = [r.O, T.length / g, r.KH, r.KW];
  expectProjection(ctx, {
    label: `gradWeight projected, Σ t_c·dw[o, c] over bins of ${bC} input channel(s) [output channel, channel bin, kh, kw]`,
    dims,
    dtype: dtypeOfTensor(c.input),
    ...dw1,
    value: model.gradWeight,
    magnitude: abs.gradWeight,
    terms: model.weightTerms,
    weight: weights(one, local, dims),
  });
  const db = {
    label: 'gradBias',
    shape: [r.O],
    dtype: dtypeOfTensor(c.input),
    value: model.gradBias,
    magnitude: abs.gradBias,
    terms: model.biasTerms,
  };
  ctx.observe(expectBounded(grads.gradBias, db, ctx.conventions.precision));
}

function edgesBackward(
  ctx: PropertyContext,
  c: ConvCase,
  r: ResolvedConv,
  dy: Tensor,
  grads: Conv2dGradients,
  rand: () => number,
): void {
  const [Cg, Og] = [r.C / r.groups, r.O / r.groups];
  for (const [g, cs] of byGroup(edgeIndices(r.C, rand), Cg)) {
    const local = cs.map((ch) => ch - g * Cg);
    const sub: ConvCase = {
      input: gather(c.input, 1, cs),
      weight: gather(slab(c.weight, 0, g * Og, (g + 1) * Og), 1, local),
      options: { ...without(c.options, 'bias'), groups: 1 },
    };
    const e = gradients(sub, slab(dy, 1, g * Og, (g + 1) * Og), ctx.conventions.same);
    const which = `input channels ${cs.join(', ')}`;
    const dx = gather(grads.gradInput, 1, cs);
    const label = `gradInput of ${which}, every image and position [image, channel of these, row, column]`;
    ctx.observe(expectBounded(dx, { ...e.gradInput, label }, ctx.conventions.precision));
    const dw = gather(slab(grads.gradWeight, 0, g * Og, (g + 1) * Og), 1, local);
    const about = `gradWeight of ${which} (output channels ${g * Og}–${(g + 1) * Og - 1}) [output channel, channel of these, kh, kw]`;
    ctx.observe(expectBounded(dw, { ...e.gradWeight, label: about }, ctx.conventions.precision));
  }
}

/**
 * conv2dBackward on the case of `p` and a drawn dy: shapes and dtypes,
 * projections of gradInput and gradWeight, gradBias in full, and the full
 * check of three input channels' gradients.
 * @example checkBackward(ctx, { ...MINIMAL_PARAMS, N: 9, OH: 40, OW: 40 }, seededRandom(1))
 */
export async function checkBackward(ctx: PropertyContext, p: ScaleParams, rand: () => number): Promise<void> {
  const { c, r } = convOf(p, ctx.conventions.same);
  const dy = gradOutputOf(p, r);
  const grads = await ctx.impl.conv2dBackward!(dy, c.input, c.weight, c.options);
  if (grads === null || typeof grads !== 'object')
    fail(`conv2dBackward returned ${String(grads)}, not { gradInput, gradWeight, gradBias }`);
  const dx = checkResult('conv2dBackward gradInput', grads.gradInput);
  const dw = checkResult('conv2dBackward gradWeight', grads.gradWeight);
  const db = checkResult('conv2dBackward gradBias', grads.gradBias);
  expectShape('gradInput', dx, c.input.shape, p.dtype);
  expectShape('gradWeight', dw, c.weight.shape, p.dtype);
  expectShape('gradBias', db, [r.O], p.dtype);
  const g = { gradInput: dx, gradWeight: dw, gradBias: db };
  projectGradInput(ctx, c, r, dy, dx, rand);
  projectGradWeight(ctx, c, r, dy, g, rand);
  edgesBackward(ctx, c, r, dy, g, rand);
}

// ---------------------------------------------------------------- convTranspose2d

function withoutBias(o: ConvTranspose2dOptions): ConvTranspose2dOptions {
  const { bias: _, ...rest } = o;
  return rest;
}

/**
 * convTranspose2d on the case of `p` (zero padding, the output padding
 * that restores the conv's input): shape and dtype, a projection over
 * images and output channels, and the full check of three output channels.
 * @example checkTranspose(ctx, { ...MINIMAL_PARAMS, O: 65, OH: 28, OW: 28, KH: 2, KW: 2, sh: 2, sw: 2 }, seededRandom(1))
 */
export async function checkTranspose(ctx: PropertyContext, p: ScaleParams, rand: () => number): Promise<void> {
  const { t, r } = transposeOf(p);
  const y = checkResult('convTranspose2d', await ctx.impl.convTranspose2d!(t.input, t.weight, t.options));
  expectShape('convTranspose2d output', y, r.outputShape, p.dtype);
  const [Ig, Cg, g] = [r.C / r.groups, r.O / r.groups, r.groups];
  const [bN, bC] = bins(r.N, Cg);
  const S = binRows(1, r.N, bN, coefficients(r.N, rand));
  const T = binRows(g, Cg, bC, coefficients(r.O, rand));
  const local = (ci: number) => localRows(T, Math.floor(ci / Ig), Cg);
  const [xd, wd] = [dims4(t.input.shape), dims4(t.weight.shape)];
  const x1 = asTensor(combine(t.input.data, xd, 0, S, false));
  const w1 = asTensor(combine(t.weight.data, wd, 1, local, false));
  const options = withoutBias(t.options);
  const r1 = resolveTranspose(x1.shape, w1.shape, options);
  const model = modelConvTranspose2d(r1, x1, w1, null);
  const magnitude = modelConvTranspose2d(
    r1,
    asTensor(combine(t.input.data, xd, 0, S, true)),
    asTensor(combine(t.weight.data, wd, 1, local, true)),
    null,
    true,
  ).value;
  const terms = Float64Array.from(model.terms);
  if (t.options.bias) addBias(model.value, magnitude, terms, S, T, t.options.bias, r.OH * r.OW);
  const y1 = combined(y, S, T);
  expectProjection(ctx, {
    label: `convTranspose2d output projected, Σ s_n·t_o·y[n, o] over bins of ${bN} image(s) × ${bC} output channel(s) [image bin, channel bin, row, column]`,
    dims: y1.dims,
    dtype: p.dtype,
    got: y1.got,
    gotAbs: y1.gotAbs,
    value: model.value,
    magnitude,
    terms,
    weight: weights(S, T, y1.dims),
  });
  for (const [gi, os] of byGroup(edgeIndices(r.O, rand), Cg)) {
    const bias = t.options.bias ? { bias: gather(t.options.bias, 0, os) } : {};
    const sub = {
      input: slab(t.input, 1, gi * Ig, (gi + 1) * Ig),
      weight: gather(
        slab(t.weight, 0, gi * Ig, (gi + 1) * Ig),
        1,
        os.map((o) => o - gi * Cg),
      ),
      options: { ...options, groups: 1, ...bias },
    };
    const label = `convTranspose2d output channels ${os.join(', ')}, every image and position [image, channel of these, row, column]`;
    const want = { ...transposeExpectation(sub), label };
    ctx.observe(expectBounded(gather(y, 1, os), want, ctx.conventions.precision));
  }
}
