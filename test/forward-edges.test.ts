/**
 * conv2d forward beyond the option-by-option cases: sizes above the
 * small-work threshold (against the naive nested-array convolution of
 * ./helpers.ts), an empty batch, dtypes and rounding, NaN and Infinity, and
 * inputs left untouched with fresh outputs.
 * Every case runs on the public conv2d (which takes its fast path above a
 * size threshold) and on the reference loops. Test names carry the
 * configuration.
 */
import { describe, expect, test } from 'vitest';
import { tensor, type Conv2dOptions, type Tensor } from '../src/index.js';
import { KERNELS, expectTensor, full, ints, naiveConv2d, snapshot, t, type NaiveOptions } from './helpers.js';
import { naiveCheck } from './forward-naive.js';

type N4 = number[][][][];

for (const { name, conv2d } of KERNELS) {
  describe(`${name} kernels`, () => {
    /** conv2d on integer data must equal the naive conv exactly (sums of small integers are exact). */
    const expectNaive = naiveCheck(conv2d);

    describe('conv2d: sizes above the small-work threshold (the public conv2d takes its fast path)', () => {
      // Each has ≥ 4096 multiply-adds; integer data keeps every sum exact in float32 and float64.
      const cases: Array<[string, number[], number[], Conv2dOptions, NaiveOptions]> = [
        [
          'x=[2,4,12,11] k=[6,2,3,3] s=[2,1] p=[[1,2],[0,1]] d=[1,2] g=2 bias',
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
            bias: [3, -2, 1, 0, -1, 2],
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
          'x=[2,8,16,16] k=[8,1,3,3] s=3 p=[[3,0],[0,4]] g=8 mode=replicate (depthwise)',
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
        // H: OH = 8, total = 7·2 + 4 − 15 = 3 → (1, 2); W: OW = 8, total = 7·2 + 3 − 16 = 1 → (0, 1)
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
      test.each(cases)('%s', (_, xs, ws, options, naive) => {
        expectNaive(xs, ws, options, naive);
      });

      test('unbatched x=[3,12,12] k=[5,3,3,3] p=1 float64', () => {
        const xs = ints([1, 3, 12, 12], 3) as N4;
        const ws = ints([5, 3, 3, 3], 4) as N4;
        const y = conv2d(t(xs[0], 'float64'), t(ws, 'float64'), { padding: 1 });
        expect(y.data).toBeInstanceOf(Float64Array);
        expectTensor(
          y,
          naiveConv2d(xs, ws, {
            pads: [
              [1, 1],
              [1, 1],
            ],
          })[0],
        );
      });

      test('x=[1,2,10,10] k=[8,2,3,3] p=1 with NaN and ±Inf pixels: they reach exactly the windows that read them', () => {
        const xs = ints([1, 2, 10, 10], 5) as N4;
        xs[0][0][0][0] = NaN;
        xs[0][1][4][6] = Infinity;
        xs[0][0][9][3] = -Infinity;
        const ws = ints([8, 2, 3, 3], 6) as N4;
        expectTensor(
          conv2d(t(xs), t(ws), { padding: 1 }),
          naiveConv2d(xs, ws, {
            pads: [
              [1, 1],
              [1, 1],
            ],
          }),
        );
      });

      test('x=[1,2,10,10] k=[8,2,3,3] p=1 with Inf and NaN weights: they reach only outputs whose tap lands on a real pixel', () => {
        const xs = ints([1, 2, 10, 10], 7) as N4;
        const ws = ints([8, 2, 3, 3], 8) as N4;
        ws[2][1][0][0] = Infinity; // top-left tap: padding for the first output row and column
        ws[5][0][2][1] = NaN; // bottom-middle tap: padding for the last output row
        const y = conv2d(t(xs), t(ws), { padding: 1 });
        expectTensor(
          y,
          naiveConv2d(xs, ws, {
            pads: [
              [1, 1],
              [1, 1],
            ],
          }),
        );
        // spelled out for one channel: row 0 of output channel 2 stays finite, row 1 does not
        expect(Number.isFinite(y.data[2 * 100 + 5])).toBe(true);
        expect(Number.isFinite(y.data[2 * 100 + 15])).toBe(false);
      });

      test('x=[1,1,3,66] k=[32,1,1,64] float32 rounds a float64 sum once (1 + 2^-24 + 2^-24 → 1 + 2^-23)', () => {
        const e = 2 ** -24;
        const row = new Array<number>(66).fill(0);
        row.splice(0, 3, 1, e, e);
        const x = tensor([...row, ...row, ...row], [1, 1, 3, 66]);
        const y = conv2d(x, full([32, 1, 1, 64], 1));
        for (let o = 0; o < 32; o++) {
          const at = o * 9;
          expect([y.data[at], y.data[at + 1], y.data[at + 2]], `channel ${o}`).toEqual([1 + 2 * e, 2 * e, e]);
        }
      });
    });

    describe('conv2d: empty batch', () => {
      test('x=[0,2,5,5] k=[3,2,3,3] returns shape [0,3,3,3] with no data', () => {
        const y = conv2d(tensor([], [0, 2, 5, 5]), full([3, 2, 3, 3], 1), { bias: t([1, 2, 3]) });
        expectTensor(y, [], [0, 3, 3, 3]);
      });

      test('x=[0,4,7,6] k=[2,2,2,3] s=2 p=same g=2 returns shape [0,2,4,3]', () => {
        const y = conv2d(tensor([], [0, 4, 7, 6]), full([2, 2, 2, 3], 1), { stride: 2, padding: 'same', groups: 2 });
        expectTensor(y, [], [0, 2, 4, 3]);
      });
    });

    describe('conv2d: dtypes', () => {
      test('float32 in → Float32Array out; float64 in → Float64Array out', () => {
        expect(conv2d(full([1, 1, 2, 2], 1), full([1, 1, 1, 1], 1)).data).toBeInstanceOf(Float32Array);
        const y = conv2d(full([1, 1, 2, 2], 1, 'float64'), full([1, 1, 1, 1], 1, 'float64'));
        expect(y.data).toBeInstanceOf(Float64Array);
      });

      test('x=[1,1,1,1] k=[1,1,1,1] float64 keeps 1 + 2^-40 (float32 could not)', () => {
        const v = 1 + 2 ** -40;
        expect(Math.fround(v)).toBe(1);
        expectTensor(conv2d(tensor([v], [1, 1, 1, 1], 'float64'), tensor([1], [1, 1, 1, 1], 'float64')), [[[[v]]]]);
      });

      test('x=[1,1,1,3] k=[1,1,1,3] float32 rounds the float64 sum once: 1 + 2^-24 + 2^-24 → 1 + 2^-23', () => {
        const e = 2 ** -24;
        // Summed in float32 tap by tap, 1 + 2^-24 ties to even (1) twice and the result would be 1.
        expect(Math.fround(Math.fround(1 + e) + e)).toBe(1);
        const y = conv2d(tensor([1, e, e], [1, 1, 1, 3]), full([1, 1, 1, 3], 1));
        expectTensor(y, [[[[1 + 2 * e]]]]);
      });

      test('x=[1,1,1,2] k=[1,1,1,2] float32 with a bias: bias + products summed exactly, then rounded', () => {
        const e = 2 ** -24;
        // bias 1 first, then two products of e: again 1 + 2^-23 only if nothing is rounded in between
        const y = conv2d(tensor([e, e], [1, 1, 1, 2]), full([1, 1, 1, 2], 1), { bias: t([1]) });
        expectTensor(y, [[[[1 + 2 * e]]]]);
      });
    });

    describe('conv2d: NaN and Infinity', () => {
      // x = [[1,2],[3,4]], k = 3×3, p = 1: tap (0,0) reads pixel (i−1, j−1), a real pixel only for output (1,1).
      const x = (): Tensor =>
        t([
          [
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ]);
      const kernelWith = (v: number): Tensor =>
        t([
          [
            [
              [v, 1, 1],
              [1, 1, 1],
              [1, 1, 1],
            ],
          ],
        ]);

      test('x=[1,1,2,2] k=[1,1,3,3] p=1 w[0][0]=Inf: only the output whose tap lands on a real pixel is Inf', () => {
        // every 3×3 window covers all four pixels: 1+2+3+4 = 10 when the Inf tap is on padding
        expectTensor(conv2d(x(), kernelWith(Infinity), { padding: 1 }), [
          [
            [
              [10, 10],
              [10, Infinity],
            ],
          ],
        ]);
      });

      test('x=[1,1,2,2] k=[1,1,3,3] p=1 w[0][0]=NaN: NaN only at output (1,1)', () => {
        expectTensor(conv2d(x(), kernelWith(NaN), { padding: 1 }), [
          [
            [
              [10, 10],
              [10, NaN],
            ],
          ],
        ]);
      });

      test("x=[1,1,2,2] k=[1,1,3,3] p=same w[0][0]=-Inf: 'same' padding is skipped the same way", () => {
        expectTensor(conv2d(x(), kernelWith(-Infinity), { padding: 'same' }), [
          [
            [
              [10, 10],
              [10, -Infinity],
            ],
          ],
        ]);
      });

      test('x=[1,1,2,3] k=[1,1,2,2] x[0][0]=NaN propagates to the outputs that read it, no further', () => {
        const y = conv2d(
          t([
            [
              [
                [NaN, 1, 2],
                [3, 4, 5],
              ],
            ],
          ]),
          full([1, 1, 2, 2], 1),
        );
        expectTensor(y, [[[[NaN, 12]]]]);
      });

      test('x=[1,1,1,2] k=[1,1,1,2] Inf·0 on a real tap is NaN (IEEE), Inf·1 is Inf', () => {
        expectTensor(conv2d(t([[[[Infinity, 1]]]]), t([[[[0, 1]]]])), [[[[NaN]]]]);
        expectTensor(conv2d(t([[[[Infinity, 1]]]]), t([[[[1, 0]]]])), [[[[Infinity]]]]);
      });

      test('x=[1,1,1,1] k=[1,1,1,3] p=[0,1] mode=replicate w=[Inf,1,1]: padding modes read real pixels, so Inf reaches', () => {
        // replicate padding copies the pixel: the Inf tap lands on a copy of x for the one output
        expectTensor(conv2d(t([[[[2]]]]), t([[[[Infinity, 1, 1]]]]), { padding: [0, 1], paddingMode: 'replicate' }), [
          [[[Infinity]]],
        ]);
      });
    });

    describe('conv2d: inputs untouched, outputs fresh', () => {
      test('x=[2,2,3,3] k=[2,2,2,2] p=1 mode=reflect bias: input, weight and bias data unchanged', () => {
        const x = t(ints([2, 2, 3, 3], 5));
        const w = t(ints([2, 2, 2, 2], 6));
        const b = t([1, -1]);
        const before = [snapshot(x), snapshot(w), snapshot(b)];
        conv2d(x, w, { bias: b, padding: 1, paddingMode: 'reflect' });
        expect([snapshot(x), snapshot(w), snapshot(b)]).toEqual(before);
      });

      test('x=[1,1,2,2] k=[1,1,1,1] (identity): the output is a new array, and each call makes another', () => {
        const x = t([
          [
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ]);
        const w = full([1, 1, 1, 1], 1);
        const y1 = conv2d(x, w);
        const y2 = conv2d(x, w);
        expect(y1.data).not.toBe(x.data);
        expect(y1.data).not.toBe(y2.data);
        expect(y1.shape).not.toBe(x.shape);
        y1.data[0] = 99;
        expectTensor(y2, [
          [
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ]);
        expectTensor(x, [
          [
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ]);
      });

      test('options object is not mutated', () => {
        const options: Conv2dOptions = { stride: [1, 2], padding: 'same', dilation: 1, groups: 1 };
        const copy = JSON.stringify(options);
        conv2d(full([1, 1, 4, 4], 1), full([1, 1, 2, 2], 1), options);
        expect(JSON.stringify(options)).toBe(copy);
      });
    });
  });
}
