/**
 * Conv2d configurations that are valid by construction. Sizes are drawn as
 * offsets above the smallest valid value (`H = max(dh·(KH−1)+1 − pads,
 * mode limit) + extra`, `C = groups·C/g`, …), so no case is filtered away
 * and every shrink stays valid. An `extra` of 0 is drawn about half the
 * time, which puts reflect/circular padding at its limit and kernels that
 * exactly fit; pads may exceed the kernel's reach (outputs made of padding
 * alone), strides may exceed the kernel and need not divide the input.
 */
import fc from 'fast-check';
import type { Conv2dOptions, DType, PaddingMode } from '../../src/index.js';
import { axisOutput, effectiveKernel, sameUpperPads } from '../spec/index.js';
import { QUICK_LIMITS } from '../profile.js';
import type { ConvDims, DTypeChoice, SizeLimits } from '../types.js';

/**
 * How the padding option is written: left out, `'valid'`, one number,
 * `[ph, pw]`, `[[top, bottom], [left, right]]` or `'same'`.
 */
export type PaddingKind = 'omitted' | 'valid' | 'number' | 'pair' | 'explicit' | 'same';

/**
 * Every padding kind.
 * @example convConfig({ paddings: PADDING_KINDS.filter((k) => k !== 'same') })
 */
export const PADDING_KINDS: readonly PaddingKind[] = ['omitted', 'valid', 'number', 'pair', 'explicit', 'same'];

/**
 * Every padding mode.
 * @example convConfig({ paddingModes: PADDING_MODES.slice(1) }) // never zeros
 */
export const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** Constraints of `convConfig`; every field is optional. */
export interface ConvConfigConstraints extends Partial<SizeLimits> {
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
}

/** A valid conv2d configuration (no data yet). */
export interface ConvConfig extends ConvDims {
  readonly dtype: DType;
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly paddingKind: PaddingKind;
  /** The pads this padding amounts to, `[[top, bottom], [left, right]]` ('same' resolved). */
  readonly pads: readonly [readonly [number, number], readonly [number, number]];
  readonly paddingMode: PaddingMode;
  readonly bias: boolean;
  readonly OH: number;
  readonly OW: number;
  readonly inputShape: readonly number[];
  readonly weightShape: readonly number[];
  /** The options as passed to conv2d (without the bias tensor), in the drawn form. */
  readonly options: Conv2dOptions;
}

/** The raw draws a configuration is built from. */
interface Draws {
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
}

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
  return fc.oneof(
    { arbitrary: fc.constant<PaddingMode>('zeros'), weight: others.length },
    { arbitrary: fc.constantFrom(...others), weight: others.length },
  );
}

function drawsArbitrary(c: ConvConfigConstraints): fc.Arbitrary<Draws> {
  const L = limitsOf(c);
  const maxG = Math.max(1, Math.min(L.maxGroups, L.maxChannels));
  const bias = c.bias ?? 'either';
  const dtype = c.dtype ?? 'float32';
  const batch =
    c.emptyBatch === false
      ? int(1, L.maxBatch)
      : fc.oneof({ arbitrary: int(1, L.maxBatch), weight: 5 }, { arbitrary: fc.constant(0), weight: 1 });
  return fc.record({
    groups: int(1, maxG),
    cg: int(1, L.maxChannels),
    og: int(1, L.maxChannels),
    n: batch,
    batched:
      c.unbatched === false
        ? fc.constant(true)
        : fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
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
    compact: fc.boolean(),
    dtype: dtype === 'both' ? fc.constantFrom<DType>('float32', 'float64') : fc.constant(dtype),
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

/** `v` as a number when both axes agree and `compact` is on, else as a pair; left out when both are `dflt`. */
function pairOption(
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

function build(d: Draws, L: SizeLimits): ConvConfig {
  const cg = Math.min(d.cg, Math.floor(L.maxChannels / d.groups));
  const og = Math.min(d.og, Math.floor(L.maxChannels / d.groups));
  const [C, O] = [d.groups * cg, d.groups * og];
  const effH = effectiveKernel(d.kh, d.dh);
  const effW = effectiveKernel(d.kw, d.dw);
  const same = d.kind === 'same';
  const drawn = drawnPads(d.kind, d.pads);
  const H = minSize(effH, same ? null : drawn[0], d.mode) + d.extraH;
  const W = minSize(effW, same ? null : drawn[1], d.mode) + d.extraW;
  const pads: ConvConfig['pads'] = same
    ? [sameUpperPads(H, d.kh, d.sh, d.dh), sameUpperPads(W, d.kw, d.sw, d.dw)]
    : drawn;
  const N = d.batched ? d.n : 1;
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
    OH: axisOutput(H, d.kh, d.sh, d.dh, pads[0][0], pads[0][1]),
    OW: axisOutput(W, d.kw, d.sw, d.dw, pads[1][0], pads[1][1]),
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
  return drawsArbitrary(constraints).map((d) => build(d, L));
}
