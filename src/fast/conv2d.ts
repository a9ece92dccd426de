/**
 * Fast forward conv2d: an implicit GEMM. Per image and group, the padded
 * input is copied once into the workspace as float64, split into stride
 * phases, so that every tap (c, kh, kw) of every output position p reads
 * `image[p + off[tap]]` with unit stride. The micro-kernel then computes
 * `Y[o][p] = b[o] + Σ_tap W[o][tap] · image[p + off[tap]]` for a tile of
 * output rows, with no im2col matrix at all.
 *
 * Output positions run over the phase image's rows, which are `Wq ≥ OW`
 * wide; the `Wq − OW` extra columns per row are computed and dropped.
 * Padding modes are materialised in the copy through `sourceIndex`, so
 * every option is one code path. Zero padding becomes real zeros: the
 * caller sends weights holding NaN/±Inf to the reference instead, where a
 * padded tap is skipped rather than multiplied (0·Inf would be NaN).
 *
 * Each output is the bias plus the products added in (c, kh, kw) order in
 * float64, then rounded once: the reference's own order and precision.
 *
 * Working memory (float64 unless noted), independent of the batch size N:
 * the packed weights (|W|); one group's phase images of one input, ≈ C/g ·
 * (H + pads) · (W + pads) (each axis rounded up to whole strides; only the
 * phases some tap reads), plus one row; C/g·KH·KW int32 offsets; an output
 * tile of O/g rows × `tilePositions(O/g)` ≤ 4096 positions (at least one
 * output row); a staging copy of one image's O/g output planes, so each
 * leaves in one block copy; one group of one input image as given (C/g·H·W,
 * copied in one block before the expansion); and the phase tables.
 *
 * NHWC data (`g.dataFormat`) is read and written where it lies, with no
 * layout move of the whole tensor: each image is copied in as given (C·H·W:
 * all groups) and the expansion into phase images reads each channel at its
 * stride C; the output planes of all O channels are staged (O·OH·OW) and
 * leave transposed into the image's `[OH·OW][O]` block.
 */
import { sourceIndex, type AxisGeometry, type Conv2dGeometry, type PaddingMode } from '../geometry.js';
import { transposeInto } from '../formats.js';
import type { TensorData } from '../tensor.js';
import { copyIn, type Kernels } from './kernels.js';
import { Layout, roundUp, tilePositions } from './layout.js';

/** One axis of the padded input, split by stride phase. */
interface PhaseAxis {
  /** Phase-image length: ⌈padded size / stride⌉. */
  readonly len: number;
  /** The phase residues some tap uses (just [0] at stride 1). */
  readonly count: number;
  /** Per tap: which used phase it reads, and its shift in phase-image units. */
  readonly tapPhase: Int32Array;
  readonly tapShift: Int32Array;
  /** `src[phase·len + q]`: the input pixel behind phase-image position q, or −1 for a zero. */
  readonly src: Int32Array;
}

function phaseAxis(a: AxisGeometry, mode: PaddingMode): PhaseAxis {
  const padded = a.size + a.padBefore + a.padAfter;
  const len = Math.ceil(padded / a.stride);
  const used = [...new Set(Array.from({ length: a.kernel }, (_, k) => (k * a.dilation) % a.stride))].sort(
    (p, q) => p - q,
  );
  const tapPhase = new Int32Array(a.kernel);
  const tapShift = new Int32Array(a.kernel);
  for (let k = 0; k < a.kernel; k++) {
    tapPhase[k] = used.indexOf((k * a.dilation) % a.stride);
    tapShift[k] = Math.floor((k * a.dilation) / a.stride);
  }
  const src = new Int32Array(used.length * len);
  for (let f = 0; f < used.length; f++) {
    for (let q = 0; q < len; q++) {
      const pos = q * a.stride + used[f];
      src[f * len + q] = pos < padded ? sourceIndex(pos - a.padBefore, a.size, mode) : -1;
    }
  }
  return { len, count: used.length, tapPhase, tapShift, src };
}

/** Everything a forward call needs to know, computed once per call. */
interface ForwardPlan {
  readonly g: Conv2dGeometry;
  readonly rows: PhaseAxis;
  readonly cols: PhaseAxis;
  readonly Cg: number;
  readonly Og: number;
  /** Taps per output: C/g · KH · KW. */
  readonly taps: number;
  /** Output rows per tile, and the tile's column count (a multiple of 8). */
  readonly tileRows: number;
  readonly tileCols: number;
  /** Byte addresses of the regions, and the workspace size. */
  readonly weights: number;
  readonly offsets: number;
  readonly image: number;
  readonly out: number;
  /** One group of one input image as given, and the phase tables. */
  readonly raw: number;
  readonly rowTable: number;
  readonly colTable: number;
  /** Where finished tiles gather (as the output's dtype): one image's group of output channels (NHWC: all of them). */
  readonly stage: number;
  /** NHWC data: images are copied in whole and channels read at stride C. */
  readonly channelsLast: boolean;
  readonly bytes: number;
}

function planForward(g: Conv2dGeometry): ForwardPlan {
  const rows = phaseAxis(g.h, g.paddingMode);
  const cols = phaseAxis(g.w, g.paddingMode);
  const Cg = g.C / g.groups;
  const Og = g.O / g.groups;
  const taps = Cg * g.h.kernel * g.w.kernel;
  const Wq = cols.len;
  const tileRows = Math.max(1, Math.min(g.h.out, Math.floor(tilePositions(Og) / Wq)));
  const tileCols = roundUp(tileRows * Wq, 8);
  const channelsLast = g.dataFormat === 'NHWC';
  const layout = new Layout();
  const weights = layout.take(g.O * taps, 8);
  const offsets = layout.take(taps, 4);
  // The last tile reads up to one row plus 8 columns past the phase images.
  const image = layout.take(Cg * rows.count * cols.count * rows.len * Wq + Wq + 8, 8);
  const out = layout.take(Og * tileCols, 8);
  const stage = layout.take((channelsLast ? g.O : Og) * g.h.out * g.w.out, 8);
  const raw = layout.take((channelsLast ? g.C : Cg) * g.h.size * g.w.size, 8);
  const rowTable = layout.take(rows.src.length, 4);
  const colTable = layout.take(cols.src.length, 4);
  return {
    g,
    rows,
    cols,
    Cg,
    Og,
    taps,
    tileRows,
    tileCols,
    weights,
    offsets,
    image,
    out,
    stage,
    raw,
    rowTable,
    colTable,
    channelsLast,
    bytes: layout.top,
  };
}

/**
 * Packs each group's weights for the kernels: blocks of 4 output channels
 * interleaved per tap (`[block][tap][4]`), then the leftover rows as they are.
 */
function packWeights(f: Float64Array, plan: ForwardPlan, w: TensorData): void {
  const { Og, taps } = plan;
  const blocks = Og >> 2;
  let d = plan.weights >>> 3;
  for (let gi = 0; gi < plan.g.groups; gi++) {
    const base = gi * Og * taps;
    for (let rb = 0; rb < blocks; rb++) {
      for (let k = 0; k < taps; k++) {
        for (let r = 0; r < 4; r++) f[d++] = w[base + (rb * 4 + r) * taps + k];
      }
    }
    for (let k = blocks * 4 * taps; k < Og * taps; k++) f[d++] = w[base + k];
  }
}

/** off[tap] = byte offset of the pixel tap (c, kh, kw) reads for output position 0. */
function writeOffsets(i32: Int32Array, plan: ForwardPlan): void {
  const { rows, cols, Cg } = plan;
  const KH = plan.g.h.kernel;
  const KW = plan.g.w.kernel;
  const plane = rows.len * cols.len;
  let t = plan.offsets >>> 2;
  for (let c = 0; c < Cg; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const phase = (c * rows.count + rows.tapPhase[kh]) * cols.count + cols.tapPhase[kw];
        i32[t++] = (phase * plane + rows.tapShift[kh] * cols.len + cols.tapShift[kw]) * 8;
      }
    }
  }
}

/**
 * The phase tables: rows[f·Hq + r] = source row · W, cols[f·Wq + q] = source column (element offsets),
 * −1 for a zero; in NHWC data both times C (a pixel's channels are adjacent).
 */
function writePhaseTables(i32: Int32Array, plan: ForwardPlan): void {
  const { rows, cols } = plan;
  const step = plan.channelsLast ? plan.g.C : 1;
  for (let i = 0; i < rows.src.length; i++)
    i32[(plan.rowTable >>> 2) + i] = rows.src[i] < 0 ? -1 : rows.src[i] * plan.g.w.size * step;
  for (let i = 0; i < cols.src.length; i++) i32[(plan.colTable >>> 2) + i] = cols.src[i] < 0 ? -1 : cols.src[i] * step;
}

/**
 * Copies one group of one input image into the workspace (NHWC: the whole image, with the
 * first group), then expands it into padded phase images.
 */
function fillImage(k: Kernels, plan: ForwardPlan, x: TensorData, n: number, gi: number): void {
  const { rows, cols, Cg } = plan;
  const { C, h, w } = plan.g;
  const plane = h.size * w.size;
  const shift = x instanceof Float32Array ? 2 : 3;
  if (!plan.channelsLast) copyIn(k, plan.raw, x, (n * C + gi * Cg) * plane, Cg * plane);
  else if (gi === 0) copyIn(k, plan.raw, x, n * C * plane, C * plane);
  // Where channel c of the group starts, in elements: its plane (NCHW), or its offset in a pixel (NHWC).
  const start = (c: number): number => (plan.channelsLast ? gi * Cg + c : c * plane);
  let d = plan.image;
  for (let c = 0; c < Cg; c++) {
    for (let fr = 0; fr < rows.count; fr++) {
      for (let fc = 0; fc < cols.count; fc++, d += rows.len * cols.len * 8) {
        k.gather(
          d,
          plan.raw + (start(c) << shift),
          shift,
          plan.rowTable + fr * rows.len * 4,
          rows.len,
          plan.colTable + fc * cols.len * 4,
          cols.len,
        );
      }
    }
  }
}

/**
 * Moves a finished tile (O/g rows of `Wq`-wide output rows) into the staging
 * region, dropping the extra columns and rounding once to the output dtype.
 */
function stageTile(k: Kernels, plan: ForwardPlan, size: number, gi: number, i0: number, count: number): void {
  const { h, w } = plan.g;
  // NHWC stages every channel of the image: group gi's planes follow the earlier groups'.
  const first = plan.channelsLast ? gi * plan.Og : 0;
  for (let o = 0; o < plan.Og; o++) {
    const dst = plan.stage + ((first + o) * h.out + i0) * w.out * size;
    k.pack(plan.out + o * plan.tileCols * 8, plan.cols.len * 8, dst, w.out * size, count, w.out, size === 4 ? 1 : 0);
  }
}

/**
 * Copies one image's group of output channels, staged whole, into the output with one block copy;
 * NHWC: once the last group is staged, the image's O planes transposed into its `[OH·OW][O]` block.
 */
function copyOut(k: Kernels, plan: ForwardPlan, out: TensorData, n: number, gi: number): void {
  const { O, h, w, groups } = plan.g;
  const plane = h.out * w.out;
  const view = out instanceof Float32Array ? k.f32 : k.f64;
  const base = plan.stage / view.BYTES_PER_ELEMENT;
  if (!plan.channelsLast) {
    out.set(view.subarray(base, base + plan.Og * plane), (n * O + gi * plan.Og) * plane);
  } else if (gi === groups - 1) {
    transposeInto(view, base, plane, out, n * O * plane, O, O, plane);
  }
}

/** Starts an output tile from the bias (so each output is rounded once, after it). */
function fillBias(f: Float64Array, plan: ForwardPlan, b: TensorData, gi: number, cols: number): void {
  for (let o = 0; o < plan.Og; o++) {
    const at = (plan.out >>> 3) + o * plan.tileCols;
    f.fill(b[gi * plan.Og + o], at, at + cols);
  }
}

/**
 * Forward conv2d into `out` (the output's dtype; rounded once per element),
 * on the kernels `k` and in their workspace. x and out are laid out as
 * `g.dataFormat` says; w is always in OIHW form.
 * @returns false when the workspace cannot be had (the caller uses the reference)
 * @example if (!forwardFast(k, geometry, x.data, w.data, null, out)) forwardInto(geometry, x.data, w.data, null, out);
 */
export function forwardFast(
  k: Kernels,
  g: Conv2dGeometry,
  x: TensorData,
  w: TensorData,
  b: TensorData | null,
  out: TensorData,
): boolean {
  if (g.N === 0) return true;
  const plan = planForward(g);
  if (!k.reserve(plan.bytes)) return false;
  packWeights(k.f64, plan, w);
  writeOffsets(k.i32, plan);
  writePhaseTables(k.i32, plan);
  const { Og, taps, tileRows, tileCols } = plan;
  const blocks = Og >> 2;
  const ldc = tileCols * 8;
  const init = b ? 1 : 0;
  const size = out instanceof Float32Array ? 4 : 8;
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      fillImage(k, plan, x, n, gi);
      const a = plan.weights + gi * Og * taps * 8;
      for (let i0 = 0; i0 < g.h.out; i0 += tileRows) {
        const count = Math.min(tileRows, g.h.out - i0);
        const cols = roundUp(count * plan.cols.len, 8);
        const src = plan.image + i0 * plan.cols.len * 8;
        if (b) fillBias(k.f64, plan, b, gi, cols);
        k.gemm4(a, src, plan.offsets, plan.out, blocks, taps, cols, ldc, init);
        for (let r = blocks * 4; r < Og; r++) {
          k.gemm1(a + r * taps * 8, src, plan.offsets, plan.out + r * ldc, taps, cols, init);
        }
        stageTile(k, plan, size, gi, i0, count);
      }
      copyOut(k, plan, out, n, gi);
    }
  }
  return true;
}

/**
 * The workspace bytes a forward call of this geometry needs (see the bound
 * in the module comment); the same for every batch size.
 * @example forwardWorkspaceBytes(conv2dGeometry('conv2d', [8, 64, 56, 56], [64, 64, 3, 3], { padding: 1 }))
 */
export function forwardWorkspaceBytes(g: Conv2dGeometry): number {
  return planForward(g).bytes;
}
