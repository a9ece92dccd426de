/**
 * A correct conv written as explicit padding + im2col + matrix products:
 * the padded image is an index image (which real pixel each padded position
 * copies, or none), columns gather through it, and the forward is W·cols.
 * Backward is the transpose of each step: dW = dY·colsᵀ, dcols = Wᵀ·dY folded
 * back through col2im and the index image. Independent of convproof's code.
 */
import type { Conv2dGradients, Conv2dOptions, ConvTranspose2dOptions, Tensor, TensorData } from '../../src/index.js';
import type { ConvImplementation } from '../../properties/types.js';
import {
  outShape,
  resolve,
  resolveTranspose,
  result,
  source,
  transposeShape,
  type Problem,
  type TransposeProblem,
} from './common.js';

/**
 * Column layout for one image and one group: row r = (c, kh, kw) over the
 * group's channels, column q = (i, j) over output positions; `at[r·Q + q]` is
 * the flat input index (within the image) the entry reads, −1 for zero padding.
 */
interface Columns {
  readonly at: Int32Array;
  readonly R: number;
  readonly Q: number;
}

/** Index image of the padded input: padded (y, x) → source flat index in one channel plane, or −1. */
function paddedIndex(p: Problem): { index: Int32Array; PH: number; PW: number } {
  const PH = p.h.size + p.h.before + p.h.after;
  const PW = p.w.size + p.w.before + p.w.after;
  const index = new Int32Array(PH * PW);
  for (let y = 0; y < PH; y++) {
    for (let x = 0; x < PW; x++) {
      const sy = source(y - p.h.before, p.h.size, p.mode);
      const sx = source(x - p.w.before, p.w.size, p.mode);
      index[y * PW + x] = sy < 0 || sx < 0 ? -1 : sy * p.w.size + sx;
    }
  }
  return { index, PH, PW };
}

function im2col(p: Problem, group: number): Columns {
  const { index, PW } = paddedIndex(p);
  const Cg = p.C / p.groups;
  const [KH, KW, OH, OW] = [p.h.k, p.w.k, p.h.out, p.w.out];
  const R = Cg * KH * KW;
  const Q = OH * OW;
  const at = new Int32Array(R * Q);
  const planeSize = p.h.size * p.w.size;
  for (let c = 0; c < Cg; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const r = (c * KH + kh) * KW + kw;
        for (let i = 0; i < OH; i++) {
          for (let j = 0; j < OW; j++) {
            const src = index[(i * p.h.s + kh * p.h.d) * PW + j * p.w.s + kw * p.w.d];
            at[r * Q + i * OW + j] = src < 0 ? -1 : (group * Cg + c) * planeSize + src;
          }
        }
      }
    }
  }
  return { at, R, Q };
}

function forward(x: Tensor, w: Tensor, o: Conv2dOptions): Tensor {
  const p = resolve(x.shape, w.shape, o);
  const Og = p.O / p.groups;
  const imageSize = p.C * p.h.size * p.w.size;
  const acc = new Float64Array(p.N * p.O * p.h.out * p.w.out);
  for (let g = 0; g < p.groups; g++) {
    const cols = im2col(p, g);
    for (let n = 0; n < p.N; n++) {
      for (let ol = 0; ol < Og; ol++) {
        const oc = g * Og + ol;
        const base = (n * p.O + oc) * cols.Q;
        for (let r = 0; r < cols.R; r++) {
          const wv = w.data[oc * cols.R + r];
          for (let q = 0; q < cols.Q; q++) {
            const src = cols.at[r * cols.Q + q];
            if (src >= 0) acc[base + q] += wv * x.data[n * imageSize + src];
          }
        }
      }
    }
  }
  addBias(acc, o.bias?.data ?? null, p.O, p.h.out * p.w.out);
  return result(outShape(p), acc, x.data);
}

function addBias(acc: Float64Array, bias: TensorData | null, O: number, plane: number): void {
  if (!bias) return;
  for (let q = 0; q < acc.length; q++) acc[q] += bias[Math.floor(q / plane) % O];
}

function backward(dy: Tensor, x: Tensor, w: Tensor, o: Conv2dOptions): Conv2dGradients {
  const p = resolve(x.shape, w.shape, o);
  const Og = p.O / p.groups;
  const imageSize = p.C * p.h.size * p.w.size;
  const gx = new Float64Array(x.data.length);
  const gw = new Float64Array(w.data.length);
  const gb = new Float64Array(p.O);
  for (let g = 0; g < p.groups; g++) {
    const cols = im2col(p, g);
    for (let n = 0; n < p.N; n++) {
      for (let ol = 0; ol < Og; ol++) {
        const oc = g * Og + ol;
        const dyRow = (n * p.O + oc) * cols.Q;
        for (let q = 0; q < cols.Q; q++) gb[oc] += dy.data[dyRow + q];
        for (let r = 0; r < cols.R; r++) {
          const wv = w.data[oc * cols.R + r];
          let dw = 0;
          for (let q = 0; q < cols.Q; q++) {
            const src = cols.at[r * cols.Q + q];
            if (src < 0) continue;
            dw += dy.data[dyRow + q] * x.data[n * imageSize + src];
            gx[n * imageSize + src] += wv * dy.data[dyRow + q]; // col2im folds padded copies back
          }
          gw[oc * cols.R + r] += dw;
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

/**
 * Transposed conv as cols = Wᵀ·X followed by col2im onto the full (uncropped)
 * output `(H−1)·s + d·(K−1) + 1`, then a crop of `[top, left]`.
 */
function transpose(x: Tensor, w: Tensor, o: ConvTranspose2dOptions): Tensor {
  const t = resolveTranspose(x.shape, w.shape, o);
  const Cg = t.C / t.groups;
  const Og = t.O / t.groups;
  const taps = t.KH * t.KW;
  const acc = new Float64Array(t.N * t.O * t.OH * t.OW);
  const colsRow = new Float64Array(t.H * t.W);
  for (let n = 0; n < t.N; n++) {
    for (let g = 0; g < t.groups; g++) {
      for (let ol = 0; ol < Og; ol++) {
        for (let k = 0; k < taps; k++) {
          colsRow.fill(0);
          for (let c = g * Cg; c < (g + 1) * Cg; c++) {
            const wv = w.data[(c * Og + ol) * taps + k];
            const xBase = (n * t.C + c) * t.H * t.W;
            for (let q = 0; q < t.H * t.W; q++) colsRow[q] += wv * x.data[xBase + q];
          }
          col2im(t, colsRow, k, acc, (n * t.O + g * Og + ol) * t.OH * t.OW);
        }
      }
    }
  }
  addBias(acc, o.bias?.data ?? null, t.O, t.OH * t.OW);
  return result(transposeShape(t), acc, x.data);
}

/** Adds one tap's column row into the cropped output plane starting at `base`. */
function col2im(t: TransposeProblem, row: Float64Array, k: number, acc: Float64Array, base: number): void {
  const kh = Math.floor(k / t.KW);
  const kw = k % t.KW;
  const [[top], [left]] = t.pads;
  for (let i = 0; i < t.H; i++) {
    const y = i * t.stride[0] + kh * t.dilation[0] - top;
    if (y < 0 || y >= t.OH) continue;
    for (let j = 0; j < t.W; j++) {
      const z = j * t.stride[1] + kw * t.dilation[1] - left;
      if (z >= 0 && z < t.OW) acc[base + y * t.OW + z] += row[i * t.W + j];
    }
  }
}

/**
 * The im2col + matmul conv (correct).
 * @example im2colConv.conv2d(x, w, { padding: 'same', paddingMode: 'reflect' })
 */
export const im2colConv: Required<Pick<ConvImplementation, 'conv2d' | 'conv2dBackward' | 'convTranspose2d'>> = {
  conv2d: (x, w, o = {}) => forward(x, w, o),
  conv2dBackward: (dy, x, w, o = {}) => backward(dy, x, w, o),
  convTranspose2d: (x, w, o = {}) => transpose(x, w, o),
};
