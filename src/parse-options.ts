/**
 * Option parsing: the form and range of every option, checked against the
 * rules of `options.ts` before any shape is known. `geometry.ts` then
 * resolves what needs shapes (the 'same' pads, outputSize's output padding).
 */
import { fail, show } from './errors.js';
import type { PaddingMode } from './geometry.js';
import {
  belowRefusal,
  type DataFormat,
  type FilterFormat,
  OPTION_MAX,
  OPTION_RULES,
  optionNames,
  refusal,
  type OptionName,
  type OptionSet,
  type PaddingName,
} from './options.js';

/** Explicit pads `[[top, bottom], [left, right]]`. */
export type ExplicitPads = readonly [readonly [number, number], readonly [number, number]];

/**
 * Where a SAME padding puts its odd pixel: `'same-upper'` after (bottom/right,
 * TensorFlow's and ONNX SAME_UPPER), `'same-lower'` before (ONNX SAME_LOWER).
 */
export type SameRule = 'same-upper' | 'same-lower';

/** An integer option value in `[min, OPTION_MAX]`. */
function isCount(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= OPTION_MAX;
}

/** Throws the table's refusal of `value` for option `name`. */
function refuse(fn: string, set: OptionSet, name: OptionName, value: unknown): never {
  const [code, message] = refusal(name, set, value);
  fail(fn, code, message);
}

/** The options as a record: absent means none; anything but a plain object, or a name the set lacks, is refused. */
function checkOptionsObject(fn: string, options: unknown, set: OptionSet): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    fail(fn, 'option', `options must be an object, got ${show(options)}`);
  }
  const names: readonly string[] = optionNames(set);
  for (const key of Object.keys(options)) {
    if (!names.includes(key)) {
      fail(fn, 'option', `unknown option ${show(key)}; the options are ${names.join(', ')}`);
    }
  }
  return options as Record<string, unknown>;
}

/** A `pair` option (stride, dilation, outputPadding) as `[h, w]`. */
function pair(
  fn: string,
  set: OptionSet,
  name: 'stride' | 'dilation' | 'outputPadding',
  value: unknown,
): [number, number] {
  const { form, default: fallback } = OPTION_RULES[name];
  if (value === undefined) return [fallback, fallback];
  if (isCount(value, form.min)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && isCount(value[0], form.min) && isCount(value[1], form.min)) {
    return [value[0], value[1]];
  }
  refuse(fn, set, name, value);
}

/** What each padding name the table lists stands for: explicit pads, or a SAME rule (resolved once shapes are known). */
const PADDING_NAMES: Readonly<Record<PaddingName, ExplicitPads | SameRule>> = {
  valid: [
    [0, 0],
    [0, 0],
  ],
  same: 'same-upper',
  'same-upper': 'same-upper',
  'same-lower': 'same-lower',
};

/** Padding as explicit `[[top, bottom], [left, right]]`, or a SAME rule. */
function parsePadding(fn: string, set: OptionSet, value: unknown): ExplicitPads | SameRule {
  const { form, default: p } = OPTION_RULES.padding;
  const ok = (v: unknown): v is number => isCount(v, form.min);
  const pads = (t: number, b: number, l: number, r: number): ExplicitPads => [
    [t, b],
    [l, r],
  ];
  if (value === undefined) return pads(p, p, p, p);
  if (typeof value === 'string' && (form.names[set] as readonly string[]).includes(value)) {
    return PADDING_NAMES[value as PaddingName];
  }
  if (ok(value)) return pads(value, value, value, value);
  if (Array.isArray(value) && value.length === 2) {
    const [a, b] = value as unknown[];
    if (ok(a) && ok(b)) return pads(a, a, b, b);
    const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1]);
    if (isPair(a) && isPair(b)) return pads(a[0], a[1], b[0], b[1]);
  }
  refuse(fn, set, 'padding', value);
}

function parseGroups(fn: string, set: OptionSet, value: unknown): number {
  const { form, default: fallback } = OPTION_RULES.groups;
  if (value === undefined) return fallback;
  if (!isCount(value, form.min)) refuse(fn, set, 'groups', value);
  return value;
}

/** The options whose value is one of a list of names, and the type of each one's value. */
interface NameOptions {
  paddingMode: PaddingMode;
  dataFormat: DataFormat;
  filterFormat: FilterFormat;
}

/** A `name` option (paddingMode, dataFormat, filterFormat): one of its rule's names, or its default when absent. */
function parseName<K extends keyof NameOptions>(fn: string, set: OptionSet, name: K, value: unknown): NameOptions[K] {
  const { form, default: fallback } = OPTION_RULES[name];
  if (value === undefined) return fallback as NameOptions[K];
  if (!(form.names as readonly unknown[]).includes(value)) refuse(fn, set, name, value);
  return value as NameOptions[K];
}

/**
 * Where the channels sit in the data and the weight, as an op's options say.
 * @example const tfjs: Layouts = { dataFormat: 'NHWC', filterFormat: 'HWIO' };
 */
export interface Layouts {
  readonly dataFormat: DataFormat;
  readonly filterFormat: FilterFormat;
}

/** The layouts an options record gives (each absent one its default). */
function parseLayouts(fn: string, set: OptionSet, opts: Record<string, unknown>): Layouts {
  return {
    dataFormat: parseName(fn, set, 'dataFormat', opts.dataFormat),
    filterFormat: parseName(fn, set, 'filterFormat', opts.filterFormat),
  };
}

/** outputSize as `[OH, OW]`, or null when absent (`null` spells its default, as a bias's). */
function parseSize(fn: string, set: OptionSet, value: unknown): readonly [number, number] | null {
  const { form } = OPTION_RULES.outputSize;
  if (value === undefined || value === null) return null;
  if (Array.isArray(value) && value.length === 2 && isCount(value[0], form.min) && isCount(value[1], form.min)) {
    return [value[0], value[1]];
  }
  refuse(fn, set, 'outputSize', value);
}

/** Conv2d options checked for form alone (no shapes needed). */
export interface ParsedConv2dOptions extends Layouts {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Explicit `[[top, bottom], [left, right]]`, or a SAME rule (resolved once shapes are known). */
  readonly padding: ExplicitPads | SameRule;
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly bias: unknown;
}

/**
 * Validates the form of conv2d options (src/options.ts's rules): names, types and ranges that need no shapes.
 * @example parseConv2dOptions('conv2d', { padding: 'same-lower', stride: 2 }).padding // 'same-lower'
 */
export function parseConv2dOptions(fn: string, options: unknown): ParsedConv2dOptions {
  const opts = checkOptionsObject(fn, options, 'conv2d');
  return {
    stride: pair(fn, 'conv2d', 'stride', opts.stride),
    dilation: pair(fn, 'conv2d', 'dilation', opts.dilation),
    padding: parsePadding(fn, 'conv2d', opts.padding),
    groups: parseGroups(fn, 'conv2d', opts.groups),
    paddingMode: parseName(fn, 'conv2d', 'paddingMode', opts.paddingMode),
    ...parseLayouts(fn, 'conv2d', opts),
    bias: opts.bias,
  };
}

/** ConvTranspose2d options checked for form and range alone (no shapes needed). */
export interface ParsedConvTranspose2dOptions extends Layouts {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Cropped from the full output: `[[top, bottom], [left, right]]`, or a SAME rule (resolved with the shapes). */
  readonly padding: ExplicitPads | SameRule;
  readonly outputPadding: readonly [number, number];
  /** The output size asked for, `[OH, OW]`, or null. */
  readonly outputSize: readonly [number, number] | null;
  readonly groups: number;
  readonly bias: unknown;
}

/**
 * Validates the form of convTranspose2d options, and outputPadding's range (below max(stride, dilation)).
 * outputSize and outputPadding are two ways to say one thing: outputSize with a non-zero outputPadding is refused.
 * @example parseConvTranspose2dOptions('convTranspose2d', { stride: 2, outputSize: [8, 8] }).outputSize // [8, 8]
 */
export function parseConvTranspose2dOptions(fn: string, options: unknown): ParsedConvTranspose2dOptions {
  const set = 'convTranspose2d';
  const opts = checkOptionsObject(fn, options, set);
  const groups = parseGroups(fn, set, opts.groups);
  const bounds = { stride: pair(fn, set, 'stride', opts.stride), dilation: pair(fn, set, 'dilation', opts.dilation) };
  const outputPadding = pair(fn, set, 'outputPadding', opts.outputPadding);
  const below = OPTION_RULES.outputPadding.below;
  if (outputPadding.some((op, axis) => op >= Math.max(...below.map((b) => bounds[b][axis])))) {
    const [code, message] = belowRefusal('outputPadding', outputPadding, bounds);
    fail(fn, code, message);
  }
  const outputSize = parseSize(fn, set, opts.outputSize);
  // outputPadding 0 is its default spelled out; any other value would contradict outputSize.
  if (outputSize !== null && outputPadding.some((v) => v !== 0)) {
    fail(
      fn,
      OPTION_RULES.outputSize.code,
      `outputSize ${show(opts.outputSize)} and outputPadding ${show(opts.outputPadding)} were both given; ` +
        'outputSize chooses the output padding itself: give one of the two',
    );
  }
  const padding = parsePadding(fn, set, opts.padding);
  return { ...bounds, padding, outputPadding, outputSize, groups, ...parseLayouts(fn, set, opts), bias: opts.bias };
}
