/**
 * The examples of the D2L chapters "Convolutions for images" and "Padding and
 * stride", with the values the chapter prints.
 */
import { describe, expect, test } from 'vitest';
import { conv2dOutputShape, tensor, type Conv2dOptions } from '../src/index.js';
import { KERNELS, edgeRows, expectConvError, expectTensor, full, ints, naiveConv2d, t } from './helpers.js';

for (const { name, conv2d, corr2d } of KERNELS) {
  describe(`${name} kernels`, () => {
    describe('chapter: cross-correlation', () => {
      test('corr2d([[0,1,2],[3,4,5],[6,7,8]], [[0,1],[2,3]]) = [[19,25],[37,43]]', () => {
        expectTensor(
          corr2d(
            t([
              [0, 1, 2],
              [3, 4, 5],
              [6, 7, 8],
            ]),
            t([
              [0, 1],
              [2, 3],
            ]),
          ),
          [
            [19, 25],
            [37, 43],
          ],
        );
      });

      test('the kernel [[1,-1]] marks the white→black edge with 1 and the black→white edge with -1', () => {
        const row = [0, 1, 0, 0, 0, -1, 0];
        expectTensor(
          corr2d(t(edgeRows()), t([[1, -1]])),
          Array.from({ length: 6 }, () => row),
        );
      });

      test('corr2d of a 40×40 image with a 3×5 kernel (above the small-work threshold) is the plain correlation', () => {
        const X = ints([40, 40], 1) as number[][];
        const K = ints([3, 5], 2) as number[][];
        expectTensor(corr2d(t(X), t(K)), naiveConv2d([[X]], [[K]])[0][0]);
      });

      test('corr2d keeps the dtype and rounds a float32 sum once (1 + 2^-24 + 2^-24 → 1 + 2^-23)', () => {
        const e = 2 ** -24;
        expectTensor(corr2d(t([[1, e, e]]), t([[1, 1, 1]])), [[1 + 2 * e]]);
        const y = corr2d(
          t(
            [
              [1, 2],
              [3, 4],
            ],
            'float64',
          ),
          t([[0.1]], 'float64'),
        );
        expect(y.data).toBeInstanceOf(Float64Array);
        expectTensor(y, [
          [0.1, 0.2],
          [0.30000000000000004, 0.4],
        ]);
      });

      test('the transposed image has only horizontal edges, which [[1,-1]] cannot see: all zeros', () => {
        const X = edgeRows();
        const Xt = X[0].map((_, c) => X.map((row) => row[c]));
        expectTensor(
          corr2d(t(Xt), t([[1, -1]])),
          Array.from({ length: 8 }, () => [0, 0, 0, 0, 0]),
        );
      });
    });

    describe('chapter: padding and stride on an 8×8 input', () => {
      interface ShapeCase {
        name: string;
        k: [number, number];
        options: Conv2dOptions;
        out: [number, number];
      }
      // The shapes the chapter prints for its four layers (torch.Size([8, 8]), [8, 8], [4, 4], [2, 2]),
      // and one more by hand: a 7×5 kernel keeps 8×8 with pads (3, 2).
      const cases: ShapeCase[] = [
        { name: 'k=3 p=1 → 8×8', k: [3, 3], options: { padding: 1 }, out: [8, 8] },
        { name: 'k=(5,3) p=(2,1) → 8×8', k: [5, 3], options: { padding: [2, 1] }, out: [8, 8] },
        { name: 'k=(7,5) p=(3,2) → 8×8', k: [7, 5], options: { padding: [3, 2] }, out: [8, 8] },
        { name: 'k=3 p=1 s=2 → 4×4', k: [3, 3], options: { padding: 1, stride: 2 }, out: [4, 4] },
        { name: 'k=(3,5) p=(0,1) s=(3,4) → 2×2', k: [3, 5], options: { padding: [0, 1], stride: [3, 4] }, out: [2, 2] },
      ];
      /** The chapter's formula, ⌊(n − k + p + s)/s⌋ with p the total padding of the axis (split any way). */
      const chapterFormula = (n: number, k: number, p: number, s: number): number => Math.floor((n - k + p + s) / s);
      const PAD_SPLITS = [0, 1, 2].flatMap((a) => [0, 1, 2].map((b): [number, number] => [a, b]));

      test('the chapter formula ⌊(n − k + p + s)/s⌋ is the output size of conv2d and conv2dOutputShape on either axis, for every n ≤ 9, k ≤ 4, pads ≤ 2 a side, s ≤ 3 (and where it gives < 1, both refuse)', () => {
        let calls = 0;
        for (let n = 1; n <= 9; n++) {
          for (let k = 1; k <= 4; k++) {
            for (const [top, bottom] of PAD_SPLITS) {
              for (let s = 1; s <= 3; s++) {
                const want = chapterFormula(n, k, top + bottom, s);
                const axes: [number[], number[], Conv2dOptions, number[]][] = [
                  [
                    [1, 1, n, 5],
                    [1, 1, k, 1],
                    {
                      padding: [
                        [top, bottom],
                        [0, 0],
                      ],
                      stride: [s, 1],
                    },
                    [1, 1, want, 5],
                  ],
                  [
                    [1, 1, 5, n],
                    [1, 1, 1, k],
                    {
                      padding: [
                        [0, 0],
                        [top, bottom],
                      ],
                      stride: [1, s],
                    },
                    [1, 1, 5, want],
                  ],
                ];
                for (const [xs, ws, options, shape] of axes) {
                  const run = () => conv2d(full(xs, 1), full(ws, 1), options);
                  if (want < 1) {
                    expectConvError(run, 'kernel-too-large');
                    expectConvError(() => conv2dOutputShape(xs, ws, options), 'kernel-too-large');
                  } else {
                    expect(run().shape, JSON.stringify({ xs, ws, options })).toEqual(shape);
                    expect(conv2dOutputShape(xs, ws, options)).toEqual(shape);
                  }
                  calls++;
                }
              }
            }
          }
        }
        expect(calls).toBe(2 * 9 * 4 * 9 * 3);
      });

      test.each(cases)('$name by conv2dOutputShape', ({ k: [kh, kw], options, out: [oh, ow] }) => {
        expect(conv2dOutputShape([1, 1, 8, 8], [1, 1, kh, kw], options)).toEqual([1, 1, oh, ow]);
      });

      test.each(cases)('$name by running conv2d', ({ k: [kh, kw], options, out: [oh, ow] }) => {
        const y = conv2d(full([1, 1, 8, 8], 1), full([1, 1, kh, kw], 1), options);
        expect(y.shape).toEqual([1, 1, oh, ow]);
        expect(y.data.length).toBe(oh * ow);
      });

      test('k=3 p=1 on ones: interior sums 9, edges 6, corners 4 (padding contributes zeros)', () => {
        const y = conv2d(full([1, 1, 8, 8], 1), full([1, 1, 3, 3], 1), { padding: 1 });
        const row = (edge: boolean): number[] =>
          Array.from({ length: 8 }, (_, j) => (j === 0 || j === 7 ? 2 : 3) * (edge ? 2 : 3));
        expectTensor(y, [[Array.from({ length: 8 }, (_, i) => row(i === 0 || i === 7))]]);
      });

      test('conv2d on a [1,1,3,3] view of the same data gives the chapter numbers too', () => {
        const X = t([
          [0, 1, 2],
          [3, 4, 5],
          [6, 7, 8],
        ]);
        const y = conv2d(tensor(X.data, [1, 1, 3, 3]), tensor([0, 1, 2, 3], [1, 1, 2, 2]));
        expectTensor(y, [
          [
            [
              [19, 25],
              [37, 43],
            ],
          ],
        ]);
      });
    });
  });
}
