/**
 * A readable, independently written conv (gather form: each output reads its
 * receptive field) with switches that each plant ONE realistic bug. With no
 * switch set it is a correct implementation the suite must accept.
 *
 * Forward, backward and transposed paths are separate loops here (unlike
 * convproof's shared index maps), so a bug planted in one path leaves the
 * others correct, as it would in a real library.
 */
import type { Conv2dGradients, Conv2dOptions, ConvTranspose2dOptions, Tensor } from '../../src/index.js';
import type { ConvImplementation } from '../../properties/types.js';
import {
  outLength,
  outShape,
  resolve,
  resolveTranspose,
  result,
  source,
  transposeShape,
  withOut,
  type Axis,
  type Mode,
  type Problem,
} from './common.js';

/** Bug switches; each one is a bug seen (or seen in spirit) in a real conv library. */
export interface Bugs {
  /** 'same' puts the odd padded pixel top/left (SAME_LOWER) instead of bottom/right. */
  sameSplitBefore?: boolean;
  /** 'same' padding is computed from the undilated kernel size. */
  sameIgnoresDilation?: boolean;
  /** `stride[0]` is used for both axes (Paddle #21225). */
  strideFirstAxis?: boolean;
  /** The kernel walks taps with dilation 1 (the output shape is still right). */
  dilationIgnored?: boolean;
  /** Dilation is applied to the height taps only. */
  dilationHeightOnly?: boolean;
  /** Output size rounds up: `ceil((H + p − effK)/s) + 1`. */
  outputCeil?: boolean;
  /** With a numeric padding, the width's output size comes from KH and sh (tfjs #649). */
  numericPadWidthFromHeight?: boolean;
  /** Returns zeros for 'same' when `(ceil(in/s)−1)·s + effK < in` on an axis (tfjs-wasm #8405). */
  sameZerosWhenKernelShort?: boolean;
  /** Output channel o reads input group `o % g` instead of `floor(o / (O/g))`. */
  groupModulo?: boolean;
  /** True convolution (kernel flipped) instead of cross-correlation. */
  trueConvolution?: boolean;
  /** `acc += x·w || 0`: a NaN product is swallowed. */
  nanSwallowed?: boolean;
  /** Zero-padding taps are multiplied (0·Inf = NaN leaks into padded outputs). */
  paddingTapsMultiplied?: boolean;
  /** Flips the weight in place to reuse a convolution loop and never flips it back. */
  weightFlippedInPlace?: boolean;
  /** Scales the caller's input into [−1, 1] in place (and the output back), as a fixed-point kernel might. */
  inputNormalisedInPlace?: boolean;
  /** Turns an unbatched input into a batch of one by `unshift(1)` on the caller's shape array. */
  unbatchedShapeMutated?: boolean;
  /** Low-precision arithmetic (see `Accumulator`). */
  accumulator?: Accumulator;
  /** Adds the bias twice. */
  biasTwice?: boolean;
  /** Ignores the bias. */
  biasIgnored?: boolean;
  /** Reads the bias of the channel's index within its group, `b[o % (O/g)]`. */
  biasGroupLocal?: boolean;
  /** 'reflect' repeats the edge pixel (symmetric padding). */
  reflectSymmetric?: boolean;
  /** 'circular' pads the top with the top rows (and the bottom with the bottom rows). */
  circularWrongSide?: boolean;
  /** 'replicate' pads with zeros. */
  replicateAsZeros?: boolean;
  /** The batch stride leaves out the channel count: image n starts at `n·H·W`. */
  batchStrideWithoutChannels?: boolean;
  /** The row stride is H instead of W (a layout mix-up invisible on square images). */
  rowStrideIsHeight?: boolean;
  /** gradWeight reads input channels without the group offset (PyTorch #51430). */
  gradWeightIgnoresGroup?: boolean;
  /** gradInput of every group lands in the first group's channels (PyTorch #50042). */
  gradInputIntoFirstGroup?: boolean;
  /** gradInput scatters with dilation 1 (Theano #4729). */
  gradInputIgnoresDilation?: boolean;
  /** gradInput is a transposed conv without the output padding that restores H (#63314 in spirit). */
  gradInputDropsOutputPadding?: boolean;
  /** gradInput drops the taps a padding mode copied instead of folding them back. */
  gradInputDropsPaddedTaps?: boolean;
  /** gradBias sums only the first image of the batch. */
  gradBiasFirstImage?: boolean;
  /** gradWeight is overwritten per image instead of summed over the batch. */
  gradWeightLastImage?: boolean;
  /** gradWeight is computed as a true convolution (taps flipped). */
  gradWeightFlipped?: boolean;
  /** convTranspose2d crops top with the bottom pad and left with the right pad (TensorFlow #45999). */
  transposePadsSwapped?: boolean;
  /** convTranspose2d ignores outputPadding. */
  transposeIgnoresOutputPadding?: boolean;
  /** convTranspose2d scatters to `i·d + k·s` (stride and dilation swapped). */
  transposeStrideDilationSwapped?: boolean;
}

/**
 * Low-precision arithmetic, each a real class of accuracy bug, each far
 * outside the DESIGN bound `c·γ_n·M` (plain float32 sequential accumulation
 * is inside it, so it would not be a bug):
 * - `'bfloat16'`: the running sum is rounded to bfloat16 (8 significant bits)
 *   after every add — mixed-precision kernels that keep the accumulator in
 *   the storage type; error ≈ 2^-9·M per add, ~2^15/n times the bound.
 * - `'tf32'`: both operands are rounded to TF32 (11 significant bits) before
 *   the multiply, accumulation in float32 — what GPU convs do when TF32 is
 *   enabled by default; error ≈ 2^-11·M.
 * - `'float32'`: float64 data computed with a float32 accumulator (a kernel
 *   with float32 scratch buffers); invisible on float32 data, ~2^29 times the
 *   float64 bound on float64 data.
 */
export type Accumulator = 'bfloat16' | 'tf32' | 'float32';

const f32 = new Float32Array(1);
const bits = new Uint32Array(f32.buffer);

/** Rounds to nearest-even keeping `keep` of float32's 23 stored mantissa bits. */
function roundMantissa(v: number, keep: number): number {
  f32[0] = v;
  if (!Number.isFinite(f32[0])) return f32[0];
  const drop = 23 - keep;
  const b = bits[0];
  const half = (1 << (drop - 1)) - 1 + ((b >>> drop) & 1);
  bits[0] = ((b + half) >>> drop) << drop;
  return f32[0];
}

/** acc + x·w under the chosen arithmetic. */
function accumulate(acc: number, x: number, w: number, mode: Accumulator | undefined): number {
  if (mode === 'bfloat16') return roundMantissa(acc + x * w, 7);
  if (mode === 'tf32') return Math.fround(acc + roundMantissa(x, 10) * roundMantissa(w, 10));
  if (mode === 'float32') return Math.fround(acc + Math.fround(x * w));
  return acc + x * w;
}

/** The geometry as the buggy code computes it. */
function buggyProblem(x: Tensor, w: Tensor, o: Conv2dOptions, b: Bugs): Problem {
  const p = resolve(x.shape, w.shape, o);
  if (b.strideFirstAxis) p.w = withOut({ ...p.w, s: p.h.s });
  if (b.outputCeil) {
    const ceilOut = (a: Axis) => Math.ceil((a.size + a.before + a.after - a.d * (a.k - 1) - 1) / a.s) + 1;
    p.h = { ...p.h, out: ceilOut(p.h) };
    p.w = { ...p.w, out: ceilOut(p.w) };
  }
  if (b.numericPadWidthFromHeight && typeof o.padding === 'number') {
    p.w = { ...p.w, out: outLength(p.w.size, p.h.k, p.h.s, p.h.d, p.w.before, p.w.after) };
  }
  if (o.padding === 'same' && (b.sameSplitBefore || b.sameIgnoresDilation)) {
    p.h = sameAxis(p.h, b);
    p.w = sameAxis(p.w, b);
  }
  return p;
}

function sameAxis(a: Axis, b: Bugs): Axis {
  const d = b.sameIgnoresDilation ? 1 : a.d;
  const total = Math.max(0, (Math.ceil(a.size / a.s) - 1) * a.s + d * (a.k - 1) + 1 - a.size);
  const before = b.sameSplitBefore ? Math.ceil(total / 2) : Math.floor(total / 2);
  return withOut({ ...a, before, after: total - before });
}

/** Source pixel of padded coordinate i, with the padding-mode bugs. */
function buggySource(i: number, size: number, mode: Mode, a: Axis, b: Bugs): number {
  if (i >= 0 && i < size) return i;
  if (mode === 'reflect' && b.reflectSymmetric) return i < 0 ? -i - 1 : 2 * size - 1 - i;
  if (mode === 'circular' && b.circularWrongSide) return i < 0 ? i + a.before : i - a.after;
  if (mode === 'replicate' && b.replicateAsZeros) return -1;
  return source(i, size, mode);
}

/** Per-axis tap sources: entry `i·k + t` is the pixel read by output i through tap t, −1 for a zero. */
function taps(a: Axis, mode: Mode, b: Bugs, dilation: number): Int32Array {
  const map = new Int32Array(a.out * a.k);
  for (let i = 0; i < a.out; i++) {
    for (let t = 0; t < a.k; t++) {
      const pos = i * a.s - a.before + t * dilation;
      // Output positions past the padded input (outputCeil) read nothing.
      const inside = pos < a.size + a.after;
      map[i * a.k + t] = inside ? buggySource(pos, a.size, mode, a, b) : -1;
    }
  }
  return map;
}

function groupOf(o: number, p: Problem, groupModulo: boolean): number {
  return groupModulo ? o % p.groups : Math.floor(o / (p.O / p.groups));
}

/**
 * Where plane (n, c) of the input starts and how far apart its rows are,
 * with the layout bugs: `x[start + y·rowStride + x]`. Computed once per
 * plane, so the inner loops read no bug flags.
 */
function planeOf(p: Problem, n: number, c: number, b: Bugs): { start: number; rowStride: number } {
  const { C, h, w } = p;
  const start = b.batchStrideWithoutChannels ? (n + c) * h.size * w.size : (n * C + c) * h.size * w.size;
  return { start, rowStride: b.rowStrideIsHeight ? h.size : w.size };
}

/** No bugs: the layout of the gradients, which the layout bugs leave alone. */
const NO_BUGS: Bugs = {};

function sameKernelShort(x: Tensor, w: Tensor, o: Conv2dOptions): boolean {
  if (o.padding !== 'same' || w.shape[2] * w.shape[3] === 1) return false;
  const p = resolve(x.shape, w.shape, o);
  return [p.h, p.w].some((a) => (Math.ceil(a.size / a.s) - 1) * a.s + a.d * (a.k - 1) + 1 < a.size);
}

function flipPlanes(data: Tensor['data'], KH: number, KW: number): void {
  const plane = KH * KW;
  for (let s = 0; s < data.length; s += plane) data.subarray(s, s + plane).reverse();
}

/** Divides `data` in place by its largest finite magnitude; returns that scale (1 if none). */
function normalise(data: Tensor['data']): number {
  let m = 0;
  for (const v of data) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  if (m === 0) return 1;
  for (let i = 0; i < data.length; i++) data[i] /= m;
  return m;
}

function forward(x: Tensor, w: Tensor, o: Conv2dOptions, b: Bugs): Tensor {
  const batched = x.shape.length === 4;
  const scale = b.inputNormalisedInPlace ? normalise(x.data) : 1;
  if (b.unbatchedShapeMutated && !batched) (x.shape as number[]).unshift(1);
  const p = buggyProblem(x, w, o, b);
  p.batched = batched;
  const acc = new Float64Array(p.N * p.O * p.h.out * p.w.out);
  if (b.sameZerosWhenKernelShort && sameKernelShort(x, w, o)) return result(outShape(p), acc, x.data);
  const [KH, KW] = [p.h.k, p.w.k];
  // A convolution loop reads w flipped; flipping w first makes it a correlation.
  const flipped = b.trueConvolution || b.weightFlippedInPlace;
  if (b.weightFlippedInPlace) flipPlanes(w.data, KH, KW);
  const rows = taps(p.h, p.mode, b, b.dilationIgnored ? 1 : p.h.d);
  const cols = taps(p.w, p.mode, b, b.dilationIgnored || b.dilationHeightOnly ? 1 : p.w.d);
  const Cg = p.C / p.groups;
  const Og = p.O / p.groups;
  const bias = o.bias?.data ?? null;
  const multiplyPadded = !!b.paddingTapsMultiplied;
  const swallowNaN = !!b.nanSwallowed;
  const mode = b.accumulator;
  let q = 0;
  for (let n = 0; n < p.N; n++) {
    for (let oc = 0; oc < p.O; oc++) {
      const c0 = groupOf(oc, p, !!b.groupModulo) * Cg;
      const planes = Array.from({ length: Cg }, (_, c) => planeOf(p, n, c0 + c, b));
      for (let i = 0; i < p.h.out; i++) {
        for (let j = 0; j < p.w.out; j++) {
          let s = 0;
          for (let c = 0; c < Cg; c++) {
            const { start, rowStride } = planes[c];
            for (let kh = 0; kh < KH; kh++) {
              for (let kw = 0; kw < KW; kw++) {
                const r = rows[i * KH + kh];
                const col = cols[j * KW + kw];
                const tap = flipped ? (KH - 1 - kh) * KW + (KW - 1 - kw) : kh * KW + kw;
                const wv = w.data[(oc * Cg + c) * KH * KW + tap];
                if (r < 0 || col < 0) {
                  if (multiplyPadded) s += 0 * wv;
                  continue;
                }
                const xv = x.data[start + r * rowStride + col];
                s = swallowNaN ? s + (xv * wv || 0) : accumulate(s, xv, wv, mode);
              }
            }
          }
          acc[q++] = s * scale + biasTerm(bias, oc, Og, b);
        }
      }
    }
  }
  return result(outShape(p), acc, x.data);
}

function biasTerm(bias: Tensor['data'] | null, oc: number, Og: number, b: Bugs): number {
  if (!bias || b.biasIgnored) return 0;
  const v = bias[b.biasGroupLocal ? oc % Og : oc];
  return b.biasTwice ? 2 * v : v;
}

/** dL/dx, dL/dw and dL/db by walking the forward's taps in reverse. */
function backward(dy: Tensor, x: Tensor, w: Tensor, o: Conv2dOptions, b: Bugs): Conv2dGradients {
  const p = resolve(x.shape, w.shape, o);
  const gx = new Float64Array(x.data.length);
  const gw = new Float64Array(w.data.length);
  const gb = new Float64Array(p.O);
  gradInput(p, dy, w, gx, b);
  gradWeight(p, dy, x, gw, b);
  const plane = p.h.out * p.w.out;
  for (let n = 0; n < (b.gradBiasFirstImage ? Math.min(1, p.N) : p.N); n++) {
    for (let oc = 0; oc < p.O; oc++) {
      for (let k = 0; k < plane; k++) gb[oc] += dy.data[(n * p.O + oc) * plane + k];
    }
  }
  return {
    gradInput: result(x.shape, gx, x.data),
    gradWeight: result(w.shape, gw, w.data),
    gradBias: result([p.O], gb, x.data),
  };
}

/** Where a gradInput tap lands, or −1, with the gradInput bugs. */
function gradTaps(p: Problem, a: Axis, b: Bugs): Int32Array {
  const d = b.gradInputIgnoresDilation ? 1 : a.d;
  const map = taps(a, b.gradInputDropsPaddedTaps ? 'zeros' : p.mode, NO_BUGS, d);
  if (b.gradInputDropsOutputPadding) {
    // A transposed conv without output padding only reaches this many rows.
    const reach = (a.out - 1) * a.s - a.before - a.after + a.d * (a.k - 1) + 1;
    for (let m = 0; m < map.length; m++) if (map[m] >= reach) map[m] = -1;
  }
  return map;
}

function gradInput(p: Problem, dy: Tensor, w: Tensor, gx: Float64Array, b: Bugs): void {
  const rows = gradTaps(p, p.h, b);
  const cols = gradTaps(p, p.w, b);
  const [KH, KW, Cg] = [p.h.k, p.w.k, p.C / p.groups];
  let q = 0;
  for (let n = 0; n < p.N; n++) {
    for (let oc = 0; oc < p.O; oc++) {
      const c0 = b.gradInputIntoFirstGroup ? 0 : groupOf(oc, p, false) * Cg;
      for (let i = 0; i < p.h.out; i++) {
        for (let j = 0; j < p.w.out; j++) {
          const d = dy.data[q++];
          for (let c = 0; c < Cg; c++) {
            const { start, rowStride } = planeOf(p, n, c0 + c, NO_BUGS);
            for (let kh = 0; kh < KH; kh++) {
              const r = rows[i * KH + kh];
              if (r < 0) continue;
              for (let kw = 0; kw < KW; kw++) {
                const col = cols[j * KW + kw];
                if (col < 0) continue;
                gx[start + r * rowStride + col] += d * w.data[((oc * Cg + c) * KH + kh) * KW + kw];
              }
            }
          }
        }
      }
    }
  }
}

function gradWeight(p: Problem, dy: Tensor, x: Tensor, gw: Float64Array, b: Bugs): void {
  const rows = taps(p.h, p.mode, NO_BUGS, p.h.d);
  const cols = taps(p.w, p.mode, NO_BUGS, p.w.d);
  const [KH, KW, Cg] = [p.h.k, p.w.k, p.C / p.groups];
  for (let n = 0; n < p.N; n++) {
    if (b.gradWeightLastImage) gw.fill(0);
    for (let oc = 0; oc < p.O; oc++) {
      const c0 = b.gradWeightIgnoresGroup ? 0 : groupOf(oc, p, false) * Cg;
      for (let c = 0; c < Cg; c++) {
        const { start, rowStride } = planeOf(p, n, c0 + c, NO_BUGS);
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            let s = 0;
            for (let i = 0; i < p.h.out; i++) {
              const r = rows[i * KH + kh];
              if (r < 0) continue;
              for (let j = 0; j < p.w.out; j++) {
                const col = cols[j * KW + kw];
                if (col < 0) continue;
                s += dy.data[((n * p.O + oc) * p.h.out + i) * p.w.out + j] * x.data[start + r * rowStride + col];
              }
            }
            const tap = b.gradWeightFlipped ? (KH - 1 - kh) * KW + (KW - 1 - kw) : kh * KW + kw;
            gw[(oc * Cg + c) * KH * KW + tap] += s;
          }
        }
      }
    }
  }
}

/** Scatter form: input pixel (i, j) adds x·w into output (i·s − top + kh·d, j·s − left + kw·d). */
function transpose(x: Tensor, w: Tensor, o: ConvTranspose2dOptions, b: Bugs): Tensor {
  const opts = b.transposeIgnoresOutputPadding ? { ...o, outputPadding: 0 } : o;
  const t = resolveTranspose(x.shape, w.shape, opts);
  const [[top, bottom], [left, right]] = t.pads;
  const [cropTop, cropLeft] = b.transposePadsSwapped ? [bottom, right] : [top, left];
  const [sh, sw] = b.transposeStrideDilationSwapped ? t.dilation : t.stride;
  const [dh, dw] = b.transposeStrideDilationSwapped ? t.stride : t.dilation;
  const Cg = t.C / t.groups;
  const Og = t.O / t.groups;
  const acc = new Float64Array(t.N * t.O * t.OH * t.OW);
  for (let n = 0; n < t.N; n++) {
    for (let c = 0; c < t.C; c++) {
      const o0 = Math.floor(c / Cg) * Og;
      for (let i = 0; i < t.H; i++) {
        for (let j = 0; j < t.W; j++) {
          const v = x.data[((n * t.C + c) * t.H + i) * t.W + j];
          for (let ol = 0; ol < Og; ol++) {
            for (let kh = 0; kh < t.KH; kh++) {
              const y = i * sh - cropTop + kh * dh;
              if (y < 0 || y >= t.OH) continue;
              for (let kw = 0; kw < t.KW; kw++) {
                const z = j * sw - cropLeft + kw * dw;
                if (z < 0 || z >= t.OW) continue;
                acc[((n * t.O + o0 + ol) * t.OH + y) * t.OW + z] += v * w.data[((c * Og + ol) * t.KH + kh) * t.KW + kw];
              }
            }
          }
        }
      }
    }
  }
  addBias(acc, o.bias?.data ?? null, t.O, t.OH * t.OW);
  return result(transposeShape(t), acc, x.data);
}

function addBias(acc: Float64Array, bias: Tensor['data'] | null, O: number, plane: number): void {
  if (!bias) return;
  for (let q = 0; q < acc.length; q++) acc[q] += bias[Math.floor(q / plane) % O];
}

/**
 * A gather-form conv with the given bugs planted (none: a correct one).
 * @example const impl = naive({ groupModulo: true }); impl.conv2d(x, w, { groups: 2 });
 */
export function naive(
  bugs: Bugs = {},
): Required<Pick<ConvImplementation, 'conv2d' | 'conv2dBackward' | 'convTranspose2d'>> {
  return {
    conv2d: (x, w, o = {}) => forward(x, w, o, bugs),
    conv2dBackward: (dy, x, w, o = {}) => backward(dy, x, w, o, bugs),
    convTranspose2d: (x, w, o = {}) => transpose(x, w, o, bugs),
  };
}
