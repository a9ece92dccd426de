/**
 * All of convolution's geometry, in one place: options are validated and
 * normalised here once, and every kernel (reference or fast, forward or
 * backward) reads the resulting `Conv2dGeometry` instead of raw options.
 */
import { fail, show } from './errors.js';
import {
  belowRefusal,
  OPTION_MAX,
  OPTION_RULES,
  optionNames,
  refusal,
  type OptionName,
  type OptionSet,
  type PaddingName,
} from './options.js';
import { checkAllocation, checkShape, checkTensor, MAX_ELEMENTS, type Tensor } from './tensor.js';

/** A per-axis value: one number for both axes, or `[height, width]`. */
export type Pair = number | readonly [number, number];

/**
 * Padding of a convolution:
 * - `p`: p on every side; `[ph, pw]`: ph top and bottom, pw left and right;
 * - `[[top, bottom], [left, right]]`: explicit, possibly asymmetric;
 * - `'valid'`: none; `'same'`: TensorFlow/ONNX SAME_UPPER, `OH = ceil(H / stride)`,
 *   with the odd pixel at the bottom/right (allowed with any stride).
 */
export type Padding =
  | number
  | readonly [number, number]
  | readonly [readonly [number, number], readonly [number, number]]
  | 'valid'
  | 'same';

/** How padded pixels are filled: zeros (skipped taps), or taken from the image. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of `conv2d`, `conv2dBackward` and `conv2dOutputShape` (PyTorch's meanings). */
export interface Conv2dOptions {
  /** Shape `[O]`, same dtype as the input; `null`/absent for none. */
  bias?: Tensor | null;
  /** Step between output positions; default 1. */
  stride?: Pair;
  /** See `Padding`; default 0. */
  padding?: Padding;
  /** Spacing between kernel taps; default 1. */
  dilation?: Pair;
  /** Channel groups; C and O must be divisible by it. Default 1; depthwise = C. */
  groups?: number;
  /** Default `'zeros'`. reflect needs pad < size, circular pad ≤ size. */
  paddingMode?: PaddingMode;
}

/** Padding of a transposed convolution: crops the full output (no 'same'/'valid'). */
export type TransposePadding =
  | number
  | readonly [number, number]
  | readonly [readonly [number, number], readonly [number, number]];

/** Options of `convTranspose2d` (PyTorch's meanings; asymmetric padding as ONNX). */
export interface ConvTranspose2dOptions {
  /** Shape `[O]` where O = weight.shape[1] · groups. */
  bias?: Tensor | null;
  stride?: Pair;
  /** Rows/columns cropped from the full output: symmetric, or `[[t, b], [l, r]]`. */
  padding?: TransposePadding;
  /** Extra rows/columns at the bottom/right, each `< max(stride, dilation)`. Default 0. */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** One spatial axis of a convolution, in the forward (correlation) direction. */
export interface AxisGeometry {
  /** Input size along the axis (unpadded). */
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBefore: number;
  readonly padAfter: number;
  /** Output size: `floor((size + before + after − dilation·(kernel−1) − 1) / stride) + 1`. */
  readonly out: number;
}

/** A fully validated conv2d problem. Shapes are 4-D (an unbatched input has N = 1). */
export interface Conv2dGeometry {
  /** False when the caller passed a `[C,H,W]` input: the output is then `[O,OH,OW]`. */
  readonly batched: boolean;
  readonly N: number;
  /** Input channels. */
  readonly C: number;
  /** Output channels. */
  readonly O: number;
  readonly groups: number;
  readonly h: AxisGeometry;
  readonly w: AxisGeometry;
  readonly paddingMode: PaddingMode;
  /** The output shape as returned to the caller (3-D for an unbatched input). */
  readonly outputShape: readonly number[];
}

/** A fully validated transposed convolution. `conv` is the conv2d whose adjoint it is. */
export interface ConvTranspose2dGeometry {
  readonly batched: boolean;
  /** The forward conv mapping the transposed output (its input) to the transposed input. */
  readonly conv: Conv2dGeometry;
  /** Rows/columns of the transposed input (= the conv's output positions actually used). */
  readonly inH: number;
  readonly inW: number;
  readonly outputShape: readonly number[];
}

type ExplicitPads = [[number, number], [number, number]];

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

/** What each padding name the table lists stands for: explicit pads, or 'same' (resolved once shapes are known). */
const PADDING_NAMES: Readonly<Record<PaddingName, ExplicitPads | 'same'>> = {
  valid: [
    [0, 0],
    [0, 0],
  ],
  same: 'same',
};

/** Padding as explicit `[[top, bottom], [left, right]]`, or 'same'. */
function parsePadding(fn: string, set: OptionSet, value: unknown): ExplicitPads | 'same' {
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

function parseMode(fn: string, value: unknown): PaddingMode {
  const { form, default: fallback } = OPTION_RULES.paddingMode;
  if (value === undefined) return fallback;
  if (!(form.names as readonly unknown[]).includes(value)) refuse(fn, 'conv2d', 'paddingMode', value);
  return value as PaddingMode;
}

/** `'same'` (SAME_UPPER) pads for one axis: OH = ceil(H/s), the odd pixel after. */
export function samePadding(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output size of one axis (may be < 1 when the kernel does not fit). */
export function outputSize(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
): number {
  return Math.floor((size + before + after - dilation * (kernel - 1) - 1) / stride) + 1;
}

function checkSpatial(fn: string, name: string, shape: readonly number[], from: number): void {
  for (let i = from; i < shape.length; i++) {
    if (shape[i] === 0) {
      fail(fn, 'shape', `${name} of shape ${show(shape)} has a zero-sized dimension ${i}; only the batch may be 0`);
    }
  }
}

function inputDims(
  fn: string,
  inputShape: readonly number[],
): { batched: boolean; dims: [number, number, number, number] } {
  if (inputShape.length !== 3 && inputShape.length !== 4) {
    fail(
      fn,
      'rank',
      `expected 3D (unbatched) or 4D (batched) input, but got input of size ${show(inputShape)}; ` +
        'pass [C, H, W] for one image or [N, C, H, W] for a batch',
    );
  }
  const batched = inputShape.length === 4;
  checkSpatial(fn, 'input', inputShape, batched ? 1 : 0);
  const [n, c, h, w] = batched ? inputShape : [1, ...inputShape];
  return { batched, dims: [n, c, h, w] };
}

function checkWeightShape(fn: string, weightShape: readonly number[]): void {
  if (weightShape.length !== 4) {
    fail(
      fn,
      'rank',
      `expected 4D weight [out, in/groups, KH, KW], but got weight of size ${show(weightShape)}; ` +
        'a single [KH, KW] kernel is [1, 1, KH, KW]',
    );
  }
  checkSpatial(fn, 'weight', weightShape, 0);
}

function checkBiasShape(fn: string, bias: unknown, O: number): void {
  if (bias === undefined || bias === null) return;
  const dims = checkTensor(fn, 'bias', bias).shape;
  if (dims.length !== 1 || dims[0] !== O) {
    fail(fn, 'bias', `bias must have shape [${O}] (one value per output channel), got ${show(dims)}`);
  }
}

function axis(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
): AxisGeometry {
  return {
    size,
    kernel,
    stride,
    dilation,
    padBefore: before,
    padAfter: after,
    out: outputSize(size, kernel, stride, dilation, before, after),
  };
}

function checkFits(fn: string, h: AxisGeometry, w: AxisGeometry): void {
  if (h.out >= 1 && w.out >= 1) return;
  const ph = h.size + h.padBefore + h.padAfter;
  const pw = w.size + w.padBefore + w.padAfter;
  const kh = h.dilation * (h.kernel - 1) + 1;
  const kw = w.dilation * (w.kernel - 1) + 1;
  fail(
    fn,
    'kernel-too-large',
    `calculated padded input size per channel: (${ph} x ${pw}). Kernel size: (${kh} x ${kw})` +
      `${h.dilation > 1 || w.dilation > 1 ? ' (dilated)' : ''}. Kernel size can't be greater than the padded input size; ` +
      'pad more, or use a smaller kernel or dilation',
  );
}

/** A dilated kernel wider than 2^30 pixels fits no allocatable input; refusing it keeps 'same' sums exact. */
function checkExtent(fn: string, KH: number, KW: number, dh: number, dw: number): void {
  const eh = dh * (KH - 1) + 1;
  const ew = dw * (KW - 1) + 1;
  if (eh > MAX_ELEMENTS || ew > MAX_ELEMENTS) {
    fail(
      fn,
      'kernel-too-large',
      `the dilated kernel spans ${eh} x ${ew} pixels, more than the limit of ${MAX_ELEMENTS} (2^30); use a smaller kernel or dilation`,
    );
  }
}

/**
 * Refuses work whose per-image buffers could not be allocated even when the
 * batch is empty (N = 0 passes the output check): one output image and the
 * per-axis tap maps (positions × taps) that every kernel walks.
 */
function checkPerImage(
  fn: string,
  image: readonly number[],
  rowsMap: readonly number[],
  colsMap: readonly number[],
): void {
  checkAllocation(fn, 'one output image', image);
  checkAllocation(fn, 'the row tap map [positions, taps]', rowsMap);
  checkAllocation(fn, 'the column tap map [positions, taps]', colsMap);
}

function checkModeLimits(fn: string, mode: PaddingMode, h: AxisGeometry, w: AxisGeometry): void {
  if (mode === 'zeros' || mode === 'replicate') return;
  for (const [name, a] of [
    ['height', h],
    ['width', w],
  ] as const) {
    const limitOk = mode === 'reflect' ? (p: number) => p < a.size : (p: number) => p <= a.size;
    if (!limitOk(a.padBefore) || !limitOk(a.padAfter)) {
      const rule = mode === 'reflect' ? 'less than' : 'at most';
      fail(
        fn,
        'padding',
        `paddingMode '${mode}' needs each pad to be ${rule} the input size: ${name} ${a.size} ` +
          `but pads are (${a.padBefore}, ${a.padAfter}); reduce the padding or use 'replicate'/'zeros'`,
      );
    }
  }
}

/** Conv2d options checked for form alone (no shapes needed). */
export interface ParsedConv2dOptions {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Explicit `[[top, bottom], [left, right]]`, or `'same'` (resolved once shapes are known). */
  readonly padding: readonly [readonly [number, number], readonly [number, number]] | 'same';
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly bias: unknown;
}

/** Validates the form of conv2d options (src/options.ts's rules): names, types and ranges that need no shapes. */
export function parseConv2dOptions(fn: string, options: unknown): ParsedConv2dOptions {
  const opts = checkOptionsObject(fn, options, 'conv2d');
  return {
    stride: pair(fn, 'conv2d', 'stride', opts.stride),
    dilation: pair(fn, 'conv2d', 'dilation', opts.dilation),
    padding: parsePadding(fn, 'conv2d', opts.padding),
    groups: parseGroups(fn, 'conv2d', opts.groups),
    paddingMode: parseMode(fn, opts.paddingMode),
    bias: opts.bias,
  };
}

/** ConvTranspose2d options checked for form and range alone (no shapes needed). */
export interface ParsedConvTranspose2dOptions {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Cropped from the full output: `[[top, bottom], [left, right]]`. */
  readonly padding: readonly [readonly [number, number], readonly [number, number]];
  readonly outputPadding: readonly [number, number];
  readonly groups: number;
  readonly bias: unknown;
}

/** Validates the form of convTranspose2d options, and outputPadding's range (below max(stride, dilation)). */
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
  const padding = parsePadding(fn, set, opts.padding);
  // The table lists no padding names for this set; one added there needs its resolution here first.
  if (padding === 'same') throw new Error(`${fn}: padding 'same' is not resolved for a transposed convolution`);
  return { ...bounds, padding, outputPadding, groups, bias: opts.bias };
}

/**
 * Validates and normalises a conv2d problem from shapes alone.
 * Throws ConvError for every invalid combination (see DESIGN: codes).
 */
export function conv2dGeometry(
  fn: string,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options?: Conv2dOptions,
): Conv2dGeometry {
  const { stride, dilation, padding, groups, paddingMode, bias } = parseConv2dOptions(fn, options);
  const { batched, dims } = inputDims(fn, inputShape);
  checkWeightShape(fn, weightShape);
  const [N, C, H, W] = dims;
  const [O, Cg, KH, KW] = weightShape;
  if (O % groups !== 0) {
    fail(
      fn,
      'groups',
      `out channels ${O} (weight of size ${show(weightShape)}) must be divisible by groups=${groups}; ` +
        'use a groups that divides both channel counts',
    );
  }
  if (Cg * groups !== C) {
    fail(
      fn,
      'channels',
      `given groups=${groups}, weight of size ${show(weightShape)}, expected input${show(inputShape)} to have ` +
        `${Cg * groups} channels, but got ${C} channels instead; the input's channels must equal ` +
        "the weight's second dimension times groups",
    );
  }
  const [sh, sw] = stride;
  const [dh, dw] = dilation;
  checkExtent(fn, KH, KW, dh, dw);
  const [[pt, pb], [pl, pr]] = padding === 'same' ? [samePadding(H, KH, sh, dh), samePadding(W, KW, sw, dw)] : padding;
  const h = axis(H, KH, sh, dh, pt, pb);
  const w = axis(W, KW, sw, dw, pl, pr);
  checkFits(fn, h, w);
  checkModeLimits(fn, paddingMode, h, w);
  checkBiasShape(fn, bias, O);
  const outputShape = batched ? [N, O, h.out, w.out] : [O, h.out, w.out];
  checkAllocation(fn, 'the output', outputShape);
  checkPerImage(fn, [O, h.out, w.out], [h.out, KH], [w.out, KW]);
  return { batched, N, C, O, groups, h, w, paddingMode, outputShape };
}

/**
 * The shape conv2d would return, computed without any data.
 * @example conv2dOutputShape([1, 1, 8, 8], [1, 1, 3, 3], { padding: 1, stride: 2 }) // [1, 1, 4, 4]
 */
export function conv2dOutputShape(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options?: Conv2dOptions,
): number[] {
  const fn = 'conv2dOutputShape';
  const input = checkShape(fn, 'inputShape', inputShape);
  const weight = checkShape(fn, 'weightShape', weightShape);
  return [...conv2dGeometry(fn, input, weight, options).outputShape];
}

/**
 * Validates and normalises a transposed convolution from shapes alone.
 * input `[N,C,H,W]` (or `[C,H,W]`), weight `[C, O/groups, KH, KW]`.
 * `OH = (H−1)·sh − top − bottom + dh·(KH−1) + oph + 1`.
 */
export function convTranspose2dGeometry(
  fn: string,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options?: ConvTranspose2dOptions,
): ConvTranspose2dGeometry {
  const {
    stride: [sh, sw],
    dilation: [dh, dw],
    outputPadding: [oph, opw],
    padding: [[pt, pb], [pl, pr]],
    groups,
    bias,
  } = parseConvTranspose2dOptions(fn, options);
  const { batched, dims } = inputDims(fn, inputShape);
  if (weightShape.length !== 4) {
    fail(
      fn,
      'rank',
      `expected 4D weight [in, out/groups, KH, KW], but got weight of size ${show(weightShape)}; ` +
        'a single [KH, KW] kernel is [1, 1, KH, KW]',
    );
  }
  checkSpatial(fn, 'weight', weightShape, 0);
  const [N, C, H, W] = dims;
  const [Cw, Og, KH, KW] = weightShape;
  if (Cw !== C) {
    fail(
      fn,
      'channels',
      `weight of size ${show(weightShape)} expects input${show(inputShape)} to have ${Cw} channels, but got ${C} channels instead; ` +
        "the weight's first dimension must equal the input's channels",
    );
  }
  if (C % groups !== 0) {
    fail(fn, 'groups', `input channels ${C} must be divisible by groups=${groups}; use a groups that divides them`);
  }
  const O = Og * groups;
  const OH = (H - 1) * sh - pt - pb + dh * (KH - 1) + oph + 1;
  const OW = (W - 1) * sw - pl - pr + dw * (KW - 1) + opw + 1;
  if (OH < 1 || OW < 1) {
    fail(
      fn,
      'padding',
      `padding [[${pt}, ${pb}], [${pl}, ${pr}]] crops the whole output: the output would be ${OH} x ${OW}; reduce the padding`,
    );
  }
  checkBiasShape(fn, bias, O);
  // The conv whose adjoint this is: input [N,O,OH,OW] → output [N,C,·,·] with weight [C, O/g, KH, KW].
  // Its output may have more positions than H when outputPadding ≥ stride (dilation > stride);
  // the transposed input then feeds only the first H of them.
  const h = axis(OH, KH, sh, dh, pt, pb);
  const w = axis(OW, KW, sw, dw, pl, pr);
  const outputShape = batched ? [N, O, OH, OW] : [O, OH, OW];
  checkAllocation(fn, 'the output', outputShape);
  checkPerImage(fn, [O, OH, OW], [H, KH], [W, KW]);
  const conv: Conv2dGeometry = {
    batched,
    N,
    C: O,
    O: C,
    groups,
    h,
    w,
    paddingMode: 'zeros',
    outputShape: batched ? [N, C, h.out, w.out] : [C, h.out, w.out],
  };
  return { batched, conv, inH: H, inW: W, outputShape };
}

/**
 * The index map of one axis, shared by every reference kernel (forward and
 * backward): entry `o·K + k` is the source pixel read by output position `o`
 * through tap `k`, or −1 for a zero-padding tap (skipped). Padding modes map
 * padded positions back onto real pixels, so gradients fold into them.
 */
export function tapMap(a: AxisGeometry, mode: PaddingMode, outCount: number = a.out): Int32Array {
  const map = new Int32Array(outCount * a.kernel);
  for (let o = 0; o < outCount; o++) {
    for (let k = 0; k < a.kernel; k++) {
      map[o * a.kernel + k] = sourceIndex(o * a.stride - a.padBefore + k * a.dilation, a.size, mode);
    }
  }
  return map;
}

/** Where padded position `i` reads from in an axis of `size`, or −1 for a zero. */
export function sourceIndex(i: number, size: number, mode: PaddingMode): number {
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case 'zeros':
      return -1;
    case 'reflect':
      return i < 0 ? -i : 2 * (size - 1) - i;
    case 'replicate':
      return i < 0 ? 0 : size - 1;
    case 'circular':
      return ((i % size) + size) % size;
  }
}
