/**
 * The scale-case arbitrary: each case pushes two to four blocked
 * dimensions, drawn at random, to values next to block boundaries (the
 * remainder classes of `classes.ts`) and keeps the others small, as
 * XNNPACK's testers set the dimensions of a test from one table. A 65-channel
 * conv needs no large image, so pushing a few dimensions at once stays
 * cheap while every dimension a kernel blocks gets its remainders often.
 *
 * The pushes and what each sets:
 * - `channels`: C/g up to `maxChannels`; `outputs`: O/g up to `maxChannels`;
 * - `batch`: N up to `maxBatch`;
 * - `plane`: output planes past 1,024 and 4,096 positions (so the last tile
 *   is partial) and rows up to `maxRow` (wider than 64);
 * - `kernel`: kernels up to `maxKernel` wide and high;
 * - `reduction`: C/g·KH·KW up to `maxReduction` terms per output;
 * - `depthwise`: many groups of one channel.
 * The weight gradient's reduction N·OH·OW reaches thousands of terms when
 * `batch` and `plane` meet. A push that would take the case over the run's
 * work cap is left out; `family` lists the pushes a case got.
 */
import fc from 'fast-check';
import type { DType, PaddingMode } from '../../src/index.js';
import type { DTypeChoice } from '../types.js';
import { blockSizes, largeClasses, remainderClasses } from './classes.js';
import type { ScaleLimits } from './limits.js';
import { MINIMAL_PARAMS, normalise, workOf, type ScaleParams } from './params.js';

/** The sizes a case is built from; the options come from `optionsArbitrary`. */
type Sizes = Pick<ScaleParams, 'family' | 'N' | 'C' | 'O' | 'groups' | 'OH' | 'OW' | 'KH' | 'KW'>;

type Options = Omit<ScaleParams, keyof Sizes | 'dtype'>;

const PUSHES = ['channels', 'outputs', 'batch', 'plane', 'kernel', 'reduction', 'depthwise'] as const;

type Push = (typeof PUSHES)[number];

/** The values a push would set, drawn whether or not the push is chosen (the case stays a plain record). */
interface PushValues {
  readonly C: number;
  readonly O: number;
  readonly N: number;
  readonly plane: number;
  readonly row: number;
  readonly KH: number;
  readonly KW: number;
  readonly reduction: number;
  readonly depthwise: number;
}

const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max: Math.max(min, max) });

/**
 * A value of the remainder-class table up to `max`: mostly from its upper
 * half (so a threshold anywhere below `max` is often passed), sometimes
 * from all of it, sometimes any integer.
 */
function classOf(max: number, from = 1): fc.Arbitrary<number> {
  const all = remainderClasses(max, from);
  const upper = largeClasses(max, Math.max(from, Math.floor(max / 2)));
  const large = largeClasses(max, Math.max(from, Math.min(8, max - 1)));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...(upper.length ? upper : all)) },
    { weight: 2, arbitrary: fc.constantFrom(...(large.length ? large : all)) },
    { weight: 1, arbitrary: fc.constantFrom(...all) },
    { weight: 1, arbitrary: int(from, max) },
  );
}

/** Plane sizes next to tile boundaries: b − 1, b, b + 1 for tiles of 64 positions and more. */
function planeOf(max: number): fc.Arbitrary<number> {
  const targets = blockSizes(max + 1)
    .filter((b) => b >= 64)
    .flatMap((b) => [b - 1, b, b + 1])
    .filter((v) => v <= max);
  const upper = targets.filter((v) => v > max / 3);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...(upper.length ? upper : targets)) },
    { weight: 2, arbitrary: fc.constantFrom(...targets) },
    { weight: 1, arbitrary: int(64, max) },
  );
}

function pushValues(L: ScaleLimits): fc.Arbitrary<PushValues> {
  return fc.record({
    C: classOf(L.maxChannels),
    O: classOf(L.maxChannels),
    N: classOf(L.maxBatch),
    plane: planeOf(L.maxPlane),
    row: classOf(L.maxRow),
    KH: classOf(L.maxKernel),
    KW: classOf(L.maxKernel),
    reduction: classOf(L.maxReduction, 64),
    depthwise: classOf(L.maxChannels, 2),
  });
}

/** The small sizes every dimension has unless a push sets it. */
function smallSizes(): fc.Arbitrary<Omit<Sizes, 'family'>> {
  return fc.record({
    N: int(1, 2),
    C: int(1, 4),
    O: int(1, 4),
    groups: fc.constantFrom(1, 1, 1, 2, 3),
    OH: int(1, 6),
    OW: int(1, 6),
    KH: int(1, 3),
    KW: int(1, 3),
  });
}

/** The sizes after one push. */
function pushed(s: Sizes, push: Push, v: PushValues): Sizes {
  switch (push) {
    case 'channels':
      return { ...s, C: v.C };
    case 'outputs':
      return { ...s, O: v.O };
    case 'batch':
      return { ...s, N: v.N };
    case 'kernel':
      return { ...s, KH: v.KH, KW: v.KW };
    case 'reduction':
      return { ...s, C: Math.max(1, Math.round(v.reduction / (s.KH * s.KW))), groups: 1 };
    case 'depthwise':
      return { ...s, C: 1, groups: v.depthwise };
    case 'plane': {
      const OW = Math.min(v.row, v.plane);
      return { ...s, OW, OH: Math.max(1, Math.round(v.plane / OW)) };
    }
  }
}

/** Applies the pushes in order, leaving out those that would pass the work cap. */
function assemble(small: Omit<Sizes, 'family'>, pushes: readonly Push[], v: PushValues, cap: number): Sizes {
  let s: Sizes = { ...small, family: '' };
  const applied: Push[] = [];
  for (const push of pushes) {
    const next = pushed(s, push, v);
    if (workOf({ ...MINIMAL_PARAMS, ...next }) > cap) continue;
    s = next;
    applied.push(push);
  }
  return { ...s, family: applied.join('+') || 'small' };
}

/** Strides, dilations, padding, mode, bias and values: mostly plain, each option sometimes. */
function optionsArbitrary(): fc.Arbitrary<Options> {
  return fc.record({
    sh: fc.constantFrom(1, 1, 1, 2, 3),
    sw: fc.constantFrom(1, 1, 1, 2, 3),
    dh: fc.constantFrom(1, 1, 1, 2),
    dw: fc.constantFrom(1, 1, 1, 2),
    padding: fc.constantFrom<ScaleParams['padding']>('valid', 'same', 'explicit'),
    pad: int(1, 3),
    extraH: int(0, 2),
    extraW: int(0, 2),
    mode: fc.constantFrom<PaddingMode>('zeros', 'zeros', 'zeros', 'zeros', 'zeros', 'reflect', 'replicate', 'circular'),
    bias: fc.boolean(),
    values: fc.constantFrom<ScaleParams['values']>('positive', 'positive', 'signed'),
    seed: fc.nat(),
  });
}

/**
 * Shrinks a case to at most `cap` multiply-adds, halving its largest
 * spatial, batch or channel size first (kernels and strides stay).
 * @example fitWork({ ...MINIMAL_PARAMS, N: 64, C: 64 }, 2 ** 10).N // 16
 */
export function fitWork(p: ScaleParams, cap: number): ScaleParams {
  let q = normalise(p);
  const keys = ['OH', 'OW', 'N', 'O', 'C', 'groups'] as const;
  while (workOf(q) > cap) {
    const k = keys.reduce((a, b) => (q[b] > q[a] ? b : a));
    if (q[k] <= 1) break;
    q = normalise({ ...q, [k]: Math.ceil(q[k] / 2) });
  }
  return q;
}

/**
 * What the arbitrary draws for one case: the small sizes, the pushes in
 * their order, the values each push would set, the options and the dtype.
 * The case itself is made from it once the run's work cap is known
 * (`scaleCase`): the cap is measured while the run goes, and a replay pins it.
 */
export interface ScaleDraw {
  readonly small: Omit<Sizes, 'family'>;
  readonly pushes: readonly Push[];
  readonly values: PushValues;
  readonly options: Options;
  readonly dtype: DType;
}

/**
 * Draws of scale cases within `limits`, of `dtype`. They do not shrink
 * through fast-check: a failure is shrunk by the threshold search
 * (`threshold.ts`), which names the size at which it starts.
 * @example fc.sample(scaleDraws(SCALE_LIMITS.quick, 'both'), 3).map((d) => scaleCase(d, 2 ** 22))
 */
export function scaleDraws(limits: ScaleLimits, dtype: DTypeChoice): fc.Arbitrary<ScaleDraw> {
  const dtypes: DType[] = dtype === 'both' ? ['float32', 'float64'] : [dtype];
  const draws = fc.record({
    small: smallSizes(),
    pushes: fc.shuffledSubarray([...PUSHES], { minLength: 2, maxLength: 4 }),
    values: pushValues(limits),
    options: optionsArbitrary(),
    dtype: fc.constantFrom(...dtypes),
  });
  return fc.noShrink(draws);
}

/**
 * The case of a draw at most `cap` multiply-adds: the pushes that fit are
 * applied in order, then the largest sizes are halved until it fits.
 * @example scaleCase(fc.sample(scaleDraws(SCALE_LIMITS.quick, 'float32'), 1)[0], 2 ** 20)
 */
export function scaleCase(d: ScaleDraw, cap: number): ScaleParams {
  return fitWork({ ...assemble(d.small, d.pushes, d.values, cap), ...d.options, dtype: d.dtype }, cap);
}

/**
 * Scale cases within `limits`, of `dtype`, each of at most 2^`work` multiply-adds.
 * @example fc.sample(scaleParams(SCALE_LIMITS.quick, 'both', 22), 3)
 */
export function scaleParams(limits: ScaleLimits, dtype: DTypeChoice, work: number): fc.Arbitrary<ScaleParams> {
  return scaleDraws(limits, dtype).map((d) => scaleCase(d, 2 ** work));
}
