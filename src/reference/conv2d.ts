/**
 * Readable reference kernels: the plain loop nest of the definition,
 * accumulating in float64 and rounding once per output element.
 *
 * Forward and backward walk the same index maps (`tapMap`), so a tap the
 * forward skips (zero padding) is skipped by the gradients too, and a tap
 * that a padding mode maps onto a real pixel sends its gradient there.
 * The fast kernels are checked against these.
 */
import { fromChannelsFirst, fromOIHW, toChannelsFirst, toOIHW } from '../formats.js';
import { tapMap, type Conv2dGeometry, type Conv2dOptions } from '../geometry.js';
import { allocate, type DType, type Tensor, type TensorData } from '../tensor.js';
import { checkConv2dArgs, checkConv2dBackwardArgs, checkCorr2dArgs } from '../validate.js';

/** dL/db[o] = Σ over batch and space of dy (per plane, then over the batch), in float64. */
export function biasGradient(g: Conv2dGeometry, dy: TensorData): Float64Array {
  return channelSums(dy, g.N, g.O, g.h.out * g.w.out);
}

/**
 * Σ over batch and space of an `[N, channels, plane]` array, per channel (each plane
 * summed, then the planes over the batch), in float64: the bias gradient of any conv.
 * @example channelSums(new Float64Array([1, 2, 3, 4]), 1, 2, 2) // Float64Array [3, 7]
 */
export function channelSums(dy: TensorData, N: number, channels: number, plane: number): Float64Array {
  const sums = new Float64Array(channels);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < channels; o++) {
      let s = 0;
      const base = (n * channels + o) * plane;
      for (let k = 0; k < plane; k++) s += dy[base + k];
      sums[o] += s;
    }
  }
  return sums;
}

/**
 * Forward correlation into a float64 accumulator per output element.
 * out[n,o,i,j] = b[o] + Σ_{c,kh,kw} x[n, g·C/g + c, rows(i,kh), cols(j,kw)] · w[o,c,kh,kw]
 */
export function forwardInto(
  g: Conv2dGeometry,
  x: TensorData,
  w: TensorData,
  b: TensorData | null,
  out: TensorData,
): void {
  const { N, C, O, groups, h, w: wa } = g;
  const Cg = C / groups;
  const Og = O / groups;
  const rows = tapMap(h, g.paddingMode);
  const cols = tapMap(wa, g.paddingMode);
  const [H, W, KH, KW, OH, OW] = [h.size, wa.size, h.kernel, wa.kernel, h.out, wa.out];
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const c0 = Math.floor(o / Og) * Cg;
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          let acc = b ? b[o] : 0;
          for (let c = 0; c < Cg; c++) {
            const xPlane = (n * C + c0 + c) * H;
            const wPlane = (o * Cg + c) * KH;
            for (let kh = 0; kh < KH; kh++) {
              const r = rows[i * KH + kh];
              if (r < 0) continue;
              const xRow = (xPlane + r) * W;
              const wRow = (wPlane + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const s = cols[j * KW + kw];
                if (s < 0) continue;
                acc += x[xRow + s] * w[wRow + kw];
              }
            }
          }
          out[p++] = acc;
        }
      }
    }
  }
}

/**
 * The adjoint walk: for every output position (the first `outH × outW` of
 * them) with upstream value dy, visits each real tap and accumulates
 * `gx[tap] += dy·w` (when gx is given) and `gw[k] += dy·x[tap]` (when gw is given).
 * Used by conv2dBackward and, with dy = its input, by convTranspose2d.
 */
export function adjointInto(
  g: Conv2dGeometry,
  dy: TensorData,
  outH: number,
  outW: number,
  x: TensorData | null,
  w: TensorData,
  gx: Float64Array | null,
  gw: Float64Array | null,
): void {
  const { N, C, O, groups, h, w: wa } = g;
  const Cg = C / groups;
  const Og = O / groups;
  const rows = tapMap(h, g.paddingMode, outH);
  const cols = tapMap(wa, g.paddingMode, outW);
  const [H, W, KH, KW] = [h.size, wa.size, h.kernel, wa.kernel];
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const c0 = Math.floor(o / Og) * Cg;
      for (let i = 0; i < outH; i++) {
        for (let j = 0; j < outW; j++) {
          const d = dy[p++];
          for (let c = 0; c < Cg; c++) {
            const xPlane = (n * C + c0 + c) * H;
            const wPlane = (o * Cg + c) * KH;
            for (let kh = 0; kh < KH; kh++) {
              const r = rows[i * KH + kh];
              if (r < 0) continue;
              const xRow = (xPlane + r) * W;
              const wRow = (wPlane + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const s = cols[j * KW + kw];
                if (s < 0) continue;
                if (gx) gx[xRow + s] += d * w[wRow + kw];
                if (gw) gw[wRow + kw] += d * x![xRow + s];
              }
            }
          }
        }
      }
    }
  }
}

/** Rounds a float64 accumulator to a fresh array of `dtype` (once). */
export function rounded(acc: Float64Array, dtype: DType): TensorData {
  return dtype === 'float64' ? acc : Float32Array.from(acc);
}

/**
 * 2-D cross-correlation (no kernel flip), PyTorch's `F.conv2d`.
 *
 * @param input `[N, C, H, W]`, or `[C, H, W]` for one unbatched image (→ `[O, OH, OW]`);
 *   with `dataFormat: 'NHWC'` `[N, H, W, C]` or `[H, W, C]` (moved to NCHW for the loops, and back)
 * @param weight `[O, C/groups, KH, KW]`; with `filterFormat: 'HWIO'` `[KH, KW, C/groups, O]`
 * @returns `[N, O, OH, OW]` (in the input's layout) with `OH = floor((H + top + bottom − dh·(KH−1) − 1)/sh) + 1`
 * @throws ConvError for any invalid shape, option or dtype, before any work
 * @example
 * const y = conv2d(x, w, { stride: 2, padding: 'same', groups: 2, bias: b });
 * const z = conv2d(xNhwc, wHwio, { dataFormat: 'NHWC', filterFormat: 'HWIO' }); // [N, OH, OW, O]
 */
export function conv2d(input: Tensor, weight: Tensor, options?: Conv2dOptions): Tensor {
  const { geometry: g, input: x, weight: w, bias, dtype } = checkConv2dArgs('conv2d', input, weight, options);
  const out = allocate(
    dtype,
    g.outputShape.reduce((a, b) => a * b, 1),
  );
  forwardInto(g, toChannelsFirst(g.dataFormat, x), toOIHW(g.filterFormat, w), bias ? bias.data : null, out);
  return fromChannelsFirst(g.dataFormat, g.outputShape, out);
}

/** Gradients of `conv2d` with respect to its input, weight and bias. */
export interface Conv2dGradients {
  /** Same shape as the input. */
  readonly gradInput: Tensor;
  /** Same shape as the weight. */
  readonly gradWeight: Tensor;
  /** `[O]`, always (the sum of gradOutput over batch and space), even without a bias. */
  readonly gradBias: Tensor;
}

/**
 * Backward pass of `conv2d`: given dL/dy, returns dL/dx, dL/dw and dL/db.
 * Gradients of padding-mode taps fold back into the pixels they copied.
 *
 * @param gradOutput the shape conv2d(input, weight, options) returned
 * @returns gradients shaped and laid out like input and weight (NHWC/HWIO when the options say so), and `[O]`
 * @example
 * const { gradInput, gradWeight, gradBias } = conv2dBackward(dy, x, w, { padding: 1 });
 * conv2dBackward(dyNhwc, xNhwc, wHwio, { dataFormat: 'NHWC', filterFormat: 'HWIO' }).gradWeight; // [KH, KW, C/g, O]
 */
export function conv2dBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options?: Conv2dOptions,
): Conv2dGradients {
  const {
    geometry: g,
    input: x,
    weight: w,
    gradOutput: dy,
    dtype,
  } = checkConv2dBackwardArgs(gradOutput, input, weight, options);
  const gx = new Float64Array(x.data.length);
  const gw = new Float64Array(w.data.length);
  const dyFirst = toChannelsFirst(g.dataFormat, dy);
  adjointInto(g, dyFirst, g.h.out, g.w.out, toChannelsFirst(g.dataFormat, x), toOIHW(g.filterFormat, w), gx, gw);
  const gb = biasGradient(g, dyFirst);
  return {
    gradInput: fromChannelsFirst(g.dataFormat, x.shape, rounded(gx, dtype)),
    gradWeight: fromOIHW(g.filterFormat, w.shape, rounded(gw, dtype)),
    gradBias: { shape: [g.O], data: rounded(gb, dtype) },
  };
}

/**
 * The chapter's `corr2d`: valid cross-correlation of one 2-D array with a 2-D kernel.
 * @param X `[H, W]`
 * @param K `[KH, KW]`
 * @returns `[H − KH + 1, W − KW + 1]`
 * @example toNested(corr2d(tensor([[0,1,2],[3,4,5],[6,7,8]]), tensor([[0,1],[2,3]]))) // [[19,25],[37,43]]
 */
export function corr2d(X: Tensor, K: Tensor): Tensor {
  const { x, k, dtype, geometry: g } = checkCorr2dArgs(X, K);
  const out = allocate(dtype, g.h.out * g.w.out);
  forwardInto(g, x.data, k.data, null, out);
  return { shape: [g.h.out, g.w.out], data: out };
}
