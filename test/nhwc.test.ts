/**
 * Channels-last layouts: every op, and the Conv2d layer, called with
 * `dataFormat: 'NHWC'` and/or `filterFormat: 'HWIO'` on permuted tensors
 * returns exactly (element for element, bit for bit) the NCHW/OIHW call's
 * results, permuted. The permutations are written here, independently of
 * src/formats.ts, as index maps over shapes. Runs on the public kernels
 * (fast above SMALL_WORK) and on `convproof/reference`.
 * (tfjs, natively NHWC, checks the values independently: nhwc-tfjs.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import {
  Conv2d,
  ConvTranspose2d,
  conv2dOutputShape,
  createBackend,
  tensor,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type DType,
  type Tensor,
} from '../src/index.js';
import { expectConvError, KERNELS, snapshot } from './helpers.js';

/** Lets a test pass a value the types forbid, to check the runtime guard. */
const bad = <T>(value: unknown): T => value as T;
import { expectSame, random, toHWIO, toNHWC } from './nhwc-helpers.js';

/** The three ways to leave NCHW/OIHW: each layout alone and both (tfjs's). */
const LAYOUTS = [
  { dataFormat: 'NHWC', filterFormat: 'HWIO' },
  { dataFormat: 'NHWC', filterFormat: 'OIHW' },
  { dataFormat: 'NCHW', filterFormat: 'HWIO' },
] as const;

type Layout = (typeof LAYOUTS)[number];
const dataIn = (l: Layout, t: Tensor): Tensor => (l.dataFormat === 'NHWC' ? toNHWC(t) : t);
const filterIn = (l: Layout, w: Tensor): Tensor => (l.filterFormat === 'HWIO' ? toHWIO(w) : w);

interface ConvCase {
  readonly name: string;
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly options?: Omit<Conv2dOptions, 'bias'>;
  readonly bias?: boolean;
  readonly dtype?: DType;
}

/** Named by configuration; the last ones are big enough for the fast kernels (≥ SMALL_WORK multiply-adds). */
const CONV_CASES: readonly ConvCase[] = [
  { name: 'x=[2,3,6,5] w=[4,3,3,2] s=1 p=0', x: [2, 3, 6, 5], w: [4, 3, 3, 2] },
  {
    name: 'x=[2,3,7,6] w=[4,3,3,3] s=2 p=same bias',
    x: [2, 3, 7, 6],
    w: [4, 3, 3, 3],
    options: { stride: 2, padding: 'same' },
    bias: true,
  },
  {
    name: 'x=[1,2,6,7] w=[3,2,2,3] s=[2,1] p=same-lower',
    x: [1, 2, 6, 7],
    w: [3, 2, 2, 3],
    options: { stride: [2, 1], padding: 'same-lower' },
  },
  { name: 'x=[6,5,5] (unbatched) w=[4,6,3,3] p=1', x: [6, 5, 5], w: [4, 6, 3, 3], options: { padding: 1 } },
  { name: 'x=[0,3,5,5] (N = 0) w=[2,3,3,3] p=1', x: [0, 3, 5, 5], w: [2, 3, 3, 3], options: { padding: 1 } },
  {
    name: 'x=[2,4,6,6] w=[6,2,3,3] groups=2 d=2 p=[[1,2],[0,3]]',
    x: [2, 4, 6, 6],
    w: [6, 2, 3, 3],
    options: {
      groups: 2,
      dilation: 2,
      padding: [
        [1, 2],
        [0, 3],
      ],
    },
  },
  {
    name: 'x=[2,3,6,6] w=[6,1,3,3] depthwise (groups=3) p=same bias',
    x: [2, 3, 6, 6],
    w: [6, 1, 3, 3],
    options: { groups: 3, padding: 'same' },
    bias: true,
  },
  {
    name: 'x=[1,2,5,6] w=[2,2,3,3] p=2 mode=reflect',
    x: [1, 2, 5, 6],
    w: [2, 2, 3, 3],
    options: { padding: 2, paddingMode: 'reflect' },
  },
  {
    name: 'x=[1,2,5,6] w=[2,2,3,3] p=[1,3] mode=replicate',
    x: [1, 2, 5, 6],
    w: [2, 2, 3, 3],
    options: { padding: [1, 3], paddingMode: 'replicate' },
  },
  {
    name: 'x=[2,2,4,5] w=[3,2,2,2] p=[[2,1],[3,0]] mode=circular float64',
    x: [2, 2, 4, 5],
    w: [3, 2, 2, 2],
    options: {
      padding: [
        [2, 1],
        [3, 0],
      ],
      paddingMode: 'circular',
    },
    dtype: 'float64',
  },
  {
    name: 'fast: x=[2,8,16,16] w=[16,8,3,3] s=1 p=same bias',
    x: [2, 8, 16, 16],
    w: [16, 8, 3, 3],
    options: { padding: 'same' },
    bias: true,
  },
  { name: 'fast: x=[2,16,12,12] w=[24,16,1,1] (1×1)', x: [2, 16, 12, 12], w: [24, 16, 1, 1] },
  {
    name: 'fast: x=[2,16,14,14] w=[16,1,3,3] depthwise s=2 p=same-lower',
    x: [2, 16, 14, 14],
    w: [16, 1, 3, 3],
    options: { groups: 16, stride: 2, padding: 'same-lower' },
  },
];

/** The NCHW call's tensors, and the bias (not a layout matter: `[O]` either way). */
function tensorsOf(c: ConvCase, seed: number) {
  const dtype = c.dtype ?? 'float32';
  const O = c.w[0];
  return {
    x: random(c.x, seed, dtype),
    w: random(c.w, seed + 1, dtype),
    bias: c.bias ? random([O], seed + 2, dtype) : null,
    dtype,
  };
}

describe.each(KERNELS)('$name kernels: NHWC/HWIO calls equal the NCHW/OIHW call, permuted', (k) => {
  describe.each(CONV_CASES)('$name', (c) => {
    const { x, w, bias } = tensorsOf(c, 11);
    const base = { ...c.options, bias };
    const y = k.conv2d(x, w, base);
    const dy = random(y.shape, 29, c.dtype);
    const grads = k.conv2dBackward(dy, x, w, base);

    test.each(LAYOUTS)('conv2d and conv2dBackward in $dataFormat/$filterFormat', (l) => {
      const [xl, wl, dyl] = [dataIn(l, x), filterIn(l, w), dataIn(l, dy)];
      const before = [snapshot(xl), snapshot(wl), snapshot(dyl)];
      const options = { ...base, ...l };
      expectSame(k.conv2d(xl, wl, options), dataIn(l, y));
      const g = k.conv2dBackward(dyl, xl, wl, options);
      expectSame(g.gradInput, dataIn(l, grads.gradInput));
      expectSame(g.gradWeight, filterIn(l, grads.gradWeight));
      expectSame(g.gradBias, grads.gradBias);
      expect([snapshot(xl), snapshot(wl), snapshot(dyl)], 'inputs untouched').toEqual(before);
      if (k.name === 'public') expect(conv2dOutputShape(xl.shape, wl.shape, options)).toEqual(dataIn(l, y).shape);
    });
  });
});

interface TransposeCase {
  readonly name: string;
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly options?: Omit<ConvTranspose2dOptions, 'bias'>;
  readonly bias?: boolean;
}

const TRANSPOSE_CASES: readonly TransposeCase[] = [
  {
    name: 'x=[2,3,4,5] w=[3,2,3,3] s=2 p=1 op=1 bias',
    x: [2, 3, 4, 5],
    w: [3, 2, 3, 3],
    options: { stride: 2, padding: 1, outputPadding: 1 },
    bias: true,
  },
  {
    name: 'x=[2,4,3,4] w=[4,3,3,2] groups=2 d=2 p=[[1,0],[2,1]]',
    x: [2, 4, 3, 4],
    w: [4, 3, 3, 2],
    options: {
      groups: 2,
      dilation: 2,
      padding: [
        [1, 0],
        [2, 1],
      ],
    },
  },
  { name: 'x=[3,4,4] (unbatched) w=[3,2,2,2] s=2', x: [3, 4, 4], w: [3, 2, 2, 2], options: { stride: 2 } },
  { name: 'x=[0,2,3,3] (N = 0) w=[2,2,3,3] s=2', x: [0, 2, 3, 3], w: [2, 2, 3, 3], options: { stride: 2 } },
  {
    name: 'x=[1,2,4,3] w=[2,3,3,3] s=2 p=same outputSize=[8,5]',
    x: [1, 2, 4, 3],
    w: [2, 3, 3, 3],
    options: { stride: 2, padding: 'same', outputSize: [8, 5] },
  },
  {
    name: 'x=[1,2,4,3] w=[2,3,3,3] s=2 p=same-lower outputSize=[7,6]',
    x: [1, 2, 4, 3],
    w: [2, 3, 3, 3],
    options: { stride: 2, padding: 'same-lower', outputSize: [7, 6] },
  },
  {
    name: 'x=[2,2,3,4] w=[2,2,3,2] s=3 p=1 outputSize=[9,11]',
    x: [2, 2, 3, 4],
    w: [2, 2, 3, 2],
    options: { stride: 3, padding: 1, outputSize: [9, 11] },
  },
  {
    name: 'fast: x=[2,8,10,10] w=[8,8,3,3] s=2 p=valid bias',
    x: [2, 8, 10, 10],
    w: [8, 8, 3, 3],
    options: { stride: 2, padding: 'valid' },
    bias: true,
  },
];

describe.each(KERNELS)(
  '$name kernels: convTranspose2d and its backward in NHWC/HWIO equal the NCHW call, permuted',
  (k) => {
    test.each(TRANSPOSE_CASES)('$name', (c) => {
      const x = random(c.x, 5);
      const w = random(c.w, 6);
      const groups = c.options?.groups ?? 1;
      const bias = c.bias ? random([c.w[1] * groups], 7) : null;
      const y = k.convTranspose2d(x, w, { ...c.options, bias });
      const dy = random(y.shape, 8);
      const grads = k.convTranspose2dBackward(dy, x, w, { ...c.options, bias });
      for (const l of LAYOUTS) {
        const [xl, wl, dyl] = [dataIn(l, x), filterIn(l, w), dataIn(l, dy)];
        const before = [snapshot(xl), snapshot(wl), snapshot(dyl)];
        const options = { ...c.options, bias, ...l };
        expectSame(k.convTranspose2d(xl, wl, options), dataIn(l, y));
        const g = k.convTranspose2dBackward(dyl, xl, wl, options);
        expectSame(g.gradInput, dataIn(l, grads.gradInput));
        expectSame(g.gradWeight, filterIn(l, grads.gradWeight));
        expectSame(g.gradBias, grads.gradBias);
        expect([snapshot(xl), snapshot(wl), snapshot(dyl)], 'inputs untouched').toEqual(before);
      }
    });
  },
);

describe("the layouts are tfjs's, spelled out on shapes", () => {
  test('conv2dOutputShape x=[2,7,6,3] (NHWC) w=[3,3,3,8] (HWIO) s=2 p=same: [2, 4, 3, 8]', () => {
    const options = { stride: 2, padding: 'same', dataFormat: 'NHWC', filterFormat: 'HWIO' } as const;
    expect(conv2dOutputShape([2, 7, 6, 3], [3, 3, 3, 8], options)).toEqual([2, 4, 3, 8]);
  });

  test('unbatched NHWC x=[7,6,3] w=[8,3,3,3] (OIHW) p=valid: [5, 4, 8]', () => {
    expect(conv2dOutputShape([7, 6, 3], [8, 3, 3, 3], { dataFormat: 'NHWC' })).toEqual([5, 4, 8]);
  });

  test('an empty NHWC batch x=[0,5,5,2] w=[3,3,2,4] (HWIO) p=1 gives [0, 5, 5, 4]', () => {
    const y = KERNELS[0].conv2d(tensor([], [0, 5, 5, 2]), random([3, 3, 2, 4], 1), {
      padding: 1,
      dataFormat: 'NHWC',
      filterFormat: 'HWIO',
    });
    expect(y.shape).toEqual([0, 5, 5, 4]);
    expect(y.data.length).toBe(0);
  });

  test('a transposed HWIO weight is [KH, KW, O/groups, C]: x=[1,4,4,6] w=[3,2,1,6] groups=3 gives O = 3', () => {
    const y = KERNELS[0].convTranspose2d(random([1, 4, 4, 6], 1), random([3, 2, 1, 6], 2), {
      groups: 3,
      dataFormat: 'NHWC',
      filterFormat: 'HWIO',
    });
    expect(y.shape).toEqual([1, 6, 5, 3]);
  });

  test('an all-default spelling changes nothing: dataFormat NCHW and filterFormat OIHW given', () => {
    const x = random([1, 2, 5, 5], 3);
    const w = random([3, 2, 3, 3], 4);
    expectSame(KERNELS[0].conv2d(x, w, { dataFormat: 'NCHW', filterFormat: 'OIHW' }), KERNELS[0].conv2d(x, w));
  });
});

describe('the Conv2d layer in NHWC/HWIO', () => {
  const config = {
    inChannels: 4,
    outChannels: 6,
    kernelSize: [3, 2] as [number, number],
    stride: 2,
    padding: 'same' as const,
    groups: 2,
    seed: 7,
  };

  test.each(LAYOUTS)(
    '$dataFormat/$filterFormat: the same seed gives the permuted weight; forward, backward and grads match',
    (l) => {
      const nchw = new Conv2d(config);
      const other = new Conv2d({ ...config, ...l });
      expectSame(other.weight, filterIn(l, nchw.weight));
      expectSame(other.bias!, nchw.bias!);
      const x = random([2, 4, 7, 6], 3);
      const y = nchw.forward(x);
      expectSame(other.forward(dataIn(l, x)), dataIn(l, y));
      const dy = random(y.shape, 4);
      const gx = nchw.backward(dy);
      expectSame(other.backward(dataIn(l, dy)), dataIn(l, gx));
      expect(Array.from(other.weight.grad)).toEqual(
        Array.from(filterIn(l, { shape: nchw.weight.shape, data: nchw.weight.grad }).data),
      );
      expect(Array.from(other.bias!.grad)).toEqual(Array.from(nchw.bias!.grad));
    },
  );

  test('an unbatched NHWC image [H, W, C] goes through forward and backward', () => {
    const layer = new Conv2d({ ...config, dataFormat: 'NHWC', filterFormat: 'HWIO' });
    const y = layer.forward(random([7, 6, 4], 5));
    expect(y.shape).toEqual([4, 3, 6]);
    expect(layer.backward(random(y.shape, 6)).shape).toEqual([7, 6, 4]);
  });
});

describe('the ConvTranspose2d layer in NHWC/HWIO', () => {
  const config = { inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, groups: 2, seed: 9 };

  test("a layout the table does not list is refused by the layer, with the accepted names: 'nhwc', 'IOHW'", () => {
    expectConvError(() => new ConvTranspose2d({ ...config, dataFormat: bad('nhwc') }), 'data-format', [
      'ConvTranspose2d',
      '"nhwc"',
      "'NCHW', 'NHWC'",
    ]);
    expectConvError(() => new ConvTranspose2d({ ...config, filterFormat: bad('IOHW') }), 'filter-format', [
      '"IOHW"',
      "'OIHW', 'HWIO'",
    ]);
  });

  test.each(LAYOUTS)(
    '$dataFormat/$filterFormat: the same seed gives the permuted weight; forward (with outputSize), backward and grads match',
    (l) => {
      const nchw = new ConvTranspose2d(config);
      const other = new ConvTranspose2d({ ...config, ...l });
      expectSame(other.weight, filterIn(l, nchw.weight));
      if (l.filterFormat === 'HWIO') expect(other.weight.shape, '[KH, KW, O/groups, C]').toEqual([3, 3, 3, 4]);
      const x = random([2, 4, 5, 4], 3);
      const y = nchw.forward(x, [10, 8]);
      expectSame(other.forward(dataIn(l, x), [10, 8]), dataIn(l, y));
      const dy = random(y.shape, 4);
      const gx = nchw.backward(dy);
      expectSame(other.backward(dataIn(l, dy)), dataIn(l, gx));
      expect(Array.from(other.weight.grad)).toEqual(
        Array.from(filterIn(l, { shape: nchw.weight.shape, data: nchw.weight.grad }).data),
      );
      expect(Array.from(other.bias!.grad)).toEqual(Array.from(nchw.bias!.grad));
    },
  );
});

describe("the NHWC calls show in a backend's counters like the NCHW ones", () => {
  test('a fast-sized conv2d, conv2dBackward, convTranspose2d and its backward in NHWC/HWIO count as fast runs', () => {
    const js = createBackend({ kernels: 'js' });
    const l = { dataFormat: 'NHWC', filterFormat: 'HWIO' } as const;
    const x = random([2, 16, 16, 8], 1);
    const w = random([3, 3, 8, 16], 2);
    const y = js.conv2d(x, w, { padding: 1, ...l });
    js.conv2dBackward(random(y.shape, 3), x, w, { padding: 1, ...l });
    const wt = random([3, 3, 8, 16], 4);
    const t = js.convTranspose2d(y, wt, { padding: 1, ...l });
    js.convTranspose2dBackward(random(t.shape, 5), y, wt, { padding: 1, ...l });
    expect(js.stats()).toMatchObject({ fast: 6, reference: 0 });
  });
});
