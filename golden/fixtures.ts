/**
 * Golden fixtures: their schema and a validating loader.
 *
 * The JSON files in this folder are written by `golden/generate.py` from
 * PyTorch results. `loadGoldenFile` reads one, checks every field's type and
 * every tensor's shape against its data length and against the other tensors
 * of its case, and returns it typed. A malformed file fails loudly with the
 * file, the case id and the field named.
 */
import { readFileSync } from 'node:fs';
import { axisOutput } from '../properties/spec/index.js';

/** Element type of a case: every tensor in it, and PyTorch's computation, used it. */
export type FixtureDType = 'float32' | 'float64';

/**
 * How the data were drawn. `grid`: multiples of 1/8 in [-2, 2], so every product
 * and sum is exact and so is every result. `fine`: results carry rounding error.
 */
export type FixtureValues = 'grid' | 'fine';

/** A tensor as stored: flat row-major data whose length is the product of `shape`. */
export interface FixtureTensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export type FixturePair = number | readonly [number, number];
export type FixtureExplicitPadding = readonly [readonly [number, number], readonly [number, number]];
/** The padding names a fixture may use (SAME_UPPER as `'same'`, ONNX SAME_LOWER as `'same-lower'`). */
export type FixturePaddingName = 'valid' | 'same' | 'same-upper' | 'same-lower';
export type FixturePadding = number | readonly [number, number] | FixtureExplicitPadding | FixturePaddingName;
const PADDING_NAMES = ['valid', 'same', 'same-upper', 'same-lower'] as const;
export type FixturePaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** convproof's `Conv2dOptions` minus `bias` (the bias is stored beside it). */
export interface FixtureConv2dOptions {
  readonly stride?: FixturePair;
  readonly padding?: FixturePadding;
  readonly dilation?: FixturePair;
  readonly groups?: number;
  readonly paddingMode?: FixturePaddingMode;
}

/** convproof's `ConvTranspose2dOptions` minus `bias`. */
export interface FixtureConvTranspose2dOptions {
  readonly stride?: FixturePair;
  readonly padding?: FixturePadding;
  readonly outputPadding?: FixturePair;
  /** `[OH, OW]`: PyTorch's `output_size` (its `_output_padding` chose the output padding). */
  readonly outputSize?: readonly [number, number];
  readonly dilation?: FixturePair;
  readonly groups?: number;
}

/** Where a file came from. */
export interface Provenance {
  readonly format: string;
  readonly kind: GoldenKind;
  readonly description: string;
  readonly generator: string;
  readonly command: string;
  readonly generated: string;
  readonly seed: number;
  readonly python: string;
  readonly torch: string;
  readonly numpy: string;
  readonly torchThreads: number;
  readonly torchDeterministic: boolean;
  readonly torchCpuCapability: string;
  readonly torchMkldnn: boolean;
}

export type GoldenKind = 'conv2d' | 'convTranspose2d' | 'chapter';

/** One forward + backward case. */
export interface GradientCase<Options> {
  readonly id: string;
  readonly dtype: FixtureDType;
  readonly values: FixtureValues;
  readonly input: FixtureTensor;
  readonly weight: FixtureTensor;
  readonly bias: FixtureTensor | null;
  readonly options: Options;
  readonly output: FixtureTensor;
  readonly gradOutput: FixtureTensor;
  readonly gradInput: FixtureTensor;
  readonly gradWeight: FixtureTensor;
  /** `[O]`; the sum of gradOutput over batch and space even when `bias` is null. */
  readonly gradBias: FixtureTensor;
}

export type Conv2dCase = GradientCase<FixtureConv2dOptions>;
export type ConvTranspose2dCase = GradientCase<FixtureConvTranspose2dOptions>;

export interface Conv2dGoldenFile {
  readonly kind: 'conv2d';
  readonly provenance: Provenance;
  readonly fields: Readonly<Record<string, string>>;
  readonly cases: readonly Conv2dCase[];
}

export interface ConvTranspose2dGoldenFile {
  readonly kind: 'convTranspose2d';
  readonly provenance: Provenance;
  readonly fields: Readonly<Record<string, string>>;
  readonly cases: readonly ConvTranspose2dCase[];
}

/** `corr2d(X, K) = Y` as printed in the chapter. */
export interface Corr2dCase {
  readonly id: string;
  readonly X: FixtureTensor;
  readonly K: FixtureTensor;
  readonly Y: FixtureTensor;
  readonly bookPrinted: readonly (readonly number[])[];
}

/** An output-shape example of the chapter. */
export interface ShapeCase {
  readonly id: string;
  readonly inputShape: readonly number[];
  readonly weightShape: readonly number[];
  readonly options: FixtureConv2dOptions;
  readonly outputShape: readonly number[];
  readonly bookPrinted: readonly number[];
}

/** The chapter's kernel-learning loop, run by PyTorch in float64 from `init`. */
export interface LearnKernelCase {
  readonly id: string;
  readonly X: FixtureTensor;
  readonly Y: FixtureTensor;
  readonly target: FixtureTensor;
  readonly init: FixtureTensor;
  readonly lr: number;
  readonly epochs: number;
  /** Loss before each update, one per epoch. */
  readonly losses: readonly number[];
  readonly final: FixtureTensor;
}

export interface ChapterGoldenFile {
  readonly kind: 'chapter';
  readonly provenance: Provenance;
  readonly fields: Readonly<Record<string, string>>;
  readonly corr2d: readonly Corr2dCase[];
  readonly shapes: readonly ShapeCase[];
  readonly learnKernel: LearnKernelCase;
}

export type GoldenFile = Conv2dGoldenFile | ConvTranspose2dGoldenFile | ChapterGoldenFile;

/** Thrown for a malformed fixture file; the message names file, case and field. */
export class GoldenFormatError extends Error {
  override readonly name = 'GoldenFormatError';
}

// ---------------------------------------------------------------------------
// validation helpers
// ---------------------------------------------------------------------------

/** Where we are in the file, for error messages. */
interface Where {
  readonly file: string;
  readonly caseId: string | null;
}

type Obj = Readonly<Record<string, unknown>>;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function bad(at: Where, field: string, message: string): never {
  const where = at.caseId === null ? '' : ` case "${at.caseId}":`;
  throw new GoldenFormatError(`golden file ${at.file}:${where} field "${field}" ${message}`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(at: Where, field: string, v: unknown): Obj {
  if (!isObj(v)) bad(at, field, `must be an object, got ${show(v)}`);
  return v;
}

function str(at: Where, field: string, v: unknown): string {
  if (typeof v !== 'string') bad(at, field, `must be a string, got ${show(v)}`);
  return v;
}

function num(at: Where, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(at, field, `must be a finite number, got ${show(v)}`);
  return v;
}

function bool(at: Where, field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') bad(at, field, `must be a boolean, got ${show(v)}`);
  return v;
}

function int(at: Where, field: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    bad(at, field, `must be an integer ≥ ${min}, got ${show(v)}`);
  }
  return v;
}

function arr(at: Where, field: string, v: unknown): readonly unknown[] {
  if (!Array.isArray(v)) bad(at, field, `must be an array, got ${show(v)}`);
  return v;
}

function oneOf<T extends string>(at: Where, field: string, v: unknown, allowed: readonly T[]): T {
  for (const a of allowed) if (v === a) return a;
  return bad(at, field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
}

function onlyKeys(at: Where, field: string, o: Obj, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) bad(at, `${field}.${k}`, `is not a known key (expected one of ${allowed.join(', ')})`);
  }
}

function shapeOf(at: Where, field: string, v: unknown): number[] {
  return arr(at, field, v).map((d, i) => int(at, `${field}[${i}]`, d, 0));
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function tensorOf(at: Where, field: string, v: unknown, rank?: readonly number[]): FixtureTensor {
  const o = obj(at, field, v);
  onlyKeys(at, field, o, ['shape', 'data']);
  const shape = shapeOf(at, `${field}.shape`, o.shape);
  if (rank !== undefined && !rank.includes(shape.length)) {
    bad(at, `${field}.shape`, `must have rank ${rank.join(' or ')}, got ${show(shape)}`);
  }
  const raw = arr(at, `${field}.data`, o.data);
  const data = raw.map((x, i) => num(at, `${field}.data[${i}]`, x));
  if (data.length !== product(shape)) {
    bad(at, `${field}.data`, `has ${data.length} values but shape ${show(shape)} needs ${product(shape)}`);
  }
  return { shape, data };
}

function sameShape(at: Where, field: string, t: FixtureTensor, expected: readonly number[], why: string): void {
  if (show(t.shape) !== show(expected)) {
    bad(at, `${field}.shape`, `must be ${show(expected)} (${why}), got ${show(t.shape)}`);
  }
}

function pairOf(at: Where, field: string, v: unknown, min: number): FixturePair {
  if (typeof v === 'number') return int(at, field, v, min);
  const a = arr(at, field, v);
  if (a.length !== 2) bad(at, field, `must be a number or a pair [h, w], got ${show(v)}`);
  return [int(at, `${field}[0]`, a[0], min), int(at, `${field}[1]`, a[1], min)];
}

function explicitOrSymmetric(
  at: Where,
  field: string,
  v: unknown,
): number | readonly [number, number] | FixtureExplicitPadding {
  if (typeof v === 'number') return int(at, field, v, 0);
  const a = arr(at, field, v);
  if (a.length !== 2) bad(at, field, `must be p, [ph, pw] or [[top, bottom], [left, right]], got ${show(v)}`);
  if (Array.isArray(a[0]) || Array.isArray(a[1])) {
    const h = arr(at, `${field}[0]`, a[0]);
    const w = arr(at, `${field}[1]`, a[1]);
    if (h.length !== 2 || w.length !== 2) {
      bad(at, field, `explicit padding must be [[top, bottom], [left, right]], got ${show(v)}`);
    }
    return [
      [int(at, `${field}[0][0]`, h[0], 0), int(at, `${field}[0][1]`, h[1], 0)],
      [int(at, `${field}[1][0]`, w[0], 0), int(at, `${field}[1][1]`, w[1], 0)],
    ];
  }
  return [int(at, `${field}[0]`, a[0], 0), int(at, `${field}[1]`, a[1], 0)];
}

const CONV_OPTION_KEYS = ['stride', 'padding', 'dilation', 'groups', 'paddingMode'] as const;
const TRANSPOSE_OPTION_KEYS = ['stride', 'padding', 'outputPadding', 'outputSize', 'dilation', 'groups'] as const;
const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'] as const;

function convOptions(at: Where, field: string, v: unknown): FixtureConv2dOptions {
  const o = obj(at, field, v);
  onlyKeys(at, field, o, CONV_OPTION_KEYS);
  const out: {
    stride?: FixturePair;
    padding?: FixturePadding;
    dilation?: FixturePair;
    groups?: number;
    paddingMode?: FixturePaddingMode;
  } = {};
  if (o.stride !== undefined) out.stride = pairOf(at, `${field}.stride`, o.stride, 1);
  if (o.padding !== undefined) {
    out.padding =
      typeof o.padding === 'string'
        ? oneOf(at, `${field}.padding`, o.padding, PADDING_NAMES)
        : explicitOrSymmetric(at, `${field}.padding`, o.padding);
  }
  if (o.dilation !== undefined) out.dilation = pairOf(at, `${field}.dilation`, o.dilation, 1);
  if (o.groups !== undefined) out.groups = int(at, `${field}.groups`, o.groups, 1);
  if (o.paddingMode !== undefined) out.paddingMode = oneOf(at, `${field}.paddingMode`, o.paddingMode, PADDING_MODES);
  return out;
}

function transposeOptions(at: Where, field: string, v: unknown): FixtureConvTranspose2dOptions {
  const o = obj(at, field, v);
  onlyKeys(at, field, o, TRANSPOSE_OPTION_KEYS);
  const out: {
    stride?: FixturePair;
    padding?: FixturePadding;
    outputPadding?: FixturePair;
    outputSize?: readonly [number, number];
    dilation?: FixturePair;
    groups?: number;
  } = {};
  if (o.stride !== undefined) out.stride = pairOf(at, `${field}.stride`, o.stride, 1);
  if (o.padding !== undefined)
    out.padding =
      typeof o.padding === 'string'
        ? oneOf(at, `${field}.padding`, o.padding, PADDING_NAMES)
        : explicitOrSymmetric(at, `${field}.padding`, o.padding);
  if (o.outputPadding !== undefined) out.outputPadding = pairOf(at, `${field}.outputPadding`, o.outputPadding, 0);
  if (o.outputSize !== undefined) {
    const size = pairOf(at, `${field}.outputSize`, o.outputSize, 1);
    if (typeof size === 'number')
      throw new GoldenFormatError(`golden file ${at.file}: ${field}.outputSize must be [OH, OW]`);
    out.outputSize = size;
  }
  if (o.dilation !== undefined) out.dilation = pairOf(at, `${field}.dilation`, o.dilation, 1);
  if (o.groups !== undefined) out.groups = int(at, `${field}.groups`, o.groups, 1);
  return out;
}

function provenanceOf(at: Where, v: unknown): Provenance {
  const o = obj(at, 'provenance', v);
  const s = (k: string): string => str(at, `provenance.${k}`, o[k]);
  return {
    format: s('format'),
    kind: oneOf(at, 'provenance.kind', o.kind, ['conv2d', 'convTranspose2d', 'chapter'] as const),
    description: s('description'),
    generator: s('generator'),
    command: s('command'),
    generated: s('generated'),
    seed: int(at, 'provenance.seed', o.seed, 0),
    python: s('python'),
    torch: s('torch'),
    numpy: s('numpy'),
    torchThreads: int(at, 'provenance.torchThreads', o.torchThreads, 1),
    torchDeterministic: bool(at, 'provenance.torchDeterministic', o.torchDeterministic),
    torchCpuCapability: s('torchCpuCapability'),
    torchMkldnn: bool(at, 'provenance.torchMkldnn', o.torchMkldnn),
  };
}

function fieldsOf(at: Where, v: unknown): Readonly<Record<string, string>> {
  const o = obj(at, 'fields', v);
  const out: Record<string, string> = {};
  for (const [k, d] of Object.entries(o)) out[k] = str(at, `fields.${k}`, d);
  return out;
}

const CASE_KEYS = [
  'id',
  'dtype',
  'values',
  'input',
  'weight',
  'bias',
  'options',
  'output',
  'gradOutput',
  'gradInput',
  'gradWeight',
  'gradBias',
] as const;

/** Validates one forward/backward case of either kind. */
function gradientCase<Options>(
  file: string,
  index: number,
  v: unknown,
  transposed: boolean,
  parseOptions: (at: Where, field: string, v: unknown) => Options,
): GradientCase<Options> {
  const pre: Where = { file, caseId: `#${index}` };
  const o = obj(pre, `cases[${index}]`, v);
  const at: Where = { file, caseId: str(pre, 'id', o.id) };
  onlyKeys(at, 'case', o, CASE_KEYS);
  for (const k of CASE_KEYS) if (!(k in o)) bad(at, k, 'is missing');
  const dtype = oneOf(at, 'dtype', o.dtype, ['float32', 'float64'] as const);
  const values = oneOf(at, 'values', o.values, ['grid', 'fine'] as const);
  const input = tensorOf(at, 'input', o.input, transposed ? [4] : [3, 4]);
  const weight = tensorOf(at, 'weight', o.weight, [4]);
  const bias = o.bias === null ? null : tensorOf(at, 'bias', o.bias, [1]);
  const options = parseOptions(at, 'options', o.options);
  const output = tensorOf(at, 'output', o.output, [input.shape.length]);
  const gradOutput = tensorOf(at, 'gradOutput', o.gradOutput);
  const gradInput = tensorOf(at, 'gradInput', o.gradInput);
  const gradWeight = tensorOf(at, 'gradWeight', o.gradWeight);
  const gradBias = tensorOf(at, 'gradBias', o.gradBias, [1]);

  const groups = (options as { groups?: number }).groups ?? 1;
  const C = input.shape[input.shape.length - 3];
  const O = output.shape[output.shape.length - 3];
  // conv2d weight [O, C/g, KH, KW]; convTranspose2d weight [C, O/g, KH, KW]
  const [w0, w1] = [weight.shape[0], weight.shape[1]];
  if (transposed ? w0 !== C || w1 * groups !== O : w0 !== O || w1 * groups !== C) {
    bad(
      at,
      'weight.shape',
      `${show(weight.shape)} does not fit input ${show(input.shape)}, output ${show(output.shape)} and groups ${groups}`,
    );
  }
  if (input.shape.length === 4 && output.shape[0] !== input.shape[0]) {
    bad(at, 'output.shape', `batch ${output.shape[0]} differs from the input's ${input.shape[0]}`);
  }
  if (bias !== null) sameShape(at, 'bias', bias, [O], 'one value per output channel');
  sameShape(at, 'gradOutput', gradOutput, output.shape, 'the output shape');
  sameShape(at, 'gradInput', gradInput, input.shape, 'the input shape');
  sameShape(at, 'gradWeight', gradWeight, weight.shape, 'the weight shape');
  sameShape(at, 'gradBias', gradBias, [O], 'one value per output channel');
  return {
    id: at.caseId ?? '',
    dtype,
    values,
    input,
    weight,
    bias,
    options,
    output,
    gradOutput,
    gradInput,
    gradWeight,
    gradBias,
  };
}

function nestedRows(at: Where, field: string, v: unknown): number[][] {
  return arr(at, field, v).map((row, i) =>
    arr(at, `${field}[${i}]`, row).map((x, j) => num(at, `${field}[${i}][${j}]`, x)),
  );
}

function chapterOf(
  file: string,
  o: Obj,
  provenance: Provenance,
  fields: Readonly<Record<string, string>>,
): ChapterGoldenFile {
  const top: Where = { file, caseId: null };
  onlyKeys(top, 'file', o, ['provenance', 'fields', 'corr2d', 'shapes', 'learnKernel']);
  const corr = arr(top, 'corr2d', o.corr2d).map((v, i): Corr2dCase => {
    const pre: Where = { file, caseId: `corr2d #${i}` };
    const c = obj(pre, `corr2d[${i}]`, v);
    const at: Where = { file, caseId: str(pre, 'id', c.id) };
    onlyKeys(at, 'case', c, ['id', 'X', 'K', 'Y', 'bookPrinted']);
    const X = tensorOf(at, 'X', c.X, [2]);
    const K = tensorOf(at, 'K', c.K, [2]);
    const Y = tensorOf(at, 'Y', c.Y, [2]);
    const valid = [axisOutput(X.shape[0], K.shape[0], 1, 1, 0, 0), axisOutput(X.shape[1], K.shape[1], 1, 1, 0, 0)];
    sameShape(at, 'Y', Y, valid, 'valid correlation');
    const bookPrinted = nestedRows(at, 'bookPrinted', c.bookPrinted);
    if (bookPrinted.length !== Y.shape[0] || bookPrinted.some((r) => r.length !== Y.shape[1])) {
      bad(at, 'bookPrinted', `must be a ${Y.shape[0]}x${Y.shape[1]} array`);
    }
    return { id: at.caseId ?? '', X, K, Y, bookPrinted };
  });
  const shapes = arr(top, 'shapes', o.shapes).map((v, i): ShapeCase => {
    const pre: Where = { file, caseId: `shapes #${i}` };
    const c = obj(pre, `shapes[${i}]`, v);
    const at: Where = { file, caseId: str(pre, 'id', c.id) };
    onlyKeys(at, 'case', c, ['id', 'inputShape', 'weightShape', 'options', 'outputShape', 'bookPrinted']);
    const inputShape = shapeOf(at, 'inputShape', c.inputShape);
    const weightShape = shapeOf(at, 'weightShape', c.weightShape);
    const outputShape = shapeOf(at, 'outputShape', c.outputShape);
    const bookPrinted = shapeOf(at, 'bookPrinted', c.bookPrinted);
    if (inputShape.length !== 4 || weightShape.length !== 4 || outputShape.length !== 4 || bookPrinted.length !== 2) {
      bad(at, 'inputShape', 'input, weight and output shapes must have rank 4 and bookPrinted rank 2');
    }
    return {
      id: at.caseId ?? '',
      inputShape,
      weightShape,
      options: convOptions(at, 'options', c.options),
      outputShape,
      bookPrinted,
    };
  });
  const pre: Where = { file, caseId: 'learnKernel' };
  const l = obj(pre, 'learnKernel', o.learnKernel);
  const at: Where = { file, caseId: str(pre, 'id', l.id) };
  onlyKeys(at, 'learnKernel', l, ['id', 'X', 'Y', 'target', 'init', 'lr', 'epochs', 'losses', 'final']);
  const epochs = int(at, 'epochs', l.epochs, 1);
  const losses = arr(at, 'losses', l.losses).map((x, i) => num(at, `losses[${i}]`, x));
  if (losses.length !== epochs) bad(at, 'losses', `must hold one loss per epoch (${epochs}), got ${losses.length}`);
  const init = tensorOf(at, 'init', l.init, [4]);
  const learnKernel: LearnKernelCase = {
    id: at.caseId ?? '',
    X: tensorOf(at, 'X', l.X, [4]),
    Y: tensorOf(at, 'Y', l.Y, [4]),
    target: tensorOf(at, 'target', l.target, [4]),
    init,
    lr: num(at, 'lr', l.lr),
    epochs,
    losses,
    final: tensorOf(at, 'final', l.final, [4]),
  };
  sameShape(at, 'target', learnKernel.target, init.shape, 'the kernel shape');
  sameShape(at, 'final', learnKernel.final, init.shape, 'the kernel shape');
  return { kind: 'chapter', provenance, fields, corr2d: corr, shapes, learnKernel };
}

/**
 * Validates parsed JSON as a golden file. `file` is only used in messages.
 * @throws GoldenFormatError naming the file, case id and field at fault
 */
export function parseGoldenFile(json: unknown, file: string): GoldenFile {
  const top: Where = { file, caseId: null };
  const o = obj(top, '(top level)', json);
  const provenance = provenanceOf(top, o.provenance);
  const fields = fieldsOf(top, o.fields);
  if (provenance.kind === 'chapter') return chapterOf(file, o, provenance, fields);
  onlyKeys(top, 'file', o, ['provenance', 'fields', 'cases']);
  const raw = arr(top, 'cases', o.cases);
  const seen = new Set<string>();
  const check = <T extends { readonly id: string }>(c: T): T => {
    if (seen.has(c.id)) bad({ file, caseId: c.id }, 'id', 'is used by more than one case');
    seen.add(c.id);
    return c;
  };
  if (provenance.kind === 'conv2d') {
    const cases = raw.map((v, i) => check(gradientCase(file, i, v, false, convOptions)));
    return { kind: 'conv2d', provenance, fields, cases };
  }
  const cases = raw.map((v, i) => check(gradientCase(file, i, v, true, transposeOptions)));
  return { kind: 'convTranspose2d', provenance, fields, cases };
}

/**
 * Reads and validates a golden JSON file.
 * @throws GoldenFormatError for unreadable JSON or any malformed field
 */
export function loadGoldenFile(path: string): GoldenFile {
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new GoldenFormatError(`golden file ${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseGoldenFile(json, path);
}
