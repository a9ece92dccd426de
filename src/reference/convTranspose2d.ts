/**
 * Reference transposed convolution, in scatter form: each input pixel adds
 * `x · w` into the output window it came from. It is literally the adjoint
 * walk of the conv2d that maps the transposed output back to its input,
 * which is why `conv2dBackward`'s gradInput equals it.
 */
import { convTranspose2dGeometry, type ConvTranspose2dOptions } from '../geometry.js';
import { checkTensor, sizeOf, type Tensor } from '../tensor.js';
import { adjointInto, checkSameDType, rounded } from './conv2d.js';

/**
 * Transposed 2-D convolution (PyTorch's `F.conv_transpose2d`; asymmetric
 * padding crops the full output as in ONNX `ConvTranspose`).
 *
 * @param input `[N, C, H, W]` (or `[C, H, W]`)
 * @param weight `[C, O/groups, KH, KW]`
 * @returns `[N, O, OH, OW]`, `OH = (H−1)·sh − top − bottom + dh·(KH−1) + oph + 1`
 * @example
 * const up = convTranspose2d(x, w, { stride: 2, padding: 1, outputPadding: 1 });
 */
export function convTranspose2d(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor {
  const fn = 'convTranspose2d';
  const x = checkTensor(fn, 'input', input);
  const w = checkTensor(fn, 'weight', weight);
  const t = convTranspose2dGeometry(fn, x.shape, w.shape, options);
  const bias = options?.bias ?? null;
  const dtype = checkSameDType(fn, [['input', x], ['weight', w], ['bias', bias]]);
  const acc = new Float64Array(sizeOf(t.outputShape));
  adjointInto(t.conv, x.data, t.inH, t.inW, null, w.data, acc, null);
  if (bias) {
    const plane = t.conv.h.size * t.conv.w.size;
    const O = t.conv.C;
    for (let p = 0; p < acc.length; p++) acc[p] += bias.data[Math.floor(p / plane) % O];
  }
  return { shape: [...t.outputShape], data: rounded(acc, dtype) };
}
