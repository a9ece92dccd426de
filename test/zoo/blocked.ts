/**
 * A blocked loop-nest conv, as a fast kernel is organised: channels,
 * output channels and images in blocks, output positions in tiles, columns
 * in row tiles, kernels unrolled up to a width, long reductions split in
 * chunks, inputs copied to aligned rows. Each switch plants ONE bug of the
 * kind that lives only at real sizes: the code is right until a dimension
 * passes its block size (each bug has its own, from 3 to 2048), then the
 * remainder or tail path is wrong. With no switch set it is correct.
 *
 * "Tail" below means the last partial block after at least one full one:
 * index i of a dimension of size L with L > B, L not a multiple of B and
 * i ≥ ⌊L/B⌋·B. Accumulation is in float64, rounded once (except the bug
 * that says otherwise).
 */
import type { Conv2dGradients, Conv2dOptions, ConvTranspose2dOptions, Tensor } from '../../src/index.js';
import type { ConvImplementation } from '../../properties/types.js';
import { outShape, resolve, resolveTranspose, result, source, transposeShape, type Axis, type Mode } from './common.js';

/** The scale bugs, each with its block size (the size above which it is wrong). */
export const SCALE_BLOCKS = {
  /** conv2d: input channels in blocks of 12; the tail block skips its first channel. */
  channelTail: 12,
  /** conv2d: output channels in blocks of 16; the tail block reads the weights of the block before. */
  outputTail: 16,
  /** conv2d: images in blocks of 4; the tail images read the input of the image 4 before. */
  batchTail: 4,
  /** conv2d: depthwise channels in blocks of 9; the tail channels use the kernel of the channel 9 before. */
  depthwiseTail: 9,
  /** conv2d: output positions in tiles of 1536; the last partial tile is never written (bias only). */
  planeTail: 1536,
  /** conv2d: columns in row tiles of 48; the second and later tiles read the input one column to the left. */
  rowTile: 48,
  /** conv2d: kernel rows unrolled up to 7 taps; wider kernels drop the taps past the 7th. */
  kernelUnroll: 7,
  /** conv2d: reductions longer than 2048 terms take a split-K path whose running sums are bfloat16. */
  splitK: 2048,
  /** conv2d: input rows wider than 24 are copied with a pitch rounded up to 8 and read with the unrounded pitch. */
  alignedPitch: 24,
  /** gradWeight: the N·OH·OW reduction in chunks of 640; the last partial chunk is dropped. */
  gradWeightChunks: 640,
  /** gradWeight: output channels in blocks of 6; the tail reads the gradOutput of the channel before. */
  gradWeightOutputTail: 6,
  /** gradInput: input channels in blocks of 32; the tail channels get zeros. */
  gradInputChannelTail: 32,
  /** gradInput: images in blocks of 3; the tail images take the gradOutput of the image 3 before. */
  gradInputBatchTail: 3,
  /** convTranspose2d: output positions in tiles of 1024; the last partial tile is never written (bias only). */
  transposeTileTail: 1024,
  /** convTranspose2d: output channels in blocks of 8; the tail channels miss the last input channel of the group. */
  transposeOutputTail: 8,
} as const;

/** Which scale bug to plant (at most one is meant to be set). */
export type ScaleBug = keyof typeof SCALE_BLOCKS;

/** Whether index i lies in the tail of a dimension of size L blocked by B. */
function tail(i: number, L: number, B: number): boolean {
  return L > B && i >= Math.floor(L / B) * B;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds to bfloat16 (8 significant bits), nearest-even. */
function bfloat16(v: number): number {
  f32[0] = v;
  u32[0] = (u32[0] + 0x7fff + ((u32[0] >>> 16) & 1)) & 0xffff0000;
  return f32[0];
}

/** Per-axis tap sources: `map[i·k + t]` = the pixel output i reads through tap t (−1: zero padding), shifted by `shift` from `from` on. */
function tapMap(a: Axis, mode: Mode, shift = 0, from = Infinity): Int32Array {
  const map = new Int32Array(a.out * a.k);
  for (let i = 0; i < a.out; i++) {
    for (let t = 0; t < a.k; t++)
      map[i * a.k + t] = source(i * a.s - a.before + t * a.d + (i >= from ? shift : 0), a.size, mode);
  }
  return map;
}

/** The input as the kernel reads it: plane offsets and row pitch (a copy with aligned rows for the pitch bug). */
function inputView(
  x: Tensor,
  H: number,
  W: number,
  bug: ScaleBug | null,
): { data: ArrayLike<number>; plane: number; pitch: number } {
  if (bug !== 'alignedPitch' || W <= SCALE_BLOCKS.alignedPitch) return { data: x.data, plane: H * W, pitch: W };
  const P = Math.ceil(W / 8) * 8;
  const planes = x.data.length / (H * W);
  const ws = new Float64Array(planes * H * P);
  for (let q = 0; q < planes; q++)
    for (let y = 0; y < H; y++) for (let z = 0; z < W; z++) ws[(q * H + y) * P + z] = x.data[(q * H + y) * W + z];
  // The bug: rows were laid out with pitch P but are read with pitch W.
  return { data: ws, plane: H * P, pitch: W };
}

/** Sums the terms of one output; with `splitK`, reductions longer than 2048 terms keep their running sum in bfloat16. */
function reduceTerms(terms: Float64Array, count: number, bug: ScaleBug | null): number {
  const low = bug === 'splitK' && count > SCALE_BLOCKS.splitK;
  let s = 0;
  for (let t = 0; t < count; t++) s = low ? bfloat16(s + terms[t]) : s + terms[t];
  return s;
}

function forward(x: Tensor, w: Tensor, o: Conv2dOptions, bug: ScaleBug | null): Tensor {
  const p = resolve(x.shape, w.shape, o);
  const [Cg, Og, KH, KW, OH, OW] = [p.C / p.groups, p.O / p.groups, p.h.k, p.w.k, p.h.out, p.w.out];
  const rows = tapMap(p.h, p.mode);
  const cols = bug === 'rowTile' ? tapMap(p.w, p.mode, -1, SCALE_BLOCKS.rowTile) : tapMap(p.w, p.mode);
  const view = inputView(x, p.h.size, p.w.size, bug);
  const kw = bug === 'kernelUnroll' && KW > SCALE_BLOCKS.kernelUnroll ? SCALE_BLOCKS.kernelUnroll : KW;
  const depthwise = Cg === 1 && p.groups > 1;
  const terms = new Float64Array(Cg * KH * KW);
  const acc = new Float64Array(p.N * p.O * OH * OW);
  const bias = o.bias?.data ?? null;
  for (let n = 0; n < p.N; n++) {
    const image = bug === 'batchTail' && tail(n, p.N, SCALE_BLOCKS.batchTail) ? n - SCALE_BLOCKS.batchTail : n;
    for (let oc = 0; oc < p.O; oc++) {
      const g = Math.floor(oc / Og);
      let wo = bug === 'outputTail' && tail(oc % Og, Og, SCALE_BLOCKS.outputTail) ? oc - SCALE_BLOCKS.outputTail : oc;
      if (bug === 'depthwiseTail' && depthwise && tail(g, p.groups, SCALE_BLOCKS.depthwiseTail))
        wo = oc - SCALE_BLOCKS.depthwiseTail * Og;
      for (let q = 0; q < OH * OW; q++) {
        const at = (n * p.O + oc) * OH * OW + q;
        acc[at] = bias ? bias[oc] : 0;
        if (bug === 'planeTail' && tail(q, OH * OW, SCALE_BLOCKS.planeTail)) continue;
        const [i, j] = [Math.floor(q / OW), q % OW];
        let count = 0;
        for (let c0 = 0; c0 < Cg; c0 += SCALE_BLOCKS.channelTail) {
          const end = Math.min(c0 + SCALE_BLOCKS.channelTail, Cg);
          const start = bug === 'channelTail' && c0 > 0 && end - c0 < SCALE_BLOCKS.channelTail ? c0 + 1 : c0;
          for (let c = start; c < end; c++) {
            const plane = (image * p.C + g * Cg + c) * view.plane;
            for (let a = 0; a < KH; a++) {
              const y = rows[i * KH + a];
              for (let b = 0; b < kw; b++) {
                const z = cols[j * KW + b];
                if (y < 0 || z < 0) continue;
                terms[count++] = view.data[plane + y * view.pitch + z] * w.data[((wo * Cg + c) * KH + a) * KW + b];
              }
            }
          }
        }
        acc[at] += reduceTerms(terms, count, bug);
      }
    }
  }
  return result(outShape(p), acc, x.data);
}

function backward(dy: Tensor, x: Tensor, w: Tensor, o: Conv2dOptions, bug: ScaleBug | null): Conv2dGradients {
  const p = resolve(x.shape, w.shape, o);
  const [Cg, Og, KH, KW, OH, OW] = [p.C / p.groups, p.O / p.groups, p.h.k, p.w.k, p.h.out, p.w.out];
  const [H, W] = [p.h.size, p.w.size];
  const rows = tapMap(p.h, p.mode);
  const cols = tapMap(p.w, p.mode);
  const gx = new Float64Array(x.data.length);
  const gw = new Float64Array(w.data.length);
  const gb = new Float64Array(p.O);
  const positions = p.N * OH * OW;
  const chunk = SCALE_BLOCKS.gradWeightChunks;
  const kept = bug === 'gradWeightChunks' && positions > chunk ? Math.floor(positions / chunk) * chunk : positions;
  for (let n = 0; n < p.N; n++) {
    const dyImage =
      bug === 'gradInputBatchTail' && tail(n, p.N, SCALE_BLOCKS.gradInputBatchTail)
        ? n - SCALE_BLOCKS.gradInputBatchTail
        : n;
    for (let oc = 0; oc < p.O; oc++) {
      const g = Math.floor(oc / Og);
      const dwFrom =
        bug === 'gradWeightOutputTail' && tail(oc % Og, Og, SCALE_BLOCKS.gradWeightOutputTail) ? oc - 1 : oc;
      for (let q = 0; q < OH * OW; q++) {
        const [i, j] = [Math.floor(q / OW), q % OW];
        const d = dy.data[(n * p.O + oc) * OH * OW + q];
        const dIn = dy.data[(dyImage * p.O + oc) * OH * OW + q];
        const dW = dy.data[(n * p.O + dwFrom) * OH * OW + q];
        const inChunk = (n * OH + i) * OW + j < kept;
        gb[oc] += d;
        for (let c = 0; c < Cg; c++) {
          const xc = g * Cg + c;
          const zeroIn = bug === 'gradInputChannelTail' && tail(c, Cg, SCALE_BLOCKS.gradInputChannelTail);
          for (let a = 0; a < KH; a++) {
            const y = rows[i * KH + a];
            for (let b = 0; b < KW; b++) {
              const z = cols[j * KW + b];
              if (y < 0 || z < 0) continue;
              const xi = ((n * p.C + xc) * H + y) * W + z;
              const wi = ((oc * Cg + c) * KH + a) * KW + b;
              if (!zeroIn) gx[xi] += dIn * w.data[wi];
              if (inChunk) gw[wi] += dW * x.data[xi];
            }
          }
        }
      }
    }
  }
  return {
    gradInput: result(x.shape, gx, x.data),
    gradWeight: result(w.shape, gw, w.data),
    gradBias: result([p.O], gb, x.data),
  };
}

/** Scatter form: input pixel (i, j) adds x·w into output (i·s − top + kh·d, j·s − left + kw·d). */
function transpose(x: Tensor, w: Tensor, o: ConvTranspose2dOptions, bug: ScaleBug | null): Tensor {
  const t = resolveTranspose(x.shape, w.shape, o);
  const [[top], [left]] = t.pads;
  const [Cg, Og, plane] = [t.C / t.groups, t.O / t.groups, t.OH * t.OW];
  const acc = new Float64Array(t.N * t.O * plane);
  for (let n = 0; n < t.N; n++) {
    for (let c = 0; c < t.C; c++) {
      const [o0, last] = [Math.floor(c / Cg) * Og, c % Cg === Cg - 1];
      for (let i = 0; i < t.H; i++) {
        for (let j = 0; j < t.W; j++) {
          const v = x.data[((n * t.C + c) * t.H + i) * t.W + j];
          for (let ol = 0; ol < Og; ol++) {
            if (bug === 'transposeOutputTail' && last && tail(ol, Og, SCALE_BLOCKS.transposeOutputTail)) continue;
            for (let kh = 0; kh < t.KH; kh++) {
              const y = i * t.stride[0] - top + kh * t.dilation[0];
              if (y < 0 || y >= t.OH) continue;
              for (let kw = 0; kw < t.KW; kw++) {
                const z = j * t.stride[1] - left + kw * t.dilation[1];
                if (z < 0 || z >= t.OW) continue;
                acc[((n * t.O + o0 + ol) * t.OH + y) * t.OW + z] += v * w.data[((c * Og + ol) * t.KH + kh) * t.KW + kw];
              }
            }
          }
        }
      }
    }
  }
  const bias = o.bias?.data ?? null;
  for (let k = 0; k < acc.length; k++) {
    if (bug === 'transposeTileTail' && tail(k % plane, plane, SCALE_BLOCKS.transposeTileTail)) acc[k] = 0;
    if (bias) acc[k] += bias[Math.floor(k / plane) % t.O];
  }
  return result(transposeShape(t), acc, x.data);
}

/**
 * The blocked conv with one scale bug planted (null: correct).
 * @example blocked('outputTail').conv2d(x, w) // wrong only when O/g > 16 and not a multiple of 16
 */
export function blocked(
  bug: ScaleBug | null = null,
): Required<Pick<ConvImplementation, 'conv2d' | 'conv2dBackward' | 'convTranspose2d'>> {
  return {
    conv2d: (x, w, o = {}) => forward(x, w, o, bug),
    conv2dBackward: (dy, x, w, o = {}) => backward(dy, x, w, o, bug),
    convTranspose2d: (x, w, o = {}) => transpose(x, w, o, bug),
  };
}
