/**
 * A scale case as a handful of numbers (`ScaleParams`), and the tensors it
 * stands for. The numbers are what the arbitrary draws, what a failure
 * prints and what the threshold search shrinks; the data come from a
 * seeded generator (drawing 10^5 values through fast-check would take
 * longer than the conv).
 *
 * Sizes are given from the output side (OH, OW) and the input is built as
 * offsets from it, so every case is valid: `H = (OH−1)·sh + d·(KH−1) + 1 −
 * 2·pad + extra` (with `extra` < sh rows the last stride step leaves
 * unread), and `resolveConv` confirms the output size.
 */
import type { ConvTranspose2dOptions, DType, PaddingMode, Tensor } from '../../src/index.js';
import { seededRandom } from '../../src/random.js';
import {
  effectiveKernel,
  resolveConv,
  resolveTranspose,
  restoringTransposeOptions,
  type ResolvedConv,
  type ResolvedTranspose,
  type SameConvention,
} from '../spec/index.js';
import { fromFunction } from '../tensors.js';
import type { ConvCase, TransposeCase } from '../types.js';

/** Which routine a scale check calls. */
export type ScaleOp = 'forward' | 'backward' | 'transpose';

/**
 * One scale case. Channel counts are per group; `groups` copies of them
 * make C and O. For the transposed conv the same numbers describe the conv
 * it is the adjoint of: its input is that conv's output `[N, g·O, OH, OW]`
 * and its output that conv's input `[N, g·C, H, W]`.
 * @example const p: ScaleParams = { ...MINIMAL_PARAMS, C: 17, O: 33 }; workOf(p) // 561
 */
export interface ScaleParams {
  /** Which dimensions the case pushes: `channels`, `batch`, `plane`, `kernel`, `reduction`, `depthwise`, `mixed`, or a catalog layer. */
  readonly family: string;
  readonly N: number;
  /** Input channels per group (C/g). */
  readonly C: number;
  /** Output channels per group (O/g). */
  readonly O: number;
  readonly groups: number;
  /** The conv's output size. */
  readonly OH: number;
  readonly OW: number;
  readonly KH: number;
  readonly KW: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  /** `'explicit'` pads `pad` on every side. */
  readonly padding: 'valid' | 'same' | 'explicit';
  readonly pad: number;
  /** Input rows (columns) past the last window, fewer than the stride. */
  readonly extraH: number;
  readonly extraW: number;
  readonly mode: PaddingMode;
  readonly bias: boolean;
  readonly dtype: DType;
  /** `'positive'`: values in [1/2, 1] (no cancellation: a missing term shows in full); `'signed'`: in [−1, 1]. */
  readonly values: 'positive' | 'signed';
  readonly seed: number;
}

/**
 * The smallest case: every size 1, no options.
 * @example { ...MINIMAL_PARAMS, C: 9 } // a 1×1 conv of 9 channels
 */
export const MINIMAL_PARAMS: ScaleParams = {
  family: 'minimal',
  N: 1,
  C: 1,
  O: 1,
  groups: 1,
  OH: 1,
  OW: 1,
  KH: 1,
  KW: 1,
  sh: 1,
  sw: 1,
  dh: 1,
  dw: 1,
  padding: 'valid',
  pad: 0,
  extraH: 0,
  extraW: 0,
  mode: 'zeros',
  bias: false,
  dtype: 'float32',
  values: 'positive',
  seed: 1,
};

/**
 * Multiply-adds of the conv a case stands for: `N·g·O·OH·OW·C·KH·KW`
 * (the same count for its gradients and its transposed conv).
 * @example workOf({ ...MINIMAL_PARAMS, N: 2, C: 3, O: 4 }) // 24
 */
export function workOf(p: ScaleParams): number {
  return p.N * p.groups * p.O * p.OH * p.OW * p.C * p.KH * p.KW;
}

/** Input size along one axis for output `out` (the offsets construction). */
function inputSize(p: ScaleParams, out: number, k: number, s: number, d: number, extra: number, pad: number): number {
  if (p.padding === 'same') return (out - 1) * s + 1 + extra;
  return (out - 1) * s + effectiveKernel(k, d) - 2 * pad + extra;
}

/**
 * The case made valid: sizes ≥ 1, `extra` below the stride, the pad at
 * most the dilated kernel minus one and small enough to leave an input row,
 * and a padding mode whose pads fit the input (else zeros). Idempotent.
 * @example normalise({ ...MINIMAL_PARAMS, extraH: 5 }).extraH // 0: stride 1 leaves no row unread
 */
export function normalise(p: ScaleParams): ScaleParams {
  const pos = (v: number) => Math.max(1, Math.floor(v));
  const q = {
    ...p,
    N: pos(p.N),
    C: pos(p.C),
    O: pos(p.O),
    groups: pos(p.groups),
    OH: pos(p.OH),
    OW: pos(p.OW),
    KH: pos(p.KH),
    KW: pos(p.KW),
    sh: pos(p.sh),
    sw: pos(p.sw),
    dh: pos(p.dh),
    dw: pos(p.dw),
  };
  const extraH = Math.min(Math.max(0, p.extraH), q.sh - 1);
  const extraW = Math.min(Math.max(0, p.extraW), q.sw - 1);
  let pad =
    q.padding === 'explicit'
      ? Math.max(0, Math.min(p.pad, effectiveKernel(q.KH, q.dh) - 1, effectiveKernel(q.KW, q.dw) - 1))
      : 0;
  const sizes = (t: number) => [
    inputSize(q, q.OH, q.KH, q.sh, q.dh, extraH, t),
    inputSize(q, q.OW, q.KW, q.sw, q.dw, extraW, t),
  ];
  while (pad > 0 && Math.min(...sizes(pad)) <= pad) pad--;
  const padding = q.padding === 'explicit' && pad === 0 ? 'valid' : q.padding;
  const r = resolveConv([1, 1, ...sizes(pad)], [1, 1, q.KH, q.KW], optionsOf({ ...q, padding, pad }));
  const widest = Math.max(r.top, r.bottom, r.left, r.right);
  const fits =
    q.mode === 'zeros' || (q.mode === 'circular' ? widest <= Math.min(r.H, r.W) : widest < Math.min(r.H, r.W));
  return { ...q, padding, pad, extraH, extraW, mode: fits ? q.mode : 'zeros' };
}

/** The conv2d options of a case (without bias), leaving out every option at its default. */
function optionsOf(p: ScaleParams): ConvCase['options'] {
  return {
    ...(p.sh !== 1 || p.sw !== 1 ? { stride: [p.sh, p.sw] as [number, number] } : {}),
    ...(p.dh !== 1 || p.dw !== 1 ? { dilation: [p.dh, p.dw] as [number, number] } : {}),
    ...(p.padding === 'same' ? { padding: 'same' as const } : p.padding === 'explicit' ? { padding: p.pad } : {}),
    ...(p.groups !== 1 ? { groups: p.groups } : {}),
    ...(p.mode !== 'zeros' ? { paddingMode: p.mode } : {}),
  };
}

/**
 * A tensor filled from `seed`, on a grid of 1/256 (exact in float32):
 * `positive` in [1/2, 1] (every product at least 1/4, so one missing or
 * misread term moves a sum by a visible amount), `signed` in [−1, 1].
 */
function filled(p: ScaleParams, shape: readonly number[], salt: number): Tensor {
  const rand = seededRandom((p.seed ^ Math.imul(salt, 0x9e3779b1)) >>> 0);
  const value =
    p.values === 'positive'
      ? () => (128 + Math.floor(rand() * 129)) / 256
      : () => (Math.floor(rand() * 513) - 256) / 256;
  return fromFunction(p.dtype, shape, value);
}

/** A conv2d case with what the spec resolves it to. */
export interface BuiltConv {
  readonly c: ConvCase;
  readonly r: ResolvedConv;
}

/**
 * The conv2d case of `p` (normalised first): input `[N, g·C, H, W]`,
 * weight `[g·O, C, KH, KW]`, bias `[g·O]` when asked.
 * @example convOf({ ...MINIMAL_PARAMS, C: 3, OH: 4, OW: 4, KH: 3, KW: 3 }).c.input.shape // [1, 3, 6, 6]
 */
export function convOf(params: ScaleParams, same: SameConvention = 'upper'): BuiltConv {
  const p = normalise(params);
  const H = inputSize(p, p.OH, p.KH, p.sh, p.dh, p.extraH, p.pad);
  const W = inputSize(p, p.OW, p.KW, p.sw, p.dw, p.extraW, p.pad);
  const input = filled(p, [p.N, p.groups * p.C, H, W], 1);
  const weight = filled(p, [p.groups * p.O, p.C, p.KH, p.KW], 2);
  const options = p.bias ? { ...optionsOf(p), bias: filled(p, [p.groups * p.O], 3) } : optionsOf(p);
  const r = resolveConv(input.shape, weight.shape, options, same);
  if (r.OH !== p.OH || r.OW !== p.OW) {
    throw new Error(`scale case: built ${r.OH}×${r.OW} for an output of ${p.OH}×${p.OW} (${JSON.stringify(p)})`);
  }
  return { c: { input, weight, options }, r };
}

/**
 * The upstream gradient of a case: the conv's output shape, from the same seed.
 * @example const { c, r } = convOf(p); impl.conv2dBackward(gradOutputOf(p, r), c.input, c.weight, c.options)
 */
export function gradOutputOf(p: ScaleParams, r: ResolvedConv): Tensor {
  return filled(normalise(p), r.outputShape, 4);
}

/** A transposed case with what the spec resolves it to. */
export interface BuiltTranspose {
  readonly t: TransposeCase;
  readonly r: ResolvedTranspose;
  /** The conv it is the adjoint of. */
  readonly conv: ResolvedConv;
}

/**
 * The convTranspose2d case of `p`: zero padding only, `'same'` as its
 * explicit pads, the output padding that restores the conv's input size.
 * Input `[N, g·O, OH, OW]`, weight `[g·O, C, KH, KW]`, output `[N, g·C, H, W]`.
 * @example transposeOf({ ...MINIMAL_PARAMS, O: 2, OH: 3, OW: 3, sh: 2, sw: 2 }).r.outputShape // [1, 1, 5, 5]
 */
export function transposeOf(params: ScaleParams): BuiltTranspose {
  const p = normalise({ ...params, mode: 'zeros' });
  const { c, r: conv } = convOf({ ...p, bias: false });
  const input = filled(p, conv.outputShape, 5);
  const options: ConvTranspose2dOptions = restoringTransposeOptions(conv);
  const withBias = p.bias ? { ...options, bias: filled(p, [p.groups * p.C], 6) } : options;
  const r = resolveTranspose(input.shape, c.weight.shape, withBias);
  return { t: { input, weight: c.weight, options: withBias }, r, conv };
}

/** The sizes of a case without its data: channels in total, input and output planes. */
export interface ScaleShape {
  readonly C: number;
  readonly O: number;
  readonly H: number;
  readonly W: number;
  readonly OH: number;
  readonly OW: number;
}

/**
 * The sizes of the conv a case stands for (normalised), without building any data.
 * @example shapeOf({ ...MINIMAL_PARAMS, OH: 4, OW: 4, KH: 3, KW: 3 }) // { C: 1, O: 1, H: 6, W: 6, OH: 4, OW: 4 }
 */
export function shapeOf(params: ScaleParams): ScaleShape {
  const p = normalise(params);
  const H = inputSize(p, p.OH, p.KH, p.sh, p.dh, p.extraH, p.pad);
  const W = inputSize(p, p.OW, p.KW, p.sw, p.dw, p.extraW, p.pad);
  return { C: p.groups * p.C, O: p.groups * p.O, H, W, OH: p.OH, OW: p.OW };
}

/**
 * A case in one line, as a person would say it.
 * @example describeParams(MINIMAL_PARAMS, 'forward') // 'conv2d N = 1, C = 1 → O = 1, 1×1 → 1×1, kernel 1×1, …'
 */
export function describeParams(params: ScaleParams, op: ScaleOp): string {
  const p = normalise(op === 'transpose' ? { ...params, mode: 'zeros' } : params);
  const { H, W } = shapeOf(p);
  const g =
    p.groups === 1 ? '' : p.C === 1 && p.groups > 1 ? `, depthwise (groups ${p.groups})` : `, groups ${p.groups}`;
  const pad = p.padding === 'explicit' ? `padding ${p.pad}` : `'${p.padding}'`;
  const mode = p.mode === 'zeros' ? '' : ` ${p.mode}`;
  const sizes =
    op === 'transpose'
      ? `convTranspose2d N = ${p.N}, C = ${p.groups * p.O} → ${p.groups * p.C}${g}, ${p.OH}×${p.OW} → ${H}×${W}`
      : `${op === 'forward' ? 'conv2d' : 'conv2dBackward'} N = ${p.N}, C = ${p.groups * p.C} → O = ${p.groups * p.O}${g}, ${H}×${W} → ${p.OH}×${p.OW}`;
  return (
    `${sizes}, kernel ${p.KH}×${p.KW}, stride ${p.sh}×${p.sw}, dilation ${p.dh}×${p.dw}, ${pad}${mode}` +
    `${p.bias ? ', bias' : ''}, ${p.dtype}, ${p.values} values, seed ${p.seed}`
  );
}
