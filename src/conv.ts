/**
 * The public kernels: `conv2d`, `conv2dBackward`, `convTranspose2d` and the
 * chapter's `corr2d`, on the default backend (WebAssembly SIMD where
 * available, else JavaScript; see `backend.ts` to choose). Each validates its
 * arguments once, at the boundary, and throws ConvError before any work;
 * results never depend on the backend beyond rounding within the design's
 * bound (the fast kernels add in the reference's order, so they usually
 * match it bit for bit).
 */
import { defaultBackend } from './backend.js';
import type { Conv2dOptions, ConvTranspose2dOptions } from './geometry.js';
import type { Conv2dGradients } from './reference/conv2d.js';
import type { Tensor } from './tensor.js';

export type { Conv2dGradients } from './reference/conv2d.js';

/**
 * 2-D cross-correlation (no kernel flip), PyTorch's `F.conv2d`.
 *
 * @param input `[N, C, H, W]`, or `[C, H, W]` for one unbatched image (→ `[O, OH, OW]`);
 *   with `dataFormat: 'NHWC'` `[N, H, W, C]` or `[H, W, C]`
 * @param weight `[O, C/groups, KH, KW]`; with `filterFormat: 'HWIO'` tfjs's `[KH, KW, C/groups, O]`
 * @returns `[N, O, OH, OW]` (`[N, OH, OW, O]` in NHWC) with `OH = floor((H + top + bottom − dh·(KH−1) − 1)/sh) + 1`
 * @throws ConvError for any invalid shape, option or dtype, before any work
 * @example
 * const y = conv2d(x, w, { stride: 2, padding: 'same', groups: 2, bias: b });
 * // tfjs's layouts, no transposes: x [N, H, W, C], w [KH, KW, C, O] → [N, OH, OW, O]
 * const z = conv2d(xNhwc, wHwio, { padding: 'same', dataFormat: 'NHWC', filterFormat: 'HWIO' });
 */
export function conv2d(input: Tensor, weight: Tensor, options?: Conv2dOptions): Tensor {
  return defaultBackend.conv2d(input, weight, options);
}

/**
 * Backward pass of `conv2d`: given dL/dy, returns dL/dx, dL/dw and dL/db.
 * Gradients of padding-mode taps fold back into the pixels they copied.
 *
 * @param gradOutput the shape conv2d(input, weight, options) returned (in the options' `dataFormat`)
 * @returns `{ gradInput, gradWeight, gradBias }` shaped (and laid out) like input, weight and `[O]`
 * @throws ConvError for invalid arguments, or `'grad-output'` for a gradOutput of the wrong shape
 * @example
 * const { gradInput, gradWeight, gradBias } = conv2dBackward(dy, x, w, { padding: 1 });
 * // NHWC/HWIO in, NHWC/HWIO out: gradInput [N, H, W, C], gradWeight [KH, KW, C, O], gradBias [O]
 * conv2dBackward(dyNhwc, xNhwc, wHwio, { dataFormat: 'NHWC', filterFormat: 'HWIO' });
 */
export function conv2dBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options?: Conv2dOptions,
): Conv2dGradients {
  return defaultBackend.conv2dBackward(gradOutput, input, weight, options);
}

/**
 * Transposed 2-D convolution (PyTorch's `F.conv_transpose2d`; asymmetric
 * padding crops the full output as in ONNX `ConvTranspose`).
 *
 * @param input `[N, C, H, W]` (or `[C, H, W]`); with `dataFormat: 'NHWC'` `[N, H, W, C]` (or `[H, W, C]`)
 * @param weight `[C, O/groups, KH, KW]`; with `filterFormat: 'HWIO'` tfjs's conv2dTranspose filter `[KH, KW, O/groups, C]`
 * @returns `[N, O, OH, OW]` (`[N, OH, OW, O]` in NHWC), `OH = (H−1)·sh − top − bottom + dh·(KH−1) + oph + 1`
 * @throws ConvError for any invalid shape, option or dtype, before any work
 * @example
 * const up = convTranspose2d(x, w, { stride: 2, padding: 1, outputPadding: 1 });
 * // tfjs's tf.conv2dTranspose(x, f, [N, 8, 8, O], 2, 'same'), tensors as they are:
 * convTranspose2d(xNhwc, f, { stride: 2, padding: 'same', outputSize: [8, 8], dataFormat: 'NHWC', filterFormat: 'HWIO' });
 */
export function convTranspose2d(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor {
  return defaultBackend.convTranspose2d(input, weight, options);
}

/**
 * Backward pass of `convTranspose2d`: given dL/dy, returns dL/dx, dL/dw and dL/db
 * for every option the forward takes (outputSize, SAME paddings, groups, dilation,
 * an output padding up to `max(stride, dilation) − 1`).
 *
 * @param gradOutput the shape convTranspose2d(input, weight, options) returned
 * @param input `[N, C, H, W]` (or `[C, H, W]`), as given to the forward
 * @param weight `[C, O/groups, KH, KW]`
 * @returns `{ gradInput, gradWeight, gradBias }` shaped (and laid out, NHWC/HWIO too) like input, weight and `[O]`
 * @throws ConvError for invalid arguments, or `'grad-output'` for a gradOutput of the wrong shape
 * @example
 * const { gradInput, gradWeight, gradBias } = convTranspose2dBackward(dy, x, w, { stride: 2, outputSize: [9, 9] });
 * // tfjs's layouts: dy [N, OH, OW, O], x [N, H, W, C], w [KH, KW, O, C] → gradWeight [KH, KW, O, C]
 * convTranspose2dBackward(dyNhwc, xNhwc, wHwio, { stride: 2, padding: 'same', dataFormat: 'NHWC', filterFormat: 'HWIO' });
 */
export function convTranspose2dBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options?: ConvTranspose2dOptions,
): Conv2dGradients {
  return defaultBackend.convTranspose2dBackward(gradOutput, input, weight, options);
}

/**
 * The chapter's `corr2d`: valid cross-correlation of one 2-D array with a 2-D kernel.
 *
 * @param X `[H, W]`
 * @param K `[KH, KW]`
 * @returns `[H − KH + 1, W − KW + 1]`, X's dtype
 * @throws ConvError for invalid `X` or `K` (e.g. `'kernel-too-large'`), before any work
 * @example toNested(corr2d(tensor([[0,1,2],[3,4,5],[6,7,8]]), tensor([[0,1],[2,3]]))) // [[19,25],[37,43]]
 */
export function corr2d(X: Tensor, K: Tensor): Tensor {
  return defaultBackend.corr2d(X, K);
}
