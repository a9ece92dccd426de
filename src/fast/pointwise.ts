/**
 * Fast channels-last pointwise conv2d. A 1×1, stride-1, unpadded, ungrouped
 * conv on NHWC data is one matrix product over the N·H·W positions q:
 * `Y[q][o] = b[o] + Σ_c X[q][c] · W[c][o]`, with X the input as given
 * (`[N·H·W, C]`) and Y the output as returned (`[N·H·W, O]`). So it needs no
 * layout move: each tile of positions is copied in one block, packed for the
 * micro-kernel in blocks of 4 positions (`gather` through a table made once),
 * multiplied by the weights as `[C][O]` (tfjs's HWIO `[1, 1, C, O]` is exactly
 * that; an OIHW weight is read transposed once per call), and leaves in one
 * block copy.
 *
 * Each output is its bias plus the products added in c order in float64,
 * then rounded once: the reference's order, so the result equals the
 * reference's bit for bit.
 *
 * Working memory (float64 unless noted), independent of N·H·W: the weights
 * C × ⌈O/4⌉·4 and C int32 offsets; per tile of T positions (T·max(C, O) about
 * TILING.elements) its input as given (T·C), packed (T·C) and the output tile
 * (T·⌈O/4⌉·4), a staging copy in the output's dtype (T·O), and T/4·C + 4 int32.
 */
import type { Conv2dGeometry } from '../geometry.js';
import type { TensorData } from '../tensor.js';
import { copyIn, type Kernels } from './kernels.js';
import { Layout, roundUp, TILING } from './layout.js';

/**
 * True when `g` is a pointwise conv on NHWC data that `pointwiseFast` serves:
 * 1×1 kernel, stride 1, no padding, one group.
 * @example isChannelsLastPointwise(conv2dGeometry('conv2d', [2, 8, 8, 16], [1, 1, 16, 32], { dataFormat: 'NHWC', filterFormat: 'HWIO' })) // true
 */
export function isChannelsLastPointwise(g: Conv2dGeometry): boolean {
  const plain = (a: Conv2dGeometry['h']) => a.kernel === 1 && a.stride === 1 && a.padBefore === 0 && a.padAfter === 0;
  return g.dataFormat === 'NHWC' && g.groups === 1 && plain(g.h) && plain(g.w);
}

/** Sizes and workspace regions of one pointwise call. */
interface PointwisePlan {
  readonly C: number;
  readonly O: number;
  /** O rounded up to 4 (the micro-kernel's column block). */
  readonly Ob: number;
  /** N·H·W, and the positions per tile (a multiple of 4). */
  readonly positions: number;
  readonly tile: number;
  readonly weights: number;
  readonly offsets: number;
  readonly raw: number;
  readonly packed: number;
  readonly acc: number;
  readonly stage: number;
  readonly rowTable: number;
  readonly colTable: number;
  readonly bytes: number;
}

function planPointwise(g: Conv2dGeometry): PointwisePlan {
  const { C, O } = g;
  const Ob = roundUp(O, 4);
  const positions = g.N * g.h.size * g.w.size;
  const tile = Math.min(roundUp(positions, 4), Math.max(4, Math.floor(TILING.elements / Math.max(C, Ob) / 4) * 4));
  const layout = new Layout();
  return {
    C,
    O,
    Ob,
    positions,
    tile,
    weights: layout.take(C * Ob, 8),
    offsets: layout.take(C, 4),
    raw: layout.take(tile * C, 8),
    packed: layout.take(tile * C, 8),
    acc: layout.take(tile * Ob, 8),
    stage: layout.take(tile * O, 8),
    rowTable: layout.take((tile / 4) * C, 4),
    colTable: layout.take(4, 4),
    bytes: layout.top,
  };
}

/** The weights as `[C][Ob]` float64 (columns past O are zero), and each row's byte offset. */
function writeWeights(k: Kernels, plan: PointwisePlan, w: TensorData, hwio: boolean): void {
  const { C, O, Ob } = plan;
  const at = plan.weights >>> 3;
  k.f64.fill(0, at, at + C * Ob);
  for (let c = 0; c < C; c++) {
    for (let o = 0; o < O; o++) k.f64[at + c * Ob + o] = hwio ? w[c * O + o] : w[o * C + c];
    k.i32[(plan.offsets >>> 2) + c] = c * Ob * 8;
  }
}

/**
 * The packing tables: block rb of 4 positions, channel c reads element `4·rb·C + c`
 * of the tile plus `r·C` for its row r, so `gather` writes `[rb][c][r]`, the micro-kernel's A.
 */
function writeTables(i32: Int32Array, plan: PointwisePlan): void {
  const { C } = plan;
  const rows = plan.rowTable >>> 2;
  for (let rb = 0; rb < plan.tile / 4; rb++) {
    for (let c = 0; c < C; c++) i32[rows + rb * C + c] = 4 * rb * C + c;
  }
  for (let r = 0; r < 4; r++) i32[(plan.colTable >>> 2) + r] = r * C;
}

/** Starts each row of the output tile from the bias (so each output is rounded once, after it). */
function fillBias(f: Float64Array, plan: PointwisePlan, b: TensorData, rows: number): void {
  for (let r = 0; r < rows; r++) {
    const at = (plan.acc >>> 3) + r * plan.Ob;
    for (let o = 0; o < plan.O; o++) f[at + o] = b[o];
  }
}

/**
 * The pointwise conv of `isChannelsLastPointwise` geometries into `out` (NHWC, the output's dtype),
 * reading x as given (NHWC) and w in the geometry's filterFormat.
 * @returns false when the workspace cannot be had (the caller uses the reference)
 * @example if (isChannelsLastPointwise(g) && pointwiseFast(k, g, x.data, w.data, null, out)) return out;
 */
export function pointwiseFast(
  k: Kernels,
  g: Conv2dGeometry,
  x: TensorData,
  w: TensorData,
  b: TensorData | null,
  out: TensorData,
): boolean {
  const plan = planPointwise(g);
  if (plan.positions === 0) return true;
  if (!k.reserve(plan.bytes)) return false;
  writeWeights(k, plan, w, g.filterFormat === 'HWIO');
  writeTables(k.i32, plan);
  const { C, O, Ob } = plan;
  const shift = x instanceof Float32Array ? 2 : 3;
  const narrow = out instanceof Float32Array;
  const view = narrow ? k.f32 : k.f64;
  const stage = plan.stage / view.BYTES_PER_ELEMENT;
  for (let q0 = 0; q0 < plan.positions; q0 += plan.tile) {
    const count = Math.min(plan.tile, plan.positions - q0);
    const blocks = roundUp(count, 4) / 4;
    // The rows past `count` up to a multiple of 4 hold whatever the region held: computed, never copied out.
    copyIn(k, plan.raw, x, q0 * C, count * C);
    k.gather(plan.packed, plan.raw, shift, plan.rowTable, blocks * C, plan.colTable, 4);
    if (b) fillBias(k.f64, plan, b, blocks * 4);
    k.gemm4(plan.packed, plan.weights, plan.offsets, plan.acc, blocks, C, Ob, Ob * 8, b ? 1 : 0);
    k.pack(plan.acc, Ob * 8, plan.stage, O * view.BYTES_PER_ELEMENT, count, O, narrow ? 1 : 0);
    out.set(view.subarray(stage, stage + count * O), q0 * O);
  }
  return true;
}
