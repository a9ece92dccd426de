/**
 * Reference transposed convolution, in scatter form: each input pixel adds
 * `x · w` into the output window it came from. It is literally the adjoint
 * walk of the conv2d that maps the transposed output back to its input,
 * which is why `conv2dBackward`'s gradInput equals it.
 */
import { fromChannelsFirst, toChannelsFirst, toOIHW } from '../formats.js';
import type { ConvTranspose2dGeometry, ConvTranspose2dOptions } from '../geometry.js';
import { sizeOf, type Tensor, type TensorData } from '../tensor.js';
import { checkConvTranspose2dArgs } from '../validate.js';
import { adjointInto, rounded } from './conv2d.js';

/**
 * Transposed 2-D convolution (PyTorch's `F.conv_transpose2d`; asymmetric
 * padding crops the full output as in ONNX `ConvTranspose`).
 *
 * @param input `[N, C, H, W]` (or `[C, H, W]`); `[N, H, W, C]` with `dataFormat: 'NHWC'`
 * @param weight `[C, O/groups, KH, KW]`; `[KH, KW, O/groups, C]` with `filterFormat: 'HWIO'`
 * @returns `[N, O, OH, OW]` (in the input's layout), `OH = (H−1)·sh − top − bottom + dh·(KH−1) + oph + 1`
 * @example
 * const up = convTranspose2d(x, w, { stride: 2, padding: 1, outputPadding: 1 });
 * convTranspose2d(xNhwc, wHwio, { stride: 2, padding: 'same', dataFormat: 'NHWC', filterFormat: 'HWIO' }); // [N, 2H, 2W, O]
 */
export function convTranspose2d(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor {
  const { geometry: t, input: x, weight: w, bias, dtype } = checkConvTranspose2dArgs(input, weight, options);
  const acc = transposeReference(
    t,
    toChannelsFirst(t.dataFormat, x),
    toOIHW(t.filterFormat, w),
    bias ? bias.data : null,
  );
  return fromChannelsFirst(t.dataFormat, t.outputShape, rounded(acc, dtype));
}

/** The transposed conv in float64 (x in NCHW, w in OIHW form, the result NCHW): the adjoint walk, then the bias per output channel. */
export function transposeReference(
  t: ConvTranspose2dGeometry,
  x: TensorData,
  w: TensorData,
  b: TensorData | null,
): Float64Array {
  const acc = new Float64Array(sizeOf(t.outputShape));
  adjointInto(t.conv, x, t.inH, t.inW, null, w, acc, null);
  if (b) {
    const plane = t.conv.h.size * t.conv.w.size;
    for (let p = 0; p < acc.length; p++) acc[p] += b[Math.floor(p / plane) % t.conv.C];
  }
  return acc;
}
