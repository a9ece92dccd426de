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
  conv2d,
  conv2dBackward,
  conv2dOutputShape,
  convTranspose2d,
  corr2d,
  sgd,
  tensor,
  toNested,
  type Conv2dConfig,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type Tensor,
} from '../src/index.js';
import { ConvError, show } from '../src/errors.js';
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

// --- whole messages ------------------------------------------------------------
// One call per code, and its message word for word (written from the rule each
// check states): the function, the offending values, and the fix or the rule.
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
    'conv2d: stride must be a number or [h, w] pair of positive integers (at most 2^30), got 0',
  ],
  [
    'dilation',
    () => conv2d(x25(), w4(), { dilation: [1, 0] }),
    'conv2d: dilation must be a number or [h, w] pair of positive integers (at most 2^30), got [1, 0]',
  ],
  [
    'padding',
    () => conv2d(x25(), w4(), { padding: -1 }),
    'conv2d: padding must be a non-negative integer, [ph, pw] or [[top, bottom], [left, right]] of ' +
      'non-negative integers (at most 2^30), got -1 (negative padding is not supported)',
  ],
  [
    'padding-mode',
    () => conv2d(x25(), w4(), bad({ paddingMode: 'wrap' })),
    `conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got "wrap"`,
  ],
  [
    'output-padding',
    () => convTranspose2d(x25(), full([2, 1, 3, 3], 1), { stride: 2, outputPadding: 2 }),
    'convTranspose2d: output padding must be smaller than either stride or dilation, got outputPadding [2, 2] ' +
      'with stride [2, 2] and dilation [1, 1]; lower it below the larger of the two on each axis',
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
    'conv2d: unknown option "strides"; the options are bias, stride, padding, dilation, groups, paddingMode',
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
      'dilation, groups, bias, paddingMode, dtype, seed, backend',
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
