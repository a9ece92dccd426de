/**
 * One "throws ConvError(code) when …" test per check and per public function.
 * Each asserts the class, the stable code, and that the message names the
 * function and the offending values. A last test reads the list of codes
 * from src/errors.ts and checks that every one of them is exercised here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  Conv2d,
  conv2dOutputShape,
  sgd,
  tensor,
  toNested,
  type Conv2dConfig,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type Tensor,
} from '../src/index.js';
import { KERNELS, expectConvError, full, snapshot } from './helpers.js';

/** Lets a test pass a value the types forbid, to check the runtime guard. */
const bad = <T>(value: unknown): T => value as T;
/** The upstream gradient of the valid conv2d case below: [1,4,3,3]. */
const dy = (): Tensor => full([1, 4, 3, 3], 1);

interface Case {
  /** The public function, and the prefix its messages carry. */
  fn: string;
  /** How the test names it: `fn`, or `reference.fn` for the reference kernels. */
  label: string;
  code: string;
  when: string;
  run: () => unknown;
  /** Substrings the message must contain besides `${fn}:`. */
  parts: string[];
}

const cases: Case[] = [];
/** '' while adding cases of the public kernels, 'reference.' for the reference ones. */
let kernelPrefix = '';
function add(fn: string, code: string, when: string, run: () => unknown, parts: string[] = []): void {
  cases.push({ fn, label: kernelPrefix + fn, code, when, run, parts });
}

// --- tensor -----------------------------------------------------------------
add('tensor', 'type', 'values is a string', () => tensor(bad('abc')), ['"abc"']);
add('tensor', 'type', 'values is null', () => tensor(bad(null)), ['null']);
add('tensor', 'type', 'a flat array holds a non-number', () => tensor(bad([1, 'a'])), ['values[1]', '"a"']);
add('tensor', 'shape', 'nested arrays are ragged', () => tensor([[1, 2], [3]]), ['ragged', '[3]']);
add('tensor', 'shape', 'nested arrays mix numbers and arrays', () => tensor(bad([[1, 2], 3])), ['ragged', '3']);
add('tensor', 'shape', 'a dimension is negative', () => tensor([1], [-1]), ['-1']);
add('tensor', 'shape', 'a dimension is not an integer', () => tensor([1, 2], [1.5]), ['1.5']);
add(
  'tensor',
  'shape',
  'the given shape contradicts the nesting',
  () =>
    tensor(
      [
        [1, 2],
        [3, 4],
      ],
      [4],
    ),
  ['[2, 2]', '[4]'],
);
add('tensor', 'data-length', 'shape and value count disagree', () => tensor([1, 2, 3], [2, 2]), [
  '[2, 2]',
  '4',
  '3 values',
]);
add('tensor', 'dtype', 'the dtype is unknown', () => tensor([1], [1], bad('float16')), ['"float16"']);
add(
  'tensor',
  'too-large',
  'an array-like claims 2^31 values (refused before reading them)',
  () => tensor(bad({ length: 2 ** 31 })),
  ['2147483648', '2^30'],
);
add(
  'tensor',
  'too-large',
  'a dimension exceeds 2^30 even though the shape holds no elements',
  () => tensor([], [2 ** 31, 0]),
  ['2147483648'],
);
add(
  'tensor',
  'rank',
  'nested values are 65 levels deep',
  () => {
    let v: unknown = 1;
    for (let i = 0; i < 65; i++) v = [v];
    return tensor(bad(v));
  },
  ['64'],
);

// --- toNested ---------------------------------------------------------------
add('toNested', 'type', 'given null', () => toNested(bad(null)), ['null']);
add('toNested', 'type', 'data is a plain array', () => toNested(bad({ shape: [2], data: [1, 2] })), ['t.data']);
add('toNested', 'shape', 'shape is not an array', () => toNested(bad({ shape: 5, data: new Float32Array(1) })), ['5']);
add(
  'toNested',
  'shape',
  'a dimension is fractional',
  () => toNested(bad({ shape: [1.5], data: new Float32Array(1) })),
  ['1.5'],
);
add(
  'toNested',
  'too-large',
  'a dimension exceeds 2^30',
  () => toNested({ shape: [0, 2 ** 31], data: new Float32Array(0) }),
  ['2147483648'],
);
add(
  'toNested',
  'data-length',
  'data is shorter than the shape',
  () => toNested({ shape: [2, 2], data: new Float32Array(3) }),
  ['[2, 2]', '4 elements', '3'],
);

// The tensor-taking kernels, public and reference, validate alike.
for (const kernels of KERNELS) {
  kernelPrefix = kernels.name === 'public' ? '' : 'reference.';
  const { corr2d, conv2d, conv2dBackward, convTranspose2d } = kernels;
  // --- corr2d -----------------------------------------------------------------
  const X = (): Tensor => full([3, 3], 1);
  const K = (): Tensor => full([2, 2], 1);
  add('corr2d', 'type', 'X is null', () => corr2d(bad(null), K()), ['X', 'null']);
  add('corr2d', 'type', 'K is not a tensor', () => corr2d(X(), bad([[1]])), ['K.data']);
  add('corr2d', 'rank', 'X is 1-D', () => corr2d(full([3], 1), K()), ['2D', 'X', '[3]']);
  add('corr2d', 'rank', 'K is 3-D', () => corr2d(X(), full([1, 2, 2], 1)), ['2D', 'K', '[1, 2, 2]']);
  add('corr2d', 'shape', 'X has a zero-sized dimension', () => corr2d(tensor([], [0, 3]), K()), ['[1, 1, 0, 3]']);
  add(
    'corr2d',
    'data-length',
    'X.data does not match X.shape',
    () => corr2d({ shape: [3, 3], data: new Float32Array(8) }, K()),
    ['[3, 3]', '9 elements', '8'],
  );
  add('corr2d', 'dtype', 'X is float64 and K float32', () => corr2d(full([3, 3], 1, 'float64'), K()), [
    'float64',
    'float32',
  ]);
  add('corr2d', 'kernel-too-large', 'K is larger than X', () => corr2d(full([2, 2], 1), full([3, 3], 1)), [
    '(2 x 2)',
    '(3 x 3)',
  ]);

  // --- conv2d, conv2dBackward, conv2dOutputShape: the shared option checks -------
  // x [1,2,5,5], w [4,2,3,3]: valid output [1,4,3,3].
  const x = (): Tensor => full([1, 2, 5, 5], 1);
  const w = (): Tensor => full([4, 2, 3, 3], 1);
  type Call = (input: Tensor, weight: Tensor, options?: Conv2dOptions) => unknown;
  const callers: Array<[string, Call]> = [
    ['conv2d', (i, k, o) => conv2d(i, k, o)],
    ['conv2dBackward', (i, k, o) => conv2dBackward(dy(), i, k, o)],
    ...(kernels.name === 'public'
      ? [['conv2dOutputShape', (i, k, o) => conv2dOutputShape(i.shape, k.shape, o)] as [string, Call]]
      : []),
  ];
  for (const [fn, call] of callers) {
    const withOptions = (options: unknown) => (): unknown => call(x(), w(), bad(options));
    add(fn, 'rank', 'the input is 2-D', () => call(full([5, 5], 1), w()), ['3D (unbatched) or 4D (batched)', '[5, 5]']);
    add(fn, 'rank', 'the input is 5-D', () => call(full([1, 1, 2, 5, 5], 1), w()), ['[1, 1, 2, 5, 5]']);
    add(fn, 'rank', 'the weight is 3-D', () => call(x(), full([4, 2, 3], 1)), ['4D weight', '[4, 2, 3]']);
    add(fn, 'shape', 'the input has zero channels', () => call(tensor([], [1, 0, 5, 5]), w()), [
      '[1, 0, 5, 5]',
      'only the batch',
    ]);
    add(fn, 'shape', 'the input has zero height', () => call(tensor([], [1, 2, 0, 5]), w()), ['[1, 2, 0, 5]']);
    add(fn, 'shape', 'the weight has a zero-sized kernel', () => call(x(), tensor([], [4, 2, 0, 3])), ['[4, 2, 0, 3]']);
    add(fn, 'channels', 'the weight expects 2 channels and the input has 3', () => call(full([1, 3, 5, 5], 1), w()), [
      'groups=1',
      '[4, 2, 3, 3]',
      'input[1, 3, 5, 5]',
      'to have 2 channels',
      'got 3 channels',
    ]);
    add(
      fn,
      'channels',
      "groups=3, weight [6,1,3,3], input [1,4,5,5] (PyTorch's example)",
      () => call(full([1, 4, 5, 5], 1), full([6, 1, 3, 3], 1), { groups: 3 }),
      ['groups=3', '[6, 1, 3, 3]', 'to have 3 channels', 'got 4'],
    );
    add(
      fn,
      'groups',
      'out channels 3 are not divisible by groups=2',
      () => call(full([1, 2, 5, 5], 1), full([3, 1, 3, 3], 1), { groups: 2 }),
      ['out channels 3', 'groups=2'],
    );
    add(fn, 'groups', 'groups is 0', withOptions({ groups: 0 }), ['groups', '0']);
    add(fn, 'groups', 'groups is 1.5', withOptions({ groups: 1.5 }), ['1.5']);
    add(fn, 'groups', 'groups is a string', withOptions({ groups: '2' }), ['"2"']);
    add(fn, 'stride', 'stride is 0', withOptions({ stride: 0 }), ['stride', 'positive', '0']);
    add(fn, 'stride', 'stride is negative', withOptions({ stride: -1 }), ['-1']);
    add(fn, 'stride', 'stride is fractional', withOptions({ stride: 1.5 }), ['1.5']);
    add(fn, 'stride', 'stride is NaN', withOptions({ stride: NaN }), ['NaN']);
    add(fn, 'stride', 'stride is [1, 0]', withOptions({ stride: [1, 0] }), ['[1, 0]']);
    add(fn, 'stride', 'stride has one entry', withOptions({ stride: [2] }), ['[2]']);
    add(fn, 'dilation', 'dilation is 0', withOptions({ dilation: 0 }), ['dilation', '0']);
    add(fn, 'dilation', 'dilation is [2, -1]', withOptions({ dilation: [2, -1] }), ['[2, -1]']);
    add(fn, 'padding', 'padding is negative', withOptions({ padding: -1 }), [
      '-1',
      'negative padding is not supported',
    ]);
    add(fn, 'padding', 'padding is [1, -1]', withOptions({ padding: [1, -1] }), ['[1, -1]']);
    add(
      fn,
      'padding',
      'explicit padding has a negative side',
      withOptions({
        padding: [
          [1, 2],
          [3, -1],
        ],
      }),
      ['[[1, 2], [3, -1]]'],
    );
    add(fn, 'padding', 'explicit padding is missing an axis', withOptions({ padding: [[1, 2]] }), ['[[1, 2]]']);
    add(fn, 'padding', 'padding is fractional', withOptions({ padding: 0.5 }), ['0.5']);
    add(fn, 'padding', "padding is 'SAME' (upper case)", withOptions({ padding: 'SAME' }), ['"SAME"', "'same'"]);
    add(fn, 'padding', "padding is 'full'", withOptions({ padding: 'full' }), ['"full"']);
    add(fn, 'padding', 'reflect padding equals the input size', withOptions({ padding: 5, paddingMode: 'reflect' }), [
      "'reflect'",
      'less than',
      '5',
      '(5, 5)',
    ]);
    add(
      fn,
      'padding',
      'circular padding exceeds the input size',
      withOptions({ padding: [0, 6], paddingMode: 'circular' }),
      ["'circular'", 'at most', 'width 5', '(6, 6)'],
    );
    add(
      fn,
      'padding',
      "reflect with 'same' needs a pad as large as the input",
      () => call(full([1, 2, 2, 2], 1), full([4, 2, 4, 4], 1), { padding: 'same', paddingMode: 'reflect' }),
      ["'reflect'", '(1, 2)'],
    );
    add(fn, 'padding-mode', "paddingMode is 'mirror'", withOptions({ paddingMode: 'mirror' }), [
      '"mirror"',
      "'reflect'",
    ]);
    add(fn, 'kernel-too-large', 'the kernel is larger than the input', () => call(x(), full([4, 2, 6, 6], 1)), [
      '(5 x 5)',
      '(6 x 6)',
    ]);
    add(fn, 'kernel-too-large', 'the dilated kernel is larger than the input', withOptions({ dilation: 3 }), [
      '(5 x 5)',
      '(7 x 7) (dilated)',
    ]);
    add(
      fn,
      'kernel-too-large',
      'stride and padding cannot rescue a kernel wider than the padded input',
      () => call(x(), full([4, 2, 1, 8], 1), { padding: [0, 1], stride: 2 }),
      ['(5 x 7)', '(1 x 8)'],
    );
    add(fn, 'bias', 'bias has 3 entries for 4 output channels', withOptions({ bias: full([3], 1) }), ['[4]', '[3]']);
    add(fn, 'bias', 'bias is 2-D', withOptions({ bias: full([1, 4], 1) }), ['[4]', '[1, 4]']);
    add(fn, 'type', 'bias is not a tensor', withOptions({ bias: 'abc' }), ['bias']);
    add(fn, 'option', 'options is a string', withOptions('same'), ['options must be an object', '"same"']);
    add(fn, 'option', 'options is an array', withOptions([1]), ['[1]']);
    add(fn, 'option', 'an option name is misspelled', withOptions({ padding_mode: 'reflect' }), [
      '"padding_mode"',
      'paddingMode',
    ]);
    add(fn, 'option', 'a transposed-only option is given', withOptions({ outputPadding: 1 }), ['"outputPadding"']);
    add(
      fn,
      'too-large',
      'padding 20000 on a 1×1 input asks for 40001² outputs',
      () => call(full([1, 1, 1, 1], 1), full([1, 1, 1, 1], 1), { padding: 20000 }),
      ['[1, 1, 40001, 40001]', '1600080001', '2^30'],
    );
  }

  // Tensor checks of the functions that take tensors.
  for (const [fn, call] of callers.slice(0, 2)) {
    add(fn, 'type', 'the input is null', () => call(bad(null), w()), ['input', 'null']);
    add(fn, 'type', 'the weight data is a plain array', () => call(x(), bad({ shape: [1, 1, 1, 1], data: [1] })), [
      'weight.data',
    ]);
    add(
      fn,
      'data-length',
      'the input data is shorter than its shape',
      () => call({ shape: [1, 2, 5, 5], data: new Float32Array(49) }, w()),
      ['input', '[1, 2, 5, 5]', '50 elements', '49'],
    );
    add(fn, 'dtype', 'the weight is float64 and the input float32', () => call(x(), full([4, 2, 3, 3], 1, 'float64')), [
      'weight is float64',
      'input is float32',
    ]);
    add(
      fn,
      'dtype',
      'the bias is float64 and the input float32',
      () => call(x(), w(), { bias: full([4], 1, 'float64') }),
      ['bias is float64'],
    );
  }

  // conv2dBackward's own check: the upstream gradient.
  add(
    'conv2dBackward',
    'grad-output',
    'gradOutput is [1,4,3,2] instead of [1,4,3,3]',
    () => conv2dBackward(full([1, 4, 3, 2], 1), x(), w()),
    ['[1, 4, 3, 3]', '[1, 4, 3, 2]'],
  );
  add(
    'conv2dBackward',
    'grad-output',
    'gradOutput is unbatched for a batched input',
    () => conv2dBackward(full([4, 3, 3], 1), x(), w()),
    ['[1, 4, 3, 3]', '[4, 3, 3]'],
  );
  add(
    'conv2dBackward',
    'grad-output',
    'gradOutput ignores the stride',
    () => conv2dBackward(dy(), x(), w(), { stride: 2 }),
    ['[1, 4, 2, 2]', '[1, 4, 3, 3]'],
  );
  add('conv2dBackward', 'type', 'gradOutput is null', () => conv2dBackward(bad(null), x(), w()), [
    'gradOutput',
    'null',
  ]);
  add(
    'conv2dBackward',
    'data-length',
    'gradOutput data is too short',
    () => conv2dBackward({ shape: [1, 4, 3, 3], data: new Float32Array(5) }, x(), w()),
    ['gradOutput', '36 elements', '5'],
  );
  add(
    'conv2dBackward',
    'dtype',
    'gradOutput is float64 for float32 tensors',
    () => conv2dBackward(full([1, 4, 3, 3], 1, 'float64'), x(), w()),
    ['gradOutput is float64'],
  );

  // --- convTranspose2d: x [1,4,3,3], weight [4,2,3,3] → O = 2·groups ---------
  const tx = (): Tensor => full([1, 4, 3, 3], 1);
  const tw = (): Tensor => full([4, 2, 3, 3], 1);
  const transpose = (options: unknown) => (): unknown =>
    convTranspose2d(tx(), tw(), bad<ConvTranspose2dOptions>(options));
  add('convTranspose2d', 'type', 'the input is null', () => convTranspose2d(bad(null), tw()), ['input', 'null']);
  add(
    'convTranspose2d',
    'type',
    'the weight data is a plain array',
    () => convTranspose2d(tx(), bad({ shape: [1], data: [1] })),
    ['weight.data'],
  );
  add('convTranspose2d', 'rank', 'the input is 2-D', () => convTranspose2d(full([3, 3], 1), tw()), ['[3, 3]']);
  add('convTranspose2d', 'rank', 'the weight is 3-D', () => convTranspose2d(tx(), full([4, 2, 3], 1)), ['[4, 2, 3]']);
  add('convTranspose2d', 'shape', 'the input has zero width', () => convTranspose2d(tensor([], [1, 4, 3, 0]), tw()), [
    '[1, 4, 3, 0]',
  ]);
  add(
    'convTranspose2d',
    'shape',
    'the weight has zero output channels',
    () => convTranspose2d(tx(), tensor([], [4, 0, 3, 3])),
    ['[4, 0, 3, 3]'],
  );
  add(
    'convTranspose2d',
    'data-length',
    'the weight data is too short',
    () => convTranspose2d(tx(), { shape: [4, 2, 3, 3], data: new Float32Array(71) }),
    ['weight', '72 elements', '71'],
  );
  add(
    'convTranspose2d',
    'dtype',
    'the weight is float64 and the input float32',
    () => convTranspose2d(tx(), full([4, 2, 3, 3], 1, 'float64')),
    ['weight is float64'],
  );
  add(
    'convTranspose2d',
    'dtype',
    'the bias is float64 and the input float32',
    transpose({ bias: full([2], 1, 'float64') }),
    ['bias is float64'],
  );
  add(
    'convTranspose2d',
    'channels',
    'the weight is for 3 input channels and the input has 4',
    () => convTranspose2d(tx(), full([3, 2, 3, 3], 1)),
    ['[3, 2, 3, 3]', '3 channels', 'got 4'],
  );
  add('convTranspose2d', 'groups', 'input channels 4 are not divisible by groups=3', transpose({ groups: 3 }), [
    '4',
    'groups=3',
  ]);
  add('convTranspose2d', 'groups', 'groups is 0', transpose({ groups: 0 }), ['0']);
  add('convTranspose2d', 'stride', 'stride is 0', transpose({ stride: 0 }), ['stride', '0']);
  add('convTranspose2d', 'dilation', 'dilation is [1, 0]', transpose({ dilation: [1, 0] }), ['[1, 0]']);
  add('convTranspose2d', 'padding', "padding is 'same'", transpose({ padding: 'same' }), ['"same"', 'transposed']);
  add('convTranspose2d', 'padding', 'padding is negative', transpose({ padding: -1 }), ['-1']);
  add(
    'convTranspose2d',
    'padding',
    'padding crops the whole output',
    () =>
      convTranspose2d(full([1, 1, 1, 1], 1), full([1, 1, 1, 1], 1), {
        padding: [
          [1, 0],
          [0, 0],
        ],
      }),
    ['[[1, 0], [0, 0]]', '0 x 1'],
  );
  add(
    'convTranspose2d',
    'output-padding',
    'outputPadding equals the stride',
    transpose({ stride: 2, outputPadding: 2 }),
    ['outputPadding [2, 2]', 'stride [2, 2]', 'dilation [1, 1]'],
  );
  add(
    'convTranspose2d',
    'output-padding',
    'outputPadding is 1 with stride 1 and dilation 1',
    transpose({ outputPadding: [0, 1] }),
    ['[0, 1]'],
  );
  add(
    'convTranspose2d',
    'output-padding',
    'outputPadding reaches max(stride, dilation) on one axis',
    transpose({
      stride: [1, 2],
      dilation: [3, 1],
      outputPadding: [3, 1],
    }),
    ['[3, 1]', 'stride [1, 2]', 'dilation [3, 1]'],
  );
  add('convTranspose2d', 'output-padding', 'outputPadding is negative', transpose({ outputPadding: -1 }), ['-1']);
  add('convTranspose2d', 'bias', 'bias has 4 entries for 2 output channels', transpose({ bias: full([4], 1) }), [
    '[2]',
    '[4]',
  ]);
  add('convTranspose2d', 'option', 'paddingMode is given (transposed has none)', transpose({ paddingMode: 'zeros' }), [
    '"paddingMode"',
    'outputPadding',
  ]);
  add('convTranspose2d', 'option', 'options is a number', transpose(5), ['5']);
  add(
    'convTranspose2d',
    'too-large',
    'stride 40000 on a 2×2 input asks for 40001² outputs',
    () => convTranspose2d(full([1, 1, 2, 2], 1), full([1, 1, 1, 1], 1), { stride: 40000 }),
    ['[1, 1, 40001, 40001]', '2^30'],
  );
}
kernelPrefix = '';

// conv2dOutputShape's own checks: shapes as plain arrays.
add('conv2dOutputShape', 'shape', 'inputShape is a string', () => conv2dOutputShape(bad('1,1,5,5'), [1, 1, 3, 3]), [
  'inputShape',
  '"1,1,5,5"',
]);
add('conv2dOutputShape', 'shape', 'weightShape is null', () => conv2dOutputShape([1, 1, 5, 5], bad(null)), [
  'weightShape',
  'null',
]);
add('conv2dOutputShape', 'shape', 'a dimension is negative', () => conv2dOutputShape([1, -1, 5, 5], [1, 1, 3, 3]), [
  '-1',
]);
add('conv2dOutputShape', 'shape', 'a dimension is fractional', () => conv2dOutputShape([1, 1, 5.5, 5], [1, 1, 3, 3]), [
  '5.5',
]);
add(
  'conv2dOutputShape',
  'too-large',
  'the batch of 10^6 images of 1000×1000 is asked for',
  () => conv2dOutputShape([1e6, 1, 1000, 1000], [1, 1, 1, 1]),
  ['[1000000, 1, 1000, 1000]', '2^30'],
);
add(
  'conv2dOutputShape',
  'too-large',
  'the output has ~10^24 elements (no overflow to a small number)',
  () => conv2dOutputShape([2 ** 40, 1, 2 ** 20, 2 ** 20], [1, 1, 1, 1]),
  ['[1099511627776, 1, 1048576, 1048576]'],
);

// --- Conv2d -----------------------------------------------------------------
const config = (extra: Record<string, unknown>): Conv2dConfig =>
  bad({ inChannels: 2, outChannels: 4, kernelSize: 3, seed: 1, ...extra });
const layer = (extra: Record<string, unknown>) => (): unknown => new Conv2d(config(extra));
add('Conv2d', 'option', 'the config is null', () => new Conv2d(bad(null)), ['null']);
add('Conv2d', 'option', 'a config key is misspelled', layer({ kernel_size: 3 }), ['"kernel_size"', 'kernelSize']);
add('Conv2d', 'option', 'bias is not a boolean', layer({ bias: 'yes' }), ['"yes"']);
add('Conv2d', 'option', 'the seed is NaN', layer({ seed: NaN }), ['NaN']);
add('Conv2d', 'shape', 'inChannels is 0', layer({ inChannels: 0 }), ['inChannels', '0']);
add('Conv2d', 'shape', 'outChannels is fractional', layer({ outChannels: 1.5 }), ['outChannels', '1.5']);
add('Conv2d', 'shape', 'kernelSize is 0', layer({ kernelSize: 0 }), ['kernelSize', '0']);
add('Conv2d', 'shape', 'kernelSize is [3, 0]', layer({ kernelSize: [3, 0] }), ['kernelSize', '0']);
add('Conv2d', 'shape', 'kernelSize is missing', layer({ kernelSize: undefined }), ['kernelSize']);
add('Conv2d', 'shape', 'kernelSize has three entries', layer({ kernelSize: [3, 3, 3] }), ['kernelSize', '[3, 3, 3]']);
add('Conv2d', 'groups', 'groups is 0', layer({ groups: 0 }), ['groups', '0']);
add('Conv2d', 'groups', 'inChannels 2 are not divisible by groups=4', layer({ groups: 4 }), [
  'inChannels 2',
  'groups=4',
]);
add('Conv2d', 'dtype', "dtype is 'float16'", layer({ dtype: 'float16' }), ['"float16"']);
add('Conv2d', 'stride', 'stride is 0', layer({ stride: 0 }), ['stride', '0']);
add('Conv2d', 'padding', 'padding is negative', layer({ padding: -2 }), ['-2']);
add('Conv2d', 'dilation', 'dilation is 0', layer({ dilation: 0 }), ['dilation', '0']);
add('Conv2d', 'padding-mode', "paddingMode is 'mirror'", layer({ paddingMode: 'mirror' }), ['"mirror"']);

// Conv2d.forward reports through conv2d, whose name its messages carry.
const fwd = (extra: Record<string, unknown>, input: Tensor) => (): unknown => new Conv2d(config(extra)).forward(input);
add('conv2d', 'channels', 'Conv2d.forward gets 3 channels for inChannels 2', fwd({}, full([1, 3, 5, 5], 1)), [
  '2 channels',
  'got 3',
]);
add('conv2d', 'rank', 'Conv2d.forward gets a 2-D image', fwd({}, full([5, 5], 1)), ['[5, 5]']);
add('conv2d', 'type', 'Conv2d.forward gets null', fwd({}, bad(null)), ['null']);
add('conv2d', 'dtype', 'Conv2d.forward gets float64 for a float32 layer', fwd({}, full([1, 2, 5, 5], 1, 'float64')), [
  'float32',
  'float64',
]);
add(
  'conv2d',
  'kernel-too-large',
  'Conv2d.forward gets an image smaller than the kernel',
  fwd({}, full([1, 2, 2, 2], 1)),
  ['(2 x 2)', '(3 x 3)'],
);
add(
  'conv2d',
  'padding',
  'Conv2d.forward with reflect padding 3 gets a 3×3 image',
  fwd({ padding: 3, paddingMode: 'reflect' }, full([1, 2, 3, 3], 1)),
  ["'reflect'", '(3, 3)'],
);

const trained = (): Conv2d => {
  const l = new Conv2d(config({}));
  l.forward(full([1, 2, 5, 5], 1));
  return l;
};
add('Conv2d.backward', 'state', 'backward is called before forward', () => new Conv2d(config({})).backward(dy()), [
  'forward(x) before backward',
]);
add(
  'conv2dBackward',
  'grad-output',
  'Conv2d.backward gets a gradient of the wrong shape',
  () => trained().backward(full([1, 4, 2, 2], 1)),
  ['[1, 4, 3, 3]', '[1, 4, 2, 2]'],
);
add(
  'conv2dBackward',
  'dtype',
  'Conv2d.backward gets a float64 gradient for a float32 layer',
  () => trained().backward(full([1, 4, 3, 3], 1, 'float64')),
  ['gradOutput is float64'],
);

// --- sgd ----------------------------------------------------------------------
const params = () => new Conv2d(config({})).parameters();
add('sgd', 'option', 'lr is NaN', () => sgd(params(), NaN), ['lr', 'NaN']);
add('sgd', 'option', 'lr is Infinity', () => sgd(params(), Infinity), ['Infinity']);
add('sgd', 'option', 'lr is a string', () => sgd(params(), bad('0.1')), ['"0.1"']);
add('sgd', 'type', 'parameters is not an array', () => sgd(bad(null), 0.1), ['parameters', 'null']);
add('sgd', 'type', 'a parameter is a plain tensor without grad', () => sgd(bad([full([2], 1)]), 0.1), [
  'parameters[0]',
  'grad',
]);
add(
  'sgd',
  'type',
  "a parameter's grad has the wrong length",
  () => sgd(bad([{ shape: [2], data: new Float32Array(2), grad: new Float32Array(3) }]), 0.1),
  ['parameters[0]', '3', '2'],
);

describe('every check throws ConvError with its code, naming the function and the values', () => {
  for (const { fn, label, code, when, run, parts } of cases) {
    test(`${label} throws ConvError(${code}) when ${when}`, () => {
      expectConvError(run, code, [`${fn}: `, ...parts]);
    });
  }
});

describe('refusals happen before any work', () => {
  test('sgd with one bad parameter changes none of the others', () => {
    const good = params();
    const before = good.map(snapshot);
    good[0].grad.fill(1);
    expectConvError(() => sgd([...good, bad({ shape: [1], data: new Float32Array(1) })], 0.1), 'type');
    expect(good.map(snapshot)).toEqual(before);
  });

  test('a failed Conv2d.forward leaves backward refusing (no half-saved state)', () => {
    const l = new Conv2d(config({}));
    expectConvError(() => l.forward(full([1, 3, 5, 5], 1)), 'channels');
    expectConvError(() => l.backward(dy()), 'state');
  });
});

describe('coverage of the error codes', () => {
  test('every code declared in src/errors.ts is exercised above', () => {
    const source = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');
    const union = /export type ConvErrorCode =([\s\S]*?);/.exec(source);
    expect(union).not.toBeNull();
    const declared = [...union![1].matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThanOrEqual(18);
    const used = new Set(cases.map((c) => c.code));
    expect(declared.filter((code) => !used.has(code))).toEqual([]);
  });
});
