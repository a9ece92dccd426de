/**
 * The "throws ConvError(code) when …" cases of the tensor-taking kernels,
 * public and reference (their names carry `reference.`), one per check:
 * corr2d, the option checks conv2d, conv2dBackward and conv2dOutputShape
 * share, conv2dBackward's own, and convTranspose2d's. ./errors-cases.ts
 * gathers them with the others.
 */
import {
  conv2dOutputShape,
  tensor,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type Tensor,
} from '../src/index.js';
import { KERNELS, full } from './helpers.js';
import { type Case, bad, caseAdder, dy } from './errors-fixtures.js';

/** The cases of corr2d, conv2d, conv2dBackward and convTranspose2d, first on the public kernels, then on the reference ones. */
export const kernelCases: Case[] = [];
// The tensor-taking kernels, public and reference, validate alike.
for (const kernels of KERNELS) {
  const add = caseAdder(kernelCases, kernels.name === 'public' ? '' : 'reference.');
  const { corr2d, conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward } = kernels;
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
    add(fn, 'data-format', "dataFormat is 'NWHC'", withOptions({ dataFormat: 'NWHC' }), [
      'dataFormat',
      '"NWHC"',
      "'NCHW', 'NHWC'",
    ]);
    add(fn, 'filter-format', "filterFormat is 'hwio' (lower case)", withOptions({ filterFormat: 'hwio' }), [
      'filterFormat',
      '"hwio"',
      "'OIHW', 'HWIO'",
    ]);
    add(fn, 'data-format', 'dataFormat is a number', withOptions({ dataFormat: 1 }), ['got 1']);
    add(fn, 'rank', 'an NHWC input is 2-D', () => call(full([5, 5], 1), w(), { dataFormat: 'NHWC' }), [
      '[5, 5]',
      '[H, W, C] for one image',
      '[N, H, W, C] for a batch',
      "dataFormat 'NHWC'",
    ]);
    add(fn, 'rank', 'an HWIO weight is 3-D', () => call(x(), full([3, 3, 2], 1), { filterFormat: 'HWIO' }), [
      '[KH, KW, in/groups, out]',
      "filterFormat 'HWIO'",
      '[3, 3, 2]',
      '[KH, KW, 1, 1]',
    ]);
    add(
      fn,
      'channels',
      'an NHWC input has 3 channels (last) where the HWIO weight expects 2',
      () => call(full([1, 5, 5, 3], 1), full([3, 3, 2, 4], 1), { dataFormat: 'NHWC', filterFormat: 'HWIO' }),
      [
        'input[1, 5, 5, 3]',
        'to have 2 channels',
        'got 3 channels',
        'its last dimension',
        "third dimension (filterFormat 'HWIO')",
      ],
    );
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
  add('convTranspose2d', 'padding', "padding is 'full'", transpose({ padding: 'full' }), [
    '"full"',
    'transposed',
    "'same-lower'",
  ]);
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
  add(
    'convTranspose2d',
    'output-size',
    'outputSize [7, 7] is above what stride 2 and padding 1 reach (5 or 6)',
    transpose({ stride: 2, padding: 1, outputSize: [7, 7] }),
    ['outputSize [7, 7]', 'cannot be reached', 'height is 5 or 6', 'stride 2'],
  );
  add(
    'convTranspose2d',
    'output-size',
    'outputSize [5, 4] is below the width stride 2 and padding 1 reach',
    transpose({ stride: 2, padding: 1, outputSize: [5, 4] }),
    ['outputSize [5, 4]', 'width is 5 or 6'],
  );
  add(
    'convTranspose2d',
    'output-size',
    "outputSize [9, 9] with padding 'same' and stride 2 (at most 8)",
    transpose({ stride: 2, padding: 'same', outputSize: [9, 9] }),
    ['outputSize [9, 9]', "padding 'same-upper'", 'height is 1 to 8'],
  );
  add('convTranspose2d', 'output-size', 'outputSize has one entry', transpose({ outputSize: [7] }), [
    '[7]',
    '[h, w] array',
  ]);
  add('convTranspose2d', 'output-size', 'outputSize is a number', transpose({ outputSize: 7 }), ['got 7']);
  add(
    'convTranspose2d',
    'output-size',
    'outputSize and outputPadding are both given',
    transpose({ stride: 2, outputSize: [8, 8], outputPadding: 1 }),
    ['outputSize [8, 8]', 'outputPadding 1', 'give one'],
  );
  add('convTranspose2d', 'bias', 'bias has 4 entries for 2 output channels', transpose({ bias: full([4], 1) }), [
    '[2]',
    '[4]',
  ]);
  add('convTranspose2d', 'option', 'paddingMode is given (transposed has none)', transpose({ paddingMode: 'zeros' }), [
    '"paddingMode"',
    'outputPadding',
  ]);
  add('convTranspose2d', 'option', 'options is a number', transpose(5), ['5']);
  add('convTranspose2d', 'data-format', "dataFormat is 'channelsLast'", transpose({ dataFormat: 'channelsLast' }), [
    '"channelsLast"',
    "'NCHW', 'NHWC'",
  ]);
  add('convTranspose2d', 'filter-format', "filterFormat is 'HWOI'", transpose({ filterFormat: 'HWOI' }), [
    '"HWOI"',
    "'OIHW', 'HWIO'",
  ]);
  add(
    'convTranspose2d',
    'channels',
    'an NHWC input has 3 channels where the HWIO weight [KH, KW, O/g, C] has 2',
    () => convTranspose2d(full([1, 4, 4, 3], 1), full([3, 3, 1, 2], 1), { dataFormat: 'NHWC', filterFormat: 'HWIO' }),
    ['input[1, 4, 4, 3]', 'to have 2 channels', 'got 3', "last dimension (filterFormat 'HWIO')", 'its last dimension'],
  );
  add(
    'convTranspose2d',
    'rank',
    'an HWIO transposed weight is 2-D',
    () => convTranspose2d(full([1, 2, 4, 4], 1), full([3, 3], 1), { filterFormat: 'HWIO' }),
    ['[KH, KW, out/groups, in]', "filterFormat 'HWIO'"],
  );
  add(
    'convTranspose2d',
    'too-large',
    'stride 40000 on a 2×2 input asks for 40001² outputs',
    () => convTranspose2d(full([1, 1, 2, 2], 1), full([1, 1, 1, 1], 1), { stride: 40000 }),
    ['[1, 1, 40001, 40001]', '2^30'],
  );

  // --- convTranspose2dBackward: the forward's checks (named for it), then gradOutput's ---
  // x [1,4,3,3], weight [4,2,3,3]: output [1,2,5,5].
  const tdy = (): Tensor => full([1, 2, 5, 5], 1);
  add(
    'convTranspose2dBackward',
    'grad-output',
    'gradOutput is [1, 2, 3, 3] for the output [1, 2, 5, 5]',
    () => convTranspose2dBackward(full([1, 2, 3, 3], 1), tx(), tw()),
    ['[1, 2, 5, 5]', 'got [1, 2, 3, 3]'],
  );
  add(
    'convTranspose2dBackward',
    'dtype',
    'gradOutput is float64 for float32 tensors',
    () => convTranspose2dBackward(full([1, 2, 5, 5], 1, 'float64'), tx(), tw()),
    ['gradOutput is float64'],
  );
  add('convTranspose2dBackward', 'type', 'gradOutput is null', () => convTranspose2dBackward(bad(null), tx(), tw()), [
    'gradOutput',
    'null',
  ]);
  add(
    'convTranspose2dBackward',
    'output-padding',
    'outputPadding equals the stride',
    () => convTranspose2dBackward(tdy(), tx(), tw(), { stride: 2, outputPadding: 2 }),
    ['outputPadding [2, 2]'],
  );
  add(
    'convTranspose2dBackward',
    'channels',
    'the weight is for 3 input channels and the input has 4',
    () => convTranspose2dBackward(tdy(), tx(), full([3, 2, 3, 3], 1)),
    ['[3, 2, 3, 3]', 'got 4'],
  );
  add(
    'convTranspose2dBackward',
    'grad-output',
    'an NHWC gradOutput laid out as NCHW: [1, 2, 5, 5] for the output [1, 5, 5, 2]',
    () =>
      convTranspose2dBackward(tdy(), full([1, 3, 3, 4], 1), full([3, 3, 2, 4], 1), {
        dataFormat: 'NHWC',
        filterFormat: 'HWIO',
      }),
    ['[1, 5, 5, 2]', 'got [1, 2, 5, 5]'],
  );
  add(
    'convTranspose2dBackward',
    'data-format',
    "dataFormat is 'NHCW'",
    () => convTranspose2dBackward(tdy(), tx(), tw(), bad({ dataFormat: 'NHCW' })),
    ['"NHCW"', "'NCHW', 'NHWC'"],
  );
}
