/**
 * conv2d forward: dilation, groups, the padding modes at their largest pads,
 * and non-square everything, against values worked out by hand (the
 * arithmetic is in the comments) or the naive nested-array convolution of
 * ./helpers.ts, which writes the padding out explicitly.
 * Every case runs on the public conv2d (which takes its fast path above a
 * size threshold) and on the reference loops. Test names carry the
 * configuration.
 */
import { describe, test } from 'vitest';
import type { Conv2dOptions, Tensor } from '../src/index.js';
import { KERNELS, expectTensor, full, iota, iotaTensor, t, type Mode, type NaiveOptions } from './helpers.js';
import { naiveCheck } from './forward-naive.js';

for (const { name, conv2d } of KERNELS) {
  describe(`${name} kernels`, () => {
    /** conv2d on integer data must equal the naive conv exactly (sums of small integers are exact). */
    const expectNaive = naiveCheck(conv2d);

    describe('conv2d: dilation', () => {
      test('x=[1,1,4,4] k=[1,1,2,2] d=2 reads every other pixel', () => {
        // (0,0): 0+2+8+10; (0,1): 1+3+9+11; (1,0): 4+6+12+14; (1,1): 5+7+13+15
        expectTensor(conv2d(iotaTensor([1, 1, 4, 4]), full([1, 1, 2, 2], 1), { dilation: 2 }), [
          [
            [
              [20, 24],
              [36, 40],
            ],
          ],
        ]);
      });

      test('x=[1,1,5,6] k=[1,1,2,2] s=[2,3] d=[1,2] (dilation with stride, per axis)', () => {
        // taps (2i,3j), (2i,3j+2), (2i+1,3j), (2i+1,3j+2) weighted 1,2,3,4; x[r][c] = 6r + c
        // (0,0): 0+2·2+3·6+4·8 = 54; (0,1): 3+2·5+3·9+4·11 = 84; (1,0): 12+2·14+3·18+4·20 = 174; (1,1): 204
        const y = conv2d(
          iotaTensor([1, 1, 5, 6]),
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          { stride: [2, 3], dilation: [1, 2] },
        );
        expectTensor(y, [
          [
            [
              [54, 84],
              [174, 204],
            ],
          ],
        ]);
      });
    });

    describe('conv2d: groups', () => {
      test('x=[1,4,1,1] k=[4,2,1,1] g=2: output channel o reads the input group ⌊o/(O/g)⌋', () => {
        // o0, o1 read channels 0–1 (x = 1, 10); o2, o3 read channels 2–3 (x = 100, 1000)
        const x = t([[[[1]], [[10]], [[100]], [[1000]]]]);
        const w = t([
          [[[1]], [[2]]],
          [[[3]], [[4]]],
          [[[5]], [[6]]],
          [[[7]], [[8]]],
        ]);
        expectTensor(conv2d(x, w, { groups: 2 }), [[[[21]], [[43]], [[6500]], [[8700]]]]);
      });

      test('x=[1,6,1,1] k=[3,2,1,1] g=3: one output channel per group of two inputs', () => {
        const x = t([[[[1]], [[2]], [[3]], [[4]], [[5]], [[6]]]]);
        const w = t([
          [[[1]], [[10]]],
          [[[1]], [[10]]],
          [[[1]], [[10]]],
        ]);
        expectTensor(conv2d(x, w, { groups: 3 }), [[[[21]], [[43]], [[65]]]]);
      });

      test('x=[1,2,3,3] k=[2,1,2,2] g=2 (depthwise): each channel with its own kernel', () => {
        const x = t([[iota([3, 3]), iota([3, 3], 0, 10)]]);
        const w = t([
          [
            [
              [0, 1],
              [2, 3],
            ],
          ],
          [
            [
              [1, 1],
              [1, 1],
            ],
          ],
        ]);
        // channel 0: the chapter numbers; channel 1: window sums of 0, 10, …, 80
        expectTensor(conv2d(x, w, { groups: 2 }), [
          [
            [
              [19, 25],
              [37, 43],
            ],
            [
              [80, 120],
              [200, 240],
            ],
          ],
        ]);
      });

      test('x=[1,2,1,1] k=[4,1,1,1] g=2 (depthwise, multiplier 2): o0, o1 ← x0; o2, o3 ← x1', () => {
        expectTensor(conv2d(t([[[[3]], [[5]]]]), t([[[[1]]], [[[2]]], [[[3]]], [[[4]]]]), { groups: 2 }), [
          [[[3]], [[6]], [[15]], [[20]]],
        ]);
      });
    });

    describe('conv2d: padding modes at their largest allowed pads', () => {
      // A 1×1 kernel of weight 1 returns the padded image itself, so these show each mode's padding.
      const pass = (x: Tensor, padding: Conv2dOptions['padding'], paddingMode: Mode): Tensor =>
        conv2d(x, full([1, 1, 1, 1], 1), { padding, paddingMode });

      test('x=[1,1,3,3] k=[1,1,1,1] p=2 mode=reflect (pad = size − 1; the edge pixel is not repeated)', () => {
        // source index per padded position −2..4: 2,1,0,1,2,1,0; value 3·row + col
        const a = [8, 7, 6, 7, 8, 7, 6];
        const b = [5, 4, 3, 4, 5, 4, 3];
        const c = [2, 1, 0, 1, 2, 1, 0];
        expectTensor(pass(iotaTensor([1, 1, 3, 3]), 2, 'reflect'), [[[a, b, c, b, a, b, c]]]);
      });

      test('x=[1,1,3,2] k=[1,1,1,1] p=[[0,2],[1,0]] mode=reflect (asymmetric, each pad < its size)', () => {
        // rows 0..4 read 0,1,2,1,0; columns −1..1 read 1,0,1
        expectTensor(
          pass(
            iotaTensor([1, 1, 3, 2]),
            [
              [0, 2],
              [1, 0],
            ],
            'reflect',
          ),
          [
            [
              [
                [1, 0, 1],
                [3, 2, 3],
                [5, 4, 5],
                [3, 2, 3],
                [1, 0, 1],
              ],
            ],
          ],
        );
      });

      test('x=[1,1,2,2] k=[1,1,1,1] p=3 mode=replicate (any pad; pad > size here)', () => {
        const top = [1, 1, 1, 1, 2, 2, 2, 2];
        const bottom = [3, 3, 3, 3, 4, 4, 4, 4];
        expectTensor(
          pass(
            t([
              [
                [
                  [1, 2],
                  [3, 4],
                ],
              ],
            ]),
            3,
            'replicate',
          ),
          [[[top, top, top, top, bottom, bottom, bottom, bottom]]],
        );
      });

      test('x=[1,1,2,3] k=[1,1,1,1] p=[2,3] mode=circular (pad = size on both axes)', () => {
        const r0 = [0, 1, 2, 0, 1, 2, 0, 1, 2];
        const r1 = [3, 4, 5, 3, 4, 5, 3, 4, 5];
        expectTensor(pass(iotaTensor([1, 1, 2, 3]), [2, 3], 'circular'), [[[r0, r1, r0, r1, r0, r1]]]);
      });

      test('x=[1,1,3,3] k=[1,1,3,3] p=1 mode=circular: every window wraps to all nine pixels', () => {
        expectTensor(conv2d(iotaTensor([1, 1, 3, 3]), full([1, 1, 3, 3], 1), { padding: 1, paddingMode: 'circular' }), [
          [
            [
              [36, 36, 36],
              [36, 36, 36],
              [36, 36, 36],
            ],
          ],
        ]);
      });

      test('x=[1,1,1,1] k=[1,1,3,3] p=1 mode=circular: all nine taps read the one pixel', () => {
        expectTensor(
          conv2d(t([[[[2]]]]), iotaTensor([1, 1, 3, 3], 'float32', 1), { padding: 1, paddingMode: 'circular' }),
          [[[[90]]]],
        );
      });

      test('x=[1,1,3,3] k=[1,1,3,3] p=1 mode=reflect on 0..8', () => {
        // padded rows/cols read R = 1,0,1,2,1 and x = 3·row + col, so a window sums to 9·S_i + 3·S_j
        // where S = 2, 3, 4 are the sums of R over the three windows
        expectTensor(conv2d(iotaTensor([1, 1, 3, 3]), full([1, 1, 3, 3], 1), { padding: 1, paddingMode: 'reflect' }), [
          [
            [
              [24, 27, 30],
              [33, 36, 39],
              [42, 45, 48],
            ],
          ],
        ]);
      });

      const modeCases: Array<[string, number[], number[], Conv2dOptions, NaiveOptions]> = [
        [
          'x=[1,1,4,5] k=[1,1,3,3] p=[3,4] mode=reflect (pads = size − 1)',
          [1, 1, 4, 5],
          [1, 1, 3, 3],
          { padding: [3, 4], paddingMode: 'reflect' },
          {
            pads: [
              [3, 3],
              [4, 4],
            ],
            mode: 'reflect',
          },
        ],
        [
          'x=[1,2,2,3] k=[2,2,3,3] p=[2,3] s=2 mode=circular (pads = size)',
          [1, 2, 2, 3],
          [2, 2, 3, 3],
          { padding: [2, 3], stride: 2, paddingMode: 'circular' },
          {
            pads: [
              [2, 2],
              [3, 3],
            ],
            stride: [2, 2],
            mode: 'circular',
          },
        ],
        [
          'x=[2,1,3,2] k=[1,1,2,3] p=[[4,0],[1,3]] s=[1,2] mode=replicate',
          [2, 1, 3, 2],
          [1, 1, 2, 3],
          {
            padding: [
              [4, 0],
              [1, 3],
            ],
            stride: [1, 2],
            paddingMode: 'replicate',
          },
          {
            pads: [
              [4, 0],
              [1, 3],
            ],
            stride: [1, 2],
            mode: 'replicate',
          },
        ],
        [
          'x=[1,2,4,3] k=[2,1,2,2] p=same d=2 g=2 mode=reflect ≡ pads [[1,1],[1,1]]',
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
      test.each(modeCases)('%s equals the explicitly padded image, correlated', (_, xs, ws, options, naive) => {
        expectNaive(xs, ws, options, naive);
      });
    });

    describe('conv2d: non-square everything, against the naive conv', () => {
      const cases: Array<[string, number[], number[], Conv2dOptions, NaiveOptions]> = [
        [
          'x=[2,4,5,7] k=[6,2,3,2] s=[2,1] p=[[1,0],[2,1]] d=[1,2] g=2 bias',
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
            bias: [1, -2, 3, -4, 5, -6],
          },
        ],
        [
          'x=[1,3,7,4] k=[2,3,4,1] s=[3,2] p=[2,0]',
          [1, 3, 7, 4],
          [2, 3, 4, 1],
          { stride: [3, 2], padding: [2, 0] },
          {
            stride: [3, 2],
            pads: [
              [2, 2],
              [0, 0],
            ],
          },
        ],
        // H: OH = 6, total = 5·1 + 2·1 + 1 − 6 = 2 → (1, 1); W: OW = 2, total = 1·3 + 1·2 + 1 − 5 = 1 → (0, 1)
        [
          'x=[3,1,6,5] k=[2,1,2,3] s=[1,3] d=[2,1] p=same ≡ pads [[1,1],[0,1]]',
          [3, 1, 6, 5],
          [2, 1, 2, 3],
          { stride: [1, 3], dilation: [2, 1], padding: 'same' },
          {
            stride: [1, 3],
            dilation: [2, 1],
            pads: [
              [1, 1],
              [0, 1],
            ],
          },
        ],
      ];
      test.each(cases)('%s', (_, xs, ws, options, naive) => {
        expectNaive(xs, ws, options, naive);
      });
    });
  });
}
