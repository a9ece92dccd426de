// OpenCV.js 4.12 (@techstark/opencv-js) cv.filter2D as a convproof implementation: one filter2D
// per (image, output channel, input channel), summed; output the input's size with the anchor at
// ⌊K/2⌋ — convproof's 'same' at stride 1 with the odd pad before (SAME_LOWER).
import { createRequire } from 'node:module';
import type { Conventions, Supports } from 'convproof/properties';
import { type Conv2dOptions, type Tensor, tensor } from 'convproof';
import { addBias, channelSum, inDtypeOf, type KnownDefect, refuseOutside } from 'convproof/adapters';
import type { Cv } from './opencv-types.js';

// Loaded with require (vitest's module runner hangs on the 10 MB file); an Emscripten module whose
// then() hands back itself: wait through then() and keep a copy without it (a promise resolved with
// a thenable adopts it, forever).
const cvModule = createRequire(import.meta.url)('@techstark/opencv-js') as Cv & { then?(f: () => void): void };
const cv: Cv = await new Promise((resolve) =>
  cvModule.then?.(() => {
    const { then: _adopted, ...api } = cvModule;
    resolve(api);
  }),
);

export const supports: Supports = {
  dataFormats: ['NCHW'],
  filterFormats: ['OIHW'],
  dtypes: ['float32'],
  padding: ['same'],
  stride: 'none',
  dilation: false,
  groups: 'none',
  unbatched: false,
  paddingModes: ['zeros', 'reflect', 'replicate'], // BORDER_WRAP is refused by filter2D
  maxKernel: 7, // kernels of area ≥ 50 take a DFT path (normwise error)
};
export const conventions: Conventions = { padded: 'multiply', same: 'lower' };

const borders: Record<string, number> = {
  zeros: cv.BORDER_CONSTANT,
  reflect: cv.BORDER_REFLECT_101,
  replicate: cv.BORDER_REPLICATE,
};

export function conv2d(x: Tensor, w: Tensor, o: Conv2dOptions = {}): Tensor {
  refuseOutside('filter2D', supports, x, w, o);
  const [, , H, W] = x.shape;
  const [, , KH, KW] = w.shape;
  const dst = new cv.Mat();
  const y = channelSum(x, w, [H, W], (plane, kernel) => {
    const [src, k] = [cv.matFromArray(H, W, cv.CV_32F, plane), cv.matFromArray(KH, KW, cv.CV_32F, kernel)];
    cv.filter2D(src, dst, cv.CV_32F, k, new cv.Point(-1, -1), 0, borders[o.paddingMode ?? 'zeros']);
    src.delete();
    k.delete();
    return dst.data32F; // read before the next call overwrites it
  });
  dst.delete();
  return inDtypeOf(x, addBias(y, o.bias));
}

/** A defect pinned by the user (no issue filed): zero kernel taps are dropped, so 0·NaN and 0·Inf give no NaN. */
export const knownDefects: KnownDefect[] = [
  {
    issue: 'opencv (no issue filed)',
    summary: 'filter2D skips zero kernel taps: a NaN or ±Inf pixel under a zero tap contributes nothing',
    when: (c) => c.input.data.some((v) => !Number.isFinite(v)) && c.weight.data.some((v) => v === 0),
    // a 3×3 image of ones with NaN in the middle, a 3×3 kernel of ones with 0 in the middle: the centre must be NaN
    witness: {
      op: 'conv2d',
      input: tensor([1, 1, 1, 1, Number.NaN, 1, 1, 1, 1], [1, 1, 3, 3]),
      weight: tensor([1, 1, 1, 1, 0, 1, 1, 1, 1], [1, 1, 3, 3]),
      options: { padding: 'same' },
    },
  },
];
