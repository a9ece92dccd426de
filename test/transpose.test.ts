/**
 * convTranspose2d: hand-computed scatter cases, the spec's scatter-then-crop
 * model for larger ones, and the two identities that tie it to conv2d:
 * conv2d's gradInput is a transposed conv (with the output padding that
 * restores H), and a transposed conv's gradient with respect to its input is
 * conv2d (the adjoint identity ⟨convT(x), y⟩ = ⟨x, conv(y)⟩, exact on integers).
 * Each side of an identity is compared with the spec's float64 model
 * (properties/spec), never only with its sibling routine, which may share its
 * code (the reference's transposed conv is its gradInput walk).
 * Every case runs on the public kernels and on the reference loops.
 */
import { describe, expect, test } from 'vitest';
import { tensor, type Conv2dOptions, type ConvTranspose2dOptions, type Tensor } from '../src/index.js';
import {
  modelConv2d,
  modelConvTranspose2d,
  resolveConv,
  resolveTranspose,
  restoringTransposeOptions,
} from '../properties/spec/index.js';
import {
  KERNELS,
  dot,
  expectTensor,
  full,
  ints,
  naiveConvTranspose2d,
  snapshot,
  t,
  type NaiveOptions,
} from './helpers.js';

type N4 = number[][][][];
const X = (): Tensor =>
  t([
    [
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ]);
const W = (): Tensor =>
  t([
    [
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ]);
// Scatter of X with W at stride 2: four non-overlapping 2×2 blocks x[i][j]·W.
const FULL_S2 = [
  [1, 2, 2, 4],
  [3, 4, 6, 8],
  [3, 6, 4, 8],
  [9, 12, 12, 16],
];

for (const { name, conv2d, conv2dBackward, convTranspose2d } of KERNELS) {
  describe(`${name} kernels`, () => {
    describe('convTranspose2d: hand-computed', () => {
      test('x=[1,1,2,2] w=[1,1,2,2] s=1: each pixel adds x·w at its position (overlaps sum)', () => {
        // (1,1) = x00·w11 + x01·w10 + x10·w01 + x11·w00 = 3 + 4 + 3 + 0; corners one term each
        expectTensor(
          convTranspose2d(
            X(),
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
                [0, 1, 2],
                [2, 10, 10],
                [6, 17, 12],
              ],
            ],
          ],
        );
      });

      test('x=[1,1,2,2] w=[1,1,2,2] s=2: OH = (2−1)·2 + 2 = 4, no overlap', () => {
        expectTensor(convTranspose2d(X(), W(), { stride: 2 }), [[FULL_S2]]);
      });

      test('x=[1,1,2,2] w=[1,1,2,2] s=2 p=1 crops one row/column from each side', () => {
        expectTensor(convTranspose2d(X(), W(), { stride: 2, padding: 1 }), [
          [
            [
              [4, 6],
              [6, 4],
            ],
          ],
        ]);
      });

      test('x=[1,1,2,2] w=[1,1,2,2] s=2 p=[[1,0],[0,1]] crops top and right only (ONNX asymmetric pads)', () => {
        expectTensor(
          convTranspose2d(X(), W(), {
            stride: 2,
            padding: [
              [1, 0],
              [0, 1],
            ],
          }),
          [
            [
              [
                [3, 4, 6],
                [3, 6, 4],
                [9, 12, 12],
              ],
            ],
          ],
        );
      });

      test('x=[1,1,2,2] w=[1,1,2,2] s=2 p=[1,0] crops rows only', () => {
        expectTensor(convTranspose2d(X(), W(), { stride: 2, padding: [1, 0] }), [[FULL_S2.slice(1, 3)]]);
      });

      test('x=[1,1,2,2] w=[1,1,2,2] s=2 p=1 op=1: one extra zero row/column at the bottom/right before the crop', () => {
        // OH = (2−1)·2 − 2 + 1 + 1 + 1 = 3: rows/cols 1..3 of the full output grown to 5×5
        expectTensor(convTranspose2d(X(), W(), { stride: 2, padding: 1, outputPadding: 1 }), [
          [
            [
              [4, 6, 8],
              [6, 4, 8],
              [12, 12, 16],
            ],
          ],
        ]);
      });

      test('x=[1,1,2,2] w=[1,1,2,2] s=2 op=[1,0]: output padding per axis', () => {
        expectTensor(convTranspose2d(X(), W(), { stride: 2, outputPadding: [1, 0] }), [[[...FULL_S2, [0, 0, 0, 0]]]]);
      });

      test('x=[1,1,1,1] w=[1,1,2,2] d=2: the kernel taps spread two apart', () => {
        expectTensor(convTranspose2d(t([[[[2]]]]), W(), { dilation: 2 }), [
          [
            [
              [2, 0, 4],
              [0, 0, 0],
              [6, 0, 8],
            ],
          ],
        ]);
      });

      test('x=[1,1,1,2] w=[1,1,2,2] s=1 d=2 op=1 (outputPadding ≥ stride, allowed as < dilation)', () => {
        // x = [1, 10] at columns 0, 1; taps at rows {0,2}, columns {+0,+2}; full 3×4 grown by one row and column
        expectTensor(convTranspose2d(t([[[[1, 10]]]]), W(), { dilation: 2, outputPadding: 1 }), [
          [
            [
              [1, 10, 2, 20, 0],
              [0, 0, 0, 0, 0],
              [3, 30, 4, 40, 0],
              [0, 0, 0, 0, 0],
            ],
          ],
        ]);
      });

      test('x=[1,4,1,1] w=[4,1,1,1] g=2: input channels 0–1 feed output 0, channels 2–3 feed output 1', () => {
        const y = convTranspose2d(t([[[[1]], [[10]], [[100]], [[1000]]]]), t([[[[1]]], [[[2]]], [[[3]]], [[[4]]]]), {
          groups: 2,
        });
        expectTensor(y, [[[[21]], [[4300]]]]);
      });

      test('x=[1,2,1,1] w=[2,2,1,1] g=2: each input channel feeds its group of two outputs', () => {
        const y = convTranspose2d(
          t([[[[3]], [[5]]]]),
          t([
            [[[1]], [[2]]],
            [[[3]], [[4]]],
          ]),
          { groups: 2 },
        );
        expectTensor(y, [[[[3]], [[6]], [[15]], [[20]]]]);
      });

      test('x=[1,4,1,1] w=[4,1,1,1] g=2 bias=[1,-1]: one bias per output channel', () => {
        const y = convTranspose2d(t([[[[1]], [[10]], [[100]], [[1000]]]]), t([[[[1]]], [[[2]]], [[[3]]], [[[4]]]]), {
          groups: 2,
          bias: t([1, -1]),
        });
        expectTensor(y, [[[[22]], [[4299]]]]);
      });

      test('x=[1,1,2,2] w=[1,2,2,2] s=2 bias=[10,-10]: bias covers every position, cropped or not', () => {
        const w = t([
          [
            [
              [1, 2],
              [3, 4],
            ],
            [
              [0, 0],
              [0, 1],
            ],
          ],
        ]);
        const second = [
          [0, 0, 0, 0],
          [0, 1, 0, 2],
          [0, 0, 0, 0],
          [0, 3, 0, 4],
        ];
        expectTensor(convTranspose2d(X(), w, { stride: 2, bias: t([10, -10]) }), [
          [FULL_S2.map((r) => r.map((v) => v + 10)), second.map((r) => r.map((v) => v - 10))],
        ]);
      });

      test('unbatched x=[1,2,2] w=[1,1,2,2] s=2 returns [O,OH,OW]', () => {
        expectTensor(
          convTranspose2d(
            t([
              [
                [1, 2],
                [3, 4],
              ],
            ]),
            W(),
            { stride: 2 },
          ),
          [FULL_S2],
        );
      });

      test('x=[0,1,2,2] w=[1,3,2,2] s=2 (N = 0) returns shape [0,3,4,4]', () => {
        expectTensor(convTranspose2d(tensor([], [0, 1, 2, 2]), full([1, 3, 2, 2], 1), { stride: 2 }), [], [0, 3, 4, 4]);
      });

      test('float64 in → Float64Array out, keeping 1 + 2^-40', () => {
        const v = 1 + 2 ** -40;
        const y = convTranspose2d(tensor([v], [1, 1, 1, 1], 'float64'), tensor([1], [1, 1, 1, 1], 'float64'));
        expect(y.data).toBeInstanceOf(Float64Array);
        expectTensor(y, [[[[v]]]]);
      });

      test('float32: overlapping contributions are summed in float64 and rounded once', () => {
        // output 2 collects x0·w2 + x1·w1 + x2·w0 = 1 + 2^-24 + 2^-24: exact in float64, 1 if rounded after each term
        const e = 2 ** -24;
        const y = convTranspose2d(tensor([1, e, e], [1, 1, 1, 3]), tensor([1, 1, 1], [1, 1, 1, 3]));
        expect(y.data[2]).toBe(1 + 2 * e);
      });

      test('inputs are not mutated', () => {
        const x = t(ints([1, 2, 3, 3], 1));
        const w = t(ints([2, 3, 2, 2], 2));
        const b = t([1, 2, 3]);
        const before = [x, w, b].map(snapshot);
        convTranspose2d(x, w, {
          stride: 2,
          padding: [
            [1, 0],
            [0, 1],
          ],
          outputPadding: 1,
          bias: b,
        });
        expect([x, w, b].map(snapshot)).toEqual(before);
      });
    });

    // [name, x shape, weight shape [C, O/g, KH, KW], options]
    type TCase = [
      string,
      number[],
      number[],
      {
        stride: [number, number];
        pads: [[number, number], [number, number]];
        dilation: [number, number];
        groups: number;
        outputPadding: [number, number];
      },
    ];
    const tcases: TCase[] = [
      [
        'x=[1,4,3,2] w=[4,3,2,3] s=[2,3] p=[1,0] op=[1,2] g=2',
        [1, 4, 3, 2],
        [4, 3, 2, 3],
        {
          stride: [2, 3],
          pads: [
            [1, 1],
            [0, 0],
          ],
          dilation: [1, 1],
          groups: 2,
          outputPadding: [1, 2],
        },
      ],
      [
        'x=[2,2,3,3] w=[2,2,3,2] s=[1,2] d=[2,1] p=1 op=[1,1]',
        [2, 2, 3, 3],
        [2, 2, 3, 2],
        {
          stride: [1, 2],
          pads: [
            [1, 1],
            [1, 1],
          ],
          dilation: [2, 1],
          groups: 1,
          outputPadding: [1, 1],
        },
      ],
      [
        'x=[1,3,4,2] w=[3,1,3,3] s=3 p=[[2,0],[0,1]] g=3 (depthwise, asymmetric crop)',
        [1, 3, 4, 2],
        [3, 1, 3, 3],
        {
          stride: [3, 3],
          pads: [
            [2, 0],
            [0, 1],
          ],
          dilation: [1, 1],
          groups: 3,
          outputPadding: [0, 0],
        },
      ],
      [
        'x=[1,2,2,3] w=[2,1,2,2] s=2 d=3 op=[2,1] (outputPadding ≥ stride, < dilation)',
        [1, 2, 2, 3],
        [2, 1, 2, 2],
        {
          stride: [2, 2],
          pads: [
            [0, 0],
            [0, 0],
          ],
          dilation: [3, 3],
          groups: 1,
          outputPadding: [2, 1],
        },
      ],
      // above the small-work threshold: the public convTranspose2d takes its fast path
      [
        'x=[2,4,8,7] w=[4,3,3,3] s=2 p=[[1,0],[2,1]] op=1 g=2',
        [2, 4, 8, 7],
        [4, 3, 3, 3],
        {
          stride: [2, 2],
          pads: [
            [1, 0],
            [2, 1],
          ],
          dilation: [1, 1],
          groups: 2,
          outputPadding: [1, 1],
        },
      ],
      [
        'x=[2,6,6,9] w=[6,2,2,3] s=[3,2] d=[2,1] p=[1,0] op=[2,1] g=2',
        [2, 6, 6, 9],
        [6, 2, 2, 3],
        {
          stride: [3, 2],
          pads: [
            [1, 1],
            [0, 0],
          ],
          dilation: [2, 1],
          groups: 2,
          outputPadding: [2, 1],
        },
      ],
    ];
    const toTransposeOptions = (o: TCase[3]): ConvTranspose2dOptions => ({
      stride: o.stride,
      padding: o.pads,
      dilation: o.dilation,
      groups: o.groups,
      outputPadding: o.outputPadding,
    });

    describe('convTranspose2d: larger cases against the naive scatter-then-crop', () => {
      test.each(tcases)('%s', (_, xShape, wShape, o) => {
        const xs = ints(xShape, 3) as N4;
        const ws = ints(wShape, 4) as N4;
        const bias = Array.from({ length: wShape[1] * o.groups }, (_, i) => i - 1);
        const naive: NaiveOptions & { outputPadding: [number, number] } = { ...o, bias };
        expectTensor(
          convTranspose2d(t(xs), t(ws), { ...toTransposeOptions(o), bias: t(bias) }),
          naiveConvTranspose2d(xs, ws, naive),
        );
      });
    });

    describe("conv2d's gradInput is the transposed conv of gradOutput", () => {
      // [name, x shape, w shape, conv options with explicit pads]
      const cases: Array<
        [string, number[], number[], Conv2dOptions & { padding: [[number, number], [number, number]] }]
      > = [
        [
          'x=[2,4,7,6] k=[6,2,3,2] s=[2,3] p=[[1,0],[2,1]] d=[1,2] g=2',
          [2, 4, 7, 6],
          [6, 2, 3, 2],
          {
            stride: [2, 3],
            padding: [
              [1, 0],
              [2, 1],
            ],
            dilation: [1, 2],
            groups: 2,
          },
        ],
        [
          'x=[1,3,6,6] k=[3,1,3,3] s=2 p=1 g=3 (oph = 1)',
          [1, 3, 6, 6],
          [3, 1, 3, 3],
          {
            stride: 2,
            padding: [
              [1, 1],
              [1, 1],
            ],
            groups: 3,
          },
        ],
        [
          'x=[1,2,9,8] k=[4,2,2,3] s=[3,2] d=[2,1] p=[[0,1],[1,0]]',
          [1, 2, 9, 8],
          [4, 2, 2, 3],
          {
            stride: [3, 2],
            dilation: [2, 1],
            padding: [
              [0, 1],
              [1, 0],
            ],
          },
        ],
        [
          'x=[1,1,4,4] k=[1,1,3,3] s=2 p=same ≡ [[0,1],[0,1]]',
          [1, 1, 4, 4],
          [1, 1, 3, 3],
          {
            stride: 2,
            padding: [
              [0, 1],
              [0, 1],
            ],
          },
        ],
        [
          'x=[1,1,5,7] k=[1,1,2,2] s=3 (stride larger than the kernel: some pixels get no gradient)',
          [1, 1, 5, 7],
          [1, 1, 2, 2],
          {
            stride: 3,
            padding: [
              [0, 0],
              [0, 0],
            ],
          },
        ],
        [
          'x=[2,4,12,11] k=[6,2,3,3] s=[2,1] p=[[1,2],[0,1]] d=[1,2] g=2 (fast paths)',
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
        ],
      ];

      test.each(cases)('%s', (_, xShape, wShape, options) => {
        const x = t(ints(xShape, 5));
        const w = t(ints(wShape, 6));
        const r = resolveConv(xShape, wShape, options);
        const dy = t(ints(r.outputShape, 7));
        const restoring = restoringTransposeOptions(r);
        const [oph, opw] = restoring.outputPadding;
        expect(oph).toBeLessThan(r.sh);
        expect(opw).toBeLessThan(r.sw);
        // Each side against the spec's scatter model, never only against the other side.
        const rt = resolveTranspose(dy.shape, wShape, restoring);
        const model = Array.from(modelConvTranspose2d(rt, dy, w, null).value);
        const { gradInput } = conv2dBackward(dy, x, w, options);
        const viaTranspose = convTranspose2d(dy, w, restoring);
        expect(viaTranspose.shape).toEqual(xShape);
        expect(Array.from(gradInput.data)).toEqual(model);
        expect(Array.from(viaTranspose.data)).toEqual(model);
        expect(model.some((v) => v !== 0)).toBe(true);
      });
    });

    describe('the gradient of convTranspose2d with respect to its input is conv2d', () => {
      /** The first H×W positions of each plane (conv2d(y) has extra rows when outputPadding ≥ stride). */
      const crop = (v: { readonly shape: readonly number[]; readonly data: ArrayLike<number> }, shape: number[]) => {
        const [N, C, H, W] = shape;
        const [, , VH, VW] = v.shape;
        const out = new Float64Array(N * C * H * W);
        let k = 0;
        for (let p = 0; p < N * C; p++) {
          for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) out[k++] = v.data[(p * VH + i) * VW + j];
        }
        return { shape: [...shape], data: out };
      };
      const convOf = (o: TCase[3]): Conv2dOptions => ({
        stride: o.stride,
        padding: o.pads,
        dilation: o.dilation,
        groups: o.groups,
      });

      test.each(tcases)(
        '⟨convT(x), y⟩ = ⟨x, conv2d(y)⟩ exactly, each side against the spec: %s',
        (_, xShape, wShape, o) => {
          const x = t(ints(xShape, 8), 'float64');
          const w = t(ints(wShape, 9), 'float64');
          const up = convTranspose2d(x, w, toTransposeOptions(o));
          const y = t(ints(up.shape, 10), 'float64');
          // conv2d reads the transposed weight [C, O/g, KH, KW] as [out = C, in/g = O/g, KH, KW]
          const rc = resolveConv(up.shape, wShape, convOf(o));
          const down = conv2d(y, w, convOf(o));
          expect(down.shape).toEqual(rc.outputShape);
          const modelDown = { shape: rc.outputShape, data: modelConv2d(rc, y, w, null) };
          const rt = resolveTranspose(xShape, wShape, toTransposeOptions(o));
          const modelUp = { shape: rt.outputShape, data: modelConvTranspose2d(rt, x, w, null).value };
          expect(dot(up, y)).toBe(dot(x, crop(modelDown, xShape)));
          expect(dot(x, crop(down, xShape))).toBe(dot(modelUp, y));
          expect(dot(up, y)).not.toBe(0);
        },
      );

      test('x=[1,2,2,3] w=[2,2,3,2] s=2 p=[[1,0],[0,1]] op=1: ∂⟨convT(x), y⟩/∂x[p] = conv2d(y)[p] at every p (conv2d by the spec and by ours)', () => {
        const options: ConvTranspose2dOptions = {
          stride: 2,
          padding: [
            [1, 0],
            [0, 1],
          ],
          outputPadding: 1,
        };
        const conv: Conv2dOptions = {
          stride: 2,
          padding: [
            [1, 0],
            [0, 1],
          ],
        };
        const w = t(ints([2, 2, 3, 2], 11), 'float64');
        const x = t(ints([1, 2, 2, 3], 12), 'float64');
        const y = t(ints(convTranspose2d(x, w, options).shape, 13), 'float64');
        const loss = (v: Tensor): number => dot(convTranspose2d(v, w, options), y);
        const rc = resolveConv(y.shape, w.shape, conv);
        const grad = crop({ shape: rc.outputShape, data: modelConv2d(rc, y, w, null) }, [...x.shape]);
        expect(Array.from(crop(conv2d(y, w, conv), [...x.shape]).data)).toEqual(Array.from(grad.data));
        for (let p = 0; p < x.data.length; p++) {
          const bumped = tensor(x.data, x.shape, 'float64');
          bumped.data[p] += 1;
          // the loss is linear in x, so a step of 1 gives the derivative with no truncation error
          expect(loss(bumped) - loss(x), `position ${p}`).toBe(grad.data[p]);
        }
      });
    });
  });
}
