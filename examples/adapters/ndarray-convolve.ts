// ndarray-convolve 2.0.0's `correlate` as a convproof implementation: one FFT correlation per
// (image, output channel, input channel), output the input's size with the kernel anchored at
// ⌊K/2⌋ — convproof's 'same' at stride 1 with the odd pad before (SAME_LOWER).
import ndarray from 'ndarray';
import convolve from 'ndarray-convolve';
import { type Conventions, type Supports, UnsupportedCase } from 'convproof/properties';
import type { Conv2dOptions, Tensor } from 'convproof';

export const supports: Supports = {
  padding: ['same'],
  stride: 'none',
  dilation: false,
  groups: 'none',
  paddingModes: ['zeros'],
  unbatched: false,
};
export const conventions: Conventions = { same: 'lower', precision: 'normwise' }; // FFT: error bounded normwise

export function conv2d(x: Tensor, w: Tensor, o: Conv2dOptions = {}): Tensor {
  const one = (v: Conv2dOptions['stride']) =>
    v === undefined || v === 1 || (typeof v === 'object' && v[0] === 1 && v[1] === 1);
  if (o.padding !== 'same' || !one(o.stride) || !one(o.dilation) || (o.groups ?? 1) > 1 || x.shape.length !== 4)
    throw new UnsupportedCase("correlate: only 'same' at stride 1, no dilation or groups, batched");
  if ((o.paddingMode ?? 'zeros') !== 'zeros') throw new UnsupportedCase('correlate pads with zeros only');
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const out = new Float64Array(N * O * H * W);
  const plane = new Float64Array(H * W);
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++) {
      for (let c = 0; c < C; c++) {
        const img = ndarray(Float64Array.from(x.data.subarray((n * C + c) * H * W, (n * C + c + 1) * H * W)), [H, W]);
        const k = ndarray(Float64Array.from(w.data.subarray((oc * C + c) * KH * KW, (oc * C + c + 1) * KH * KW)), [
          KH,
          KW,
        ]);
        convolve.correlate(ndarray(plane, [H, W]), img, k);
        for (let i = 0; i < H * W; i++) out[(n * O + oc) * H * W + i] += plane[i];
      }
      for (let i = 0; i < H * W; i++) out[(n * O + oc) * H * W + i] += o.bias ? o.bias.data[oc] : 0;
    }
  return { shape: [N, O, H, W], data: x.data instanceof Float32Array ? Float32Array.from(out) : out };
}
