/**
 * Gaps found by mutation testing (docs/mutation.md): each test here kills
 * mutants of src/geometry.ts or src/reference/* that the rest of the suite let
 * survive. Expected values are worked out by hand in the comments.
 */
import { describe, expect, test } from 'vitest';
import { conv2dOutputShape, tensor, type Conv2dOptions, type Tensor } from '../src/index.js';
import { convTranspose2dGeometry } from '../src/geometry.js';
import { conv2d, conv2dBackward, convTranspose2d, corr2d } from '../src/reference/index.js';
import { expectConvError, expectTensor, full } from './helpers.js';

/** Lets a test pass a value the types forbid, to check the runtime guard. */
const bad = <T>(value: unknown): T => value as T;
const empty = (shape: number[]): Tensor => tensor(new Float32Array(0), shape);
const G = 2 ** 30;

describe('options objects', () => {
  test('options null is read as no options, for conv2d and convTranspose2d', () => {
    const x = tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    const w = tensor([[[[2]]]]);
    expectTensor(conv2d(x, w, bad(null)), [
      [
        [
          [2, 4],
          [6, 8],
        ],
      ],
    ]);
    expectTensor(convTranspose2d(x, w, bad(null)), [
      [
        [
          [2, 4],
          [6, 8],
        ],
      ],
    ]);
  });

  test('an unknown option lists the option names, comma-separated', () => {
    expectConvError(() => conv2dOutputShape([1, 1, 3, 3], [1, 1, 1, 1], bad({ strides: 2 })), 'option', [
      'the options are bias, stride, padding, dilation, groups, paddingMode',
    ]);
  });

  test('a bad paddingMode lists the modes, quoted and comma-separated', () => {
    expectConvError(() => conv2dOutputShape([1, 1, 3, 3], [1, 1, 1, 1], bad({ paddingMode: 'wrap' })), 'padding-mode', [
      "'zeros', 'reflect', 'replicate', 'circular'",
    ]);
  });

  test('stride asks for positive integers, outputPadding for non-negative ones', () => {
    const x = full([1, 1, 2, 2], 1);
    const w = full([1, 1, 1, 1], 1);
    const stride = expectConvError(() => convTranspose2d(x, w, { stride: 0 }), 'stride', [
      'stride must be',
      'of positive integers',
    ]);
    expect(stride.message).not.toContain('non-negative');
    expectConvError(() => convTranspose2d(x, w, { dilation: 0 }), 'dilation', ['dilation must be']);
    expectConvError(() => convTranspose2d(x, w, { outputPadding: -1 }), 'output-padding', [
      'outputPadding must be',
      'of non-negative integers',
    ]);
  });
});

describe('explicit padding [[top, bottom], [left, right]]: every part is checked', () => {
  const malformed: Array<[string, unknown]> = [
    [
      'a negative top',
      [
        [-1, 1],
        [1, 1],
      ],
    ],
    [
      'a negative bottom',
      [
        [1, -1],
        [1, 1],
      ],
    ],
    [
      'a negative left',
      [
        [1, 1],
        [-1, 1],
      ],
    ],
    [
      'a negative right',
      [
        [1, 1],
        [1, -1],
      ],
    ],
    [
      'three values for the rows',
      [
        [1, 1, 1],
        [1, 1],
      ],
    ],
    [
      'three values for the columns',
      [
        [1, 1],
        [1, 1, 1],
      ],
    ],
    ['an array-like object for the rows', [{ 0: 1, 1: 1, length: 2 }, [1, 1]]],
    ['an array-like object for the columns', [[1, 1], { 0: 1, 1: 1, length: 2 }]],
  ];
  test.each(malformed)('%s is refused with ConvError(padding)', (_, padding) => {
    expectConvError(() => conv2dOutputShape([1, 1, 5, 5], [1, 1, 3, 3], bad<Conv2dOptions>({ padding })), 'padding');
  });
});

describe('error messages name the right things', () => {
  test('a zero-sized dimension names the input or the weight', () => {
    expectConvError(() => conv2dOutputShape([1, 1, 0, 3], [1, 1, 1, 1]), 'shape', ['input of shape [1, 1, 0, 3]']);
    expectConvError(() => conv2dOutputShape([1, 1, 3, 3], [1, 1, 0, 1]), 'shape', ['weight of shape [1, 1, 0, 1]']);
    expectConvError(() => convTranspose2d(full([1, 1, 2, 2], 1), empty([1, 1, 0, 1])), 'shape', [
      'weight of shape [1, 1, 0, 1]',
    ]);
  });

  test('a kernel larger than the padded input: padded size 2+1+1 = 4 rows by 2 columns, kernel 5×1, not dilated', () => {
    const e = expectConvError(
      () =>
        conv2dOutputShape([1, 1, 2, 2], [1, 1, 5, 1], {
          padding: [
            [1, 1],
            [0, 0],
          ],
        }),
      'kernel-too-large',
      ['(4 x 2). Kernel size: (5 x 1). Kernel size', 'pad more'],
    );
    expect(e.message).not.toContain('dilated');
  });

  test('a dilated kernel too large on one axis says so: extent 2·(3−1)+1 = 5', () => {
    expectConvError(() => conv2dOutputShape([1, 1, 2, 2], [1, 1, 3, 1], { dilation: [2, 1] }), 'kernel-too-large', [
      '(2 x 2). Kernel size: (5 x 1) (dilated).',
    ]);
    expectConvError(() => conv2dOutputShape([1, 1, 2, 2], [1, 1, 1, 3], { dilation: [1, 2] }), 'kernel-too-large', [
      '(2 x 2). Kernel size: (1 x 5) (dilated).',
    ]);
  });

  test('a dtype mismatch names both tensors and the fix', () => {
    const x = full([1, 1, 2, 2], 1);
    const w = full([1, 1, 1, 1], 1);
    expectConvError(() => conv2d(x, full([1, 1, 1, 1], 1, 'float64')), 'dtype', [
      'weight is float64 but input is float32',
      '(convert one with tensor(t.data, t.shape, dtype))',
    ]);
    expectConvError(() => conv2dBackward(full([1, 1, 2, 2], 1, 'float64'), x, w), 'dtype', [
      'gradOutput is float64 but input is float32',
    ]);
    expectConvError(() => corr2d(full([2, 2], 1), full([1, 1], 1, 'float64')), 'dtype', [
      'K is float64 but X is float32',
    ]);
    expectConvError(() => convTranspose2d(x, full([1, 1, 1, 1], 1, 'float64')), 'dtype', [
      'weight is float64 but input is float32',
    ]);
  });

  test('an output over 2^30 elements is named: 1 + 2·20000 = 40001 rows and columns', () => {
    expectConvError(() => conv2dOutputShape([1, 1, 1, 1], [1, 1, 1, 1], { padding: 20000 }), 'too-large', [
      'the output of shape [1, 1, 40001, 40001]',
    ]);
    // (2 − 1)·40000 + 0 + 1 = 40001
    expectConvError(
      () => convTranspose2d(full([1, 1, 2, 2], 1), full([1, 1, 1, 1], 1), { stride: 40000 }),
      'too-large',
      ['the output of shape [1, 1, 40001, 40001]'],
    );
  });
});

describe('the 2^30 limit on a dilated kernel (docs/errors.md)', () => {
  // One input pixel 3, kernel taps [5, 7] along the axis. With pad 2^30 − 1 before,
  // dilation 2^30 − 1 and stride 1 the kernel spans exactly 2^30 pixels (allowed):
  // the padded axis has 1 + 2^30 − 1 = 2^30 pixels, so one output, whose second tap
  // lands on the pixel: 3·7 = 21.
  const x = tensor([[[[3]]]]);
  test('a kernel spanning exactly 2^30 rows, or columns, is allowed', () => {
    expectTensor(
      conv2d(x, tensor([[[[5], [7]]]]), {
        dilation: [G - 1, 1],
        padding: [
          [G - 1, 0],
          [0, 0],
        ],
      }),
      [[[[21]]]],
    );
    expectTensor(
      conv2d(x, tensor([[[[5, 7]]]]), {
        dilation: [1, G - 1],
        padding: [
          [0, 0],
          [G - 1, 0],
        ],
      }),
      [[[[21]]]],
    );
  });

  // One pixel more (dilation 2^30, so 2^30 + 1 pixels) is refused, even where the
  // output would be small: pads 2^30 and stride 2^30 give floor(2^30 / 2^30) + 1 = 2 outputs.
  test('a kernel spanning 2^30 + 1 rows, or columns, is refused though its output is 2 pixels', () => {
    expectConvError(
      () =>
        conv2dOutputShape([1, 1, 1, 1], [1, 1, 2, 1], {
          dilation: [G, 1],
          padding: [
            [G, G],
            [0, 0],
          ],
          stride: [G, 1],
        }),
      'kernel-too-large',
      ['spans 1073741825 x 1 pixels'],
    );
    expectConvError(
      () =>
        conv2dOutputShape([1, 1, 1, 1], [1, 1, 1, 2], {
          dilation: [1, G],
          padding: [
            [0, 0],
            [G, G],
          ],
          stride: [1, G],
        }),
      'kernel-too-large',
      ['spans 1 x 1073741825 pixels'],
    );
  });
});

describe('per-image limits hold for an empty batch (nothing else would stop the work)', () => {
  test('conv2d: one output image of 2048·1024·1024 = 2^31 elements', () => {
    expectConvError(() => conv2dOutputShape([0, 1, 1024, 1024], [2048, 1, 1, 1]), 'too-large', [
      'one output image of shape [2048, 1024, 1024]',
    ]);
  });

  test('conv2d: a tap map of 65536 positions × 32768 taps = 2^31 entries, per axis', () => {
    // 98303 − 32768 + 1 = 65536 output positions
    expectConvError(() => conv2dOutputShape([0, 1, 98303, 1], [1, 1, 32768, 1]), 'too-large', ['the row tap map']);
    expectConvError(() => conv2dOutputShape([0, 1, 1, 98303], [1, 1, 1, 32768]), 'too-large', ['the column tap map']);
  });

  test('convTranspose2d: one output image of 2048·1024·1024 elements, and a column map of 2^17 × 2^16', () => {
    expectConvError(() => convTranspose2d(empty([0, 1, 1024, 1024]), full([1, 2048, 1, 1], 1)), 'too-large', [
      'one output image',
    ]);
    // 2^33 entries: past any typed array, so an unchecked map fails at once instead of allocating
    expectConvError(() => convTranspose2d(empty([0, 1, 1, 2 ** 17]), full([1, 1, 1, 2 ** 16], 1)), 'too-large', [
      'the column tap map',
    ]);
  });
});

describe('convTranspose2d geometry', () => {
  test('padding that crops all the rows (but not the columns) is refused: (2−1)·1 − 3 + 1 + 1 = 0 rows', () => {
    expectConvError(
      () =>
        convTranspose2d(full([1, 1, 2, 2], 1), full([1, 1, 2, 2], 1), {
          padding: [
            [2, 1],
            [0, 0],
          ],
        }),
      'padding',
      ['would be 0 x 3'],
    );
  });

  test('padding that crops all the columns (but not the rows) is refused: (2−1)·1 − 3 + 1 + 1 = 0 columns', () => {
    expectConvError(
      () =>
        convTranspose2d(full([1, 1, 2, 2], 1), full([1, 1, 2, 2], 1), {
          padding: [
            [0, 0],
            [1, 2],
          ],
        }),
      'padding',
      ['would be 3 x 0'],
    );
  });

  test('the conv whose adjoint it is maps the transposed output back to the input shape', () => {
    // OH = (3−1)·2 + 2 = 6, OW = (5−1)·2 + 2 = 10; the conv with kernel 2, stride 2 gives back 3 × 5
    const batched = convTranspose2dGeometry('t', [2, 4, 3, 5], [4, 3, 2, 2], { stride: 2 });
    expect(batched.outputShape).toEqual([2, 3, 6, 10]);
    expect(batched.conv.outputShape).toEqual([2, 4, 3, 5]);
    expect(convTranspose2dGeometry('t', [4, 3, 5], [4, 3, 2, 2], { stride: 2 }).conv.outputShape).toEqual([4, 3, 5]);
  });
});
