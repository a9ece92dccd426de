/**
 * conv2dBackward on larger cases, against the naive nested-array conv of
 * ./helpers.ts differentiated by linearity (unit input → output) or written
 * out as scatter-then-fold, including sizes above the small-work threshold;
 * then an empty batch, dtypes and rounding, NaN/Inf and purity. Every case
 * runs on the public kernels (fast paths above a size threshold) and on the
 * reference loops. Names carry the configuration.
 */
import { describe, expect, test } from 'vitest';
import { tensor, type Conv2dOptions } from '../src/index.js';
import {
  KERNELS,
  expectConvError,
  expectTensor,
  full,
  ints,
  iotaTensor,
  naiveConv2d,
  naiveConv2dGradients,
  naiveConv2dGradientsDirect,
  snapshot,
  t,
  type NaiveOptions,
} from './helpers.js';

type N4 = number[][][][];

/** The naive gradients by linearity are slow-ish: compute each once for both kernel sets. */
const memoized = new Map<string, unknown>();
function memo<T>(key: string, compute: () => T): T {
  if (!memoized.has(key)) memoized.set(key, compute());
  return memoized.get(key) as T;
}

for (const { name, conv2d, conv2dBackward } of KERNELS) {
  describe(`${name} kernels`, () => {
    describe('conv2dBackward: larger cases against the naive conv, differentiated by linearity', () => {
      const cases: Array<[string, number[], number[], Conv2dOptions, NaiveOptions]> = [
        [
          'x=[1,1,4,5] k=[1,1,3,3] s=[2,3] p=[3,4] mode=reflect (pads = size − 1)',
          [1, 1, 4, 5],
          [1, 1, 3, 3],
          { stride: [2, 3], padding: [3, 4], paddingMode: 'reflect' },
          {
            stride: [2, 3],
            pads: [
              [3, 3],
              [4, 4],
            ],
            mode: 'reflect',
          },
        ],
        [
          'x=[1,2,2,3] k=[2,2,3,3] s=2 p=[2,3] mode=circular (pads = size)',
          [1, 2, 2, 3],
          [2, 2, 3, 3],
          { stride: 2, padding: [2, 3], paddingMode: 'circular' },
          {
            stride: [2, 2],
            pads: [
              [2, 2],
              [3, 3],
            ],
            mode: 'circular',
          },
        ],
        [
          'x=[2,1,3,2] k=[1,1,2,3] s=[1,2] p=[[4,0],[1,3]] mode=replicate',
          [2, 1, 3, 2],
          [1, 1, 2, 3],
          {
            stride: [1, 2],
            padding: [
              [4, 0],
              [1, 3],
            ],
            paddingMode: 'replicate',
          },
          {
            stride: [1, 2],
            pads: [
              [4, 0],
              [1, 3],
            ],
            mode: 'replicate',
          },
        ],
        [
          'x=[2,4,5,7] k=[6,2,3,2] s=[2,1] p=[[1,0],[2,1]] d=[1,2] g=2',
          [2, 4, 5, 7],
          [6, 2, 3, 2],
          {
            stride: [2, 1],
            padding: [
              [1, 0],
              [2, 1],
            ],
            dilation: [1, 2],
            groups: 2,
          },
          {
            stride: [2, 1],
            pads: [
              [1, 0],
              [2, 1],
            ],
            dilation: [1, 2],
            groups: 2,
          },
        ],
        [
          'x=[1,1,5,5] k=[1,1,4,3] s=[2,3] d=[1,2] p=same ≡ pads [[1,2],[1,2]]',
          [1, 1, 5, 5],
          [1, 1, 4, 3],
          { stride: [2, 3], dilation: [1, 2], padding: 'same' },
          {
            stride: [2, 3],
            dilation: [1, 2],
            pads: [
              [1, 2],
              [1, 2],
            ],
          },
        ],
        [
          'x=[1,3,7,4] k=[3,1,2,2] s=3 d=2 g=3 (depthwise, dilation with stride, stride not dividing)',
          [1, 3, 7, 4],
          [3, 1, 2, 2],
          { stride: 3, dilation: 2, groups: 3 },
          { stride: [3, 3], dilation: [2, 2], groups: 3 },
        ],
        [
          'x=[1,2,4,3] k=[2,1,2,2] d=2 g=2 p=same mode=reflect ≡ pads [[1,1],[1,1]]',
          [1, 2, 4, 3],
          [2, 1, 2, 2],
          { padding: 'same', dilation: 2, groups: 2, paddingMode: 'reflect' },
          {
            pads: [
              [1, 1],
              [1, 1],
            ],
            dilation: [2, 2],
            groups: 2,
            mode: 'reflect',
          },
        ],
      ];
      test.each(cases)('%s', (_, xShape, wShape, options, naive) => {
        const xs = ints(xShape, 1) as N4;
        const ws = ints(wShape, 2) as N4;
        const y = naiveConv2d(xs, ws, naive);
        const dys = ints([y.length, y[0].length, y[0][0].length, y[0][0][0].length], 3) as N4;
        const want = memo(`${xShape} ${wShape} ${JSON.stringify(naive)}`, () =>
          naiveConv2dGradients(xs, ws, dys, naive),
        );
        const g = conv2dBackward(t(dys), t(xs), t(ws), options);
        expectTensor(g.gradInput, want.gradInput);
        expectTensor(g.gradWeight, want.gradWeight);
        expectTensor(
          g.gradBias,
          dys[0].map((_, o) => dys.reduce((s, img) => s + img[o].flat().reduce((a, b) => a + b, 0), 0)),
        );
      });
    });

    describe('conv2dBackward: sizes above the small-work threshold (the public kernels take their fast paths)', () => {
      const cases: Array<[string, number[], number[], Conv2dOptions, NaiveOptions]> = [
        [
          'x=[2,4,12,11] k=[6,2,3,3] s=[2,1] p=[[1,2],[0,1]] d=[1,2] g=2',
          [2, 4, 12, 11],
          [6, 2, 3, 3],
          {
            stride: [2, 1],
            padding: [
              [1, 2],
              [0, 1],
            ],
            dilation: [1, 2],
            groups: 2,
          },
          {
            stride: [2, 1],
            pads: [
              [1, 2],
              [0, 1],
            ],
            dilation: [1, 2],
            groups: 2,
          },
        ],
        [
          'x=[1,3,9,8] k=[4,3,3,3] s=2 p=[8,7] mode=reflect (pads = size − 1)',
          [1, 3, 9, 8],
          [4, 3, 3, 3],
          { stride: 2, padding: [8, 7], paddingMode: 'reflect' },
          {
            stride: [2, 2],
            pads: [
              [8, 8],
              [7, 7],
            ],
            mode: 'reflect',
          },
        ],
        [
          'x=[2,2,5,6] k=[4,2,3,2] d=[2,3] p=[5,6] mode=circular (pads = size)',
          [2, 2, 5, 6],
          [4, 2, 3, 2],
          { dilation: [2, 3], padding: [5, 6], paddingMode: 'circular' },
          {
            dilation: [2, 3],
            pads: [
              [5, 5],
              [6, 6],
            ],
            mode: 'circular',
          },
        ],
        [
          'x=[2,8,16,16] k=[8,1,3,3] s=3 p=[[3,0],[0,4]] g=8 mode=replicate (depthwise, stride not dividing)',
          [2, 8, 16, 16],
          [8, 1, 3, 3],
          {
            stride: 3,
            padding: [
              [3, 0],
              [0, 4],
            ],
            groups: 8,
            paddingMode: 'replicate',
          },
          {
            stride: [3, 3],
            pads: [
              [3, 0],
              [0, 4],
            ],
            groups: 8,
            mode: 'replicate',
          },
        ],
        [
          'x=[1,4,15,16] k=[8,4,4,3] s=2 p=same ≡ pads [[1,2],[0,1]]',
          [1, 4, 15, 16],
          [8, 4, 4, 3],
          { stride: 2, padding: 'same' },
          {
            stride: [2, 2],
            pads: [
              [1, 2],
              [0, 1],
            ],
          },
        ],
      ];
      test.each(cases)('%s', (_, xShape, wShape, options, naive) => {
        const xs = ints(xShape, 1) as N4;
        const ws = ints(wShape, 2) as N4;
        const y = naiveConv2d(xs, ws, naive);
        const dys = ints([y.length, y[0].length, y[0][0].length, y[0][0][0].length], 3) as N4;
        const want = naiveConv2dGradientsDirect(xs, ws, dys, naive);
        for (const dtype of ['float32', 'float64'] as const) {
          const g = conv2dBackward(t(dys, dtype), t(xs, dtype), t(ws, dtype), options);
          expectTensor(g.gradInput, want.gradInput);
          expectTensor(g.gradWeight, want.gradWeight);
        }
      });

      test('x=[1,2,10,10] k=[8,2,3,3] p=1 with a NaN and an Inf in gradOutput: they reach only the taps they touch', () => {
        const xs = ints([1, 2, 10, 10], 4) as N4;
        const ws = ints([8, 2, 3, 3], 5) as N4;
        const dys = ints([1, 8, 10, 10], 6) as N4;
        dys[0][3][0][0] = NaN;
        dys[0][6][5][9] = Infinity;
        const want = naiveConv2dGradientsDirect(xs, ws, dys, {
          pads: [
            [1, 1],
            [1, 1],
          ],
        });
        const g = conv2dBackward(t(dys), t(xs), t(ws), { padding: 1 });
        expectTensor(g.gradInput, want.gradInput);
        expectTensor(g.gradWeight, want.gradWeight);
      });
    });

    describe('conv2dBackward: empty batch, dtypes, NaN/Inf, purity', () => {
      test('x=[0,2,3,3] k=[3,2,2,2] (N = 0): empty gradInput, zero gradWeight and gradBias', () => {
        const g = conv2dBackward(tensor([], [0, 3, 2, 2]), tensor([], [0, 2, 3, 3]), full([3, 2, 2, 2], 1), {
          bias: t([1, 2, 3]),
        });
        expectTensor(g.gradInput, [], [0, 2, 3, 3]);
        expectTensor(g.gradWeight, new Array(24).fill(0), [3, 2, 2, 2]);
        expectTensor(g.gradBias, [0, 0, 0]);
      });

      test('float32 in → float32 gradients; float64 in → float64 gradients', () => {
        const g32 = conv2dBackward(full([1, 1, 1, 1], 1), full([1, 1, 2, 2], 1), full([1, 1, 2, 2], 1));
        for (const v of [g32.gradInput, g32.gradWeight, g32.gradBias]) expect(v.data).toBeInstanceOf(Float32Array);
        const g64 = conv2dBackward(
          full([1, 1, 1, 1], 1, 'float64'),
          full([1, 1, 2, 2], 1, 'float64'),
          full([1, 1, 2, 2], 1, 'float64'),
        );
        for (const v of [g64.gradInput, g64.gradWeight, g64.gradBias]) expect(v.data).toBeInstanceOf(Float64Array);
      });

      test('x=[1,1,1,3] k=[1,1,1,1] float32: gradWeight and gradBias round a float64 sum once (1 + 2^-24 + 2^-24 → 1 + 2^-23)', () => {
        const e = 2 ** -24;
        expect(Math.fround(Math.fround(1 + e) + e)).toBe(1);
        const g = conv2dBackward(
          tensor([1, e, e], [1, 1, 1, 3]),
          tensor([1, 1, 1], [1, 1, 1, 3]),
          full([1, 1, 1, 1], 1),
        );
        expectTensor(g.gradWeight, [[[[1 + 2 * e]]]]);
        expectTensor(g.gradBias, [1 + 2 * e]);
      });

      test('x=[1,1,3,1] k=[1,1,3,1] p=[2,0] float32: gradInput rounds once too', () => {
        // pixel 0 is read by tap 2 of output 0, tap 1 of output 1, tap 0 of output 2: dy0·w2 + dy1·w1 + dy2·w0
        const e = 2 ** -24;
        const g = conv2dBackward(
          tensor([1, 1, 1, 1, 1], [1, 1, 5, 1]),
          full([1, 1, 3, 1], 0),
          tensor([e, e, 1], [1, 1, 3, 1]),
          {
            padding: [2, 0],
          },
        );
        expect(g.gradInput.data[0]).toBe(1 + 2 * e);
      });

      test('x=[1,1,1,1] k=[1,1,1,1] float64 keeps 1 + 2^-40 in gradWeight', () => {
        const v = 1 + 2 ** -40;
        const g = conv2dBackward(
          full([1, 1, 1, 1], 1, 'float64'),
          tensor([v], [1, 1, 1, 1], 'float64'),
          full([1, 1, 1, 1], 1, 'float64'),
        );
        expectTensor(g.gradWeight, [[[[v]]]]);
      });

      test('x=[1,1,2,2] k=[1,1,3,3] p=1 w[0][0]=Inf: the padding-only tap sends Inf to pixel (0,0) alone', () => {
        // tap (0,0) reads pixel (i−1, j−1): a real pixel only for output (1,1), i.e. pixel (0,0); every pixel gets 4 taps
        const w = t([
          [
            [
              [Infinity, 1, 1],
              [1, 1, 1],
              [1, 1, 1],
            ],
          ],
        ]);
        const g = conv2dBackward(
          full([1, 1, 2, 2], 1),
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          w,
          { padding: 1 },
        );
        expectTensor(g.gradInput, [
          [
            [
              [Infinity, 4],
              [4, 4],
            ],
          ],
        ]);
        expectTensor(g.gradWeight, [
          [
            [
              [1, 3, 2],
              [4, 10, 6],
              [3, 7, 4],
            ],
          ],
        ]);
      });

      test('inputs are not mutated and the gradients are fresh arrays', () => {
        const dy = t(ints([1, 2, 3, 3], 7));
        const x = t(ints([1, 2, 3, 3], 8));
        const w = t(ints([2, 2, 2, 2], 9));
        const b = t([1, 2]);
        const before = [dy, x, w, b].map(snapshot);
        const g = conv2dBackward(dy, x, w, {
          padding: [
            [1, 0],
            [0, 1],
          ],
          paddingMode: 'replicate',
          bias: b,
        });
        expect([dy, x, w, b].map(snapshot)).toEqual(before);
        for (const a of [g.gradInput.data, g.gradWeight.data, g.gradBias.data]) {
          for (const b2 of [dy.data, x.data, w.data, b.data]) expect(a).not.toBe(b2);
        }
      });

      test('x=[1,1,3,3] k=[1,1,2,2]: the shape gradOutput must have is the forward output shape', () => {
        const x = iotaTensor([1, 1, 3, 3]);
        const w = full([1, 1, 2, 2], 1);
        expect(conv2d(x, w).shape).toEqual([1, 1, 2, 2]);
        expectConvError(() => conv2dBackward(full([1, 1, 3, 3], 1), x, w), 'grad-output', [
          '[1, 1, 2, 2]',
          '[1, 1, 3, 3]',
        ]);
      });
    });
  });
}

describe('test helpers', () => {
  test('the two naive gradient methods (by linearity, and scatter-then-fold) agree on every padding mode', () => {
    for (const mode of ['zeros', 'reflect', 'replicate', 'circular'] as const) {
      const naive: NaiveOptions = {
        stride: [2, 1],
        pads: [
          [2, 1],
          [0, 2],
        ],
        dilation: [1, 2],
        groups: 2,
        mode,
      };
      const xs = ints([1, 2, 3, 4], 1) as N4;
      const ws = ints([2, 1, 2, 2], 2) as N4;
      const y = naiveConv2d(xs, ws, naive);
      const dys = ints([1, 2, y[0][0].length, y[0][0][0].length], 3) as N4;
      expect(naiveConv2dGradientsDirect(xs, ws, dys, naive), mode).toEqual(naiveConv2dGradients(xs, ws, dys, naive));
    }
  });
});
