/**
 * What ConvError messages say, word for word: one call per error code (the
 * function, the offending values, and the fix or the rule), the messages of
 * the checks the per-code list does not reach, how `show` prints values in
 * them, and that each limit itself (rank 64, 2^30 elements) is allowed.
 * The expected texts are written from the rule each check states.
 * test/errors-checks.test.ts has one example per check (cases in
 * errors-cases.ts) and the coverage of the codes.
 */
import { describe, expect, test } from 'vitest';
import { ConvError, show } from '../src/errors.js';
import {
  Conv2d,
  conv2d,
  conv2dBackward,
  conv2dOutputShape,
  convTranspose2d,
  corr2d,
  tensor,
  toNested,
  type Tensor,
} from '../src/index.js';
import { bad } from './errors-fixtures.js';
import { expectConvError, full } from './helpers.js';

// One call per code, and its message word for word.
const x25 = (): Tensor => full([1, 2, 5, 5], 1);
const w4 = (): Tensor => full([4, 2, 3, 3], 1);
const MESSAGES: ReadonlyArray<[string, () => unknown, string]> = [
  [
    'type',
    () => corr2d(bad(null), full([2, 2], 1)),
    'corr2d: X must be a tensor {shape, data}, got null; build one with tensor(values, shape)',
  ],
  [
    'rank',
    () => conv2d(full([5, 5], 1), w4()),
    'conv2d: expected 3D (unbatched) or 4D (batched) input, but got input of size [5, 5]; ' +
      'pass [C, H, W] for one image or [N, C, H, W] for a batch',
  ],
  [
    'shape',
    () => conv2d(tensor([], [1, 0, 5, 5]), w4()),
    'conv2d: input of shape [1, 0, 5, 5] has a zero-sized dimension 1; only the batch may be 0',
  ],
  [
    'data-length',
    () => conv2d({ shape: [1, 2, 5, 5], data: new Float32Array(49) }, w4()),
    'conv2d: input has shape [1, 2, 5, 5] (50 elements) but its data holds 49; make them agree',
  ],
  [
    'dtype',
    () => conv2d(x25(), full([4, 2, 3, 3], 1, 'float64')),
    'conv2d: weight is float64 but input is float32; all tensors of one call must share a dtype ' +
      '(convert one with tensor(t.data, t.shape, dtype))',
  ],
  [
    'channels',
    () => conv2d(x25(), full([4, 3, 3, 3], 1)),
    'conv2d: given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 5, 5] to have 3 channels, ' +
      "but got 2 channels instead; the input's channels must equal the weight's second dimension times groups",
  ],
  [
    'groups',
    () => conv2d(x25(), full([3, 1, 3, 3], 1), { groups: 2 }),
    'conv2d: out channels 3 (weight of size [3, 1, 3, 3]) must be divisible by groups=2; ' +
      'use a groups that divides both channel counts',
  ],
  [
    'stride',
    () => conv2d(x25(), w4(), { stride: 0 }),
    'conv2d: stride must be a number or [h, w] pair of positive integers (at most 2^30), got 0; e.g. 2 or [2, 1]',
  ],
  [
    'dilation',
    () => conv2d(x25(), w4(), { dilation: [1, 0] }),
    'conv2d: dilation must be a number or [h, w] pair of positive integers (at most 2^30), got [1, 0]; e.g. 2 or [2, 1]',
  ],
  [
    'padding',
    () => conv2d(x25(), w4(), { padding: -1 }),
    'conv2d: padding must be a non-negative integer, [ph, pw] or [[top, bottom], [left, right]] of ' +
      "non-negative integers (at most 2^30), or one of 'valid', 'same', 'same-upper', 'same-lower', got -1; negative padding is not supported",
  ],
  [
    'padding-mode',
    () => conv2d(x25(), w4(), bad({ paddingMode: 'wrap' })),
    `conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got "wrap"; the names are lower case`,
  ],
  [
    'data-format',
    () => conv2d(x25(), w4(), bad({ dataFormat: 'NWHC' })),
    `conv2d: dataFormat must be one of 'NCHW', 'NHWC', got "NWHC"; the names are upper case: 'NCHW' is channels first ` +
      "(PyTorch, ONNX), 'NHWC' channels last (tfjs)",
  ],
  [
    'filter-format',
    () => conv2d(x25(), w4(), bad({ filterFormat: 'hwio' })),
    `conv2d: filterFormat must be one of 'OIHW', 'HWIO', got "hwio"; the names are upper case: 'OIHW' is PyTorch's ` +
      "and ONNX's weight layout, 'HWIO' tfjs's",
  ],
  [
    'output-padding',
    () => convTranspose2d(x25(), full([2, 1, 3, 3], 1), { stride: 2, outputPadding: 2 }),
    'convTranspose2d: outputPadding must be smaller than either stride or dilation on each axis, got outputPadding [2, 2] ' +
      'with stride [2, 2] and dilation [1, 1]; lower it below the larger of the two on each axis',
  ],
  [
    'output-size',
    () => convTranspose2d(x25(), full([2, 1, 3, 3], 1), { stride: 2, padding: 1, outputSize: [7, 7] }),
    'convTranspose2d: outputSize [7, 7] cannot be reached: with input height 5, kernel 3, stride 2, dilation 1 and ' +
      'padding (1, 1) the output height is 9 or 10; ask for one of those, or change the stride or padding',
  ],
  [
    'kernel-too-large',
    () => corr2d(full([2, 2], 1), full([3, 3], 1)),
    "corr2d: calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be " +
      'greater than the padded input size; pad more, or use a smaller kernel or dilation',
  ],
  [
    'bias',
    () => conv2d(x25(), w4(), { bias: full([3], 1) }),
    'conv2d: bias must have shape [4] (one value per output channel), got [3]',
  ],
  [
    'option',
    () => conv2d(x25(), w4(), bad({ strides: 2 })),
    'conv2d: unknown option "strides"; the options are bias, stride, padding, dilation, groups, paddingMode, ' +
      'dataFormat, filterFormat',
  ],
  [
    'grad-output',
    () => conv2dBackward(full([1, 4, 2, 2], 1), x25(), w4()),
    "conv2dBackward: gradOutput must have the forward output's shape [1, 4, 3, 3], got [1, 4, 2, 2]",
  ],
  [
    'state',
    () => new Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, seed: 1 }).backward(full([1, 4, 3, 3], 1)),
    'Conv2d.backward: call forward(x) before backward(gradOutput)',
  ],
  [
    'too-large',
    // 1 + 2·20000 = 40001 rows and columns: 1,600,080,001 outputs.
    () => conv2d(full([1, 1, 1, 1], 1), full([1, 1, 1, 1], 1), { padding: 20000 }),
    'conv2d: the output of shape [1, 1, 40001, 40001] would hold 1600080001 elements, more than the limit ' +
      'of 1073741824 (2^30); split the batch or the image into smaller pieces',
  ],
];

/** More whole messages: checks whose values or wording the one-per-code list above does not reach. */
const MORE_MESSAGES: ReadonlyArray<[string, () => unknown, string]> = [
  [
    'option',
    () => new Conv2d(bad({ inChannels: 1, outChannels: 1, kernelSize: 1, kernel: 3 })),
    'Conv2d: unknown option "kernel"; the options are inChannels, outChannels, kernelSize, stride, padding, ' +
      'dilation, groups, bias, paddingMode, dataFormat, filterFormat, dtype, seed, backend',
  ],
  [
    'groups',
    () => new Conv2d({ inChannels: 4, outChannels: 3, kernelSize: 1, groups: 2 }),
    'Conv2d: inChannels 4 and outChannels 3 must both be divisible by groups=2',
  ],
  [
    'too-large',
    // [O, C/groups, KH, KW] = [2^20, 2^19, 1, 1]: 2^39 elements.
    () => new Conv2d({ inChannels: 2 ** 20, outChannels: 2 ** 20, kernelSize: 1, groups: 2 }),
    'Conv2d: the weight of shape [1048576, 524288, 1, 1] would hold 549755813888 elements, more than the limit ' +
      'of 1073741824 (2^30); split the batch or the image into smaller pieces',
  ],
  [
    'shape',
    () =>
      tensor(
        bad([
          [1, 2],
          [3, [4]],
        ]),
      ),
    'tensor: nested values are ragged or not numbers: expected a number at depth 2, got [4]',
  ],
  ['type', () => tensor(bad({ length: 1.5 })), 'tensor: values.length must be a non-negative integer, got 1.5'],
  [
    'rank',
    () => toNested({ shape: new Array(65).fill(1), data: new Float32Array(1) }),
    'toNested: t.shape has 65 dimensions, more than the limit of 64',
  ],
  [
    'too-large',
    // 1 + 2^24 arrays: the outer one and 2^24 empty rows.
    () => toNested({ shape: [2 ** 24, 0], data: new Float32Array(0) }),
    'toNested: nested arrays of shape [16777216, 0] would take 16777217 JS arrays, more than the limit of ' +
      '16777216 (2^24); read t.data (row-major) instead',
  ],
  [
    'type',
    () => tensor(bad({ a: 1 })),
    'tensor: values must be a number, nested arrays of numbers or an array-like of numbers, got {"a":1}',
  ],
  ['shape', () => tensor([1], [-1]), 'tensor: shape [-1] has -1; every dimension must be a non-negative integer'],
  [
    'too-large',
    () => tensor(bad({ length: 2 ** 31 })),
    'tensor: the values of shape [2147483648] would hold 2147483648 elements, more than the limit of ' +
      '1073741824 (2^30); split the batch or the image into smaller pieces',
  ],
  [
    'rank',
    () => corr2d(full([1, 3, 3], 1), full([2, 2], 1)),
    'corr2d: expected 2D X, but got X of shape [1, 3, 3]; reshape X to 2D',
  ],
];

describe('each code’s message, word for word: the function, the offending values, the fix', () => {
  for (const [code, run, message] of MORE_MESSAGES) {
    test(`${code}: ${message.slice(0, 60)}…`, () => {
      expect(expectConvError(run, code).message).toBe(message);
    });
  }

  for (const [code, run, message] of MESSAGES) {
    test(`${code}: ${message.slice(0, 60)}…`, () => {
      const e = expectConvError(run, code);
      expect(e.message).toBe(message);
    });
  }

  test('ConvError is an Error named ConvError that keeps its code and message', () => {
    const e = new ConvError('stride', 'conv2d: stride must be positive');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.message]).toEqual(['ConvError', 'stride', 'conv2d: stride must be positive']);
    expect(String(e)).toBe('ConvError: conv2d: stride must be positive');
  });
});

describe('how messages show values (show)', () => {
  test('numbers, booleans, null and undefined as JavaScript prints them; strings quoted', () => {
    expect([show(1.5), show(NaN), show(-Infinity), show(true), show(null), show(undefined)]).toEqual([
      '1.5',
      'NaN',
      '-Infinity',
      'true',
      'null',
      'undefined',
    ]);
    expect(show('same')).toBe('"same"');
    expect(show('a"b')).toBe('"a\\"b"');
  });

  test('a string over 200 characters is cut after 200, with an ellipsis', () => {
    expect(show('x'.repeat(200))).toBe(`"${'x'.repeat(200)}"`);
    expect(show('x'.repeat(201))).toBe(`"${'x'.repeat(200)}…"`);
  });

  test('arrays as [a, b], nested three levels deep, then by their length', () => {
    expect(show([1, 'a', [2, [3]]])).toBe('[1, "a", [2, [3]]]');
    expect(show([[[[4, 5]]]])).toBe('[[[[…2 items]]]]');
    expect(show([])).toBe('[]');
  });

  test('an array shows its first 64 items, then how many more', () => {
    const items = Array.from({ length: 64 }, (_, i) => i);
    expect(show(items)).toBe(`[${items.join(', ')}]`);
    expect(show([...items, 64, 65])).toBe(`[${items.join(', ')}, …2 more]`);
  });

  test('typed arrays by kind and length, not by their values', () => {
    expect(show(new Float32Array(3))).toBe('Float32Array(3)');
    expect(show(new Int32Array([1, 2]))).toBe('Int32Array(2)');
  });

  test('objects as JSON (cut after 200 characters); what JSON cannot print, by its tag or type', () => {
    expect(show({ stride: [1, 2] })).toBe('{"stride":[1,2]}');
    const long = { k: 'y'.repeat(300) };
    expect(show(long)).toBe(`${JSON.stringify(long).slice(0, 200)}…`);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(show(cyclic)).toBe('[object Object]');
    expect(show({ n: 10n })).toBe('[object Object]');
    expect(show({ toJSON: () => undefined })).toBe('[object Object]');
    expect(
      show({
        get x(): number {
          throw new Error('getter');
        },
      }),
    ).toBe('[object Object]');
    expect([show(() => 1), show(Symbol('s')), show(10n)]).toEqual(['function', 'symbol', 'bigint']);
  });

  test('a text of exactly 800 characters, or JSON of exactly 200, is shown whole', () => {
    // 4 strings of 196: 4·(196 + 2 quotes) + 3 separators of 2 + 2 brackets = 800.
    const exactly = Array.from({ length: 4 }, () => 'z'.repeat(196));
    expect(show(exactly)).toHaveLength(800);
    expect(show(exactly).endsWith(']')).toBe(true);
    // {"k":"…"}: 8 characters around a value of 192.
    const json = { k: 'y'.repeat(192) };
    expect(show(json)).toBe(JSON.stringify(json));
    expect(show(json)).toHaveLength(200);
  });

  test('the whole text stops after 800 characters', () => {
    const text = show(Array.from({ length: 10 }, () => 'z'.repeat(150)));
    expect(text.length).toBe(801);
    expect(text.endsWith('…')).toBe(true);
    expect(text.startsWith(`["${'z'.repeat(150)}", `)).toBe(true);
    const fits = Array.from({ length: 4 }, () => 'z'.repeat(150));
    expect(show(fits)).toBe(`[${fits.map((v) => `"${v}"`).join(', ')}]`);
  });

  test('a value that throws while it is read is shown as unprintable, never rethrown', () => {
    const hostile = new Proxy([], {
      get() {
        throw new Error('trap');
      },
    });
    expect(show(hostile)).toBe('(an unprintable value)');
  });
});

describe('the limits themselves are allowed', () => {
  test('a shape of exactly 64 dimensions (MAX_RANK)', () => {
    const shape = new Array(64).fill(1);
    expect(tensor([5], shape).shape).toEqual(shape);
    expect(toNested({ shape, data: new Float32Array([5]) })).toEqual(shape.reduce<unknown>((inner) => [inner], 5));
  });

  test('an empty batch whose one output image holds exactly 2^30 elements: 1·32768·32768', () => {
    const x = tensor([], [0, 1, 32768, 32768]);
    const w = full([1, 1, 1, 1], 1);
    expect(conv2dOutputShape(x.shape, w.shape)).toEqual([0, 1, 32768, 32768]);
    const y = conv2d(x, w);
    expect([y.shape, y.data.length]).toEqual([[0, 1, 32768, 32768], 0]);
  });
});
