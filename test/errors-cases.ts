/**
 * Every "throws ConvError(code) when …" case, one per check and per public
 * function: the call, its code, and the substrings its message must hold
 * besides the function's name. test/errors-checks.test.ts runs them.
 */
import { Conv2d, conv2dOutputShape, sgd, tensor, toNested, type Tensor } from '../src/index.js';
import { full } from './helpers.js';
import { type Case, bad, caseAdder, config, dy, params } from './errors-fixtures.js';
import { kernelCases } from './errors-kernel-cases.js';

/** Every case, in the order the tests list them: tensor, toNested, the kernels, conv2dOutputShape, Conv2d, sgd. */
export const cases: Case[] = [];
const add = caseAdder(cases);

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
// The tensor-taking kernels, public and reference, validate alike (./errors-kernel-cases.ts).
cases.push(...kernelCases);

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
add('Conv2d', 'data-format', "dataFormat is 'nhwc'", layer({ dataFormat: 'nhwc' }), ['"nhwc"', "'NHWC'"]);
add('Conv2d', 'filter-format', "filterFormat is 'IOHW'", layer({ filterFormat: 'IOHW' }), ['"IOHW"', "'HWIO'"]);

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
