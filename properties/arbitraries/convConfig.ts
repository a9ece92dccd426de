/**
 * Conv2d configurations that are valid by construction. Sizes are drawn as
 * offsets above the smallest valid value (`H = max(dh·(KH−1)+1 − pads,
 * mode limit) + extra`, `C = groups·C/g`, …), so no case is filtered away
 * and every shrink stays valid. An `extra` of 0 is drawn about half the
 * time, which puts reflect/circular padding at its limit and kernels that
 * exactly fit; pads may exceed the kernel's reach (outputs made of padding
 * alone), strides may exceed the kernel and need not divide the input.
 *
 * Two arms. The small arm keeps every size within the size limits, where
 * the float64 model is cheap and a failure prints whole. The large arm
 * (15% of the cases by default) draws channels from the
 * remainder classes of blocked kernels and sizes the output so that the
 * case has at least `minWork` multiply-adds: the size at which a conv's
 * fast kernels take over from its plain loops (4096 for convproof's own).
 * Both arms share every other draw (kernel, stride, dilation, padding,
 * groups, batch), and the arm is the first draw, so a failing large case
 * first tries itself in the small arm when it shrinks.
 */
import fc from 'fast-check';
import type { Conv2dOptions, DType, PaddingMode } from '../../src/index.js';
import { axisOutput, effectiveKernel, sameLowerPads, sameUpperPads } from '../spec/index.js';
import { QUICK_LIMITS } from '../profile.js';
import type { ConvDims, DTypeChoice, SizeLimits } from '../types.js';

/**
 * How the padding option is written: left out, `'valid'`, one number,
 * `[ph, pw]`, `[[top, bottom], [left, right]]`, `'same'`, or the SAME rules
 * by their ONNX names `'same-upper'` (= `'same'`) and `'same-lower'`.
 */
export type PaddingKind = 'omitted' | 'valid' | 'number' | 'pair' | 'explicit' | 'same' | 'same-upper' | 'same-lower';

/**
 * Every padding kind.
 * @example convConfig({ paddings: PADDING_KINDS.filter((k) => k !== 'same') })
 */
export const PADDING_KINDS: readonly PaddingKind[] = [
  'omitted',
  'valid',
  'number',
  'pair',
  'explicit',
  'same',
  'same-upper',
  'same-lower',
];

/**
 * The padding kinds that are a SAME rule (pads that follow the input size).
 * @example SAME_KINDS.includes('same-lower') // true
 */
export const SAME_KINDS: readonly PaddingKind[] = ['same', 'same-upper', 'same-lower'];

/**
 * Every padding mode.
 * @example convConfig({ paddingModes: PADDING_MODES.slice(1) }) // never zeros
 */
export const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/**
 * Channels per group the large arm draws from: below, at and above the
 * blocks of 4 and 8 that blocked kernels work in (convproof's forward packs
 * output channels by 4, its weight gradient by 8), so that every remainder
 * class of a block appears.
 * @example convConfig({ large: { channels: LARGE_CHANNEL_CLASSES.filter((c) => c <= 8) } })
 */
export const LARGE_CHANNEL_CLASSES: readonly number[] = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17];

/** Constraints of the large arm of `convConfig`; every field is optional. */
export interface LargeArmConstraints {
  /** The share of cases drawn from the large arm, in [0, 1]; 0 turns the arm off. Default 0.15. */
  readonly share?: number;
  /**
   * Every large case has at least this many multiply-adds `N·O·OH·OW·(C/g)·KH·KW`.
   * Default 4096: from there convproof's conv2d leaves its reference loops for its fast kernels.
   */
  readonly minWork?: number;
  /**
   * Each large case aims at a work drawn log-uniformly from `[minWork, maxWork]`; rounding the
   * output up to whole rows and columns may add up to about as much again. Default `2·minWork`: the
   * float64 model is a loop nest, and the quick profile must stay quick.
   */
  readonly maxWork?: number;
  /** Channels per group (input and output) to draw from, ascending. Default `LARGE_CHANNEL_CLASSES`. */
  readonly channels?: readonly number[];
}

/** Constraints of `convConfig`; every field is optional. */
export interface ConvConfigConstraints extends Partial<SizeLimits> {
  /**
   * The large arm. The size limits' `maxChannels` and `maxExtra` bound the small arm only (the large
   * arm draws channels from its own table and sizes the output by work); every other limit and
   * constraint binds both arms. Default: the defaults of `LargeArmConstraints`.
   */
  readonly large?: LargeArmConstraints;
  /** Padding forms to draw from. Default: all of `PADDING_KINDS`. */
  readonly paddings?: readonly PaddingKind[];
  /** Padding modes to draw from; 'zeros' (if allowed) is drawn as often as the others together. Default: all. */
  readonly paddingModes?: readonly PaddingMode[];
  /** Whether cases carry a bias. Default `'either'`. */
  readonly bias?: 'always' | 'never' | 'either';
  /** Whether unbatched `[C,H,W]` inputs are drawn (about 1 case in 6). Default true. */
  readonly unbatched?: boolean;
  /** Whether N = 0 is drawn (about 1 batched case in 6). Default true. */
  readonly emptyBatch?: boolean;
  /** The dtype; `'both'` draws one per case. Default `'float32'`. */
  readonly dtype?: DTypeChoice;
  /** Equal strides on both axes only. Default false. */
  readonly equalStride?: boolean;
  /** Depthwise only: one input channel per group (groups = C). Default false. */
  readonly depthwise?: boolean;
  /** Hard caps binding both arms (a declared support's): largest C and O, N, kernel side, input side. */
  readonly caps?: SizeCaps;
}

/** Hard caps of `convConfig` (absent: no cap). */
export interface SizeCaps {
  readonly channels?: number | undefined;
  readonly batch?: number | undefined;
  readonly kernel?: number | undefined;
  readonly spatial?: number | undefined;
}

/** A valid conv2d configuration (no data yet). */
export interface ConvConfig extends ConvDims {
  readonly dtype: DType;
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly paddingKind: PaddingKind;
  /** The pads this padding amounts to, `[[top, bottom], [left, right]]` (SAME rules resolved, 'same' as SAME_UPPER). */
  readonly pads: readonly [readonly [number, number], readonly [number, number]];
  readonly paddingMode: PaddingMode;
  readonly bias: boolean;
  readonly OH: number;
  readonly OW: number;
  /** Multiply-adds of the case, `N·O·OH·OW·(C/g)·KH·KW`. */
  readonly work: number;
  /** Whether the case came from the large arm. */
  readonly large: boolean;
  readonly inputShape: readonly number[];
  readonly weightShape: readonly number[];
  /** The options as passed to conv2d (without the bias tensor), in the drawn form. */
  readonly options: Conv2dOptions;
}

/** The raw draws a configuration is built from. */
interface Draws {
  large: boolean;
  groups: number;
  cg: number;
  og: number;
  n: number;
  batched: boolean;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  kind: PaddingKind;
  pads: [number, number, number, number];
  mode: PaddingMode;
  extraH: number;
  extraW: number;
  bias: boolean;
  compact: boolean;
  dtype: DType;
  /** Large arm: channel-class indices, the work aimed at (a step of TARGET_STEPS) and the output's aspect. */
  largeCg: number;
  largeOg: number;
  target: number;
  aspect: number;
}

/** The large arm with its defaults filled in. */
interface LargeArm {
  readonly share: number;
  readonly minWork: number;
  readonly maxWork: number;
  readonly channels: readonly number[];
}

function largeArmOf(c: ConvConfigConstraints): LargeArm {
  const share = c.large?.share ?? 0.15;
  const minWork = c.large?.minWork ?? 4096;
  const maxWork = c.large?.maxWork ?? 2 * minWork;
  const channels = c.large?.channels ?? LARGE_CHANNEL_CLASSES;
  if (!(share >= 0 && share <= 1)) throw new Error(`convConfig: large.share must lie in [0, 1], got ${share}`);
  if (!(minWork >= 1 && maxWork >= minWork))
    throw new Error(`convConfig: large needs 1 ≤ minWork ≤ maxWork, got ${minWork} and ${maxWork}`);
  if (channels.length === 0 || channels.some((v, i) => !Number.isInteger(v) || v < 1 || v <= (channels[i - 1] ?? 0)))
    throw new Error(`convConfig: large.channels must be ascending positive integers, got [${channels}]`);
  return { share, minWork, maxWork, channels };
}

/** The work a large case aims at is `minWork·(maxWork/minWork)^(target/TARGET_STEPS)`. */
const TARGET_STEPS = 8;
/** The output's height/width ratio is about `2^(aspect/2)`, aspect in [−MAX_ASPECT, MAX_ASPECT]. */
const MAX_ASPECT = 4;

function limitsOf(c: ConvConfigConstraints): SizeLimits {
  return {
    maxBatch: c.maxBatch ?? QUICK_LIMITS.maxBatch,
    maxGroups: c.maxGroups ?? QUICK_LIMITS.maxGroups,
    maxChannels: c.maxChannels ?? QUICK_LIMITS.maxChannels,
    maxKernel: c.maxKernel ?? QUICK_LIMITS.maxKernel,
    maxStride: c.maxStride ?? QUICK_LIMITS.maxStride,
    maxDilation: c.maxDilation ?? QUICK_LIMITS.maxDilation,
    maxPad: c.maxPad ?? QUICK_LIMITS.maxPad,
    maxExtra: c.maxExtra ?? QUICK_LIMITS.maxExtra,
  };
}

const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

/** 0 about half the time (a limit), else anything up to max. */
const offset = (max: number): fc.Arbitrary<number> => fc.oneof(fc.constant(0), int(0, max));

function modeArbitrary(modes: readonly PaddingMode[]): fc.Arbitrary<PaddingMode> {
  const others = modes.filter((m) => m !== 'zeros');
  if (others.length === 0) return fc.constant('zeros');
  if (!modes.includes('zeros')) return fc.constantFrom(...others);
  // Cross-shrinking lets a failing case that does not need its mode shrink to zeros (then left out).
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant<PaddingMode>('zeros'), weight: others.length },
    { arbitrary: fc.constantFrom(...others), weight: others.length },
  );
}

/**
 * Whether a case is large, with weights in thousandths. The small arm comes
 * first and cross-shrinking is on, so a large case shrinks to small first.
 */
function armArbitrary(share: number): fc.Arbitrary<boolean> {
  const large = Math.round(share * 1000);
  if (large === 0) return fc.constant(false);
  if (large === 1000) return fc.constant(true);
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(false), weight: 1000 - large },
    { arbitrary: fc.constant(true), weight: large },
  );
}

function drawsArbitrary(c: ConvConfigConstraints, A: LargeArm): fc.Arbitrary<Draws> {
  const L = limitsOf(c);
  const maxG = Math.max(1, Math.min(L.maxGroups, L.maxChannels));
  const bias = c.bias ?? 'either';
  const dtype = c.dtype ?? 'float32';
  const batch =
    c.emptyBatch === false
      ? int(1, L.maxBatch)
      : fc.oneof({ arbitrary: int(1, L.maxBatch), weight: 5 }, { arbitrary: fc.constant(0), weight: 1 });
  return fc.record({
    large: armArbitrary(A.share),
    groups: int(1, maxG),
    cg: int(1, L.maxChannels),
    og: int(1, L.maxChannels),
    n: batch,
    batched:
      c.unbatched === false
        ? fc.constant(true)
        : fc.oneof(
            { withCrossShrink: true },
            { arbitrary: fc.constant(true), weight: 5 },
            { arbitrary: fc.constant(false), weight: 1 },
          ),
    kh: int(1, L.maxKernel),
    kw: int(1, L.maxKernel),
    sh: int(1, L.maxStride),
    sw: int(1, L.maxStride),
    dh: int(1, L.maxDilation),
    dw: int(1, L.maxDilation),
    kind: fc.constantFrom(...(c.paddings ?? PADDING_KINDS)),
    pads: fc.tuple(int(0, L.maxPad), int(0, L.maxPad), int(0, L.maxPad), int(0, L.maxPad)),
    mode: modeArbitrary(c.paddingModes ?? PADDING_MODES),
    extraH: offset(L.maxExtra),
    extraW: offset(L.maxExtra),
    bias: bias === 'either' ? fc.boolean() : fc.constant(bias === 'always'),
    compact: compactArbitrary,
    dtype: dtype === 'both' ? fc.constantFrom<DType>('float32', 'float64') : fc.constant(dtype),
    largeCg: int(0, A.channels.length - 1),
    largeOg: int(0, A.channels.length - 1),
    target: int(0, TARGET_STEPS),
    aspect: int(-MAX_ASPECT, MAX_ASPECT),
  });
}

/** Explicit pads of a non-'same' padding kind from four drawn numbers. */
function drawnPads(kind: PaddingKind, p: readonly number[]): [[number, number], [number, number]] {
  switch (kind) {
    case 'number':
      return [
        [p[0], p[0]],
        [p[0], p[0]],
      ];
    case 'pair':
      return [
        [p[0], p[0]],
        [p[2], p[2]],
      ];
    case 'explicit':
      return [
        [p[0], p[1]],
        [p[2], p[3]],
      ];
    default:
      return [
        [0, 0],
        [0, 0],
      ];
  }
}

/**
 * The smallest valid input size of one axis: the dilated kernel must fit the
 * padded input, reflect needs each pad < size, circular each pad ≤ size.
 * For 'same' the pads follow the size; `ceil((effK−1)/2) + 1` keeps them
 * within every mode's limit (SAME_UPPER's larger pad is ≤ that − 1).
 */
function minSize(effK: number, pads: readonly [number, number] | null, mode: PaddingMode): number {
  if (pads === null) return mode === 'zeros' || mode === 'replicate' ? 1 : Math.ceil((effK - 1) / 2) + 1;
  const [a, b] = pads;
  const fit = effK - a - b;
  const modeMin = mode === 'reflect' ? Math.max(a, b) + 1 : mode === 'circular' ? Math.max(a, b) : 1;
  return Math.max(1, fit, modeMin);
}

/**
 * Whether options are written compactly (a number for equal axes, defaults
 * left out). It shrinks toward true, so a counterexample keeps only the
 * options its failure needs: one that needs `stride: [1, 1]` written out keeps it.
 */
export const compactArbitrary: fc.Arbitrary<boolean> = fc.boolean().map((written) => !written);

/**
 * `v` as a number when both axes agree and `compact` is on, else as a pair; left out when both are `dflt`.
 * @example pairOption([2, 2], true, 1) // 2; pairOption([1, 1], true, 1) // undefined
 */
export function pairOption(
  v: readonly [number, number],
  compact: boolean,
  dflt: number,
): number | [number, number] | undefined {
  if (!compact) return [v[0], v[1]];
  if (v[0] !== v[1]) return [v[0], v[1]];
  return v[0] === dflt ? undefined : v[0];
}

function paddingOption(kind: PaddingKind, pads: readonly (readonly [number, number])[]): Conv2dOptions['padding'] {
  switch (kind) {
    case 'omitted':
      return undefined;
    case 'valid':
    case 'same':
    case 'same-upper':
    case 'same-lower':
      return kind;
    case 'number':
      return pads[0][0];
    case 'pair':
      return [pads[0][0], pads[1][0]];
    case 'explicit':
      return [
        [pads[0][0], pads[0][1]],
        [pads[1][0], pads[1][1]],
      ];
  }
}

function buildOptions(d: Draws, pads: ConvConfig['pads']): Conv2dOptions {
  const entries: [string, unknown][] = [
    ['stride', pairOption([d.sh, d.sw], d.compact, 1)],
    ['padding', paddingOption(d.kind, pads)],
    ['dilation', pairOption([d.dh, d.dw], d.compact, 1)],
    ['groups', d.compact && d.groups === 1 ? undefined : d.groups],
    ['paddingMode', d.compact && d.mode === 'zeros' ? undefined : d.mode],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as Conv2dOptions;
}

/** One spatial axis as drawn: kernel, stride, dilation, and its pads (null: a SAME rule, which follows the size). */
interface AxisDraw {
  readonly k: number;
  readonly s: number;
  readonly d: number;
  readonly pads: readonly [number, number] | null;
  /** Where a SAME rule puts the odd pad (convproof's own 'same' is SAME_UPPER). */
  readonly lower: boolean;
  readonly mode: PaddingMode;
}

function padsOf(a: AxisDraw, size: number): readonly [number, number] {
  return a.pads ?? (a.lower ? sameLowerPads : sameUpperPads)(size, a.k, a.s, a.d);
}

function outputOf(a: AxisDraw, size: number): number {
  const [before, after] = padsOf(a, size);
  return axisOutput(size, a.k, a.s, a.d, before, after);
}

/** The smallest valid size of the axis with at least `out` outputs (the output size grows with the input's). */
function sizeFor(a: AxisDraw, out: number): number {
  const least = minSize(effectiveKernel(a.k, a.d), a.pads, a.mode);
  const [before, after] = a.pads ?? [0, 0];
  const needed = a.pads === null ? (out - 1) * a.s + 1 : (out - 1) * a.s + effectiveKernel(a.k, a.d) - before - after;
  return Math.max(least, needed);
}

/** Channels per group, batch and input size of a case. */
interface Extents {
  readonly cg: number;
  readonly og: number;
  readonly N: number;
  readonly H: number;
  readonly W: number;
}

function smallExtents(d: Draws, L: SizeLimits, rows: AxisDraw, cols: AxisDraw): Extents {
  return {
    cg: Math.min(d.cg, Math.floor(L.maxChannels / d.groups)),
    og: Math.min(d.og, Math.floor(L.maxChannels / d.groups)),
    N: d.batched ? d.n : 1,
    H: sizeFor(rows, 1) + d.extraH,
    W: sizeFor(cols, 1) + d.extraW,
  };
}

/**
 * Large-arm extents: channels from the class table, then an output of at
 * least `target / (the work per output position)` positions in the drawn
 * aspect, so the work reaches the target; the extra rows and columns are
 * taken modulo the stride (a stride that does not divide the input, not
 * more outputs). When even the smallest output is over the target, the larger
 * channel count (then the batch) steps down first.
 */
function largeExtents(d: Draws, A: LargeArm, rows: AxisDraw, cols: AxisDraw): Extents {
  const target = A.minWork * (A.maxWork / A.minWork) ** (d.target / TARGET_STEPS);
  const fewestRows = outputOf(rows, sizeFor(rows, 1));
  const fewestCols = outputOf(cols, sizeFor(cols, 1));
  let [ci, oi, N] = [d.largeCg, d.largeOg, d.batched ? Math.max(1, d.n) : 1];
  const perPosition = (): number => N * d.groups * A.channels[oi] * A.channels[ci] * d.kh * d.kw;
  while (perPosition() * fewestRows * fewestCols > target) {
    if (ci === 0 && oi === 0 && N === 1) break;
    if (ci === 0 && oi === 0) N--;
    else if (ci >= oi) ci--;
    else oi--;
  }
  const positions = Math.ceil(target / perPosition());
  const most = Math.max(fewestRows, Math.ceil(positions / fewestCols));
  const tall = Math.min(most, Math.max(fewestRows, Math.round(Math.sqrt(positions) * 2 ** (d.aspect / 2))));
  const H = sizeFor(rows, tall);
  const W = sizeFor(cols, Math.max(fewestCols, Math.ceil(positions / outputOf(rows, H))));
  return {
    cg: A.channels[ci],
    og: A.channels[oi],
    N,
    H: withSlack(rows, H, d.extraH),
    W: withSlack(cols, W, d.extraW),
  };
}

/** `size` plus `extra` modulo the stride, unless that adds an output (the sizes are then left as they are). */
function withSlack(a: AxisDraw, size: number, extra: number): number {
  const more = size + (extra % a.s);
  return outputOf(a, more) === outputOf(a, size) ? more : size;
}

/** Extents within the caps: channels per group and batch cut down, sides cut down to the caps (not below the least valid size). */
function capped(e: Extents, d: Draws, caps: SizeCaps, rows: AxisDraw, cols: AxisDraw, depthwise: boolean): Extents {
  const perGroup = caps.channels === undefined ? Infinity : Math.max(1, Math.floor(caps.channels / d.groups));
  const side = (a: AxisDraw, v: number): number =>
    caps.spatial === undefined ? v : Math.max(sizeFor(a, 1), Math.min(v, caps.spatial));
  return {
    cg: depthwise ? 1 : Math.min(e.cg, perGroup),
    og: Math.min(e.og, perGroup),
    N: Math.min(e.N, caps.batch ?? Infinity),
    H: side(rows, e.H),
    W: side(cols, e.W),
  };
}

function build(drawnD: Draws, L: SizeLimits, A: LargeArm, c: ConvConfigConstraints = {}): ConvConfig {
  const d = c.equalStride ? { ...drawnD, sw: drawnD.sh } : drawnD;
  const drawn = drawnPads(d.kind, d.pads);
  const same = SAME_KINDS.includes(d.kind);
  const lower = d.kind === 'same-lower';
  const rows: AxisDraw = { k: d.kh, s: d.sh, d: d.dh, pads: same ? null : drawn[0], lower, mode: d.mode };
  const cols: AxisDraw = { k: d.kw, s: d.sw, d: d.dw, pads: same ? null : drawn[1], lower, mode: d.mode };
  const drawnExtents = d.large ? largeExtents(d, A, rows, cols) : smallExtents(d, L, rows, cols);
  const { cg, og, N, H, W } = capped(drawnExtents, d, c.caps ?? {}, rows, cols, c.depthwise === true);
  const [C, O] = [d.groups * cg, d.groups * og];
  const pads: ConvConfig['pads'] = [padsOf(rows, H), padsOf(cols, W)];
  const [OH, OW] = [outputOf(rows, H), outputOf(cols, W)];
  return {
    dtype: d.dtype,
    batched: d.batched,
    N,
    C,
    H,
    W,
    O,
    groups: d.groups,
    KH: d.kh,
    KW: d.kw,
    stride: [d.sh, d.sw],
    dilation: [d.dh, d.dw],
    paddingKind: d.kind,
    pads,
    paddingMode: d.mode,
    bias: d.bias,
    OH,
    OW,
    work: N * O * OH * OW * cg * d.kh * d.kw,
    large: d.large,
    inputShape: d.batched ? [N, C, H, W] : [C, H, W],
    weightShape: [O, cg, d.kh, d.kw],
    options: buildOptions(d, pads),
  };
}

/**
 * Valid conv2d configurations covering the risky regions (see `riskyRegions`).
 * @example
 * fc.sample(convConfig({ paddings: ['same'], maxStride: 3 }), 1)[0].options // e.g. { stride: [3, 1], padding: 'same' }
 */
export function convConfig(constraints: ConvConfigConstraints = {}): fc.Arbitrary<ConvConfig> {
  const L = limitsOf(constraints);
  const A = largeArmOf(constraints);
  const spatial = constraints.caps?.spatial;
  const built = drawsArbitrary(constraints, A).map((d) => build(d, L, A, constraints));
  // A side below the least valid size is never cut, so a cap smaller than that is met by redrawing.
  return spatial === undefined ? built : built.filter((cfg) => cfg.H <= spatial && cfg.W <= spatial);
}
