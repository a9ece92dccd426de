/**
 * Channels-last against TensorFlow.js, natively: the same NHWC inputs and
 * HWIO filters go to tfjs-core's cpu backend (`conv2d`, `depthwiseConv2d`,
 * `conv2dTranspose` with its `outputShape`, and the `Conv2DBackpropInput` /
 * `Conv2DBackpropFilter` kernels) and to convproof with `dataFormat: 'NHWC'`
 * and `filterFormat: 'HWIO'`, with no transposes on either side of a call.
 * Results are compared with the suite's comparator, as test/oracles.test.ts
 * does: tfjs's float32 result within c·γ_n·M of ours, M and n from the
 * spec's float64 model (computed on the tensors laid out as NCHW/OIHW, then
 * laid out as NHWC/HWIO: only the bound is permuted, never a result).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  compareBounded,
  forwardExpectation,
  gradientExpectations,
  transposeExpectation,
  transposeGradientExpectations,
  type Expectation,
} from '../properties/spec/index.js';
import { conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward, type Tensor } from '../src/index.js';
import { fromHWIO, permute, random, toNCHW } from './nhwc-helpers.js';

const TFJS = { dataFormat: 'NHWC', filterFormat: 'HWIO' } as const;

beforeAll(async () => {
  // tfjs prints an "install tfjs-node" banner on the cpu backend's first use.
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    expect(await tf.setBackend('cpu')).toBe(true);
    tf.tidy(() => tf.zeros([1]));
  } finally {
    console.warn = warn;
  }
});

/** Runs a tfjs computation and returns its result as a float32 tensor, disposing everything. */
function run(fn: () => tf.Tensor): Tensor {
  const t = tf.tidy(fn);
  const data = Float32Array.from(t.dataSync());
  const shape = [...t.shape];
  t.dispose();
  return { shape, data };
}

const tfTensor = (t: Tensor) => tf.tensor(Float32Array.from(t.data), [...t.shape], 'float32');

/** The spec's bound (M, n) for an NCHW-order expectation, laid out like `ours`; the value is ours, as in oracles.test.ts. */
function boundOn(e: Expectation, ours: Tensor, layout: 'data' | 'filter'): Expectation {
  const order = layout === 'filter' ? [2, 3, 1, 0] : e.shape.length === 4 ? [0, 2, 3, 1] : [1, 2, 0];
  const move = (values: Float64Array) => permute({ shape: e.shape, data: values }, order).data as Float64Array;
  const terms = typeof e.terms === 'number' ? e.terms : move(e.terms);
  expect(ours.shape).toEqual(order.map((a) => e.shape[a]));
  return {
    ...e,
    shape: ours.shape,
    value: Float64Array.from(ours.data),
    magnitude: move(e.magnitude),
    terms,
    dtype: 'float32',
  };
}

function expectClose(got: Tensor, want: Expectation): void {
  const cmp = compareBounded(got, want);
  expect(cmp.ok, cmp.message).toBe(true);
}

type Pads = [[number, number], [number, number]];
/** tfjs's explicit padding of an NHWC tensor (numeric pads hit tfjs #649). */
const explicit = ([[t, b], [l, r]]: Pads): tf.backend_util.ExplicitPadding => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

interface ForwardCase {
  readonly name: string;
  /** NHWC input, HWIO filter. */
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly stride: [number, number];
  readonly dilation?: [number, number];
  readonly pad: 'same' | 'valid' | Pads;
  readonly bias?: boolean;
  /** depthwise: the HWIO filter [KH, KW, 1, C·M] is tfjs's depthwise [KH, KW, C, M], the same array. */
  readonly depthwise?: boolean;
}

const FORWARD: readonly ForwardCase[] = [
  { name: 'x=[2,7,6,3] f=[3,3,3,4] s=1 p=valid', x: [2, 7, 6, 3], w: [3, 3, 3, 4], stride: [1, 1], pad: 'valid' },
  {
    name: 'x=[2,7,6,3] f=[3,2,3,5] s=2 p=same bias',
    x: [2, 7, 6, 3],
    w: [3, 2, 3, 5],
    stride: [2, 2],
    pad: 'same',
    bias: true,
  },
  { name: 'x=[1,8,9,2] f=[2,3,2,3] s=[2,3] p=same', x: [1, 8, 9, 2], w: [2, 3, 2, 3], stride: [2, 3], pad: 'same' },
  {
    name: 'x=[1,6,7,2] f=[3,3,2,2] d=2 p=[[2,1],[0,3]]',
    x: [1, 6, 7, 2],
    w: [3, 3, 2, 2],
    stride: [1, 1],
    dilation: [2, 2],
    pad: [
      [2, 1],
      [0, 3],
    ],
  },
  { name: 'x=[6,5,4] (unbatched) f=[3,3,4,2] p=same', x: [6, 5, 4], w: [3, 3, 4, 2], stride: [1, 1], pad: 'same' },
  {
    name: 'x=[2,12,12,16] f=[1,1,16,24] (1×1, fast)',
    x: [2, 12, 12, 16],
    w: [1, 1, 16, 24],
    stride: [1, 1],
    pad: 'valid',
  },
  {
    name: 'x=[2,16,16,8] f=[3,3,8,16] p=same bias (fast)',
    x: [2, 16, 16, 8],
    w: [3, 3, 8, 16],
    stride: [1, 1],
    pad: 'same',
    bias: true,
  },
  {
    name: 'depthwise x=[2,7,7,3] f=[3,3,1,6] (M = 2) s=2 p=same',
    x: [2, 7, 7, 3],
    w: [3, 3, 1, 6],
    stride: [2, 2],
    pad: 'same',
    depthwise: true,
  },
  {
    name: 'depthwise x=[2,14,14,16] f=[3,3,1,16] p=[[1,1],[1,1]] (fast)',
    x: [2, 14, 14, 16],
    w: [3, 3, 1, 16],
    stride: [1, 1],
    pad: [
      [1, 1],
      [1, 1],
    ],
    depthwise: true,
  },
];

/** Our options for a case (the same stride, dilation and padding, in tfjs's layouts). */
function oursOptions(c: ForwardCase, bias: Tensor | null) {
  const groups = c.depthwise ? c.x[c.x.length - 1] : 1;
  return { ...TFJS, stride: c.stride, dilation: c.dilation ?? 1, padding: c.pad, groups, bias };
}

describe('tfjs cpu, natively NHWC/HWIO, against convproof with dataFormat NHWC and filterFormat HWIO', () => {
  describe.each(FORWARD)('$name', (c) => {
    const x = random(c.x, 1);
    const w = random(c.w, 2);
    const O = c.w[3];
    const bias = c.bias ? random([O], 3) : null;
    const options = oursOptions(c, bias);
    const pad = typeof c.pad === 'string' ? c.pad : explicit(c.pad);
    const dilations = c.dilation ?? [1, 1];
    const nchwCase = {
      input: toNCHW(x),
      weight: fromHWIO(w),
      options: { ...options, dataFormat: 'NCHW', filterFormat: 'OIHW' } as const,
    };

    test('forward: tf.conv2d (or tf.depthwiseConv2d), plus the bias by broadcasting over C', () => {
      const ours = conv2d(x, w, options);
      const got = run(() => {
        const xt = tfTensor(x) as tf.Tensor4D | tf.Tensor3D;
        const y = c.depthwise
          ? tf.depthwiseConv2d(
              xt,
              tf.tensor4d(Float32Array.from(w.data), [c.w[0], c.w[1], c.x.at(-1)!, O / c.x.at(-1)!]),
              c.stride,
              pad,
              'NHWC',
              dilations,
            )
          : tf.conv2d(xt, tfTensor(w) as tf.Tensor4D, c.stride, pad, 'NHWC', dilations);
        return bias ? tf.add(y, tfTensor(bias)) : y;
      });
      expectClose(got, boundOn(forwardExpectation(nchwCase), ours, 'data'));
    });

    // tfjs's backprop kernels take a batched input, no dilation and no groups: the other cases check the forward only.
    const tfjsHasGradients = c.dilation === undefined && !c.depthwise && c.x.length === 4;
    if (tfjsHasGradients)
      test('gradients: the Conv2DBackpropInput and Conv2DBackpropFilter kernels', () => {
        const yShape = conv2d(x, w, options).shape;
        const dy = random(yShape, 4);
        const ours = conv2dBackward(dy, x, w, options);
        const attrs = { strides: c.stride, pad, dataFormat: 'NHWC' };
        const gx = run(
          () =>
            tf
              .engine()
              .runKernel(
                'Conv2DBackpropInput',
                { dy: tfTensor(dy), filter: tfTensor(w) },
                { ...attrs, inputShape: c.x },
              ) as tf.Tensor,
        );
        const gw = run(
          () =>
            tf
              .engine()
              .runKernel(
                'Conv2DBackpropFilter',
                { x: tfTensor(x), dy: tfTensor(dy) },
                { ...attrs, filterShape: c.w },
              ) as tf.Tensor,
        );
        const e = gradientExpectations(nchwCase, toNCHW(dy));
        expectClose(gx, boundOn(e.gradInput, ours.gradInput, 'data'));
        expectClose(gw, boundOn(e.gradWeight, ours.gradWeight, 'filter'));
      });
  });
});

interface TransposeCase {
  readonly name: string;
  /** NHWC input; tfjs's transposed filter [KH, KW, O, C]; tfjs's outputShape [N, OH, OW, O]. */
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly outputShape: [number, number, number, number];
  readonly stride: [number, number];
  readonly pad: 'same' | 'valid' | Pads;
}

const TRANSPOSE: readonly TransposeCase[] = [
  {
    name: 'x=[2,4,5,3] f=[3,3,2,3] out=[2,8,10,2] s=2 p=same',
    x: [2, 4, 5, 3],
    w: [3, 3, 2, 3],
    outputShape: [2, 8, 10, 2],
    stride: [2, 2],
    pad: 'same',
  },
  {
    name: 'x=[2,4,5,3] f=[3,3,2,3] out=[2,7,9,2] s=2 p=same (odd sizes)',
    x: [2, 4, 5, 3],
    w: [3, 3, 2, 3],
    outputShape: [2, 7, 9, 2],
    stride: [2, 2],
    pad: 'same',
  },
  {
    name: 'x=[1,3,4,2] f=[3,2,4,2] out=[1,8,9,4] s=[2,2] p=valid (extra bottom/right rows)',
    x: [1, 3, 4, 2],
    w: [3, 2, 4, 2],
    outputShape: [1, 8, 9, 4],
    stride: [2, 2],
    pad: 'valid',
  },
  {
    name: 'x=[1,4,4,2] f=[3,3,3,2] out=[1,7,8,3] s=2 p=[[1,1],[1,0]]',
    x: [1, 4, 4, 2],
    w: [3, 3, 3, 2],
    outputShape: [1, 7, 8, 3],
    stride: [2, 2],
    pad: [
      [1, 1],
      [1, 0],
    ],
  },
  {
    name: 'x=[2,10,10,8] f=[3,3,8,8] out=[2,20,20,8] s=2 p=same (fast)',
    x: [2, 10, 10, 8],
    w: [3, 3, 8, 8],
    outputShape: [2, 20, 20, 8],
    stride: [2, 2],
    pad: 'same',
  },
];

describe('tf.conv2dTranspose with its outputShape, natively NHWC, against convTranspose2d with outputSize', () => {
  test.each(TRANSPOSE)('$name', (c) => {
    const x = random(c.x, 5);
    const w = random(c.w, 6);
    const [, OH, OW] = c.outputShape;
    const options = { ...TFJS, stride: c.stride, padding: c.pad, outputSize: [OH, OW] as [number, number] };
    const ours = convTranspose2d(x, w, options);
    const pad = typeof c.pad === 'string' ? c.pad : explicit(c.pad);
    const got = run(() =>
      tf.conv2dTranspose(tfTensor(x) as tf.Tensor4D, tfTensor(w) as tf.Tensor4D, c.outputShape, c.stride, pad),
    );
    const nchwCase = {
      input: toNCHW(x),
      weight: fromHWIO(w),
      options: { ...options, dataFormat: 'NCHW', filterFormat: 'OIHW' } as const,
    };
    expectClose(got, boundOn(transposeExpectation(nchwCase), ours, 'data'));
  });
});

/**
 * tfjs has no kernel for conv2dTranspose's gradients; its own gradient of conv2dTranspose
 * (the op's registered gradient) is conv2d(dy, f) for x and Conv2DBackpropFilter(x: dy, dy: x)
 * for f, both natively NHWC with the transposed filter [KH, KW, O, C] as a conv2d filter.
 */
describe('the gradients of tf.conv2dTranspose (tf.conv2d and Conv2DBackpropFilter), against convTranspose2dBackward', () => {
  test.each(TRANSPOSE)('$name', (c) => {
    const x = random(c.x, 5);
    const w = random(c.w, 6);
    const dy = random(c.outputShape, 7);
    const [, OH, OW] = c.outputShape;
    const options = { ...TFJS, stride: c.stride, padding: c.pad, outputSize: [OH, OW] as [number, number] };
    const ours = convTranspose2dBackward(dy, x, w, options);
    const pad = typeof c.pad === 'string' ? c.pad : explicit(c.pad);
    const gx = run(() => tf.conv2d(tfTensor(dy) as tf.Tensor4D, tfTensor(w) as tf.Tensor4D, c.stride, pad, 'NHWC'));
    const gw = run(
      () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x: tfTensor(dy), dy: tfTensor(x) },
            { strides: c.stride, pad, dataFormat: 'NHWC', filterShape: c.w },
          ) as tf.Tensor,
    );
    const nchwCase = {
      input: toNCHW(x),
      weight: fromHWIO(w),
      options: { ...options, dataFormat: 'NCHW', filterFormat: 'OIHW' } as const,
    };
    const e = transposeGradientExpectations(nchwCase, toNCHW(dy));
    expectClose(gx, boundOn(e.gradInput, ours.gradInput, 'data'));
    expectClose(gw, boundOn(e.gradWeight, ours.gradWeight, 'filter'));
  });
});
