/**
 * The option rules of conv2d and convTranspose2d, as one table.
 *
 * One row per option: the option sets that take it, the values it accepts,
 * what an absent option stands for, the `ConvError` code refusing a bad
 * value and the fix its message ends with. The parsers in geometry.ts read
 * these rows, and convproof's error-contract fuzzer (test/fuzz) derives its
 * bad values and expected codes from the same rows. Adding an option or a
 * padding name starts here; the compiler then points at the parser to extend.
 */
import { show, type ConvErrorCode } from './errors.js';
import type { PaddingMode } from './geometry.js';
import { MAX_ELEMENTS } from './tensor.js';

/**
 * The option sets the table describes: `conv2d`'s (also taken by
 * `conv2dBackward`, `conv2dOutputShape` and the `Conv2d` layer) and
 * `convTranspose2d`'s.
 * @example optionNames('conv2d' satisfies OptionSet)
 */
export type OptionSet = 'conv2d' | 'convTranspose2d';

/**
 * The largest integer any option accepts (2^30): a larger stride, pad or
 * group count fits no allocatable image, and the cap keeps size sums exact.
 */
export const OPTION_MAX = MAX_ELEMENTS;

/**
 * The values an option accepts. Every integer lies in `[min, OPTION_MAX]`.
 * - `integer`: one integer;
 * - `pair`: one integer for both axes, or an `[h, w]` array of two;
 * - `padding`: `p`, `[ph, pw]` or `[[top, bottom], [left, right]]`, or one
 *   of the names the option set takes (case matters);
 * - `name`: one of `names` (case matters);
 * - `size`: an `[h, w]` array of two integers (no single number);
 * - `tensor`: a tensor of shape `[O]`, or `null`.
 */
export type OptionForm =
  | { readonly kind: 'integer' | 'pair' | 'size'; readonly min: number }
  | { readonly kind: 'padding'; readonly min: number; readonly names: Readonly<Record<OptionSet, readonly string[]>> }
  | { readonly kind: 'name'; readonly names: readonly string[] }
  | { readonly kind: 'tensor' };

/**
 * One option's rule.
 * @example OPTION_RULES.stride // { sets: ['conv2d', 'convTranspose2d'], form: { kind: 'pair', min: 1 }, default: 1, … }
 */
export interface OptionRule {
  /** The option sets that take it. */
  readonly sets: readonly OptionSet[];
  readonly form: OptionForm;
  /** What an absent (or `undefined`) option stands for (per axis, for pairs and padding). */
  readonly default: number | string | null;
  /** The code of the `ConvError` refusing a bad value. */
  readonly code: ConvErrorCode;
  /** The fix a refusal's message ends with. */
  readonly fix: string;
  /** Options whose largest value this one must stay below, per axis (outputPadding's range). */
  readonly below?: readonly ('stride' | 'dilation')[];
}

/** One key per padding mode (the compiler checks both ways that every `PaddingMode` is here, and nothing else). */
const MODES: Readonly<Record<PaddingMode, true>> = { zeros: true, reflect: true, replicate: true, circular: true };

const BOTH: readonly OptionSet[] = ['conv2d', 'convTranspose2d'];

/**
 * The option rules, in the order error messages list the option names.
 * @example OPTION_RULES.padding.form.names.conv2d // ['valid', 'same', 'same-upper', 'same-lower']
 */
export const OPTION_RULES = {
  bias: { sets: BOTH, form: { kind: 'tensor' }, default: null, code: 'bias', fix: 'one value per output channel' },
  stride: { sets: BOTH, form: { kind: 'pair', min: 1 }, default: 1, code: 'stride', fix: 'e.g. 2 or [2, 1]' },
  padding: {
    sets: BOTH,
    // 'same' = 'same-upper' is TensorFlow/ONNX SAME_UPPER (the odd pad after), 'same-lower' ONNX SAME_LOWER
    // (the odd pad before), resolved once shapes are known; for a transposed conv they choose the crop
    // that gives outputSize (default input·stride), as ONNX ConvTranspose's auto_pad and tfjs's conv2dTranspose.
    form: {
      kind: 'padding',
      min: 0,
      names: {
        conv2d: ['valid', 'same', 'same-upper', 'same-lower'],
        convTranspose2d: ['valid', 'same', 'same-upper', 'same-lower'],
      },
    },
    default: 0,
    code: 'padding',
    fix: 'negative padding is not supported',
  },
  outputPadding: {
    sets: ['convTranspose2d'],
    form: { kind: 'pair', min: 0 },
    default: 0,
    code: 'output-padding',
    fix: 'it adds rows/columns at the bottom/right, each below max(stride, dilation)',
    below: ['stride', 'dilation'],
  },
  outputSize: {
    sets: ['convTranspose2d'],
    form: { kind: 'size', min: 1 },
    default: null,
    code: 'output-size',
    fix: 'the output [height, width] wanted, e.g. [8, 8]; it chooses the output padding (or, with a SAME padding, the crop)',
  },
  dilation: { sets: BOTH, form: { kind: 'pair', min: 1 }, default: 1, code: 'dilation', fix: 'e.g. 2 or [2, 1]' },
  groups: {
    sets: BOTH,
    form: { kind: 'integer', min: 1 },
    default: 1,
    code: 'groups',
    fix: 'it must divide the channel counts (C for depthwise)',
  },
  paddingMode: {
    sets: ['conv2d'],
    form: { kind: 'name', names: Object.keys(MODES) as PaddingMode[] },
    default: 'zeros',
    code: 'padding-mode',
    fix: 'the names are lower case',
  },
  // tfjs's names for where the channels sit: 'NHWC' is [N, H, W, C] (or [H, W, C] unbatched), 'NCHW' PyTorch's and ONNX's.
  dataFormat: {
    sets: BOTH,
    form: { kind: 'name', names: ['NCHW', 'NHWC'] },
    default: 'NCHW',
    code: 'data-format',
    fix: "the names are upper case: 'NCHW' is channels first (PyTorch, ONNX), 'NHWC' channels last (tfjs)",
  },
  // 'HWIO' is tfjs's filter layout: [KH, KW, C/groups, O] for conv2d, [KH, KW, O/groups, C] for the transposed conv.
  filterFormat: {
    sets: BOTH,
    form: { kind: 'name', names: ['OIHW', 'HWIO'] },
    default: 'OIHW',
    code: 'filter-format',
    fix: "the names are upper case: 'OIHW' is PyTorch's and ONNX's weight layout, 'HWIO' tfjs's",
  },
} as const satisfies Record<string, OptionRule>;

/** The name of an option in the table. */
export type OptionName = keyof typeof OPTION_RULES;

/**
 * Where the channels of an input, output or gradient sit: `'NCHW'` (channels first,
 * `[N, C, H, W]` or unbatched `[C, H, W]`; PyTorch, ONNX) or `'NHWC'` (channels last,
 * `[N, H, W, C]` or `[H, W, C]`; tfjs's `dataFormat`).
 * @example conv2d(x, w, { dataFormat: 'NHWC' satisfies DataFormat })
 */
export type DataFormat = (typeof OPTION_RULES.dataFormat.form.names)[number];

/**
 * The layout of a weight: `'OIHW'` (conv2d `[O, C/groups, KH, KW]`, transposed conv
 * `[C, O/groups, KH, KW]`; PyTorch, ONNX) or `'HWIO'` (tfjs's: conv2d `[KH, KW, C/groups, O]`,
 * transposed conv `[KH, KW, O/groups, C]`).
 * @example conv2d(x, w, { filterFormat: 'HWIO' satisfies FilterFormat })
 */
export type FilterFormat = (typeof OPTION_RULES.filterFormat.form.names)[number];

/** A padding name some option set takes (`'valid'`, `'same'`, `'same-upper'`, `'same-lower'`). */
export type PaddingName = (typeof OPTION_RULES.padding.form.names)[OptionSet][number];

/**
 * The options a set takes, in table order.
 * @example optionNames('convTranspose2d') // ['bias', 'stride', 'padding', 'outputPadding', 'outputSize', 'dilation', 'groups', 'dataFormat', 'filterFormat']
 */
export function optionNames(set: OptionSet): OptionName[] {
  return (Object.keys(OPTION_RULES) as OptionName[]).filter((name) =>
    (OPTION_RULES[name].sets as readonly OptionSet[]).includes(set),
  );
}

const sign = (min: number): string => (min > 0 ? 'positive' : 'non-negative');
const quoted = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(', ');
const limit = `(at most 2^${Math.log2(OPTION_MAX)})`;

/**
 * The values an option accepts, in words.
 * @example accepted('stride', 'conv2d') // 'a number or [h, w] pair of positive integers (at most 2^30)'
 */
export function accepted(name: OptionName, set: OptionSet): string {
  const form: OptionForm = OPTION_RULES[name].form;
  switch (form.kind) {
    case 'integer':
      return `a ${sign(form.min)} integer ${limit}`;
    case 'pair':
      return `a number or [h, w] pair of ${sign(form.min)} integers ${limit}`;
    case 'size':
      return `an [h, w] array of two ${sign(form.min)} integers ${limit}`;
    case 'padding': {
      const names = form.names[set];
      const integers = `a ${sign(form.min)} integer, [ph, pw] or [[top, bottom], [left, right]] of ${sign(form.min)} integers ${limit}`;
      return names.length ? `${integers}, or one of ${quoted(names)}` : integers;
    }
    case 'name':
      return `one of ${quoted(form.names)}`;
    case 'tensor':
      return 'a tensor of shape [O] (out channels), or null';
  }
}

/**
 * The code and message (without the function's name) refusing `value` for an option.
 * @example refusal('stride', 'conv2d', 0) // ['stride', 'stride must be a number or [h, w] pair of … got 0; e.g. 2 or [2, 1]']
 */
export function refusal(name: OptionName, set: OptionSet, value: unknown): [ConvErrorCode, string] {
  const rule: OptionRule = OPTION_RULES[name];
  if (rule.form.kind === 'padding' && typeof value === 'string') {
    const names = rule.form.names[set];
    const what = set === 'conv2d' ? 'a convolution' : 'a transposed convolution';
    const named = names.length ? `${quoted(names)} (lower case), ` : '';
    return [
      rule.code,
      `unknown ${name} ${show(value)}; ${what} takes ${named}a number, [ph, pw] or [[top, bottom], [left, right]]`,
    ];
  }
  return [rule.code, `${name} must be ${accepted(name, set)}, got ${show(value)}; ${rule.fix}`];
}

/**
 * The code and message refusing a value that breaks a `below` range, e.g.
 * outputPadding `[2, 0]` with stride `[2, 2]` and dilation `[1, 1]`.
 * @example belowRefusal('outputPadding', [2, 0], { stride: [2, 2], dilation: [1, 1] })
 */
export function belowRefusal(
  name: OptionName,
  value: readonly [number, number],
  bounds: Readonly<Record<string, readonly [number, number]>>,
): [ConvErrorCode, string] {
  const rule: OptionRule = OPTION_RULES[name];
  const over = rule.below ?? [];
  const given = over.map((n) => `${n} [${bounds[n].join(', ')}]`).join(' and ');
  return [
    rule.code,
    `${name} must be smaller than either ${over.join(' or ')} on each axis, got ${name} [${value.join(', ')}] ` +
      `with ${given}; lower it below the larger of the two on each axis`,
  ];
}
