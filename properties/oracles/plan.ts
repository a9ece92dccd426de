/**
 * How a convproof case is put to TensorFlow.js: the case is resolved here by
 * the suite's spec (from the formulas of the design, not from
 * `src/geometry`, so a geometry bug cannot hide behind its own oracle), then
 * planned for one backend: which padding tfjs is given, which padding is done
 * in JS first, and whether dilation is native or baked into the kernel.
 */
import type { PaddingMode, Tensor } from '../../src/index.js';
import { effectiveKernel, resolveConv, sameOutput, type Pads } from '../spec/index.js';
import type { ConvCase, ConvDims, OracleOp } from '../types.js';

export type { Pads } from '../spec/index.js';

/** A conv2d case resolved to plain numbers (unbatched inputs have N = 1). */
export interface ResolvedCase extends ConvDims {
  /** Input channels per group. */
  readonly Cg: number;
  /** Output channels per group. */
  readonly Og: number;
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** True when the caller asked for `'same'` or `'same-upper'` (tfjs can then be given 'same' too). */
  readonly same: boolean;
  /** The pads, resolved (SAME_UPPER for `'same'`, SAME_LOWER for `'same-lower'`, which tfjs lacks: explicit pads). */
  readonly pads: Pads;
  readonly mode: PaddingMode;
  readonly OH: number;
  readonly OW: number;
}

/**
 * Resolves a (valid) case: shapes, per-axis options and pads, through the
 * suite's own formulas (`properties/spec/`), never `src/geometry`.
 * @example resolveCase({ input, weight, options: { padding: 'same', stride: 2 } }).pads
 */
export function resolveCase(c: ConvCase): ResolvedCase {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  return {
    batched: r.batched,
    N: r.N,
    C: r.C,
    H: r.H,
    W: r.W,
    O: r.O,
    groups: r.groups,
    Cg: r.C / r.groups,
    Og: r.O / r.groups,
    KH: r.KH,
    KW: r.KW,
    stride: [r.sh, r.sw],
    dilation: [r.dh, r.dw],
    same: c.options.padding === 'same' || c.options.padding === 'same-upper',
    pads: [
      [r.top, r.bottom],
      [r.left, r.right],
    ],
    mode: r.mode,
    OH: r.OH,
    OW: r.OW,
  };
}

/** What a tfjs backend can and cannot be trusted with (see REFERENCE.md). */
export interface BackendTraits {
  /** Explicit `[[0,0],[t,b],[l,r],[0,0]]` pads are honoured by the forward kernel. */
  readonly explicitPadsForward: boolean;
  /** Explicit pads are honoured by the backprop kernels (tfjs-node: only VALID/SAME). */
  readonly explicitPadsBackward: boolean;
  /** 'same' returns zeros when the filter is smaller than the stride (wasm; tfjs #8405, #5907). */
  readonly sameZerosDefect: boolean;
  /** NaN/±Inf are not propagated faithfully (wasm/XNNPACK: NaN may come back as −Infinity). */
  readonly nonFiniteUnreliable: boolean;
  /** The forward kernel takes dilation itself (with stride 1); otherwise it is baked into the filter. */
  readonly nativeDilation: boolean;
}

/** The call a case becomes on one backend. */
export interface TfjsPlan {
  readonly c: ResolvedCase;
  readonly op: OracleOp;
  /** Pads applied in JS (with `c.mode`, or materialised zeros) before tfjs sees the input. */
  readonly prePad: Pads | null;
  /** The `pad` argument given to tfjs. */
  readonly tfPad: 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]];
  /** Strides given to tfjs. */
  readonly tfStride: readonly [number, number];
  /** Dilation given to tfjs natively. */
  readonly tfDilation: readonly [number, number];
  /** Dilation baked into the filter as zero taps ([1, 1] when native). */
  readonly kernelDilation: readonly [number, number];
  /** Every how many rows/columns of tfjs's output to keep ([1, 1]: all). */
  readonly subsample: readonly [number, number];
}

const isOne = (p: readonly [number, number]): boolean => p[0] === 1 && p[1] === 1;
const noPads = (p: Pads): boolean => p[0][0] === 0 && p[0][1] === 0 && p[1][0] === 0 && p[1][1] === 0;

/**
 * The exact condition of the wasm 'same' zeros defect (tfjs #8405, #5907),
 * measured on 4.22.0: the filter is not 1×1 and on some axis
 * `(ceil(in/s) − 1)·s + effK < in` (the window never reaches the last pixel).
 * @param effK the filter extent as given to tfjs, `d·(k−1)+1`
 */
export function wasmSameZerosCondition(
  inH: number,
  inW: number,
  kh: number,
  kw: number,
  stride: readonly [number, number],
  effK: readonly [number, number],
): boolean {
  const short = (size: number, s: number, e: number): boolean => (sameOutput(size, s) - 1) * s + e < size;
  return !(kh === 1 && kw === 1) && (short(inH, stride[0], effK[0]) || short(inW, stride[1], effK[1]));
}

/** How dilation reaches tfjs: natively, by subsampling a stride-1 output, or baked into the filter. */
function dilationRoute(c: ResolvedCase, traits: BackendTraits, op: OracleOp): 'native' | 'subsample' | 'kernel' {
  if (isOne(c.dilation)) return 'native';
  if (op !== 'forward' || !traits.nativeDilation) return 'kernel';
  return isOne(c.stride) ? 'native' : 'subsample';
}

/**
 * Plans a case for one backend and op:
 * - padding modes are applied in JS (tfjs has no reflect/replicate/circular conv),
 *   and so is zero padding when the backend ignores explicit pads;
 * - `'same'` stays `'same'` (tfjs's own SAME rule then checks ours), except on
 *   the wasm defect's condition, where explicit pads are given instead;
 * - the forward op refuses stride > 1 with dilation > 1: the stride-1 dilated
 *   output is computed and every stride-th row/column kept (explicit pads);
 * - the backprop kernels take no dilation at all (the Conv2D gradient throws,
 *   tfjs #7906): dilation is baked into a zero-dilated kernel.
 */
export function planFor(c: ResolvedCase, traits: BackendTraits, op: OracleOp): TfjsPlan {
  const route = dilationRoute(c, traits, op);
  const one = [1, 1] as const;
  const base = {
    c,
    op,
    tfStride: route === 'subsample' ? one : c.stride,
    subsample: route === 'subsample' ? c.stride : one,
    tfDilation: route === 'kernel' ? one : c.dilation,
    kernelDilation: route === 'kernel' ? c.dilation : one,
  };
  const explicitOk = op === 'forward' ? traits.explicitPadsForward : traits.explicitPadsBackward;
  if (c.mode !== 'zeros') return { ...base, prePad: c.pads, tfPad: 'valid' };
  const sameOk =
    route !== 'subsample' && !(op === 'forward' && traits.sameZerosDefect && sameZerosHits(c, base.kernelDilation));
  if (c.same && sameOk) return { ...base, prePad: null, tfPad: 'same' };
  if (noPads(c.pads)) return { ...base, prePad: null, tfPad: 'valid' };
  if (!explicitOk) return { ...base, prePad: c.pads, tfPad: 'valid' };
  const [[t, b], [l, r]] = c.pads;
  return {
    ...base,
    prePad: null,
    tfPad: [
      [0, 0],
      [t, b],
      [l, r],
      [0, 0],
    ],
  };
}

function sameZerosHits(c: ResolvedCase, kernelDilation: readonly [number, number]): boolean {
  const kh = effectiveKernel(c.KH, kernelDilation[0]);
  const kw = effectiveKernel(c.KW, kernelDilation[1]);
  const eff = [effectiveKernel(c.KH, c.dilation[0]), effectiveKernel(c.KW, c.dilation[1])] as const;
  return wasmSameZerosCondition(c.H, c.W, kh, kw, c.stride, eff);
}

function allFloat32(t: Tensor | null | undefined): boolean {
  if (!t || t.data instanceof Float32Array) return true;
  for (const v of t.data) if (Math.fround(v) !== v && !Number.isNaN(v)) return false;
  return true;
}

function allFinite(t: Tensor | null | undefined): boolean {
  if (!t) return true;
  for (const v of t.data) if (!Number.isFinite(v)) return false;
  return true;
}

/**
 * Where a NaN/±Inf would meet a zero that convproof never multiplies by:
 * the zero taps of a baked-in dilation meet the input (forward) or dy
 * (gradInput; in gradWeight they only produce the dropped hole taps), and
 * materialised zero padding meets the weight (forward) or dy (gradWeight;
 * in gradInput it only produces the cropped border). Returns the tensors
 * that must then stay finite, each with the zeros it would meet.
 */
function zeroMeets(plan: TfjsPlan): ['input' | 'weight' | 'dy', string][] {
  const out: ['input' | 'weight' | 'dy', string][] = [];
  const taps = 'the zero taps of a zero-dilated kernel';
  const pads = 'materialised zero padding';
  if (!isOne(plan.kernelDilation) && plan.op !== 'gradWeight') out.push([plan.op === 'forward' ? 'input' : 'dy', taps]);
  if (plan.prePad !== null && plan.c.mode === 'zeros' && plan.op !== 'gradInput')
    out.push([plan.op === 'forward' ? 'weight' : 'dy', pads]);
  return out;
}

/**
 * Why a case cannot be put to this backend faithfully, or null.
 * tfjs computes in float32, so float64 cases are accepted only when every
 * value is a float32 number (the generators' integers and dyadic grids are).
 */
export function dataReason(c: ConvCase, plan: TfjsPlan, traits: BackendTraits, dy?: Tensor): string | null {
  const tensors = { input: c.input, weight: c.weight, bias: c.options.bias, dy };
  if (!Object.values(tensors).every(allFloat32)) {
    return 'float64 values that float32 cannot represent (tfjs computes in float32 only)';
  }
  if (Object.values(tensors).every(allFinite)) return null;
  if (traits.nonFiniteUnreliable) {
    return 'NaN/±Inf on wasm: XNNPACK makes no NaN guarantees (a NaN can come back as −Infinity; tfjs PR #3855)';
  }
  for (const [name, zeros] of zeroMeets(plan)) {
    if (!allFinite(tensors[name]))
      return `NaN/±Inf in ${name} with ${zeros} (0·Inf would add a NaN where convproof has no term)`;
  }
  return null;
}
