/**
 * Declared support, applied: how `Supports` narrows what the arbitraries
 * draw (so a case outside it is never drawn), whether one call lies inside
 * it (every call a property derives from a drawn case is checked before it
 * reaches the implementation: one outside is not applicable, never made),
 * and the merge of a module's declaration with the caller's overrides.
 */
import type { Conv2dOptions, ConvTranspose2dOptions, DType, PaddingMode, Tensor } from '../src/index.js';
import {
  PADDING_KINDS,
  PADDING_MODES,
  type ConvConfigConstraints,
  type PaddingKind,
} from './arbitraries/convConfig.js';
import { dataShapeNCHW, filterShapeOIHW } from './spec/layout.js';
import type { PaddingForm, Supports } from './support.js';
import type { TransposeCaseConstraints } from './transpose.js';
import type { DTypeChoice } from './types.js';

/**
 * The dtype choice left once the declared dtypes are applied, or null when none is left.
 * @example supportedDtype('both', { dtypes: ['float32'] }) // 'float32'
 */
export function supportedDtype(choice: DTypeChoice, s: Supports): DTypeChoice | null {
  const wanted: DType[] = choice === 'both' ? ['float32', 'float64'] : [choice];
  const left = wanted.filter((d) => !s.dtypes || s.dtypes.includes(d));
  if (left.length === 0) return null;
  return left.length === 2 ? 'both' : left[0];
}

/** The padding kinds the declared forms allow (leaving the option out is always expressible). */
function kindsOf(s: Supports): readonly PaddingKind[] {
  const forms = s.padding;
  return forms ? PADDING_KINDS.filter((k) => k === 'omitted' || forms.includes(k as PaddingForm)) : PADDING_KINDS;
}

function intersect<T>(a: readonly T[] | undefined, b: readonly T[]): readonly T[] {
  return a ? a.filter((x) => b.includes(x)) : b;
}

function minOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** The result of narrowing a property's constraints by the declared support. */
export type Narrowed<C> =
  | { readonly ok: true; readonly constraints: C }
  | { readonly ok: false; readonly reason: string };

/**
 * A property's configuration constraints (already holding the profile's
 * limits) narrowed by the declared support; not ok when nothing is left to
 * draw (the property then does not run, and says why).
 * @example narrowConfig({ paddings: ['same'] }, { padding: ['valid'] }) // { ok: false, reason: … }
 */
export function narrowConfig(c: ConvConfigConstraints, s: Supports): Narrowed<ConvConfigConstraints> {
  const dtype = supportedDtype(c.dtype ?? 'float32', s);
  if (dtype === null) return { ok: false, reason: `it needs dtype ${c.dtype}, outside the declared dtypes` };
  const paddings = intersect(c.paddings, kindsOf(s));
  if (paddings.length === 0)
    return { ok: false, reason: `it needs padding ${c.paddings?.join(' or ')}, outside the declared forms` };
  const paddingModes = intersect(c.paddingModes, s.paddingModes ?? PADDING_MODES);
  if (paddingModes.length === 0)
    return { ok: false, reason: `it needs padding mode ${c.paddingModes?.join(' or ')}, outside the declared modes` };
  if (s.bias === false && c.bias === 'always') return { ok: false, reason: 'it needs a bias, declared unsupported' };
  const capC = s.maxChannels;
  const narrowed: ConvConfigConstraints = {
    ...c,
    dtype,
    paddings,
    paddingModes,
    ...(s.bias === false ? { bias: 'never' as const } : {}),
    ...(s.unbatched === false ? { unbatched: false } : {}),
    ...(s.emptyBatch === false ? { emptyBatch: false } : {}),
    ...(s.dilation === false ? { maxDilation: 1 } : {}),
    ...(s.stride === 'none' ? { maxStride: 1 } : {}),
    ...(s.stride === 'equal' ? { equalStride: true } : {}),
    ...(s.groups === 'none' ? { maxGroups: 1 } : {}),
    ...(s.groups === 'depthwise' ? { depthwise: true } : {}),
    ...(capC !== undefined ? { maxChannels: minOf(c.maxChannels, capC), maxGroups: minOf(c.maxGroups, capC) } : {}),
    ...(s.maxBatch !== undefined ? { maxBatch: minOf(c.maxBatch, s.maxBatch) } : {}),
    ...(s.maxKernel !== undefined ? { maxKernel: minOf(c.maxKernel, s.maxKernel) } : {}),
    caps: { channels: capC, batch: s.maxBatch, kernel: s.maxKernel, spatial: s.maxSpatial },
  };
  return { ok: true, constraints: narrowed };
}

/** Which padding form an option is written in (`undefined` when left out). */
/** The form a padding option is written in; a left-out padding is no padding, i.e. `'valid'`. */
function formOf(p: Conv2dOptions['padding'] | ConvTranspose2dOptions['padding']): PaddingForm {
  if (p === undefined) return 'valid';
  if (typeof p === 'string') return p;
  if (typeof p === 'number') return 'number';
  return typeof p[0] === 'number' ? 'pair' : 'explicit';
}

function pairValues(v: number | readonly [number, number] | undefined): readonly [number, number] {
  if (v === undefined) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

/** Why one call's input, weight and options lie outside the declared support, or null. */
function outside(
  s: Supports,
  input: Tensor,
  weight: Tensor,
  o: Conv2dOptions | ConvTranspose2dOptions,
  transposed: boolean,
): string | null {
  const dtype: DType = input.data instanceof Float64Array ? 'float64' : 'float32';
  if (s.dtypes && !s.dtypes.includes(dtype)) return `dtype ${dtype}`;
  const dataFormat = o.dataFormat ?? 'NCHW';
  if (s.dataFormats && !s.dataFormats.includes(dataFormat)) return `dataFormat ${dataFormat}`;
  const filterFormat = o.filterFormat ?? 'OIHW';
  if (s.filterFormats && !s.filterFormats.includes(filterFormat)) return `filterFormat ${filterFormat}`;
  // The checks below read the shapes in NCHW/OIHW order.
  input = { ...input, shape: dataShapeNCHW(input.shape, dataFormat) };
  weight = { ...weight, shape: filterShapeOIHW(weight.shape, filterFormat) };
  const mode: PaddingMode = ('paddingMode' in o && o.paddingMode) || 'zeros';
  if (s.paddingModes && !s.paddingModes.includes(mode)) return `padding mode ${mode}`;
  const form = formOf(o.padding);
  if (s.padding && !s.padding.includes(form))
    return o.padding === undefined ? 'padding left out (valid)' : `padding written as ${form}`;
  const [sh, sw] = pairValues(o.stride);
  if (s.stride === 'none' && (sh !== 1 || sw !== 1)) return `stride ${sh}×${sw}`;
  if (s.stride === 'equal' && sh !== sw) return `unequal strides ${sh}×${sw}`;
  const [dh, dw] = pairValues(o.dilation);
  if (s.dilation === false && (dh !== 1 || dw !== 1)) return `dilation ${dh}×${dw}`;
  const groups = o.groups ?? 1;
  const C = input.shape[input.shape.length - 3];
  if (s.groups === 'none' && groups !== 1) return `groups ${groups}`;
  if (s.groups === 'depthwise' && groups !== 1 && groups !== C) return `groups ${groups} with ${C} channels`;
  if (s.unbatched === false && input.shape.length === 3) return 'an unbatched input';
  if (s.emptyBatch === false && input.shape.length === 4 && input.shape[0] === 0) return 'an empty batch';
  if (s.bias === false && o.bias) return 'a bias';
  if (transposed && s.outputPadding === false && pairValues((o as ConvTranspose2dOptions).outputPadding).some((v) => v))
    return 'output padding';
  if (transposed && s.outputSize === false && (o as ConvTranspose2dOptions).outputSize !== undefined)
    return 'an output size';
  return outsideCaps(s, input, weight, transposed ? weight.shape[1] * groups : weight.shape[0]);
}

function outsideCaps(s: Supports, input: Tensor, weight: Tensor, O: number): string | null {
  const [N, C, H, W] = input.shape.length === 4 ? input.shape : [1, ...input.shape];
  if (s.maxChannels !== undefined && Math.max(C, O) > s.maxChannels) return `${Math.max(C, O)} channels`;
  if (s.maxBatch !== undefined && N > s.maxBatch) return `a batch of ${N}`;
  if (s.maxKernel !== undefined && Math.max(weight.shape[2], weight.shape[3]) > s.maxKernel)
    return `a ${weight.shape[2]}×${weight.shape[3]} kernel`;
  if (s.maxSpatial !== undefined && Math.max(H, W) > s.maxSpatial) return `a ${H}×${W} input`;
  return null;
}

/**
 * Why a conv2d call lies outside the declared support, or null when inside.
 * @example outsideSupport({ dilation: false }, x, w, { dilation: 2 }) // 'dilation 2×2'
 */
export function outsideSupport(s: Supports, input: Tensor, weight: Tensor, options: Conv2dOptions = {}): string | null {
  return outside(s, input, weight, options, false);
}

/**
 * Why a convTranspose2d call lies outside the declared support, or null.
 * @example outsideTransposeSupport({ outputPadding: false }, x, w, { outputPadding: 1 }) // 'output padding'
 */
export function outsideTransposeSupport(
  s: Supports,
  input: Tensor,
  weight: Tensor,
  options: ConvTranspose2dOptions = {},
): string | null {
  return outside(s, input, weight, options, true);
}

/**
 * A transposed property's constraints narrowed by the declared support (its
 * padding forms, and whether `outputPadding` and `outputSize` are drawn).
 * @example narrowTranspose({ dtype: 'both' }, { outputPadding: false }) // { ok: true, constraints: { …, outputPadding: false } }
 */
export function narrowTranspose(c: TransposeCaseConstraints, s: Supports): Narrowed<TransposeCaseConstraints> {
  const dtype = supportedDtype(c.dtype ?? 'float32', s);
  if (dtype === null) return { ok: false, reason: `it needs dtype ${c.dtype}, outside the declared dtypes` };
  if (s.bias === false && c.bias === 'always') return { ok: false, reason: 'it needs a bias, declared unsupported' };
  const all = ['number', 'pair', 'explicit', 'valid', 'same', 'same-upper', 'same-lower'] as const;
  const forms = all.filter((f) => (!s.padding || s.padding.includes(f)) && (!c.paddings || c.paddings.includes(f)));
  const narrowed: TransposeCaseConstraints = {
    ...c,
    dtype,
    paddings: forms,
    ...(s.bias === false ? { bias: 'never' as const } : {}),
    ...(s.unbatched === false ? { unbatched: false } : {}),
    ...(s.emptyBatch === false ? { emptyBatch: false } : {}),
    ...(s.outputPadding === false ? { outputPadding: false } : {}),
    ...(s.outputSize === false ? { outputSize: false } : {}),
    ...(s.dilation === false ? { maxDilation: 1 } : {}),
    ...(s.stride === 'none' ? { maxStride: 1 } : {}),
    ...(s.stride === 'equal' ? { equalStride: true } : {}),
    ...(s.groups === 'none' ? { maxGroups: 1 } : {}),
    ...(s.groups === 'depthwise' ? { depthwise: true } : {}),
    ...(s.maxChannels !== undefined
      ? { maxChannels: minOf(c.maxChannels, s.maxChannels), maxGroups: minOf(c.maxGroups, s.maxChannels) }
      : {}),
    ...(s.maxBatch !== undefined ? { maxBatch: minOf(c.maxBatch, s.maxBatch) } : {}),
    ...(s.maxKernel !== undefined ? { maxKernel: minOf(c.maxKernel, s.maxKernel) } : {}),
    ...(s.maxSpatial !== undefined ? { maxExtra: minOf(c.maxExtra, Math.max(0, s.maxSpatial - 1)) } : {}),
  };
  return { ok: true, constraints: narrowed };
}
