/**
 * A catalog of real layers, as fixed scale cases: the shapes that real
 * networks send through a conv, with their channel counts, kernels and
 * strides as published. Only the spatial size (then the batch) is scaled
 * down, and only when a layer would not fit the run's work cap; the report
 * says which were.
 */
import { MINIMAL_PARAMS, workOf, type ScaleParams } from './params.js';

/** One real layer. */
export interface CatalogLayer {
  /** e.g. 'ResNet-18 conv2_x 3×3'. */
  readonly name: string;
  /** `conv` layers run conv2d and its gradients; `transposed` ones convTranspose2d. */
  readonly kind: 'conv' | 'transposed';
  /**
   * The layer as a scale case (for a transposed layer, the conv it is the
   * adjoint of: its input is that conv's output).
   */
  readonly params: ScaleParams;
}

interface Shape {
  readonly N?: number;
  readonly C: number;
  readonly O: number;
  readonly groups?: number;
  /** Output size (square). */
  readonly out: number;
  readonly k: number;
  readonly stride?: number;
  readonly pad?: number;
  /** Input rows the last stride step leaves unread. */
  readonly extra?: number;
}

function layer(name: string, kind: CatalogLayer['kind'], s: Shape, seed: number): CatalogLayer {
  const g = s.groups ?? 1;
  const params: ScaleParams = {
    ...MINIMAL_PARAMS,
    family: name,
    N: s.N ?? 1,
    C: s.C / g,
    O: s.O / g,
    groups: g,
    OH: s.out,
    OW: s.out,
    KH: s.k,
    KW: s.k,
    sh: s.stride ?? 1,
    sw: s.stride ?? 1,
    padding: s.pad ? 'explicit' : 'valid',
    pad: s.pad ?? 0,
    extraH: s.extra ?? 0,
    extraW: s.extra ?? 0,
    bias: true,
    values: 'signed',
    seed,
  };
  return { name, kind, params };
}

/**
 * The layers: LeNet-5, the first layers of AlexNet, VGG-16 and ResNet,
 * ResNet-18/50 3×3, 1×1 and stride-2 layers, MobileNetV2's depthwise and
 * pointwise pair, U-Net's and DCGAN's transposed up-convolutions. For a
 * transposed layer `C → O` below reads "the conv from the up-sampled side":
 * U-Net's 128 → 64 up-conv from 28×28 to 56×56 is the adjoint of a conv
 * from 64 channels at 56×56 to 128 at 28×28.
 * @example CATALOG.map((l) => l.name)
 */
export const CATALOG: readonly CatalogLayer[] = [
  layer('LeNet-5 C1 5×5, 1→6, 32×32', 'conv', { N: 8, C: 1, O: 6, out: 28, k: 5 }, 1),
  layer('LeNet-5 C3 5×5, 6→16, 14×14', 'conv', { N: 8, C: 6, O: 16, out: 10, k: 5 }, 2),
  layer(
    'AlexNet conv1 11×11 stride 4, 3→64, 224×224',
    'conv',
    { C: 3, O: 64, out: 55, k: 11, stride: 4, pad: 2, extra: 1 },
    3,
  ),
  layer('VGG-16 conv1_1 3×3, 3→64, 224×224', 'conv', { C: 3, O: 64, out: 224, k: 3, pad: 1 }, 4),
  layer(
    'ResNet-18 conv1 7×7 stride 2, 3→64, 224×224',
    'conv',
    { C: 3, O: 64, out: 112, k: 7, stride: 2, pad: 3, extra: 1 },
    5,
  ),
  layer('ResNet-18 conv2_x 3×3, 64→64, 56×56', 'conv', { C: 64, O: 64, out: 56, k: 3, pad: 1 }, 6),
  layer(
    'ResNet-18 conv3_1 3×3 stride 2, 64→128, 56×56',
    'conv',
    { C: 64, O: 128, out: 28, k: 3, stride: 2, pad: 1, extra: 1 },
    7,
  ),
  layer(
    'ResNet-18 downsample 1×1 stride 2, 64→128, 56×56',
    'conv',
    { C: 64, O: 128, out: 28, k: 1, stride: 2, extra: 1 },
    8,
  ),
  layer('ResNet-50 conv2_x 1×1, 256→64, 56×56', 'conv', { C: 256, O: 64, out: 56, k: 1 }, 9),
  layer('ResNet-50 conv4_x 3×3, 256→256, 14×14', 'conv', { C: 256, O: 256, out: 14, k: 3, pad: 1 }, 10),
  layer('ResNet-50 conv5_x 1×1, 512→2048, 7×7', 'conv', { C: 512, O: 2048, out: 7, k: 1 }, 11),
  layer(
    'MobileNetV2 depthwise 3×3 stride 2, 144 channels, 56×56',
    'conv',
    { C: 144, O: 144, groups: 144, out: 28, k: 3, stride: 2, pad: 1, extra: 1 },
    12,
  ),
  layer('MobileNetV2 pointwise 1×1, 144→24, 28×28', 'conv', { C: 144, O: 24, out: 28, k: 1 }, 13),
  layer('MobileNetV2 expansion 1×1, 24→144, 56×56', 'conv', { C: 24, O: 144, out: 56, k: 1 }, 14),
  layer(
    'U-Net up-conv 2×2 stride 2, 128→64, 28×28 → 56×56',
    'transposed',
    { C: 64, O: 128, out: 28, k: 2, stride: 2 },
    15,
  ),
  layer(
    'DCGAN generator 4×4 stride 2, 128→64, 16×16 → 32×32',
    'transposed',
    { N: 4, C: 64, O: 128, out: 16, k: 4, stride: 2, pad: 1 },
    16,
  ),
  layer(
    'DCGAN generator output 4×4 stride 2, 64→3, 32×32 → 64×64',
    'transposed',
    { N: 4, C: 3, O: 64, out: 32, k: 4, stride: 2, pad: 1 },
    17,
  ),
];

/** A layer scaled to fit a work cap, and what was scaled (null when nothing was). */
export interface ScaledLayer {
  readonly params: ScaleParams;
  readonly scaled: string | null;
}

/**
 * The layer at most `cap` multiply-adds: its output plane shrinks first
 * (by the square root of what is too much), then its batch, then both
 * channel counts; channel counts, kernel and stride stay as published
 * unless nothing else is left.
 * @example scaleLayer(CATALOG[5], 2 ** 24).scaled // '56×56 → 21×21 outputs'
 */
export function scaleLayer(l: CatalogLayer, cap: number): ScaledLayer {
  let p = l.params;
  if (workOf(p) <= cap) return { params: p, scaled: null };
  const side = Math.max(1, Math.floor(p.OH * Math.sqrt(cap / workOf(p))));
  p = { ...p, OH: side, OW: side };
  while (workOf(p) > cap && p.N > 1) p = { ...p, N: Math.ceil(p.N / 2) };
  while (workOf(p) > cap && (p.C > 1 || p.O > 1)) p = { ...p, C: Math.ceil(p.C / 2), O: Math.ceil(p.O / 2) };
  const o = l.params;
  const parts = [`${o.OH}×${o.OW} → ${p.OH}×${p.OW} outputs`];
  if (p.N !== o.N) parts.push(`batch ${o.N} → ${p.N}`);
  if (p.C !== o.C) parts.push(`channels ${o.C * o.groups}→${o.O * o.groups} → ${p.C * p.groups}→${p.O * p.groups}`);
  return { params: p, scaled: parts.join(', ') };
}
