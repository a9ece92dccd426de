/**
 * conv2d forward: plain correlation, stride and the padding forms, against
 * values worked out by hand (the arithmetic is in the comments) or the naive
 * nested-array convolution of ./helpers.ts, which writes the padding out.
 * Every case runs on the public conv2d (which takes its fast path above a
 * size threshold) and on the reference loops. Test names carry the
 * configuration.
 */
import { describe, expect, test } from 'vitest';
import { KERNELS, expectTensor, full, iota, iotaTensor, t } from './helpers.js';
import { naiveCheck } from './forward-naive.js';

for (const { name, conv2d } of KERNELS) {
  describe(`${name} kernels`, () => {
    /** conv2d on integer data must equal the naive conv exactly (sums of small integers are exact). */
    const expectNaive = naiveCheck(conv2d);

    describe('conv2d: basic correlation', () => {
      test('x=[1,1,3,3] k=[1,1,2,2] (the chapter numbers through conv2d)', () => {
        expectTensor(
          conv2d(
            iotaTensor([1, 1, 3, 3]),
            t([
              [
                [
                  [0, 1],
                  [2, 3],
                ],
              ],
            ]),
          ),
          [
            [
              [
                [19, 25],
                [37, 43],
              ],
            ],
          ],
        );
      });

      test('x=[1,1,4,4] k=[1,1,3,3] ones: 3×3 window sums of 0..15', () => {
        // (0,0): 0+1+2+4+5+6+8+9+10 = 45; one column right adds 9·1, one row down adds 9·4
        expectTensor(conv2d(iotaTensor([1, 1, 4, 4]), full([1, 1, 3, 3], 1)), [
          [
            [
              [45, 54],
              [81, 90],
            ],
          ],
        ]);
      });

      test('x=[1,1,3,3] k=[1,1,3,1] is cross-correlation (no kernel flip)', () => {
        // out[0][j] = 1·x[0][j] + 10·x[1][j] + 100·x[2][j] with x = 0..8
        expectTensor(conv2d(iotaTensor([1, 1, 3, 3]), t([[[[1], [10], [100]]]])), [[[[630, 741, 852]]]]);
      });

      test('unbatched x=[1,4,4] k=[1,1,3,3] returns [O,OH,OW]', () => {
        expectTensor(conv2d(iotaTensor([1, 4, 4]), full([1, 1, 3, 3], 1)), [
          [
            [45, 54],
            [81, 90],
          ],
        ]);
      });

      test('unbatched x=[2,2,2] k=[3,2,1,1] returns [3,2,2]', () => {
        // 1×1 conv = per-pixel matmul: out[o] = w[o][0]·x0 + w[o][1]·x1, x0 = [[0,1],[2,3]], x1 = [[4,5],[6,7]]
        const y = conv2d(
          iotaTensor([2, 2, 2]),
          t([
            [[[1]], [[0]]],
            [[[0]], [[1]]],
            [[[1]], [[-1]]],
          ]),
        );
        expectTensor(y, [
          [
            [0, 1],
            [2, 3],
          ],
          [
            [4, 5],
            [6, 7],
          ],
          [
            [-4, -4],
            [-4, -4],
          ],
        ]);
      });

      test('x=[1,2,3,3] k=[2,2,2,2] sums over input channels', () => {
        const x = t([
          [
            iota([3, 3]),
            [
              [10, 20, 30],
              [40, 50, 60],
              [70, 80, 90],
            ],
          ],
        ]);
        // o0 = x0[i][j] + x1[i+1][j+1]; o1 = 2×2 window sums of x1
        const w = t([
          [
            [
              [1, 0],
              [0, 0],
            ],
            [
              [0, 0],
              [0, 1],
            ],
          ],
          [
            [
              [0, 0],
              [0, 0],
            ],
            [
              [1, 1],
              [1, 1],
            ],
          ],
        ]);
        expectTensor(conv2d(x, w), [
          [
            [
              [50, 61],
              [83, 94],
            ],
            [
              [120, 160],
              [240, 280],
            ],
          ],
        ]);
      });

      test('x=[2,1,2,3] k=[1,1,1,2] treats each image of the batch on its own', () => {
        const x = t([
          [
            [
              [0, 1, 2],
              [3, 4, 5],
            ],
          ],
          [
            [
              [10, 0, -10],
              [1, 1, 1],
            ],
          ],
        ]);
        // out = x[i][j] − x[i][j+1]
        expectTensor(conv2d(x, t([[[[1, -1]]]])), [
          [
            [
              [-1, -1],
              [-1, -1],
            ],
          ],
          [
            [
              [10, 10],
              [0, 0],
            ],
          ],
        ]);
      });

      test('x=[1,1,3,3] k=[2,1,2,2] bias=[10,-1] adds one bias per output channel', () => {
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
        // o0 = chapter numbers + 10; o1 = window sums (8, 12, 20, 24) − 1
        expectTensor(conv2d(iotaTensor([1, 1, 3, 3]), w, { bias: t([10, -1]) }), [
          [
            [
              [29, 35],
              [47, 53],
            ],
            [
              [7, 11],
              [19, 23],
            ],
          ],
        ]);
      });
    });

    describe('conv2d: stride', () => {
      test('x=[1,1,4,5] k=[1,1,1,1] s=[2,3] picks x[2i][3j]', () => {
        // OH = ⌊3/2⌋+1 = 2, OW = ⌊4/3⌋+1 = 2; x[r][c] = 5r + c
        expectTensor(conv2d(iotaTensor([1, 1, 4, 5]), full([1, 1, 1, 1], 1), { stride: [2, 3] }), [
          [
            [
              [0, 3],
              [10, 13],
            ],
          ],
        ]);
      });

      test('x=[1,1,4,5] k=[1,1,2,1] s=[1,2] strides each axis by its own step', () => {
        // out[i][j] = x[i][2j] + 10·x[i+1][2j] = 55i + 22j + 50; OH = 3, OW = ⌊4/2⌋+1 = 3
        expectTensor(conv2d(iotaTensor([1, 1, 4, 5]), t([[[[1], [10]]]]), { stride: [1, 2] }), [
          [
            [
              [50, 72, 94],
              [105, 127, 149],
              [160, 182, 204],
            ],
          ],
        ]);
      });

      test('x=[1,1,5,5] k=[1,1,2,2] s=3 (stride larger than the kernel skips pixels)', () => {
        // windows at rows/cols 0 and 3 of 0..24: 0+1+5+6, 3+4+8+9, 15+16+20+21, 18+19+23+24
        expectTensor(conv2d(iotaTensor([1, 1, 5, 5]), full([1, 1, 2, 2], 1), { stride: 3 }), [
          [
            [
              [12, 24],
              [72, 84],
            ],
          ],
        ]);
      });

      test('x=[1,1,4,4] k=[1,1,1,1] s=3 p=1 (stride larger than the kernel, with padding)', () => {
        // positions −1 and 2 on each axis: only (2,2) = 10 is a real pixel
        expectTensor(conv2d(iotaTensor([1, 1, 4, 4]), full([1, 1, 1, 1], 1), { stride: 3, padding: 1 }), [
          [
            [
              [0, 0],
              [0, 10],
            ],
          ],
        ]);
      });

      test('x=[1,1,3,3] k=[1,1,1,1] s=5 (stride larger than the input: one output)', () => {
        expectTensor(conv2d(iotaTensor([1, 1, 3, 3], 'float32', 7), full([1, 1, 1, 1], 2), { stride: 5 }), [[[[14]]]]);
      });

      test('x=[1,1,5,5] k=[1,1,2,2] s=2 (stride that does not divide the input drops the last row and column)', () => {
        // OH = ⌊3/2⌋+1 = 2: windows at 0 and 2, row/column 4 never read
        expectTensor(conv2d(iotaTensor([1, 1, 5, 5]), full([1, 1, 2, 2], 1), { stride: 2 }), [
          [
            [
              [12, 20],
              [52, 60],
            ],
          ],
        ]);
      });
    });

    describe('conv2d: padding forms', () => {
      // 3×3 neighbourhood sums of 0..8 with zeros outside
      const neighbourhood = [
        [8, 15, 12],
        [21, 36, 27],
        [20, 33, 24],
      ];

      test('x=[1,1,3,3] k=[1,1,3,3] p=1', () => {
        expectTensor(conv2d(iotaTensor([1, 1, 3, 3]), full([1, 1, 3, 3], 1), { padding: 1 }), [[neighbourhood]]);
      });

      test('x=[1,1,3,3] k=[1,1,3,3] p=[1,0] pads rows only', () => {
        // one output column; row windows −1..1, 0..2, 1..3 of the full-width sums
        expectTensor(conv2d(iotaTensor([1, 1, 3, 3]), full([1, 1, 3, 3], 1), { padding: [1, 0] }), [
          [[[15], [36], [33]]],
        ]);
      });

      test('x=[1,1,2,3] k=[1,1,2,2] p=[[1,0],[0,2]] (explicit, asymmetric)', () => {
        // padded rows: [0,0,0,0,0], [0,1,2,0,0], [3,4,5,0,0]; out = P[i][j] + 2P[i][j+1] + 3P[i+1][j] + 4P[i+1][j+1]
        const y = conv2d(
          iotaTensor([1, 1, 2, 3]),
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          {
            padding: [
              [1, 0],
              [0, 2],
            ],
          },
        );
        expectTensor(y, [
          [
            [
              [4, 11, 6, 0],
              [27, 37, 17, 0],
            ],
          ],
        ]);
      });

      test("x=[1,1,3,3] k=[1,1,2,2] p='valid' is no padding", () => {
        expectTensor(
          conv2d(
            iotaTensor([1, 1, 3, 3]),
            t([
              [
                [
                  [0, 1],
                  [2, 3],
                ],
              ],
            ]),
            { padding: 'valid' },
          ),
          [
            [
              [
                [19, 25],
                [37, 43],
              ],
            ],
          ],
        );
      });

      test('x=[1,1,3,3] k=[1,1,3,3] s=1 p=same equals p=1', () => {
        expectTensor(conv2d(iotaTensor([1, 1, 3, 3]), full([1, 1, 3, 3], 1), { padding: 'same' }), [[neighbourhood]]);
      });

      test('x=[1,1,3,3] k=[1,1,2,2] s=1 p=same (odd total 1: the extra pixel goes bottom/right)', () => {
        // out = x[i][j] + 2x[i][j+1] + 3x[i+1][j] + 4x[i+1][j+1], zero past the last row/column
        const y = conv2d(
          iotaTensor([1, 1, 3, 3]),
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          { padding: 'same' },
        );
        expectTensor(y, [
          [
            [
              [27, 37, 17],
              [57, 67, 29],
              [20, 23, 8],
            ],
          ],
        ]);
      });

      test('x=[1,1,4,4] k=[1,1,3,3] s=2 p=same (OH = ceil(4/2) = 2, total 1 → top 0, bottom 1)', () => {
        // windows start at rows/cols 0 and 2; the second one runs into the bottom/right zero
        // (0,1): 2+3+6+7+10+11 = 39; (1,0): 8+9+10+12+13+14 = 66; (1,1): 10+11+14+15 = 50
        expectTensor(conv2d(iotaTensor([1, 1, 4, 4]), full([1, 1, 3, 3], 1), { stride: 2, padding: 'same' }), [
          [
            [
              [45, 39],
              [66, 50],
            ],
          ],
        ]);
      });

      test('x=[1,1,9,2] k=[1,1,2,1] s=2 p=same (kernel smaller than the stride, total 1 on H, 0 on W)', () => {
        // x = 1..18; out[i] = x[2i][0] + x[2i+1][0] = (4i+1) + (4i+3); the last window is 17 + a zero.
        // (The case where tfjs-wasm returns zeros, tfjs #8405.)
        const y = conv2d(iotaTensor([1, 1, 9, 2], 'float32', 1), full([1, 1, 2, 1], 1), { stride: 2, padding: 'same' });
        expectTensor(y, [[[[4], [12], [20], [28], [17]]]]);
      });

      test('x=[1,1,1,1] k=[1,1,3,3] s=1 p=same: only the centre tap lands on the pixel', () => {
        expectTensor(conv2d(t([[[[2]]]]), iotaTensor([1, 1, 3, 3], 'float32', 1), { padding: 'same' }), [[[[10]]]]);
      });

      test('x=[1,1,5,5] k=[1,1,4,3] s=[2,3] d=[1,2] p=same ≡ pads [[1,2],[1,2]] (odd totals on both axes)', () => {
        // H: OH = 3, total = 2·2 + 1·3 + 1 − 5 = 3 → (1, 2); W: OW = 2, total = 1·3 + 2·2 + 1 − 5 = 3 → (1, 2)
        expectNaive(
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
        );
        expect(
          conv2d(full([1, 1, 5, 5], 0), full([1, 1, 4, 3], 0), { stride: [2, 3], dilation: [1, 2], padding: 'same' })
            .shape,
        ).toEqual([1, 1, 3, 2]);
      });

      test('x=[1,1,3,5] k=[1,1,2,4] s=1 p=same ≡ pads [[0,1],[1,2]] (even kernels)', () => {
        expectNaive(
          [1, 1, 3, 5],
          [1, 1, 2, 4],
          { padding: 'same' },
          {
            pads: [
              [0, 1],
              [1, 2],
            ],
          },
        );
      });

      test('x=[1,1,6,7] k=[1,1,3,3] s=1 d=2 p=same ≡ p=2', () => {
        expectNaive(
          [1, 1, 6, 7],
          [1, 1, 3, 3],
          { padding: 'same', dilation: 2 },
          {
            pads: [
              [2, 2],
              [2, 2],
            ],
            dilation: [2, 2],
          },
        );
      });
    });
  });
}
