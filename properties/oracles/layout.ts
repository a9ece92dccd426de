/**
 * Data movement between convproof's layouts (NCHW input, OIHW weight) and
 * the ones TensorFlow.js takes (NHWC input, `[KH, KW, C, O]` filter), one
 * channel group at a time. Nothing here does arithmetic except the gradient
 * fold, which adds the copies a padding mode made back into their source.
 */
import type { PaddingMode, TensorData } from '../../src/index.js';
import { axisOutput, effectiveKernel, sourcePixel, type Pads } from '../spec/index.js';

/** Dimensions of an NCHW array. */
export interface Nchw {
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
}

function sourceMap(size: number, pads: readonly [number, number], mode: PaddingMode): Int32Array {
  const map = new Int32Array(size + pads[0] + pads[1]);
  for (let i = 0; i < map.length; i++) map[i] = sourcePixel(i - pads[0], size, mode);
  return map;
}

/**
 * Pads an NCHW array in JS with `mode` (zeros included).
 * @returns the padded data (float32) and its dims
 */
export function padNchw(x: TensorData, d: Nchw, pads: Pads, mode: PaddingMode): { data: Float32Array; dims: Nchw } {
  const rows = sourceMap(d.H, pads[0], mode);
  const cols = sourceMap(d.W, pads[1], mode);
  const dims = { N: d.N, C: d.C, H: rows.length, W: cols.length };
  const out = new Float32Array(dims.N * dims.C * dims.H * dims.W);
  let p = 0;
  for (let nc = 0; nc < d.N * d.C; nc++) {
    for (const r of rows) {
      for (const s of cols) out[p++] = r < 0 || s < 0 ? 0 : x[(nc * d.H + r) * d.W + s];
    }
  }
  return { data: out, dims };
}

/**
 * The gradient of `padNchw`: every padded position's gradient is added into
 * the pixel it copied (zeros drop). Sums in float64 and rounds once.
 */
export function foldNchw(gp: Float64Array, d: Nchw, pads: Pads, mode: PaddingMode): Float32Array {
  const rows = sourceMap(d.H, pads[0], mode);
  const cols = sourceMap(d.W, pads[1], mode);
  const acc = new Float64Array(d.N * d.C * d.H * d.W);
  let p = 0;
  for (let nc = 0; nc < d.N * d.C; nc++) {
    for (const r of rows) {
      for (const s of cols) {
        const g = gp[p++];
        if (r >= 0 && s >= 0) acc[(nc * d.H + r) * d.W + s] += g;
      }
    }
  }
  return Float32Array.from(acc);
}

/** Channels `[c0, c0 + count)` of an NCHW array, as NHWC `[N, H, W, count]` float32. */
export function channelsToNhwc(x: TensorData, d: Nchw, c0: number, count: number): Float32Array {
  const out = new Float32Array(d.N * d.H * d.W * count);
  let p = 0;
  for (let n = 0; n < d.N; n++) {
    for (let h = 0; h < d.H; h++) {
      for (let w = 0; w < d.W; w++) {
        for (let c = 0; c < count; c++) out[p++] = x[((n * d.C + c0 + c) * d.H + h) * d.W + w];
      }
    }
  }
  return out;
}

/** Writes NHWC `[N, H, W, count]` into channels `[c0, c0 + count)` of an NCHW array. */
export function nhwcIntoChannels(
  src: ArrayLike<number>,
  out: TensorData | Float64Array,
  d: Nchw,
  c0: number,
  count: number,
): void {
  let p = 0;
  for (let n = 0; n < d.N; n++) {
    for (let h = 0; h < d.H; h++) {
      for (let w = 0; w < d.W; w++) {
        for (let c = 0; c < count; c++) out[((n * d.C + c0 + c) * d.H + h) * d.W + w] = src[p++];
      }
    }
  }
}

/** Dimensions of an OIHW weight. */
export interface Oihw {
  readonly O: number;
  readonly I: number;
  readonly KH: number;
  readonly KW: number;
}

/**
 * Output channels `[o0, o0 + count)` of an OIHW weight as a tfjs filter
 * `[KH', KW', I, count]`, with the taps spread `dilation` apart
 * (`KH' = dh·(KH−1)+1`, zeros between), so that a dilation-1 conv with it
 * equals the dilated conv.
 */
export function filterToHwio(
  w: TensorData,
  d: Oihw,
  o0: number,
  count: number,
  dilation: readonly [number, number],
): { data: Float32Array; shape: [number, number, number, number] } {
  const [dh, dw] = dilation;
  const kh2 = effectiveKernel(d.KH, dh);
  const kw2 = effectiveKernel(d.KW, dw);
  const out = new Float32Array(kh2 * kw2 * d.I * count);
  for (let o = 0; o < count; o++) {
    for (let i = 0; i < d.I; i++) {
      for (let kh = 0; kh < d.KH; kh++) {
        for (let kw = 0; kw < d.KW; kw++) {
          out[((kh * dh * kw2 + kw * dw) * d.I + i) * count + o] = w[(((o0 + o) * d.I + i) * d.KH + kh) * d.KW + kw];
        }
      }
    }
  }
  return { data: out, shape: [kh2, kw2, d.I, count] };
}

/**
 * The inverse gather of `filterToHwio` for a filter gradient: reads the taps
 * at the dilated positions of `[KH', KW', I, count]` into output channels
 * `[o0, o0 + count)` of an OIHW array (the zero taps' gradients are dropped).
 */
export function hwioIntoFilter(
  g: ArrayLike<number>,
  out: TensorData,
  d: Oihw,
  o0: number,
  count: number,
  dilation: readonly [number, number],
): void {
  const [dh, dw] = dilation;
  const kw2 = effectiveKernel(d.KW, dw);
  for (let o = 0; o < count; o++) {
    for (let i = 0; i < d.I; i++) {
      for (let kh = 0; kh < d.KH; kh++) {
        for (let kw = 0; kw < d.KW; kw++) {
          out[(((o0 + o) * d.I + i) * d.KH + kh) * d.KW + kw] = g[((kh * dh * kw2 + kw * dw) * d.I + i) * count + o];
        }
      }
    }
  }
}

/**
 * Every `step`-th row and column of NHWC `[N, H, W, C]`, from the first:
 * a stride-s output taken from the stride-1 output, `ceil(H / sh)` rows.
 */
export function subsampleNhwc(
  x: ArrayLike<number>,
  shape: readonly number[],
  step: readonly [number, number],
): { data: Float32Array; shape: [number, number, number, number] } {
  const [N, H, W, C] = shape;
  // a stride-s walk over n positions keeps axisOutput(n, 1, s, 1, 0, 0) = ceil(n / s) of them
  const [h2, w2] = [axisOutput(H, 1, step[0], 1, 0, 0), axisOutput(W, 1, step[1], 1, 0, 0)];
  const out = new Float32Array(N * h2 * w2 * C);
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < h2; i++) {
      for (let j = 0; j < w2; j++) {
        const from = ((n * H + i * step[0]) * W + j * step[1]) * C;
        for (let c = 0; c < C; c++) out[p++] = x[from + c];
      }
    }
  }
  return { data: out, shape: [N, h2, w2, C] };
}
