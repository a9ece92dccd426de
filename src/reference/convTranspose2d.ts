/**
 * Reference transposed convolution, in scatter form: each input pixel adds
 * `x · w` into the output window it came from. It is literally the adjoint
 * walk of the conv2d that maps the transposed output back to its input
 * (`ConvTranspose2dGeometry.conv`), which is why `conv2dBackward`'s gradInput
 * equals it, and why its own gradients are that conv's forward (for the
 * input) and that conv's weight gradient with the roles of input and
 * gradOutput exchanged (for the weight).
 */
import { fromChannelsFirst, fromOIHW, toChannelsFirst, toOIHW } from '../formats.js';
import type { ConvTranspose2dGeometry, ConvTranspose2dOptions } from '../geometry.js';
import { sizeOf, type Tensor, type TensorData } from '../tensor.js';
import { checkConvTranspose2dArgs, checkConvTranspose2dBackwardArgs } from '../validate.js';
import { adjointInto, channelSums, forwardInto, rounded, type Conv2dGradients } from './conv2d.js';

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

/**
 * dL/db of a transposed conv in float64: gradOutput `[N, O, OH, OW]` summed per channel.
 * @example transposeBiasGradient(t, dy) // Float64Array of length O
 */
export function transposeBiasGradient(t: ConvTranspose2dGeometry, dy: TensorData): Float64Array {
  return channelSums(dy, t.conv.N, t.conv.C, t.conv.h.size * t.conv.w.size);
}

/**
 * Backward pass of `convTranspose2d`: given dL/dy (the transposed output's
 * shape), returns dL/dx, dL/dw and dL/db. With `conv` the conv2d whose adjoint
 * the transposed conv is: dL/dx = conv(dy, w) over the input's H × W positions;
 * dL/dw[c, o, kh, kw] = Σ x[n, c, i, j] · dy[n, o, rows(i, kh), cols(j, kw)], the
 * conv's weight gradient with x as its gradOutput and dy as its input; dL/db = Σ dy.
 *
 * @param gradOutput the shape convTranspose2d(input, weight, options) returned
 * @returns `{ gradInput, gradWeight, gradBias }` shaped (and laid out) like input, weight and `[O]`
 * @example
 * const { gradInput, gradWeight, gradBias } = convTranspose2dBackward(dy, x, w, { stride: 2, outputPadding: 1 });
 * convTranspose2dBackward(dyNhwc, xNhwc, wHwio, { stride: 2, dataFormat: 'NHWC', filterFormat: 'HWIO' }).gradWeight; // [KH, KW, O/g, C]
 */
export function convTranspose2dBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options?: ConvTranspose2dOptions,
): Conv2dGradients {
  const args = checkConvTranspose2dBackwardArgs(gradOutput, input, weight, options);
  const { geometry: t, dtype } = args;
  const [dy, x] = [toChannelsFirst(t.dataFormat, args.gradOutput), toChannelsFirst(t.dataFormat, args.input)];
  const w = toOIHW(t.filterFormat, args.weight);
  const gx = new Float64Array(x.length);
  forwardInto(t.conv, dy, w, null, gx);
  const gw = new Float64Array(w.length);
  adjointInto(t.conv, x, t.inH, t.inW, dy, w, null, gw);
  return {
    gradInput: fromChannelsFirst(t.dataFormat, args.input.shape, rounded(gx, dtype)),
    gradWeight: fromOIHW(t.filterFormat, args.weight.shape, rounded(gw, dtype)),
    gradBias: { shape: [t.conv.C], data: rounded(transposeBiasGradient(t, dy), dtype) },
  };
}
