// ndarray-convolve 2.0.0's `correlate` as a convproof implementation: one FFT correlation per
// (image, output channel, input channel), output the input's size with the kernel anchored at
// ⌊K/2⌋ — convproof's 'same' at stride 1 with the odd pad before (SAME_LOWER).
import ndarray from 'ndarray';
import convolve from 'ndarray-convolve';
import type { Conventions, Supports } from 'convproof/properties';
import { addBias, channelSum, inDtypeOf, refuseOutside } from 'convproof/adapters';
import type { Conv2dOptions, Tensor } from 'convproof';

export const supports: Supports = {
  dataFormats: ['NCHW'],
  filterFormats: ['OIHW'],
  padding: ['same'],
  stride: 'none',
  dilation: false,
  groups: 'none',
  paddingModes: ['zeros'],
  unbatched: false,
};
export const conventions: Conventions = { same: 'lower', precision: 'normwise' }; // FFT: error bounded normwise

export function conv2d(x: Tensor, w: Tensor, o: Conv2dOptions = {}): Tensor {
  refuseOutside('correlate', supports, x, w, o);
  const [, , H, W] = x.shape;
  const [, , KH, KW] = w.shape;
  const out = ndarray(new Float64Array(H * W), [H, W]);
  const y = channelSum(x, w, [H, W], (plane, kernel) => {
    const [a, b] = [ndarray(Float64Array.from(plane), [H, W]), ndarray(Float64Array.from(kernel), [KH, KW])];
    return convolve.correlate(out, a, b).data;
  });
  return inDtypeOf(x, addBias(y, o.bias));
}
