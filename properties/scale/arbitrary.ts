/**
 * The scale-case arbitrary: each case pushes one or two blocked dimensions
 * to values next to block boundaries (the remainder classes of
 * `classes.ts`) and keeps the others small, as XNNPACK's testers set one
 * dimension per test. That keeps cases cheap (a 65-channel conv needs no
 * large image) while every dimension a kernel blocks gets its remainders.
 *
 * Families and what each pushes:
 * - `channels`: C/g and O/g up to `maxChannels`;
 * - `batch`: N up to `maxBatch`;
 * - `plane`: output planes past 1,024 and 4,096 positions and rows wider
 *   than 64, around the same classes (so the last tile is partial);
 * - `kernel`: kernels up to `maxKernel` wide and high;
 * - `reduction`: C/g·KH·KW up to `maxReduction` terms per output;
 * - `depthwise`: many groups of one channel;
 * - `mixed`: everything moderate at once.
 * The weight gradient's reduction N·OH·OW reaches thousands of terms in
 * `batch` and `plane`. Cases above the run's work cap are shrunk (largest
 * dimension first) to fit it.
 */
import fc from 'fast-check';
import type { DType, PaddingMode } from '../../src/index.js';
import type { DTypeChoice } from '../types.js';
import { blockSizes, largeClasses, remainderClasses } from './classes.js';
import type { ScaleLimits } from './limits.js';
import { normalise, workOf, type ScaleParams } from './params.js';

/** The sizes a family draws; the options come from `optionsArbitrary`. */
type Sizes = Pick<ScaleParams, 'family' | 'N' | 'C' | 'O' | 'groups' | 'OH' | 'OW' | 'KH' | 'KW'>;

type Options = Omit<ScaleParams, keyof Sizes | 'dtype'>;

const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max: Math.max(min, max) });

/** A value of the remainder-class table up to `max`, mostly from its upper end. */
function classOf(max: number, from = 1): fc.Arbitrary<number> {
  const all = remainderClasses(max, from);
  const large = largeClasses(max, Math.max(from, Math.min(8, max - 1)));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(large.length ? large : all)) },
    { weight: 1, arbitrary: fc.constantFrom(...all) },
    { weight: 1, arbitrary: int(from, max) },
  );
}

function sizes(family: string, draw: { [K in keyof Omit<Sizes, 'family'>]: fc.Arbitrary<number> }) {
  return fc.record(draw).map((s): Sizes => ({ family, ...s }));
}

/** Plane sizes next to tile boundaries: b − 1, b, b + 1 for blocks of 64 positions and more. */
function planeOf(max: number): fc.Arbitrary<number> {
  const targets = blockSizes(max + 1)
    .filter((b) => b >= 64)
    .flatMap((b) => [b - 1, b, b + 1])
    .filter((v) => v <= max);
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...targets) }, { weight: 1, arbitrary: int(64, max) });
}

function planeFamily(L: ScaleLimits): fc.Arbitrary<Sizes> {
  return fc
    .record({
      plane: planeOf(L.maxPlane),
      OW: fc.oneof(classOf(L.maxRow, 8), int(1, 64)),
      bump: int(0, 1),
      N: int(1, 2),
      C: int(1, 4),
      O: int(1, 4),
      K: int(1, 3),
    })
    .map(({ plane, OW, bump, N, C, O, K }) => {
      const W = Math.min(OW, plane);
      const OH = Math.max(1, Math.min(Math.floor(L.maxPlane / W), Math.floor(plane / W) + bump));
      return { family: 'plane', N, C, O, groups: 1, OH, OW: W, KH: K, KW: K };
    });
}

function reductionFamily(L: ScaleLimits): fc.Arbitrary<Sizes> {
  return fc.constantFrom(1, 2, 3, 5).chain((K) =>
    sizes('reduction', {
      N: int(1, 2),
      C: classOf(Math.max(1, Math.floor(L.maxReduction / (K * K))), 1),
      O: int(1, 3),
      groups: fc.constant(1),
      OH: int(1, 4),
      OW: int(1, 4),
      KH: fc.constant(K),
      KW: fc.constant(K),
    }),
  );
}

/** The families, with how often each is drawn. */
function families(L: ScaleLimits): fc.WeightedArbitrary<Sizes>[] {
  const small = (max: number) => int(1, max);
  const channels = sizes('channels', {
    N: small(3),
    C: classOf(L.maxChannels),
    O: classOf(L.maxChannels),
    groups: fc.constantFrom(1, 1, 1, 2, 3),
    OH: small(8),
    OW: small(8),
    KH: small(3),
    KW: small(3),
  });
  const batch = sizes('batch', {
    N: classOf(L.maxBatch),
    C: classOf(9),
    O: classOf(9),
    groups: fc.constant(1),
    OH: small(8),
    OW: small(8),
    KH: small(3),
    KW: small(3),
  });
  const kernel = sizes('kernel', {
    N: small(2),
    C: small(8),
    O: small(8),
    groups: fc.constant(1),
    OH: small(16),
    OW: small(16),
    KH: classOf(L.maxKernel),
    KW: classOf(L.maxKernel),
  });
  const depthwise = sizes('depthwise', {
    N: small(4),
    C: fc.constant(1),
    O: small(2),
    groups: classOf(L.maxChannels, 2),
    OH: small(24),
    OW: small(24),
    KH: fc.constantFrom(3, 5, 7),
    KW: fc.constantFrom(3, 5, 7),
  });
  const mixed = sizes('mixed', {
    N: classOf(Math.min(17, L.maxBatch)),
    C: classOf(Math.min(33, L.maxChannels)),
    O: classOf(Math.min(33, L.maxChannels)),
    groups: fc.constantFrom(1, 1, 2),
    OH: small(48),
    OW: small(48),
    KH: small(7),
    KW: small(7),
  });
  return [
    { weight: 3, arbitrary: channels },
    { weight: 2, arbitrary: batch },
    { weight: 3, arbitrary: planeFamily(L) },
    { weight: 2, arbitrary: kernel },
    { weight: 2, arbitrary: reductionFamily(L) },
    { weight: 1, arbitrary: depthwise },
    { weight: 2, arbitrary: mixed },
  ];
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
 * Scale cases within `limits`, of `dtype`, each of at most 2^`work`
 * multiply-adds. They do not shrink through fast-check: a failure is
 * shrunk by the threshold search (`threshold.ts`), which names the size
 * at which it starts.
 * @example fc.sample(scaleParams(SCALE_LIMITS.quick, 'both', 24), 3)
 */
export function scaleParams(limits: ScaleLimits, dtype: DTypeChoice, work: number): fc.Arbitrary<ScaleParams> {
  const dtypes: DType[] = dtype === 'both' ? ['float32', 'float64'] : [dtype];
  return fc.noShrink(
    fc
      .record({ sizes: fc.oneof(...families(limits)), options: optionsArbitrary(), dtype: fc.constantFrom(...dtypes) })
      .map(({ sizes: s, options, dtype: d }) => fitWork({ ...s, ...options, dtype: d }, 2 ** work)),
  );
}
