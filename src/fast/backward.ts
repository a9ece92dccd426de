/**
 * Fast gradients of conv2d, built from the same micro-kernels and from the
 * reference's own index maps (`tapMap`), so padding modes fold gradients
 * back into the pixels they copied exactly as the reference does.
 *
 * - Input gradient (also the transposed convolution): per image, group and
 *   tile of output rows, `dCol[tap][p] = Σ_o W[o][tap] · dy[o][p]` by GEMM,
 *   then col2im adds each `dCol[tap][p]` into the pixel that tap read. Only
 *   real taps are visited, so the products are exactly the reference's.
 * - Weight gradient: `dW[o][tap] = Σ_{n,p} dy[o][p] · x[tap at p]` by GEMM
 *   over tiles of positions, with the tile's im2col packed transposed and the
 *   accumulator kept in float64 across the whole batch. A zero-padding tap
 *   contributes dy·0, so the caller sends non-finite gradOutputs to the
 *   reference (which skips those taps instead).
 *
 * Working memory (float64 unless noted), independent of the batch size N,
 * with T(r) = `tilePositions(r)` ≤ 4096 positions (at least one output row):
 * - input gradient: the packed weights (|W|, taps rounded up to 4), one
 *   group's gradOutput planes of one image (O/g·OH·OW), a dCol tile of
 *   R = ⌈C/g·KH·KW/4⌉·4 rows × T(R) positions, and one image's input
 *   gradient (C·H·W, twice: accumulated, then rounded for one block copy);
 * - weight gradient: the accumulators (R × ⌈O/g/8⌉·8 per group) and a tile of
 *   T(⌈O/g/8⌉·8) positions holding its im2col (R per position) and its
 *   gradOutput (⌈O/g/8⌉·8 per position), plus one int32 per position, and
 *   one group of one input image as given (C/g·H·W).
 * Both also hold the index tables: OH·KH + KW·OW int32.
 */
import { tapMap, type Conv2dGeometry } from '../geometry.js';
import type { TensorData } from '../tensor.js';
import { copyIn, type Kernels } from './kernels.js';
import { Layout, roundUp, tilePositions } from './layout.js';

/** The shared sizes of one backward problem. */
interface Sizes {
  readonly Cg: number;
  readonly Og: number;
  readonly KH: number;
  readonly KW: number;
  /** Taps per output (C/g·KH·KW), and that rounded up to blocks of 4. */
  readonly taps: number;
  readonly blocks: number;
  /** Output rows and columns visited (a transposed conv may use fewer than the conv's). */
  readonly outH: number;
  readonly outW: number;
}

function sizes(g: Conv2dGeometry, outH: number, outW: number): Sizes {
  const Cg = g.C / g.groups;
  const KH = g.h.kernel;
  const KW = g.w.kernel;
  const taps = Cg * KH * KW;
  return { Cg, Og: g.O / g.groups, KH, KW, taps, blocks: Math.ceil(taps / 4), outH, outW };
}

/**
 * Writes the reference's index maps (`tapMap`) as the kernels' tables:
 * `rows[i·KH + kh]` = source row · W and `cols[kw·outW + j]` = source column
 * (element offsets in a plane), −1 for a zero-padding tap.
 */
function writeTables(i32: Int32Array, g: Conv2dGeometry, s: Sizes, rows: number, cols: number): void {
  const rowMap = tapMap(g.h, g.paddingMode, s.outH);
  const colMap = tapMap(g.w, g.paddingMode, s.outW);
  for (let i = 0; i < rowMap.length; i++) i32[(rows >>> 2) + i] = rowMap[i] < 0 ? -1 : rowMap[i] * g.w.size;
  for (let kw = 0; kw < s.KW; kw++) {
    for (let j = 0; j < s.outW; j++) i32[(cols >>> 2) + kw * s.outW + j] = colMap[j * s.KW + kw];
  }
}

/** Output rows per tile so that a tile holds about `positions` positions. */
function tileRows(s: Sizes, positions: number): number {
  return Math.max(1, Math.min(s.outH, Math.floor(positions / s.outW)));
}

/**
 * The input gradient `Σ dy·w` over real taps, plus `bias[c]` when given
 * (the transposed convolution's bias), rounded once into `out` ([N,C,H,W]).
 * `dy` holds `outH × outW` positions per channel.
 * @returns false when the workspace cannot be had (the caller uses the reference)
 * @example gradInputFast(k, g, dy.data, g.h.out, g.w.out, w.data, null, gradInput);
 */
export function gradInputFast(
  k: Kernels,
  g: Conv2dGeometry,
  dy: TensorData,
  outH: number,
  outW: number,
  w: TensorData,
  bias: TensorData | null,
  out: TensorData,
): boolean {
  if (g.N === 0) return true;
  const s = sizes(g, outH, outW);
  const P = outH * outW;
  const rows = tileRows(s, tilePositions(s.blocks * 4));
  const tileCols = roundUp(rows * outW, 8);
  const image = g.C * g.h.size * g.w.size;
  const layout = new Layout();
  const wT = layout.take(g.groups * s.blocks * 4 * s.Og, 8);
  const offsets = layout.take(s.Og, 4);
  const dyAt = layout.take(s.Og * P + 8, 8);
  const dCol = layout.take(s.blocks * 4 * tileCols, 8);
  const gx = layout.take(image, 8);
  const stage = layout.take(image, 8);
  const rowTable = layout.take(outH * s.KH, 4);
  const colTable = layout.take(s.KW * outW, 4);
  if (!k.reserve(layout.top)) return false;
  packTransposedWeights(k.f64, wT >>> 3, w, s, g.groups);
  writeTables(k.i32, g, s, rowTable, colTable);
  for (let o = 0; o < s.Og; o++) k.i32[(offsets >>> 2) + o] = o * P * 8;
  const plane = g.h.size * g.w.size * 8;
  for (let n = 0; n < g.N; n++) {
    startImage(k.f64, gx >>> 3, g.C, g.h.size * g.w.size, bias);
    for (let gi = 0; gi < g.groups; gi++) {
      k.f64.set(dy.subarray((n * g.O + gi * s.Og) * P, (n * g.O + (gi + 1) * s.Og) * P), dyAt >>> 3);
      for (let i0 = 0; i0 < outH; i0 += rows) {
        const count = Math.min(rows, outH - i0);
        const cols = roundUp(count * outW, 8);
        k.gemm4(
          wT + gi * s.blocks * 4 * s.Og * 8,
          dyAt + i0 * outW * 8,
          offsets,
          dCol,
          s.blocks,
          s.Og,
          cols,
          tileCols * 8,
          0,
        );
        k.col2im(
          gx + gi * s.Cg * plane,
          plane,
          dCol,
          tileCols * 8,
          s.Cg,
          s.KH,
          s.KW,
          count,
          outW,
          rowTable + i0 * s.KH * 4,
          colTable,
        );
      }
    }
    roundImage(k, gx, stage, out, n * image, image);
  }
  return true;
}

/** wT[group][tapBlock][o][4] = w[o][tap], zero past the last tap. */
function packTransposedWeights(f: Float64Array, d: number, w: TensorData, s: Sizes, groups: number): void {
  for (let gi = 0; gi < groups; gi++) {
    for (let kb = 0; kb < s.blocks; kb++) {
      for (let o = 0; o < s.Og; o++) {
        const row = (gi * s.Og + o) * s.taps;
        for (let r = 0; r < 4; r++) {
          const tap = kb * 4 + r;
          f[d++] = tap < s.taps ? w[row + tap] : 0;
        }
      }
    }
  }
}

/** Starts one image's gradient from zero, or from `bias[c]` per channel (the transposed conv's bias). */
function startImage(f: Float64Array, at: number, C: number, plane: number, bias: TensorData | null): void {
  if (!bias) f.fill(0, at, at + C * plane);
  else for (let c = 0; c < C; c++) f.fill(bias[c], at + c * plane, at + (c + 1) * plane);
}

/** Rounds one image's float64 gradient once, in the workspace, and copies it out in one block. */
function roundImage(k: Kernels, gx: number, stage: number, out: TensorData, dst: number, length: number): void {
  const narrow = out instanceof Float32Array;
  k.pack(gx, 0, stage, 0, 1, length, narrow ? 1 : 0);
  const view = narrow ? k.f32 : k.f64;
  const base = stage / view.BYTES_PER_ELEMENT;
  out.set(view.subarray(base, base + length), dst);
}

/**
 * The weight gradient `dW[o][tap] = Σ_{n,p} dy[o][p] · x[tap at p]` over
 * real taps, rounded once into `out` (the weight's shape and dtype).
 * @returns false when the workspace cannot be had (the caller uses the reference)
 * @example gradWeightFast(k, g, dy.data, x.data, gradWeight);
 */
export function gradWeightFast(k: Kernels, g: Conv2dGeometry, dy: TensorData, x: TensorData, out: TensorData): boolean {
  const s = sizes(g, g.h.out, g.w.out);
  const Og8 = roundUp(s.Og, 8);
  const rows = tileRows(s, tilePositions(Og8));
  const positions = rows * s.outW;
  const accRows = s.blocks * 4;
  const layout = new Layout();
  const offsets = layout.take(positions, 4);
  const cols = layout.take(accRows * positions, 8);
  const dyT = layout.take(positions * Og8, 8);
  const acc = layout.take(g.groups * accRows * Og8, 8);
  const plane = g.h.size * g.w.size;
  const raw = layout.take(s.Cg * plane, 8);
  const rowTable = layout.take(s.outH * s.KH, 4);
  const colTable = layout.take(s.KW * s.outW, 4);
  if (!k.reserve(layout.top)) return false;
  writeTables(k.i32, g, s, rowTable, colTable);
  for (let p = 0; p < positions; p++) k.i32[(offsets >>> 2) + p] = p * Og8 * 8;
  k.f64.fill(0, dyT >>> 3, (acc >>> 3) + g.groups * accRows * Og8);
  const shift = x instanceof Float32Array ? 2 : 3;
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      copyIn(k, raw, x, (n * g.C + gi * s.Cg) * plane, s.Cg * plane);
      for (let i0 = 0; i0 < s.outH; i0 += rows) {
        const count = Math.min(rows, s.outH - i0);
        const cnt = count * s.outW;
        k.im2col(cols, raw, plane << shift, shift, s.Cg, s.KH, s.KW, count, s.outW, rowTable + i0 * s.KH * 4, colTable);
        for (let tap = s.taps; tap < accRows; tap++)
          zeroLane(k.f64, (cols >>> 3) + (tap >> 2) * cnt * 4 + (tap & 3), cnt);
        packGradOutput(k.f64, dyT >>> 3, Og8, dy, (n * g.O + gi * s.Og) * s.outH * s.outW + i0 * s.outW, s, cnt);
        k.gemm4(cols, dyT, offsets, acc + gi * accRows * Og8 * 8, s.blocks, cnt, Og8, Og8 * 8, 1);
      }
    }
  }
  unpackWeightGradient(k, acc >>> 3, Og8, accRows, s, g.groups, out);
  return true;
}

/** Zeroes one lane (a tap past the last) of packed columns. */
function zeroLane(f: Float64Array, at: number, count: number): void {
  for (let j = 0; j < count; j++) f[at + j * 4] = 0;
}

/** dyT[p][o] = dy[o][p] for the tile's positions; columns past O/g stay zero. */
function packGradOutput(
  f: Float64Array,
  d: number,
  Og8: number,
  dy: TensorData,
  src: number,
  s: Sizes,
  cnt: number,
): void {
  const P = s.outH * s.outW;
  for (let o = 0; o < s.Og; o++) {
    const from = src + o * P;
    for (let p = 0; p < cnt; p++) f[d + p * Og8 + o] = dy[from + p];
  }
}

function unpackWeightGradient(
  k: Kernels,
  acc: number,
  Og8: number,
  accRows: number,
  s: Sizes,
  groups: number,
  out: TensorData,
): void {
  const f = k.f64;
  for (let gi = 0; gi < groups; gi++) {
    const base = acc + gi * accRows * Og8;
    for (let o = 0; o < s.Og; o++) {
      const row = (gi * s.Og + o) * s.taps;
      for (let tap = 0; tap < s.taps; tap++) out[row + tap] = f[base + tap * Og8 + o];
    }
  }
}
