/**
 * conv2dBackward against gradients worked out by hand (the sums are in the
 * comments): dilation, groups, bias, and the padding modes, which fold the
 * gradient back into the source pixels.
 * Every case runs on the public kernels (fast paths above a size
 * threshold) and on the reference loops. Names carry the configuration.
 *
 * Hand rules used below: gradInput[c][r][s] = Σ dy[o][i][j]·w[o][c][kh][kw]
 * over the taps (i,j,kh,kw) that read pixel (r,s); gradWeight[o][c][kh][kw] =
 * Σ dy[o][i][j]·x[c][tap]; gradBias[o] = Σ dy[o].
 */
import { describe, test } from 'vitest';
import { KERNELS, expectTensor, full, iota, iotaTensor, t } from './helpers.js';
import { gradsCheck } from './backward-grads.js';

for (const { name, conv2dBackward } of KERNELS) {
  describe(`${name} kernels`, () => {
    const expectGrads = gradsCheck(conv2dBackward);

    describe('conv2dBackward: hand-computed', () => {
      test('x=[1,1,3,3] k=[1,1,2,2] d=2 dy=[[5]]: only the four corners take part', () => {
        expectGrads(
          t([[[[5]]]]),
          iotaTensor([1, 1, 3, 3]),
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ]),
          { dilation: 2 },
          {
            gradInput: [
              [
                [
                  [5, 0, 10],
                  [0, 0, 0],
                  [15, 0, 20],
                ],
              ],
            ],
            gradWeight: [
              [
                [
                  [0, 10],
                  [30, 40],
                ],
              ],
            ],
            gradBias: [5],
          },
        );
      });

      test('x=[1,4,1,1] k=[4,2,1,1] g=2 dy=[1,2,3,4]: gradients stay inside their group', () => {
        // gradInput[c] = Σ_{o in c's group} dy[o]·w[o][c mod 2]: 1·1+2·3, 1·2+2·4, 3·5+4·7, 3·6+4·8
        // gradWeight[o][c] = dy[o]·x[group(o)·2 + c]
        const x = t([[[[1]], [[10]], [[100]], [[1000]]]]);
        const w = t([
          [[[1]], [[2]]],
          [[[3]], [[4]]],
          [[[5]], [[6]]],
          [[[7]], [[8]]],
        ]);
        expectGrads(
          t([[[[1]], [[2]], [[3]], [[4]]]]),
          x,
          w,
          { groups: 2 },
          {
            gradInput: [[[[7]], [[10]], [[43]], [[50]]]],
            gradWeight: [
              [[[1]], [[10]]],
              [[[2]], [[20]]],
              [[[300]], [[3000]]],
              [[[400]], [[4000]]],
            ],
            gradBias: [1, 2, 3, 4],
          },
        );
      });

      test('x=[1,2,3,3] k=[2,1,2,2] g=2 dy=ones (depthwise)', () => {
        // each channel alone: gradWeight = 2×2 window sums of its image; gradInput = kernel overlap sums
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
        expectGrads(
          full([1, 2, 2, 2], 1),
          x,
          w,
          { groups: 2 },
          {
            gradInput: [
              [
                [
                  [0, 1, 1],
                  [2, 6, 4],
                  [2, 5, 3],
                ],
                [
                  [1, 2, 1],
                  [2, 4, 2],
                  [1, 2, 1],
                ],
              ],
            ],
            gradWeight: [
              [
                [
                  [8, 12],
                  [20, 24],
                ],
              ],
              [
                [
                  [80, 120],
                  [200, 240],
                ],
              ],
            ],
            gradBias: [4, 4],
          },
        );
      });

      test('x=[2,1,2,2] k=[2,1,1,1] bias dy=0..15: gradBias sums over batch and space', () => {
        // gradBias[o] = Σ_n Σ_ij dy[n][o]: (0+1+2+3) + (8+…+11), (4+…+7) + (12+…+15)
        // gradWeight[o] = Σ_n Σ_ij dy[n][o]·x[n] with x = ones, twos: 6 + 2·38, 22 + 2·54
        // gradInput[n] = dy[n][0]·1 + dy[n][1]·10
        const x = t([
          [
            [
              [1, 1],
              [1, 1],
            ],
          ],
          [
            [
              [2, 2],
              [2, 2],
            ],
          ],
        ]);
        const w = t([[[[1]]], [[[10]]]]);
        expectGrads(
          iotaTensor([2, 2, 2, 2]),
          x,
          w,
          { bias: t([7, 7]) },
          {
            gradInput: [
              [
                [
                  [40, 51],
                  [62, 73],
                ],
              ],
              [
                [
                  [128, 139],
                  [150, 161],
                ],
              ],
            ],
            gradWeight: [[[[82]]], [[[130]]]],
            gradBias: [44, 76],
          },
        );
      });

      test('x=[1,1,3,3] k=[2,1,2,2] without a bias: gradBias is still [O] = Σ dy', () => {
        const g = conv2dBackward(
          t([
            [
              [
                [1, 2],
                [3, 4],
              ],
              [
                [-1, -1],
                [-1, 0],
              ],
            ],
          ]),
          iotaTensor([1, 1, 3, 3]),
          full([2, 1, 2, 2], 1),
        );
        expectTensor(g.gradBias, [10, -3]);
      });
    });

    describe('conv2dBackward: padding modes fold the gradient back into the source pixels', () => {
      test('x=[1,1,1,3] k=[1,1,1,3] p=[0,2] mode=reflect (pad = size − 1)', () => {
        // padded columns read 2,1,0,1,2,1,0; with dy = w = ones, padded position p gets 1,2,3,3,3,2,1
        // pixel 0 ← positions 2, 6: 3+1; pixel 1 ← 1, 3, 5: 2+3+2; pixel 2 ← 0, 4: 1+3
        // gradWeight[k] = Σ_j padded[j+k] with padded = 100,10,1,10,100,10,1
        expectGrads(
          full([1, 1, 1, 5], 1),
          t([[[[1, 10, 100]]]]),
          full([1, 1, 1, 3], 1),
          { padding: [0, 2], paddingMode: 'reflect' },
          {
            gradInput: [[[[4, 7, 4]]]],
            gradWeight: [[[[221, 131, 122]]]],
            gradBias: [5],
          },
        );
      });

      test('x=[1,1,1,2] k=[1,1,1,2] p=[0,2] mode=replicate dy=[1,2,3,4,5]', () => {
        // padded columns read 0,0,0,1,1,1; position p gets dy[p] + dy[p−1]: 1,3,5,7,9,5
        // pixel 0 ← 1+3+5; pixel 1 ← 7+9+5. gradWeight with padded = 1,1,1,10,10,10: Σ dy[j]·padded[j], Σ dy[j]·padded[j+1]
        expectGrads(
          t([[[[1, 2, 3, 4, 5]]]]),
          t([[[[1, 10]]]]),
          full([1, 1, 1, 2], 1),
          { padding: [0, 2], paddingMode: 'replicate' },
          {
            gradInput: [[[[9, 21]]]],
            gradWeight: [[[[96, 123]]]],
            gradBias: [15],
          },
        );
      });

      test('x=[1,1,1,2] k=[1,1,1,3] p=[0,2] mode=circular (pad = size) dy=[1,2,3,4]', () => {
        // padded columns read 0,1,0,1,0,1; position p gets Σ_k dy[p−k]: 1,3,6,9,7,4
        // pixel 0 ← 1+6+7; pixel 1 ← 3+9+4. gradWeight with padded = 1,10,1,10,1,10
        expectGrads(
          t([[[[1, 2, 3, 4]]]]),
          t([[[[1, 10]]]]),
          full([1, 1, 1, 3], 1),
          { padding: [0, 2], paddingMode: 'circular' },
          {
            gradInput: [[[[14, 16]]]],
            gradWeight: [[[[64, 46, 64]]]],
            gradBias: [10],
          },
        );
      });

      test('x=[1,1,1,1] k=[1,1,3,3] p=1 mode=circular: all nine taps fold into the one pixel', () => {
        // gradInput = dy·Σw = 2·45; gradWeight = dy·x for every tap
        expectGrads(
          t([[[[2]]]]),
          t([[[[3]]]]),
          iotaTensor([1, 1, 3, 3], 'float32', 1),
          { padding: 1, paddingMode: 'circular' },
          {
            gradInput: [[[[90]]]],
            gradWeight: [
              [
                [
                  [6, 6, 6],
                  [6, 6, 6],
                  [6, 6, 6],
                ],
              ],
            ],
            gradBias: [2],
          },
        );
      });
    });
  });
}
