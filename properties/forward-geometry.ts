/**
 * Geometric forward properties: how conv2d moves with its input and its
 * options — transposing both axes, shifting by whole strides, padding done
 * by hand, 'same' as its explicit pads, stride as subsampling, dilation as
 * a kernel with holes, and the impulse response. Each compares two calls of
 * the implementation exactly (small-integer data), with shapes and pads
 * from the spec.
 */
import fc from 'fast-check';
import type { Conv2dOptions, Tensor } from '../src/index.js';
import {
  as4,
  at4,
  build4,
  fail,
  int,
  integerTensor,
  caseScale,
  resolved,
  run,
  same,
  scaleOf,
  without,
  type Scenario,
  type ScenarioConfig,
} from './scenario.js';
import {
  effectiveKernel,
  metamorphicTolerance,
  padInput,
  resolveConv,
  sameLowerPads,
  sameSide,
  sameUpperPads,
  type ResolvedConv,
} from './spec/index.js';
import { dims4, dtypeOfTensor, reshape, transposeHW } from './tensors.js';
import type { PropertyContext } from './types.js';

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

export async function checkTranspose(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const y = await run(ctx, c);
  const t = { input: transposeHW(c.input), weight: transposeHW(c.weight), options: swapAxes(c.options) };
  same(ctx, await run(ctx, t), transposeHW(y), 'conv2d(Xᵀ, Kᵀ) against conv2d(X, K)ᵀ', caseScale(c));
}

// ---------------------------------------------------------------- translation

export interface Shift {
  readonly rows: number;
  readonly cols: number;
  /** Rows added on top ([N,C,rows,W+cols]) and columns on the left ([N,C,H,cols]). */
  readonly top: Tensor;
  readonly left: Tensor;
}

export function shiftArbitrary(cfg: ScenarioConfig): fc.Arbitrary<Shift> {
  return fc.tuple(int(1, 2), int(0, 2)).chain(([t, u]) => {
    const [rows, cols] = [t * cfg.stride[0], u * cfg.stride[1]];
    return fc
      .record({
        top: integerTensor(cfg.dtype, [cfg.N, cfg.C, rows, cfg.W + cols]),
        left: integerTensor(cfg.dtype, [cfg.N, cfg.C, cfg.H, cols]),
      })
      .map(({ top, left }) => ({ rows, cols, top, left }));
  });
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
      ? [r.sh, r.top, r.H, effectiveKernel(r.KH, r.dh) - 1, big.top, big.OH]
      : [r.sw, r.left, r.W, effectiveKernel(r.KW, r.dw) - 1, big.left, big.OW];
  const start = i * s - pad;
  if (start < 0 || (r.mode === 'circular' && start + reach > size - 1)) return -1;
  const k = start + shift + bigPad;
  return k % s === 0 && k / s < bigOut ? k / s : -1;
}

export async function checkTranslation(ctx: PropertyContext, { c, e }: Scenario<Shift>): Promise<void> {
  const big = { ...c, input: enlarged(c.input, e) };
  const r = resolved(ctx, c);
  const rb = resolved(ctx, big);
  const { terms, magnitude } = caseScale(big);
  const tolerance = metamorphicTolerance(ctx.conventions.precision, terms, magnitude, r.OH * r.OW);
  const y = as4(await run(ctx, c));
  const yb = as4(await run(ctx, big));
  let compared = 0;
  for (let i = 0; i < r.OH; i++) {
    const ib = shiftedIndex(i, r, rb, 'h', e.rows);
    for (let j = 0; ib >= 0 && j < r.OW; j++) {
      const jb = shiftedIndex(j, r, rb, 'w', e.cols);
      for (let n = 0; jb >= 0 && n < r.N; n++) {
        for (let o = 0; o < r.O; o++, compared++) {
          const [a, b] = [at4(y, n, o, i, j), at4(yb, n, o, ib, jb)];
          if (!(Math.abs(a - b) <= tolerance) && !(Number.isNaN(a) && Number.isNaN(b)))
            fail(
              `output [${n}, ${o}, ${i}, ${j}] is ${a}, but the same window shifted by (${e.rows}, ${e.cols}) gives ${b} at [${n}, ${o}, ${ib}, ${jb}]`,
            );
        }
      }
    }
  }
  if (compared === 0) ctx.skipCase('every output window reaches into the top or left padding');
}

// ---------------------------------------------------------------- padding

export async function checkPadding(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const r = resolved(ctx, c);
  const unpadded = { ...c, input: padInput(c.input, r), options: without(c.options, 'padding', 'paddingMode') };
  same(
    ctx,
    await run(ctx, unpadded),
    await run(ctx, c),
    'conv2d of the explicitly padded input without padding, against conv2d with padding',
    caseScale(c),
  );
}

/** A SAME case equals its explicit pads: the odd pad after (SAME_UPPER) or before (SAME_LOWER), as its name says. */
export async function checkSame(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const cfg = c.config;
  const name = c.options.padding as 'same' | 'same-upper' | 'same-lower';
  const padsOf = sameSide(name, ctx.conventions.same) === 'lower' ? sameLowerPads : sameUpperPads;
  const pads: [[number, number], [number, number]] = [
    padsOf(cfg.H, cfg.KH, cfg.stride[0], cfg.dilation[0]),
    padsOf(cfg.W, cfg.KW, cfg.stride[1], cfg.dilation[1]),
  ];
  same(
    ctx,
    await run(ctx, { ...c, options: { ...c.options, padding: pads } }),
    await run(ctx, c),
    `padding ${JSON.stringify(pads)} against '${name}'`,
    caseScale(c),
  );
}

// ---------------------------------------------------------------- stride and dilation

function explicitPadding(r: ResolvedConv): [[number, number], [number, number]] {
  return [
    [r.top, r.bottom],
    [r.left, r.right],
  ];
}

export async function checkStride(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const r = resolved(ctx, c);
  const dense = as4(await run(ctx, { ...c, options: { ...c.options, stride: 1, padding: explicitPadding(r) } }));
  const [N, O] = dims4(dense.shape);
  const want = build4(dtypeOfTensor(dense), [N, O, r.OH, r.OW], (n, o, i, j) => at4(dense, n, o, i * r.sh, j * r.sw));
  same(
    ctx,
    await run(ctx, c),
    reshape(want, r.outputShape),
    `stride ${r.sh}×${r.sw} against the stride-1 output subsampled`,
    caseScale(c),
  );
}

/**
 * The kernel with `d−1` zeros between taps along each axis.
 * @example dilateKernel(w, 2, 1) // w [O, C, 2, 2] → [O, C, 3, 2], a zero row between the taps
 */
export function dilateKernel(w: Tensor, dh: number, dw: number): Tensor {
  const [O, Cg, KH, KW] = dims4(w.shape);
  return build4(dtypeOfTensor(w), [O, Cg, effectiveKernel(KH, dh), effectiveKernel(KW, dw)], (o, c, h, x) =>
    h % dh === 0 && x % dw === 0 ? at4(w, o, c, h / dh, x / dw) : 0,
  );
}

export async function checkDilation(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const [dh, dw] = c.config.dilation;
  const zeroed = { ...c, weight: dilateKernel(c.weight, dh, dw), options: without(c.options, 'dilation') };
  const label = `dilation ${dh}×${dw} against the zero-dilated kernel`;
  same(ctx, await run(ctx, zeroed), await run(ctx, c), label, caseScale(zeroed));
}

export interface Impulse {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

export function impulseArbitrary(cfg: ScenarioConfig): fc.Arbitrary<Impulse> {
  return fc.record({ n: int(0, cfg.N - 1), c: int(0, cfg.C - 1), h: int(0, cfg.H - 1), w: int(0, cfg.W - 1) });
}

export async function checkImpulse(ctx: PropertyContext, { c, e }: Scenario<Impulse>): Promise<void> {
  const {
    KH,
    KW,
    dilation: [dh, dw],
    C,
    O,
    groups,
  } = c.config;
  // Padding by the reach of the kernel on both sides: every tap meets the impulse somewhere.
  const [ph, pw] = [effectiveKernel(KH, dh) - 1, effectiveKernel(KW, dw) - 1];
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
  const r = resolveConv([N, C, H, W], c.weight.shape, options);
  const want = build4(dtype, [N, O, r.OH, r.OW], (n, o, i, j) => {
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
  same(
    ctx,
    await run(ctx, { input, weight: c.weight, options }),
    reshape(want, c.config.batched ? want.shape : want.shape.slice(1)),
    `unit impulse at ${JSON.stringify(e)}: output against the kernel rotated by 180°`,
    scaleOf(input, c.weight, c.options.bias),
  );
}
