/**
 * conv2dBackward against gradients worked out by hand (the sums are in the
 * comments): plain correlation, unbatched input, stride and padding.
 * Every case runs on the public kernels (fast paths above a size
 * threshold) and on the reference loops. Names carry the configuration.
 *
 * Hand rules used below: gradInput[c][r][s] = Σ dy[o][i][j]·w[o][c][kh][kw]
 * over the taps (i,j,kh,kw) that read pixel (r,s); gradWeight[o][c][kh][kw] =
 * Σ dy[o][i][j]·x[c][tap]; gradBias[o] = Σ dy[o].
 */
import { describe, test } from 'vitest';
import { KERNELS, full, iotaTensor, t } from './helpers.js';
import { gradsCheck } from './backward-grads.js';

for (const { name, conv2dBackward } of KERNELS) {
  describe(`${name} kernels`, () => {
    const expectGrads = gradsCheck(conv2dBackward);

    describe('conv2dBackward: hand-computed', () => {
      test('x=[1,1,3,3] k=[1,1,2,2] dy=[[1,2],[3,4]]', () => {
        // gradWeight[kh][kw] = Σ dy[i][j]·x[i+kh][j+kw], x = 0..8: 0+2+9+16, 1+4+12+20, 3+8+18+28, 4+10+21+32
        // gradInput: (1,1) = dy11·w00 + dy10·w01 + dy01·w10 + dy00·w11 = 0+3+4+3, corners one tap each
        expectGrads(
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          iotaTensor([1, 1, 3, 3]),
          t([
            [
              [
                [0, 1],
                [2, 3],
              ],
            ],
          ]),
          {},
          {
            gradInput: [
              [
                [
                  [0, 1, 2],
                  [2, 10, 10],
                  [6, 17, 12],
                ],
              ],
            ],
            gradWeight: [
              [
                [
                  [27, 37],
                  [57, 67],
                ],
              ],
            ],
            gradBias: [10],
          },
        );
      });

      test('unbatched x=[1,3,3] k=[1,1,2,2]: the same numbers in [C,H,W] / [O,OH,OW] form', () => {
        expectGrads(
          t([
            [
              [1, 2],
              [3, 4],
            ],
          ]),
          iotaTensor([1, 3, 3]),
          t([
            [
              [
                [0, 1],
                [2, 3],
              ],
            ],
          ]),
          {},
          {
            gradInput: [
              [
                [0, 1, 2],
                [2, 10, 10],
                [6, 17, 12],
              ],
            ],
            gradWeight: [
              [
                [
                  [27, 37],
                  [57, 67],
                ],
              ],
            ],
            gradBias: [10],
          },
        );
      });

      test('x=[1,1,5,5] k=[1,1,2,2] s=2 (stride does not divide: last row and column get zero gradient)', () => {
        // non-overlapping 2×2 blocks: gradInput block (i,j) = dy[i][j]·w;
        // gradWeight[kh][kw] = Σ dy[i][j]·(5(2i+kh) + 2j+kw) = 10·(5kh+kw) + (0 + 2·2 + 3·10 + 4·12)
        expectGrads(
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          iotaTensor([1, 1, 5, 5]),
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          { stride: 2 },
          {
            gradInput: [
              [
                [
                  [1, 2, 2, 4, 0],
                  [3, 4, 6, 8, 0],
                  [3, 6, 4, 8, 0],
                  [9, 12, 12, 16, 0],
                  [0, 0, 0, 0, 0],
                ],
              ],
            ],
            gradWeight: [
              [
                [
                  [82, 92],
                  [132, 142],
                ],
              ],
            ],
            gradBias: [10],
          },
        );
      });

      test('x=[1,1,2,2] k=[1,1,3,3] p=1 dy=ones (padding taps give no gradient)', () => {
        // gradInput[r][s] = Σ_{i,j} w[r−i+1][s−j+1]: (0,0) = w11+w10+w01+w00 = 5+4+2+1, …
        // gradWeight[kh][kw] = Σ x over the real pixels tap (kh,kw) reads: corners read one pixel, edges two, centre four
        expectGrads(
          full([1, 1, 2, 2], 1),
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          iotaTensor([1, 1, 3, 3], 'float32', 1),
          { padding: 1 },
          {
            gradInput: [
              [
                [
                  [12, 16],
                  [24, 28],
                ],
              ],
            ],
            gradWeight: [
              [
                [
                  [1, 3, 2],
                  [4, 10, 6],
                  [3, 7, 4],
                ],
              ],
            ],
            gradBias: [4],
          },
        );
      });

      test('x=[1,1,4,4] k=[1,1,3,3] s=2 p=same dy=ones (odd total: the bottom/right pad is the zero one)', () => {
        // windows start at rows/cols 0 and 2 (top/left pad 0): rows are covered 1,1,2,1 times → outer product
        // gradWeight[kh][kw] sums x = 4r + c over the real rows {0,2},{1,3},{2} and columns likewise
        expectGrads(
          full([1, 1, 2, 2], 1),
          iotaTensor([1, 1, 4, 4]),
          full([1, 1, 3, 3], 1),
          { stride: 2, padding: 'same' },
          {
            gradInput: [
              [
                [
                  [1, 1, 2, 1],
                  [1, 1, 2, 1],
                  [2, 2, 4, 2],
                  [1, 1, 2, 1],
                ],
              ],
            ],
            gradWeight: [
              [
                [
                  [20, 24, 12],
                  [36, 40, 20],
                  [18, 20, 10],
                ],
              ],
            ],
            gradBias: [4],
          },
        );
      });

      test('x=[1,1,2,3] k=[1,1,2,2] p=[[1,0],[0,2]] dy=ones (explicit asymmetric)', () => {
        // pixel (0,s) sits on padded row 1, reached by kernel rows 0 and 1; pixel (1,s) only by kernel row 1
        // gradWeight: kernel row 0 sums padded rows 0–1, row 1 sums padded rows 1–2, over 4 window columns
        expectGrads(
          full([1, 1, 2, 4], 1),
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
          {
            gradInput: [
              [
                [
                  [4, 10, 10],
                  [3, 7, 7],
                ],
              ],
            ],
            gradWeight: [
              [
                [
                  [3, 3],
                  [15, 12],
                ],
              ],
            ],
            gradBias: [8],
          },
        );
      });
    });
  });
}
