// OpenCV.js 4.12 (@techstark/opencv-js) cv.filter2D as a convproof implementation: one filter2D
// per (image, output channel, input channel), summed; output the input's size with the anchor at
// ⌊K/2⌋ — convproof's 'same' at stride 1 with the odd pad before (SAME_LOWER).
import { createRequire } from 'node:module';
import { type Conventions, type Supports, UnsupportedCase } from 'convproof/properties';
import { type Conv2dOptions, type Tensor, tensor } from 'convproof';
import type { KnownDefect } from 'convproof/adapters';

interface Mat {
  data32F: Float32Array;
  delete(): void;
}
interface Cv {
  CV_32F: number;
  BORDER_CONSTANT: number;
  BORDER_REFLECT_101: number;
  BORDER_REPLICATE: number;
  Mat: new () => Mat;
  Point: new (x: number, y: number) => object;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): Mat;
  filter2D(src: Mat, dst: Mat, depth: number, kernel: Mat, anchor: object, delta: number, border: number): void;
}
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

export function conv2d(x: Tensor, w: Tensor, o: Conv2dOptions = {}): Tensor {
  const one = (v: Conv2dOptions['stride']) =>
    v === undefined || v === 1 || (typeof v === 'object' && v[0] === 1 && v[1] === 1);
  if (o.padding !== 'same' || !one(o.stride) || !one(o.dilation) || (o.groups ?? 1) > 1 || x.shape.length !== 4)
    throw new UnsupportedCase("filter2D: only 'same' at stride 1, no dilation or groups, batched");
  if (o.paddingMode === 'circular') throw new UnsupportedCase('filter2D refuses BORDER_WRAP');
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const border = {
    zeros: cv.BORDER_CONSTANT,
    reflect: cv.BORDER_REFLECT_101,
    replicate: cv.BORDER_REPLICATE,
    circular: -1,
  }[o.paddingMode ?? 'zeros'];
  const out = new Float64Array(N * O * H * W);
  const dst = new cv.Mat();
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++)
      for (let c = 0; c < C; c++) {
        const src = cv.matFromArray(H, W, cv.CV_32F, x.data.subarray((n * C + c) * H * W, (n * C + c + 1) * H * W));
        const k = cv.matFromArray(
          KH,
          KW,
          cv.CV_32F,
          w.data.subarray((oc * C + c) * KH * KW, (oc * C + c + 1) * KH * KW),
        );
        cv.filter2D(src, dst, cv.CV_32F, k, new cv.Point(-1, -1), 0, border);
        for (let i = 0; i < H * W; i++)
          out[(n * O + oc) * H * W + i] += dst.data32F[i] + (c === 0 && o.bias ? o.bias.data[oc] : 0);
        src.delete();
        k.delete();
      }
  dst.delete();
  return { shape: [N, O, H, W], data: Float32Array.from(out) };
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
