/**
 * Algebraic forward properties: which outputs an input pixel reaches, and
 * how conv2d combines — affine in input and weight, split by groups, a
 * matrix product for 1×1 kernels, independent across the batch,
 * equivariant under channel permutations, and corr2d as its 2-D case. Each
 * compares exactly (small-integer data) against the implementation itself
 * or against the spec's model.
 */
import fc from 'fast-check';
import type { Tensor } from '../src/index.js';
import {
  as4,
  at4,
  checkResult,
  build4,
  int,
  integerTensor,
  permutation,
  caseScale,
  resolved,
  run,
  same,
  scaleOf,
  without,
  type Scenario,
  type ScenarioConfig,
} from './scenario.js';
import { axisOutput, modelConv2d } from './spec/index.js';
import { concatAxis, dims4, dtypeOfTensor, fromFunction, permuteAxis, reshape, sliceAxis, vector } from './tensors.js';
import type { PropertyContext } from './types.js';

// ---------------------------------------------------------------- locality

export interface Poke {
  readonly pixel: number;
  readonly delta: number;
}

export function pokeArbitrary(cfg: ScenarioConfig): fc.Arbitrary<Poke> {
  const size = cfg.N * cfg.C * cfg.H * cfg.W;
  return fc.record({ pixel: int(0, Math.max(0, size - 1)), delta: fc.constantFrom(1, -1, 2, -3) });
}

export async function checkLocality(ctx: PropertyContext, { c, e }: Scenario<Poke>): Promise<void> {
  if (c.input.data.length === 0) {
    ctx.skipCase('the batch is empty');
    return;
  }
  const poked = {
    ...c,
    input: fromFunction(dtypeOfTensor(c.input), c.input.shape, (i) => c.input.data[i] + (i === e.pixel ? e.delta : 0)),
  };
  const r = resolved(ctx, c);
  // conv2d is linear in x: the change is the spec's model of the poke alone (without the bias).
  const poke = fromFunction('float64', c.input.shape, (i) => (i === e.pixel ? e.delta : 0));
  const want = modelConv2d(r, poke, c.weight, null);
  const y0 = await run(ctx, c);
  const y1 = await run(ctx, poked);
  const diff = fromFunction('float64', y1.shape, (i) => y1.data[i] - y0.data[i]);
  same(
    ctx,
    diff,
    { shape: r.outputShape, data: want },
    `change of the output when input pixel ${e.pixel} changes by ${e.delta}`,
    caseScale(poked),
  );
}

// ---------------------------------------------------------------- linearity

export interface Combination {
  readonly a: number;
  readonly b: number;
  readonly other: Tensor;
}

export function combination(which: 'input' | 'weight') {
  return (cfg: ScenarioConfig): fc.Arbitrary<Combination> =>
    fc.record({
      a: int(-2, 2),
      b: int(-2, 2),
      other: integerTensor(cfg.dtype, [...(which === 'input' ? cfg.inputShape : cfg.weightShape)]),
    });
}

/** a·u + b·v + (1−a−b)·bias, in the dtype of u (exact for small integers). */
function affine(u: Tensor, v: Tensor, a: number, b: number, bias: Tensor | null | undefined): Tensor {
  const [, O, OH, OW] = dims4(u.shape);
  return fromFunction(dtypeOfTensor(u), u.shape, (i) => {
    const o = Math.floor(i / (OH * OW)) % O;
    return a * u.data[i] + b * v.data[i] + (bias ? (1 - a - b) * bias.data[o] : 0);
  });
}

export function checkLinear(which: 'input' | 'weight') {
  return async (ctx: PropertyContext, { c, e }: Scenario<Combination>): Promise<void> => {
    const mine = c[which];
    const mixed = fromFunction(dtypeOfTensor(mine), mine.shape, (i) => e.a * mine.data[i] + e.b * e.other.data[i]);
    const y1 = await run(ctx, c);
    const y2 = await run(ctx, { ...c, [which]: e.other });
    const y = await run(ctx, { ...c, [which]: mixed });
    // Each of the three outputs may err by its bound; the combination weighs them by 1, |a| and |b|.
    const parts = [caseScale(c), caseScale({ ...c, [which]: e.other }), caseScale({ ...c, [which]: mixed })];
    const scale = {
      terms: parts[0].terms,
      magnitude: Math.max(...parts.map((p) => p.magnitude)) * ((1 + Math.abs(e.a) + Math.abs(e.b)) / 2),
    };
    same(
      ctx,
      y,
      affine(y1, y2, e.a, e.b, c.options.bias),
      `conv2d of ${e.a}·${which}1 + ${e.b}·${which}2 against the same combination of the outputs`,
      scale,
    );
  };
}

// ---------------------------------------------------------------- groups, 1×1, impulse

export async function checkGroups(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const { groups, C, O, inputShape } = c.config;
  const [Cg, Og] = [C / groups, O / groups];
  const x = as4(c.input);
  const parts: Tensor[] = [];
  for (let g = 0; g < groups; g++) {
    const xg = sliceAxis(x, 1, g * Cg, (g + 1) * Cg);
    const input = inputShape.length === 3 ? reshape(xg, xg.shape.slice(1)) : xg;
    const weight = sliceAxis(c.weight, 0, g * Og, (g + 1) * Og);
    const bias = c.options.bias
      ? vector(dtypeOfTensor(x), Array.from(c.options.bias.data.subarray(g * Og, (g + 1) * Og)))
      : null;
    const options = { ...without(c.options, 'groups', 'bias'), ...(bias ? { bias } : {}) };
    parts.push(as4(await run(ctx, { input, weight, options })));
  }
  const y = await run(ctx, c);
  same(
    ctx,
    y,
    reshape(concatAxis(parts, 1, dtypeOfTensor(x)), y.shape),
    `groups=${groups} against ${groups} separate convs concatenated`,
    caseScale(c),
  );
}

export async function checkPointwise(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const r = resolved(ctx, c);
  const [Cg, Og] = [r.C / r.groups, r.O / r.groups];
  const bias = c.options.bias;
  const want = build4(dtypeOfTensor(c.input), [r.N, r.O, r.OH, r.OW], (n, o, i, j) => {
    let s = bias ? bias.data[o] : 0;
    const c0 = Math.floor(o / Og) * Cg;
    for (let k = 0; k < Cg; k++) s += c.weight.data[o * Cg + k] * at4(c.input, n, c0 + k, i * r.sh, j * r.sw);
    return s;
  });
  same(ctx, await run(ctx, c), reshape(want, r.outputShape), '1×1 conv against W·X[:, :, i·s, j·s] + b', caseScale(c));
}

// ---------------------------------------------------------------- batch and channels

export async function checkBatch(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const y = as4(await run(ctx, c));
  const x = as4(c.input);
  const [N, C, H, W] = dims4(x.shape);
  for (let n = 0; n < N; n++) {
    const alone = sliceAxis(x, 0, n, n + 1);
    const want = sliceAxis(y, 0, n, n + 1);
    const label = `sample ${n} of ${N} run alone as [1, C, H, W]`;
    same(ctx, await run(ctx, { ...c, input: alone }), want, label, caseScale(c));
    const unbatched = await run(ctx, { ...c, input: reshape(alone, [C, H, W]) });
    same(
      ctx,
      unbatched,
      reshape(want, want.shape.slice(1)),
      `sample ${n} of ${N} run unbatched as [C, H, W]`,
      caseScale(c),
    );
  }
}

export interface Shuffle {
  readonly groups: number;
  readonly outputs: number;
  readonly inputs: number;
}

function blockOrder(groups: number, per: number, groupOrder: readonly number[], within: readonly number[]): number[] {
  const order: number[] = [];
  for (let g = 0; g < groups; g++) for (let k = 0; k < per; k++) order.push(groupOrder[g] * per + within[k]);
  return order;
}

export async function checkChannels(ctx: PropertyContext, { c, e }: Scenario<Shuffle>): Promise<void> {
  const { groups, C, O } = c.config;
  const [Cg, Og] = [C / groups, O / groups];
  const gOrder = permutation(groups, e.groups);
  const inOrder = blockOrder(groups, Cg, gOrder, permutation(Cg, e.inputs));
  const outOrder = blockOrder(groups, Og, gOrder, permutation(Og, e.outputs));
  const inWithin = Array.from({ length: Cg }, (_, k) => inOrder[k] - gOrder[0] * Cg);
  const x = permuteAxis(as4(c.input), 1, inOrder);
  const w = permuteAxis(permuteAxis(c.weight, 0, outOrder), 1, inWithin);
  const bias = c.options.bias;
  const options = bias
    ? {
        ...c.options,
        bias: vector(
          dtypeOfTensor(bias),
          outOrder.map((o) => bias.data[o]),
        ),
      }
    : c.options;
  const y = await run(ctx, c);
  const want = reshape(permuteAxis(as4(y), 1, outOrder), y.shape);
  const got = await run(ctx, { input: reshape(x, c.input.shape), weight: w, options });
  same(ctx, got, want, `channels permuted (groups ${gOrder}, inputs ${inOrder}, outputs ${outOrder})`, caseScale(c));
}

// ---------------------------------------------------------------- corr2d

export interface Plane {
  readonly X: Tensor;
  readonly K: Tensor;
}

export function planeArbitrary(cfg: ScenarioConfig): fc.Arbitrary<Plane> {
  return fc.record({ X: integerTensor(cfg.dtype, [cfg.H, cfg.W]), K: integerTensor(cfg.dtype, [cfg.KH, cfg.KW]) });
}

export async function checkCorr2d(ctx: PropertyContext, { e }: Scenario<Plane>): Promise<void> {
  const corr2d = ctx.impl.corr2d!;
  const [H, W] = e.X.shape;
  const [KH, KW] = e.K.shape;
  const got = checkResult('corr2d', await corr2d(e.X, e.K));
  const y = await run(ctx, { input: reshape(e.X, [1, 1, H, W]), weight: reshape(e.K, [1, 1, KH, KW]), options: {} });
  const size = [axisOutput(H, KH, 1, 1, 0, 0), axisOutput(W, KW, 1, 1, 0, 0)];
  same(
    ctx,
    got,
    reshape(y, size),
    'corr2d(X, K) against conv2d on [1, 1, H, W]',
    scaleOf(e.X, reshape(e.K, [1, 1, KH, KW])),
  );
}
