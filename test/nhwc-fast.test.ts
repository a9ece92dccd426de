/**
 * The channels-last fast paths of conv2d, which read NHWC data where it lies:
 * src/fast/pointwise.ts (a 1×1, stride-1, unpadded, ungrouped NHWC conv2d as
 * one matrix product on the data as given) and src/fast/conv2d.ts (every
 * other NHWC forward: channels read at stride C into the phase images, the
 * output staged per image and written back transposed). Each is held to the
 * reference loops bit for bit (both add in their order),
 * on both kernel implementations, both dtypes, with and without a bias, with
 * OIHW and HWIO weights, at sizes that leave remainders in every blocked
 * dimension (positions and output channels not multiples of 4), with tiles
 * shrunk so that small calls cross many of them, and with the default tiles.
 * Each call must show in the backend's counters as a fast run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBackend, reference, type Conv2dOptions, type DType, type Tensor } from '../src/index.js';
import { TILING } from '../src/fast/layout.js';
import { SMALL_WORK } from '../src/dispatch.js';
import { expectSame, random, toHWIO, toNHWC } from './nhwc-helpers.js';

/** `[N, H, W, C] ∗ 1×1 → O` cases named by configuration; each is at least SMALL_WORK multiply-adds. */
const CASES: ReadonlyArray<{ name: string; x: number[]; O: number; bias: boolean; dtype: DType }> = [
  {
    name: 'x=[2,9,7,16] O=24 (126 positions: 2 past a block of 4)',
    x: [2, 9, 7, 16],
    O: 24,
    bias: false,
    dtype: 'float32',
  },
  { name: 'x=[1,13,11,5] O=7 bias (O and C odd)', x: [1, 13, 11, 5], O: 7, bias: true, dtype: 'float32' },
  { name: 'x=[3,8,8,12] O=10 bias float64', x: [3, 8, 8, 12], O: 10, bias: true, dtype: 'float64' },
  { name: 'x=[1,33,31,3] O=2 (3 channels in, 2 out)', x: [1, 33, 31, 3], O: 2, bias: false, dtype: 'float32' },
  { name: 'x=[9,7,40] (unbatched) O=33 bias', x: [9, 7, 40], O: 33, bias: true, dtype: 'float32' },
];

/** The NCHW/OIHW tensors of a case (the reference's own layouts), and the NHWC/HWIO ones. */
function tensorsOf(c: (typeof CASES)[number]) {
  const C = c.x.at(-1)!;
  const [H, W] = c.x.slice(-3, -1);
  const nchw = random(c.x.length === 4 ? [c.x[0], C, H, W] : [C, H, W], 1, c.dtype);
  const oihw = random([c.O, C, 1, 1], 2, c.dtype);
  const bias = c.bias ? random([c.O], 3, c.dtype) : null;
  return { nchw, oihw, x: toNHWC(nchw), hwio: toHWIO(oihw), bias };
}

function multiplyAdds(x: readonly number[], O: number): number {
  return x.reduce((a, b) => a * b, 1) * O;
}

function checkAll(kernels: 'wasm' | 'js'): void {
  test.each(CASES)('$name: equals the reference bit for bit, HWIO and OIHW weights, one fast run each', (c) => {
    expect(multiplyAdds(c.x, c.O)).toBeGreaterThanOrEqual(SMALL_WORK);
    const { nchw, oihw, x, hwio, bias } = tensorsOf(c);
    const want = toNHWC(reference.conv2d(nchw, oihw, { bias }));
    const backend = createBackend({ kernels });
    const before = Array.from(x.data);
    expectSame(backend.conv2d(x, hwio, { bias, dataFormat: 'NHWC', filterFormat: 'HWIO' }), want);
    expectSame(backend.conv2d(x, oihw, { bias, dataFormat: 'NHWC' }), want);
    // The reference in NHWC (its boundary move) agrees too.
    expectSame(reference.conv2d(x, hwio, { bias, dataFormat: 'NHWC', filterFormat: 'HWIO' }), want);
    expect(backend.stats()).toMatchObject({ fast: 2, reference: 0 });
    expect(Array.from(x.data), 'input untouched').toEqual(before);
  });
}

describe.each(['wasm', 'js'] as const)('%s kernels, default tiles', (kernels) => checkAll(kernels));

describe.each(['wasm', 'js'] as const)('%s kernels, tiles of 4 positions (many tiles per call)', (kernels) => {
  const saved = { ...TILING };
  beforeAll(() => Object.assign(TILING, { elements: 8, maxPositions: 8 }));
  afterAll(() => Object.assign(TILING, saved));
  checkAll(kernels);
});

describe('what the pointwise path leaves to the general one', () => {
  const nhwc = { dataFormat: 'NHWC', filterFormat: 'HWIO' } as const;
  const x: Tensor = random([2, 12, 12, 16], 4);
  const w = random([1, 1, 16, 24], 5);
  test.each([
    ['stride 2', { stride: 2 }],
    ['padding 1', { padding: 1 }],
    ['groups 2', { groups: 2 }, random([1, 1, 8, 24], 6)],
  ] as const)('%s: still one fast run, equal to the reference', (_, options, weight = w) => {
    const backend = createBackend({ kernels: 'wasm' });
    expectSame(
      backend.conv2d(x, weight, { ...options, ...nhwc }),
      reference.conv2d(x, weight, { ...options, ...nhwc }),
    );
    expect(backend.stats()).toMatchObject({ fast: 1, reference: 0 });
  });

  test('a NaN weight goes to the reference, as on the NCHW path (counted as a reference run)', () => {
    const bad = { shape: w.shape, data: Float32Array.from(w.data, (v, i) => (i === 3 ? Number.NaN : v)) };
    const backend = createBackend({ kernels: 'wasm' });
    expectSame(backend.conv2d(x, bad, nhwc), reference.conv2d(x, bad, nhwc));
    expect(backend.stats()).toMatchObject({ fast: 0, reference: 1 });
  });

  test('an empty batch [0, 12, 12, 16] gives [0, 12, 12, 24]', () => {
    const y = createBackend({ kernels: 'wasm' }).conv2d(random([0, 12, 12, 16], 1), w, nhwc);
    expect(y.shape).toEqual([0, 12, 12, 24]);
  });
});

/** NHWC forward cases for the implicit GEMM, each at least SMALL_WORK multiply-adds: x NHWC, w HWIO. */
const GENERAL: ReadonlyArray<{ name: string; x: number[]; w: number[]; options: Conv2dOptions; dtype?: DType }> = [
  { name: 'x=[2,11,9,5] w=[3,3,5,7] p=same bias', x: [2, 11, 9, 5], w: [3, 3, 5, 7], options: { padding: 'same' } },
  {
    name: 'x=[2,12,13,6] w=[3,2,3,4] s=[2,3] d=[2,1] p=[[1,2],[0,3]] groups=2',
    x: [2, 12, 13, 6],
    w: [3, 2, 3, 4],
    options: {
      stride: [2, 3],
      dilation: [2, 1],
      padding: [
        [1, 2],
        [0, 3],
      ],
      groups: 2,
    },
  },
  {
    name: 'x=[1,14,14,16] w=[3,3,1,16] depthwise s=2 p=same-lower',
    x: [1, 14, 14, 16],
    w: [3, 3, 1, 16],
    options: { groups: 16, stride: 2, padding: 'same-lower' },
  },
  {
    name: 'x=[1,10,12,3] w=[3,3,1,6] depthwise ×2 p=2 mode=reflect float64',
    x: [1, 10, 12, 3],
    w: [3, 3, 1, 6],
    options: { groups: 3, padding: 2, paddingMode: 'reflect' },
    dtype: 'float64',
  },
  {
    name: 'x=[2,9,10,4] w=[2,3,4,5] p=[3,1] mode=circular',
    x: [2, 9, 10, 4],
    w: [2, 3, 4, 5],
    options: { padding: [3, 1], paddingMode: 'circular' },
  },
  {
    name: 'x=[16,15,8] (unbatched) w=[1,1,8,9] s=2 (a strided 1×1)',
    x: [16, 15, 8],
    w: [1, 1, 8, 9],
    options: { stride: 2 },
  },
];

function checkGeneral(kernels: 'wasm' | 'js'): void {
  test.each(GENERAL)('$name: equals the reference bit for bit, one fast run', (c) => {
    const x = random(c.x, 7, c.dtype);
    const w = random(c.w, 8, c.dtype);
    const O = c.w[3];
    const bias = random([O], 9, c.dtype);
    const options = { ...c.options, bias, dataFormat: 'NHWC', filterFormat: 'HWIO' } as const;
    const backend = createBackend({ kernels });
    expectSame(backend.conv2d(x, w, options), reference.conv2d(x, w, options));
    expect(backend.stats()).toMatchObject({ fast: 1, reference: 0 });
  });
}

describe.each(['wasm', 'js'] as const)('%s kernels, the implicit GEMM on NHWC data, default tiles', (kernels) =>
  checkGeneral(kernels),
);

describe.each(['wasm', 'js'] as const)('%s kernels, the implicit GEMM on NHWC data, one-row tiles', (kernels) => {
  const saved = { ...TILING };
  beforeAll(() => Object.assign(TILING, { elements: 8, maxPositions: 8 }));
  afterAll(() => Object.assign(TILING, saved));
  checkGeneral(kernels);
});
