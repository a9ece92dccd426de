/**
 * conv2d forward, one option at a time, against values worked out by hand
 * (the arithmetic is in the comments) or, for the larger non-square cases,
 * against the naive nested-array convolution of ./helpers.ts, which writes
 * the padding out explicitly. Every case runs on the public conv2d (which
 * takes its fast path above a size threshold) and on the reference loops.
 * Test names carry the configuration.
 */
import { describe, expect, test } from 'vitest';
import { tensor, type Conv2dOptions, type Tensor } from '../src/index.js';
import {
  KERNELS,
  expectTensor,
  full,
  ints,
  iota,
  iotaTensor,
  naiveConv2d,
  snapshot,
  t,
  type Mode,
  type NaiveOptions,
} from './helpers.js';

type N4 = number[][][][];

for (const { name, conv2d } of KERNELS) {
  describe(`${name} kernels`, () => {
    /** conv2d on integer data must equal the naive conv exactly (sums of small integers are exact). */
    function expectNaive(xShape: number[], wShape: number[], options: Conv2dOptions, naive: NaiveOptions): void {
      const xs = ints(xShape, 1) as N4;
      const ws = ints(wShape, 2) as N4;
      const bias = naive.bias;
      const got = conv2d(t(xs), t(ws), { ...options, ...(bias ? { bias: t(bias) } : {}) });
      expectTensor(got, naiveConv2d(xs, ws, naive));
    }

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
