/**
 * Forward properties of conv2d: each a sentence, each checking ANY
 * implementation passed in the context (never our own geometry helpers:
 * expected shapes and pads come from `model.ts`).
 *
 * Metamorphic properties draw small-integer data, so every sum is exact in
 * either dtype and both sides must agree exactly; the accuracy property
 * draws dyadic values and uses the error bound of `compare.ts`.
 */
import fc from 'fast-check';
import type { Conv2dOptions, Tensor } from '../src/index.js';
import { compareExact, expectBounded, expectExact, forwardExpectation } from './compare.js';
import { forEachTap, resolveConv, sameUpperPads, sourcePixel, type ResolvedConv } from './model.js';
import { as4, at4, build4, int, nothing, permutation, run, scenario, without, type Scenario } from './scenario.js';
import {
  concatAxis,
  count,
  dims4,
  dtypeOfTensor,
  fromFunction,
  permuteAxis,
  reshape,
  sameShape,
  showShape,
  sliceAxis,
  transposeHW,
  vector,
} from './tensors.js';
import type { ConvCase, PropertyContext, PropertyDefinition } from './types.js';

const INTEGER = { kind: 'integer' } as const;

/** A forward property over scenarios with extras `E`. */
function forward<E>(
  name: string,
  arb: (ctx: PropertyContext) => fc.Arbitrary<Scenario<E>>,
  check: (ctx: PropertyContext, s: Scenario<E>) => void,
  more: Partial<PropertyDefinition> = {},
): PropertyDefinition {
  return {
    name,
    group: 'forward',
    requires: ['conv2d'],
    property: (ctx) =>
      fc.property(arb(ctx), (s) => {
        check(ctx, s);
      }),
    ...more,
  };
}

const fail = (message: string): never => {
  throw new Error(message);
};

// ---------------------------------------------------------------- shape

function checkShape(ctx: PropertyContext, { c }: Scenario<null>): void {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const y = run(ctx, c);
  const cfg = c.config;
  if (
    cfg.paddingKind === 'same' &&
    (r.OH !== Math.ceil(cfg.H / cfg.stride[0]) || r.OW !== Math.ceil(cfg.W / cfg.stride[1]))
  ) {
    fail(`the suite's own 'same' formula is inconsistent: ${r.OH}×${r.OW} for ceil(H/s)`);
  }
  if (!sameShape(y.shape, r.outputShape))
    fail(`output shape ${showShape(y.shape)}, the size formula gives ${showShape(r.outputShape)}`);
  if (y.data.length !== count(r.outputShape))
    fail(`output shape ${showShape(y.shape)} but ${y.data.length} data elements`);
  if (dtypeOfTensor(y) !== dtypeOfTensor(c.input))
    fail(`output dtype ${dtypeOfTensor(y)}, input dtype ${dtypeOfTensor(c.input)}`);
  const shapeFn = ctx.impl.conv2dOutputShape;
  if (shapeFn) {
    const s = shapeFn(c.input.shape, c.weight.shape, without(c.options, 'bias'));
    if (!sameShape(s, r.outputShape))
      fail(`conv2dOutputShape gives ${showShape(s)}, the size formula ${showShape(r.outputShape)}`);
  }
}

// ---------------------------------------------------------------- accuracy

function checkAccuracy(ctx: PropertyContext, { c }: Scenario<null>): void {
  ctx.observe(expectBounded(run(ctx, c), forwardExpectation(c)));
}

// ---------------------------------------------------------------- transpose symmetry

function swapPair<T>(v: T | readonly [T, T] | undefined): T | [T, T] | undefined {
  return Array.isArray(v) ? [v[1], v[0]] : (v as T | undefined);
}

/**
 * The options of the transposed problem: every per-axis value swapped.
 * @example swapAxes({ stride: [1, 2], padding: [[0, 1], [2, 3]] }) // { stride: [2, 1], padding: [[2, 3], [0, 1]] }
 */
export function swapAxes(o: Conv2dOptions): Conv2dOptions {
  const out: Conv2dOptions = { ...o };
  if (o.stride !== undefined) out.stride = swapPair(o.stride);
  if (o.dilation !== undefined) out.dilation = swapPair(o.dilation);
  const p = o.padding;
  if (typeof p === 'object') {
    const [a, b] = p;
    out.padding =
      typeof a === 'number' && typeof b === 'number' ? [b, a] : ([b, a] as [[number, number], [number, number]]);
  }
  return out;
}

function checkTranspose(ctx: PropertyContext, { c }: Scenario<null>): void {
  const y = run(ctx, c);
  const t = { input: transposeHW(c.input), weight: transposeHW(c.weight), options: swapAxes(c.options) };
  expectExact(run(ctx, t), transposeHW(y), 'conv2d(Xᵀ, Kᵀ) against conv2d(X, K)ᵀ');
}

// ---------------------------------------------------------------- translation

interface Shift {
  readonly rows: number;
  readonly cols: number;
  /** Rows added on top ([N,C,rows,W+cols]) and columns on the left ([N,C,H,cols]). */
  readonly top: Tensor;
  readonly left: Tensor;
}

function shiftArbitrary(cfg: ScenarioConfig): fc.Arbitrary<Shift> {
  return fc.tuple(int(1, 2), int(0, 2)).chain(([t, u]) => {
    const [rows, cols] = [t * cfg.stride[0], u * cfg.stride[1]];
    return fc
      .record({
        top: tensorOf(cfg.dtype, [cfg.N, cfg.C, rows, cfg.W + cols]),
        left: tensorOf(cfg.dtype, [cfg.N, cfg.C, cfg.H, cols]),
      })
      .map(({ top, left }) => ({ rows, cols, top, left }));
  });
}

type ScenarioConfig = Scenario<null>['c']['config'];

function tensorOf(dtype: ScenarioConfig['dtype'], shape: number[]): fc.Arbitrary<Tensor> {
  const n = count(shape);
  return fc.array(int(-3, 3), { minLength: n, maxLength: n }).map((v) => fromFunction(dtype, shape, (i) => v[i]));
}

/** The input with `s.top` above it and `s.left` to its left. */
function enlarged(x: Tensor, s: Shift): Tensor {
  const [N, C, H, W] = dims4(x.shape);
  const big = build4(dtypeOfTensor(x), [N, C, H + s.rows, W + s.cols], (n, c, h, w) => {
    if (h < s.rows) return at4(s.top, n, c, h, w);
    if (w < s.cols) return at4(s.left, n, c, h - s.rows, w);
    return at4(x, n, c, h - s.rows, w - s.cols);
  });
  return x.shape.length === 3 ? reshape(big, big.shape.slice(1)) : big;
}

/**
 * Output index in `big` whose window starts where window `i` of `r` starts,
 * shifted by `shift`; or −1 when there is none or the windows may read
 * different pixels: a window reaching into the top/left padding reads the
 * added rows in `big`, and circular bottom/right padding wraps to them.
 * Zero, replicate and reflect padding at the bottom/right read the same
 * pixels in both.
 */
function shiftedIndex(i: number, r: ResolvedConv, big: ResolvedConv, axis: 'h' | 'w', shift: number): number {
  const [s, pad, size, reach, bigPad, bigOut] =
    axis === 'h'
      ? [r.sh, r.top, r.H, r.dh * (r.KH - 1), big.top, big.OH]
      : [r.sw, r.left, r.W, r.dw * (r.KW - 1), big.left, big.OW];
  const start = i * s - pad;
  if (start < 0 || (r.mode === 'circular' && start + reach > size - 1)) return -1;
  const k = start + shift + bigPad;
  return k % s === 0 && k / s < bigOut ? k / s : -1;
}

function checkTranslation(ctx: PropertyContext, { c, e }: Scenario<Shift>): void {
  const big = { ...c, input: enlarged(c.input, e) };
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const rb = resolveConv(big.input.shape, big.weight.shape, big.options);
  const y = as4(run(ctx, c));
  const yb = as4(run(ctx, big));
  let compared = 0;
  for (let i = 0; i < r.OH; i++) {
    const ib = shiftedIndex(i, r, rb, 'h', e.rows);
    for (let j = 0; ib >= 0 && j < r.OW; j++) {
      const jb = shiftedIndex(j, r, rb, 'w', e.cols);
      for (let n = 0; jb >= 0 && n < r.N; n++) {
        for (let o = 0; o < r.O; o++, compared++) {
          const [a, b] = [at4(y, n, o, i, j), at4(yb, n, o, ib, jb)];
          if (a !== b)
            fail(
              `output [${n}, ${o}, ${i}, ${j}] is ${a}, but the same window shifted by (${e.rows}, ${e.cols}) gives ${b} at [${n}, ${o}, ${ib}, ${jb}]`,
            );
        }
      }
    }
  }
  if (compared === 0) ctx.skipCase('every output window reaches into the top or left padding');
}

// ---------------------------------------------------------------- locality

interface Poke {
  readonly pixel: number;
  readonly delta: number;
}

function pokeArbitrary(cfg: ScenarioConfig): fc.Arbitrary<Poke> {
  const size = cfg.N * cfg.C * cfg.H * cfg.W;
  return fc.record({ pixel: int(0, Math.max(0, size - 1)), delta: fc.constantFrom(1, -1, 2, -3) });
}

function checkLocality(ctx: PropertyContext, { c, e }: Scenario<Poke>): void {
  if (c.input.data.length === 0) {
    ctx.skipCase('the batch is empty');
    return;
  }
  const poked = {
    ...c,
    input: fromFunction(dtypeOfTensor(c.input), c.input.shape, (i) => c.input.data[i] + (i === e.pixel ? e.delta : 0)),
  };
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const want = new Float64Array(r.N * r.O * r.OH * r.OW);
  forEachTap(r, (out, inp, k) => {
    if (inp === e.pixel) want[out] += e.delta * c.weight.data[k];
  });
  const y0 = run(ctx, c);
  const y1 = run(ctx, poked);
  const diff = fromFunction('float64', y1.shape, (i) => y1.data[i] - y0.data[i]);
  const cmp = compareExact(
    diff,
    { shape: r.outputShape, data: want },
    `change of the output when input pixel ${e.pixel} changes by ${e.delta}`,
  );
  if (!cmp.ok) fail(cmp.message);
}

// ---------------------------------------------------------------- linearity

interface Combination {
  readonly a: number;
  readonly b: number;
  readonly other: Tensor;
}

function combination(which: 'input' | 'weight') {
  return (cfg: ScenarioConfig): fc.Arbitrary<Combination> =>
    fc.record({
      a: int(-2, 2),
      b: int(-2, 2),
      other: tensorOf(cfg.dtype, [...(which === 'input' ? cfg.inputShape : cfg.weightShape)]),
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

function checkLinear(which: 'input' | 'weight') {
  return (ctx: PropertyContext, { c, e }: Scenario<Combination>): void => {
    const mine = c[which];
    const mixed = fromFunction(dtypeOfTensor(mine), mine.shape, (i) => e.a * mine.data[i] + e.b * e.other.data[i]);
    const y1 = run(ctx, c);
    const y2 = run(ctx, { ...c, [which]: e.other });
    const y = run(ctx, { ...c, [which]: mixed });
    expectExact(
      y,
      affine(y1, y2, e.a, e.b, c.options.bias),
      `conv2d of ${e.a}·${which}1 + ${e.b}·${which}2 against the same combination of the outputs`,
    );
  };
}

// ---------------------------------------------------------------- padding

/**
 * The input padded explicitly as the case's padding and mode say (zeros for zero padding).
 * @example padInput(x, resolveConv(x.shape, w.shape, { padding: 1, paddingMode: 'reflect' })) // [N, C, H+2, W+2]
 */
export function padInput(x: Tensor, r: ResolvedConv): Tensor {
  const [N, C, H, W] = dims4(x.shape);
  const padded = build4(dtypeOfTensor(x), [N, C, H + r.top + r.bottom, W + r.left + r.right], (n, c, h, w) => {
    const y = sourcePixel(h - r.top, H, r.mode);
    const z = sourcePixel(w - r.left, W, r.mode);
    return y < 0 || z < 0 ? 0 : at4(x, n, c, y, z);
  });
  return x.shape.length === 3 ? reshape(padded, padded.shape.slice(1)) : padded;
}

function checkPadding(ctx: PropertyContext, { c }: Scenario<null>): void {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const unpadded = { ...c, input: padInput(c.input, r), options: without(c.options, 'padding', 'paddingMode') };
  expectExact(
    run(ctx, unpadded),
    run(ctx, c),
    'conv2d of the explicitly padded input without padding, against conv2d with padding',
  );
}

function checkSame(ctx: PropertyContext, { c }: Scenario<null>): void {
  const cfg = c.config;
  const pads: [[number, number], [number, number]] = [
    sameUpperPads(cfg.H, cfg.KH, cfg.stride[0], cfg.dilation[0]),
    sameUpperPads(cfg.W, cfg.KW, cfg.stride[1], cfg.dilation[1]),
  ];
  expectExact(
    run(ctx, { ...c, options: { ...c.options, padding: pads } }),
    run(ctx, c),
    `padding ${JSON.stringify(pads)} against 'same'`,
  );
}

// ---------------------------------------------------------------- stride and dilation

function explicitPadding(r: ResolvedConv): [[number, number], [number, number]] {
  return [
    [r.top, r.bottom],
    [r.left, r.right],
  ];
}

function checkStride(ctx: PropertyContext, { c }: Scenario<null>): void {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const dense = as4(run(ctx, { ...c, options: { ...c.options, stride: 1, padding: explicitPadding(r) } }));
  const [N, O, DH, DW] = dims4(dense.shape);
  const [OH, OW] = [Math.ceil(DH / r.sh), Math.ceil(DW / r.sw)];
  const want = build4(dtypeOfTensor(dense), [N, O, OH, OW], (n, o, i, j) => at4(dense, n, o, i * r.sh, j * r.sw));
  const shape = r.batched ? want.shape : want.shape.slice(1);
  expectExact(run(ctx, c), reshape(want, shape), `stride ${r.sh}×${r.sw} against the stride-1 output subsampled`);
}

/**
 * The kernel with `d−1` zeros between taps along each axis.
 * @example dilateKernel(w, 2, 1) // w [O, C, 2, 2] → [O, C, 3, 2], a zero row between the taps
 */
export function dilateKernel(w: Tensor, dh: number, dw: number): Tensor {
  const [O, Cg, KH, KW] = dims4(w.shape);
  return build4(dtypeOfTensor(w), [O, Cg, dh * (KH - 1) + 1, dw * (KW - 1) + 1], (o, c, h, x) =>
    h % dh === 0 && x % dw === 0 ? at4(w, o, c, h / dh, x / dw) : 0,
  );
}

function checkDilation(ctx: PropertyContext, { c }: Scenario<null>): void {
  const [dh, dw] = c.config.dilation;
  const zeroed = { ...c, weight: dilateKernel(c.weight, dh, dw), options: without(c.options, 'dilation') };
  expectExact(run(ctx, zeroed), run(ctx, c), `dilation ${dh}×${dw} against the zero-dilated kernel`);
}

// ---------------------------------------------------------------- groups, 1×1, impulse

function checkGroups(ctx: PropertyContext, { c }: Scenario<null>): void {
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
    parts.push(as4(run(ctx, { input, weight, options })));
  }
  const y = run(ctx, c);
  expectExact(
    y,
    reshape(concatAxis(parts, 1, dtypeOfTensor(x)), y.shape),
    `groups=${groups} against ${groups} separate convs concatenated`,
  );
}

function checkPointwise(ctx: PropertyContext, { c }: Scenario<null>): void {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const [Cg, Og] = [r.C / r.groups, r.O / r.groups];
  const bias = c.options.bias;
  const want = build4(dtypeOfTensor(c.input), [r.N, r.O, r.OH, r.OW], (n, o, i, j) => {
    let s = bias ? bias.data[o] : 0;
    const c0 = Math.floor(o / Og) * Cg;
    for (let k = 0; k < Cg; k++) s += c.weight.data[o * Cg + k] * at4(c.input, n, c0 + k, i * r.sh, j * r.sw);
    return s;
  });
  expectExact(run(ctx, c), reshape(want, r.outputShape), '1×1 conv against W·X[:, :, i·s, j·s] + b');
}

interface Impulse {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

function impulseArbitrary(cfg: ScenarioConfig): fc.Arbitrary<Impulse> {
  return fc.record({ n: int(0, cfg.N - 1), c: int(0, cfg.C - 1), h: int(0, cfg.H - 1), w: int(0, cfg.W - 1) });
}

function checkImpulse(ctx: PropertyContext, { c, e }: Scenario<Impulse>): void {
  const {
    KH,
    KW,
    dilation: [dh, dw],
    C,
    O,
    groups,
  } = c.config;
  const [ph, pw] = [dh * (KH - 1), dw * (KW - 1)];
  const dtype = dtypeOfTensor(c.input);
  const [N, , H, W] = dims4(c.input.shape);
  const impulse = build4(dtype, [N, C, H, W], (n, ch, h, w) =>
    n === e.n && ch === e.c && h === e.h && w === e.w ? 1 : 0,
  );
  const options: Conv2dOptions = {
    ...without(c.options, 'stride', 'padding', 'paddingMode'),
    padding: [
      [ph, ph],
      [pw, pw],
    ],
  };
  const Og = O / groups;
  const Cg = C / groups;
  const inGroup = (o: number): boolean => Math.floor(o / Og) === Math.floor(e.c / Cg);
  const want = build4(dtype, [N, O, H + ph, W + pw], (n, o, i, j) => {
    const [kh, kw] = [(e.h + ph - i) / dh, (e.w + pw - j) / dw];
    const hit =
      n === e.n &&
      inGroup(o) &&
      Number.isInteger(kh) &&
      Number.isInteger(kw) &&
      kh >= 0 &&
      kh < KH &&
      kw >= 0 &&
      kw < KW;
    return (c.options.bias ? c.options.bias.data[o] : 0) + (hit ? at4(c.weight, o, e.c % Cg, kh, kw) : 0);
  });
  const input = c.config.batched ? impulse : reshape(impulse, impulse.shape.slice(1));
  const y = run(ctx, { input, weight: c.weight, options });
  expectExact(
    y,
    reshape(want, y.shape.length === 3 ? want.shape.slice(1) : want.shape),
    `unit impulse at ${JSON.stringify(e)}: output against the kernel rotated by 180°`,
  );
}

// ---------------------------------------------------------------- batch and channels

function checkBatch(ctx: PropertyContext, { c }: Scenario<null>): void {
  const y = as4(run(ctx, c));
  const x = as4(c.input);
  const [N, C, H, W] = dims4(x.shape);
  for (let n = 0; n < N; n++) {
    const alone = sliceAxis(x, 0, n, n + 1);
    const want = sliceAxis(y, 0, n, n + 1);
    expectExact(run(ctx, { ...c, input: alone }), want, `sample ${n} of ${N} run alone as [1, C, H, W]`);
    const unbatched = run(ctx, { ...c, input: reshape(alone, [C, H, W]) });
    expectExact(unbatched, reshape(want, want.shape.slice(1)), `sample ${n} of ${N} run unbatched as [C, H, W]`);
  }
}

interface Shuffle {
  readonly groups: number;
  readonly outputs: number;
  readonly inputs: number;
}

function blockOrder(groups: number, per: number, groupOrder: readonly number[], within: readonly number[]): number[] {
  const order: number[] = [];
  for (let g = 0; g < groups; g++) for (let k = 0; k < per; k++) order.push(groupOrder[g] * per + within[k]);
  return order;
}

function checkChannels(ctx: PropertyContext, { c, e }: Scenario<Shuffle>): void {
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
  const y = run(ctx, c);
  const want = reshape(permuteAxis(as4(y), 1, outOrder), y.shape);
  const got = run(ctx, { input: reshape(x, c.input.shape), weight: w, options });
  expectExact(got, want, `channels permuted (groups ${gOrder}, inputs ${inOrder}, outputs ${outOrder})`);
}

// ---------------------------------------------------------------- corr2d

interface Plane {
  readonly X: Tensor;
  readonly K: Tensor;
}

function planeArbitrary(cfg: ScenarioConfig): fc.Arbitrary<Plane> {
  return fc.record({ X: tensorOf(cfg.dtype, [cfg.H, cfg.W]), K: tensorOf(cfg.dtype, [cfg.KH, cfg.KW]) });
}

function checkCorr2d(ctx: PropertyContext, { e }: Scenario<Plane>): void {
  const corr2d = ctx.impl.corr2d!;
  const [H, W] = e.X.shape;
  const [KH, KW] = e.K.shape;
  const got = corr2d(e.X, e.K);
  const y = run(ctx, { input: reshape(e.X, [1, 1, H, W]), weight: reshape(e.K, [1, 1, KH, KW]), options: {} });
  expectExact(got, reshape(y, [H - KH + 1, W - KW + 1]), 'corr2d(X, K) against conv2d on [1, 1, H, W]');
}

// ---------------------------------------------------------------- IEEE specials

interface Planting {
  readonly target: 'input' | 'weight' | 'bias';
  readonly index: number;
  readonly value: number;
}

function plantingArbitrary(): fc.Arbitrary<Planting[]> {
  const one = fc.record({
    target: fc.constantFrom<Planting['target']>('input', 'input', 'weight', 'bias'),
    index: fc.nat(),
    value: fc.constantFrom(NaN, Infinity, -Infinity),
  });
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

function plant(c: ConvCase, plantings: readonly Planting[]): ConvCase {
  const edit = (t: Tensor, target: Planting['target']): Tensor => {
    const data = t.data.slice();
    for (const p of plantings) if (p.target === target && data.length > 0) data[p.index % data.length] = p.value;
    return { shape: [...t.shape], data };
  };
  const bias = c.options.bias ? edit(c.options.bias, 'bias') : null;
  return {
    input: edit(c.input, 'input'),
    weight: edit(c.weight, 'weight'),
    options: bias ? { ...c.options, bias } : c.options,
  };
}

function checkSpecials(ctx: PropertyContext, { c, e }: Scenario<Planting[]>): void {
  const planted = plant(c, e);
  expectBounded(run(ctx, planted), { ...forwardExpectation(planted), label: 'conv2d output with NaN/±Inf planted' });
}

// ---------------------------------------------------------------- purity

function snapshot(c: ConvCase): string {
  const bytes = (t: Tensor): string =>
    Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).join(',');
  const { bias, ...rest } = c.options;
  return JSON.stringify({
    input: [c.input.shape, bytes(c.input)],
    weight: [c.weight.shape, bytes(c.weight)],
    bias: bias ? [bias.shape, bytes(bias)] : bias,
    options: rest,
  });
}

function checkPurity(ctx: PropertyContext, { c }: Scenario<null>): void {
  const before = snapshot(c);
  const y = run(ctx, c);
  if (snapshot(c) !== before) fail('conv2d changed its arguments (input, weight, bias or options)');
  const buffers = [c.input.data.buffer, c.weight.data.buffer, c.options.bias?.data.buffer];
  if (buffers.includes(y.data.buffer)) fail('conv2d returned a tensor sharing storage with one of its arguments');
  if (y.shape === c.input.shape || y.shape === c.weight.shape)
    fail("conv2d returned one of its arguments' shape arrays");
}

function checkDeterminism(ctx: PropertyContext, { c }: Scenario<null>): void {
  const a = run(ctx, c);
  const b = run(ctx, c);
  if (a.data === b.data) fail('two calls returned the same storage (outputs must be fresh)');
  const bits = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const [x, y] = [bits(a), bits(b)];
  if (!sameShape(a.shape, b.shape) || x.length !== y.length || x.some((v, i) => v !== y[i])) {
    fail(
      `two identical calls differ: ${compareExact(b, a, 'second call against first').message || 'in their bits (e.g. −0 against +0, or NaN payloads)'}`,
    );
  }
}

// ---------------------------------------------------------------- the list

const plain =
  (constraints: object = {}) =>
  (ctx: PropertyContext) =>
    scenario(ctx, constraints, nothing);
const integers = (constraints: object = {}) => plain({ ...INTEGER, ...constraints });
const withExtras =
  <E>(constraints: object, extras: (cfg: ScenarioConfig) => fc.Arbitrary<E>) =>
  (ctx: PropertyContext) =>
    scenario(ctx, constraints, extras);

/**
 * The forward properties, in report order. Each checks `ctx.impl.conv2d`
 * (corr2d's property is skipped when the implementation has none).
 * @example for (const p of forwardProperties) console.log(p.name)
 */
export const forwardProperties: readonly PropertyDefinition[] = [
  forward("for any case, the output has the input's dtype and the shape of the size formula", plain(), checkShape),
  forward('for any case, every output is within the error bound of the float64 model', plain(), checkAccuracy),
  forward(
    'for any case, transposing input and kernel with options swapped per axis transposes the output',
    integers(),
    checkTranspose,
  ),
  forward(
    'for any case, shifting the input down and right by whole strides shifts the outputs that read no top or left padding',
    withExtras({ ...INTEGER, emptyBatch: false }, shiftArbitrary),
    checkTranslation,
  ),
  forward(
    'for any case, changing one input pixel changes exactly the outputs that read it, by delta times their weights',
    withExtras({ ...INTEGER, emptyBatch: false }, pokeArbitrary),
    checkLocality,
  ),
  forward(
    'for any case, the output is affine in the input',
    withExtras(INTEGER, combination('input')),
    checkLinear('input'),
  ),
  forward(
    'for any case, the output is affine in the weight',
    withExtras(INTEGER, combination('weight')),
    checkLinear('weight'),
  ),
  forward(
    'for any case, padding in any mode equals padding the input first and then no padding',
    integers(),
    checkPadding,
  ),
  forward(
    "for any 'same' case, 'same' equals its explicit SAME_UPPER pads",
    integers({ paddings: ['same'] }),
    checkSame,
  ),
  forward('for any case, a strided output is the stride-1 output subsampled', integers(), checkStride),
  forward('for any case, dilation equals a kernel with zeros between its taps', integers(), checkDilation),
  forward(
    'for any case, a grouped conv equals one conv per group, concatenated',
    integers({ maxGroups: 4 }),
    checkGroups,
  ),
  forward(
    'for any 1×1 kernel, the conv is a matrix product over channels at strided pixels',
    integers({ maxKernel: 1, paddings: ['omitted', 'valid'] }),
    checkPointwise,
  ),
  forward(
    'for any kernel, the fully padded conv of a unit impulse is the kernel rotated by 180 degrees',
    withExtras({ ...INTEGER, emptyBatch: false }, impulseArbitrary),
    checkImpulse,
  ),
  forward("for any batch, each sample's output does not depend on the other samples", integers(), checkBatch),
  forward(
    'for any case, permuting groups and channels permutes the output channels to match',
    withExtras(INTEGER, () => fc.record({ groups: fc.nat(), outputs: fc.nat(), inputs: fc.nat() })),
    checkChannels,
  ),
  forward(
    'for any 2-D input and kernel, corr2d equals conv2d on [1, 1, H, W]',
    withExtras({ ...INTEGER, paddings: ['valid'], maxStride: 1, maxDilation: 1 }, planeArbitrary),
    checkCorr2d,
    {
      skip: (ctx) => (typeof ctx.impl.corr2d === 'function' ? null : 'the implementation exports no corr2d'),
    },
  ),
  forward(
    'for any case with NaN or ±Inf planted, they reach exactly the outputs whose real taps read them',
    withExtras({}, plantingArbitrary),
    checkSpecials,
  ),
  forward('for any case, conv2d leaves its arguments unchanged and returns fresh storage', plain(), checkPurity),
  forward('for any case, two identical calls return bit-identical outputs', plain(), checkDeterminism),
];
