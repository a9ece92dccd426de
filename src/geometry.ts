/**
 * All of convolution's geometry, in one place: options are validated and
 * normalised here once, and every kernel (reference or fast, forward or
 * backward) reads the resulting `Conv2dGeometry` instead of raw options.
 */
import { fail, show } from './errors.js';
import { dataAxes, dataDims, dataShape, filterAxisName, filterDims, inputChannelsName } from './formats.js';
import { OPTION_RULES, type DataFormat, type FilterFormat } from './options.js';
import { parseConv2dOptions, parseConvTranspose2dOptions, type Layouts, type SameRule } from './parse-options.js';
import { checkAllocation, checkShape, checkTensor, MAX_ELEMENTS, type Tensor } from './tensor.js';

/** A per-axis value: one number for both axes, or `[height, width]`. */
export type Pair = number | readonly [number, number];

/**
 * Padding of a convolution:
 * - `p`: p on every side; `[ph, pw]`: ph top and bottom, pw left and right;
 * - `[[top, bottom], [left, right]]`: explicit, possibly asymmetric;
 * - `'valid'`: none; `'same'` (= `'same-upper'`): TensorFlow/ONNX SAME_UPPER,
 *   `OH = ceil(H / stride)`, with the odd pixel at the bottom/right (allowed with any stride);
 * - `'same-lower'`: ONNX SAME_LOWER, the same total with the odd pixel at the top/left.
 */
export type Padding =
  | number
  | readonly [number, number]
  | readonly [readonly [number, number], readonly [number, number]]
  | 'valid'
  | 'same'
  | 'same-upper'
  | 'same-lower';

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
  /**
   * Where the channels sit in the input, output and gradients: `'NCHW'` (default; `[N, C, H, W]`,
   * unbatched `[C, H, W]`) or `'NHWC'` (tfjs's channels last; `[N, H, W, C]`, unbatched `[H, W, C]`).
   */
  dataFormat?: DataFormat;
  /** The weight's layout: `'OIHW'` (default; `[O, C/groups, KH, KW]`) or `'HWIO'` (tfjs's; `[KH, KW, C/groups, O]`). */
  filterFormat?: FilterFormat;
}

/**
 * Padding of a transposed convolution: rows/columns cropped from the full output.
 * - `p`, `[ph, pw]`, `[[top, bottom], [left, right]]`: explicit crops; `'valid'`: none;
 * - `'same'` (= `'same-upper'`), `'same-lower'`: ONNX ConvTranspose's auto_pad and tfjs's
 *   conv2dTranspose: the crop that gives the output size (`outputSize`, default `input · stride`),
 *   split evenly, the odd row/column cropped at the bottom/right (upper) or top/left (lower).
 */
export type TransposePadding =
  | number
  | readonly [number, number]
  | readonly [readonly [number, number], readonly [number, number]]
  | 'valid'
  | 'same'
  | 'same-upper'
  | 'same-lower';

/** Options of `convTranspose2d` (PyTorch's meanings; asymmetric padding as ONNX). */
export interface ConvTranspose2dOptions {
  /** Shape `[O]` where O = weight.shape[1] · groups. */
  bias?: Tensor | null;
  stride?: Pair;
  /** Rows/columns cropped from the full output: symmetric, `[[t, b], [l, r]]`, or a name (see `TransposePadding`). */
  padding?: TransposePadding;
  /** Extra rows/columns at the bottom/right, each `< max(stride, dilation)`. Default 0. */
  outputPadding?: Pair;
  /**
   * The output `[OH, OW]` wanted (PyTorch's `output_size`, ONNX's `output_shape`, tfjs's
   * `outputShape`): with explicit padding it chooses the output padding (PyTorch), with a
   * SAME padding the crop (ONNX). Not together with a non-zero `outputPadding`.
   */
  outputSize?: readonly [number, number] | null;
  dilation?: Pair;
  groups?: number;
  /** Where the channels sit in the input and output: `'NCHW'` (default) or `'NHWC'` (tfjs's); see `Conv2dOptions`. */
  dataFormat?: DataFormat;
  /**
   * The weight's layout: `'OIHW'` (default; `[C, O/groups, KH, KW]`, PyTorch's) or `'HWIO'`
   * (tfjs's conv2dTranspose filter `[KH, KW, O/groups, C]`).
   */
  filterFormat?: FilterFormat;
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
  /**
   * Output size: `floor((size + before + after − dilation·(kernel−1) − 1) / stride) + 1`
   * (in a transposed conv's `conv`, the first H of them; see ConvTranspose2dGeometry).
   */
  readonly out: number;
}

/**
 * A fully validated conv2d problem. Sizes are channels-first and 4-D (an unbatched input has N = 1);
 * `dataFormat` and `filterFormat` say how the caller lays out the tensors, and `outputShape` is in the caller's layout.
 */
export interface Conv2dGeometry extends Layouts {
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
  /** The output shape as returned to the caller (3-D for an unbatched input; in the caller's `dataFormat`). */
  readonly outputShape: readonly number[];
}

/**
 * A fully validated transposed convolution. `conv` is the conv2d whose adjoint it is, in the
 * kernels' layouts (NCHW, OIHW); `dataFormat`, `filterFormat` and `outputShape` are the caller's.
 */
export interface ConvTranspose2dGeometry extends Layouts {
  readonly batched: boolean;
  /**
   * The forward conv mapping the transposed output (its input) to the transposed input (its
   * output), restricted to the transposed input's H × W positions: `conv.h.out = H`.
   */
  readonly conv: Conv2dGeometry;
  /** Rows/columns of the transposed input (= the conv's output positions, `conv.h.out`, `conv.w.out`). */
  readonly inH: number;
  readonly inW: number;
  /** The output padding per axis: given, or chosen by `outputSize` or a SAME padding. */
  readonly outputPadding: readonly [number, number];
  readonly outputShape: readonly number[];
}

/**
 * A SAME split of `total` pads: half each side, the odd one after (`'same-upper'`) or before (`'same-lower'`).
 * @example sameSplit(3, 'same-lower') // [2, 1]
 */
function sameSplit(total: number, rule: SameRule): [number, number] {
  const small = Math.floor(total / 2);
  return rule === 'same-upper' ? [small, total - small] : [total - small, small];
}

/**
 * `'same'` pads for one axis: OH = ceil(H/s), `total = max(0, (OH−1)·s + d·(k−1) + 1 − H)`,
 * the odd pixel after (SAME_UPPER, the default) or, with `rule` `'same-lower'`, before.
 * @example samePadding(8, 3, 2, 1) // [0, 1]; samePadding(8, 3, 2, 1, 'same-lower') // [1, 0]
 */
export function samePadding(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  rule: SameRule = 'same-upper',
): [number, number] {
  const out = Math.ceil(size / stride);
  return sameSplit(Math.max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size), rule);
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

/** The input's channels-first sizes `[N, C, H, W]`, read in the caller's `format`; rank and zero sizes checked. */
function inputDims(
  fn: string,
  inputShape: readonly number[],
  format: DataFormat,
): { batched: boolean; dims: [number, number, number, number] } {
  if (inputShape.length !== 3 && inputShape.length !== 4) {
    const named = format === 'NCHW' ? '' : ` (dataFormat '${format}')`;
    fail(
      fn,
      'rank',
      `expected 3D (unbatched) or 4D (batched) input, but got input of size ${show(inputShape)}; ` +
        `pass ${dataAxes(format, false)} for one image or ${dataAxes(format, true)} for a batch${named}`,
    );
  }
  const batched = inputShape.length === 4;
  checkSpatial(fn, 'input', inputShape, batched ? 1 : 0);
  return { batched, dims: dataDims(inputShape, format) };
}

/**
 * Checks a weight's rank and sizes; `axes` names its OIHW-form dimensions `[A, B]`
 * (`['out', 'in/groups']` for conv2d, `['in', 'out/groups']` for the transposed conv).
 */
function checkWeightShape(
  fn: string,
  weightShape: readonly number[],
  format: FilterFormat,
  [a, b]: readonly [string, string],
): void {
  if (weightShape.length !== 4) {
    const [expected, single] =
      format === 'OIHW'
        ? [`[${a}, ${b}, KH, KW]`, '[1, 1, KH, KW]']
        : [`[KH, KW, ${b}, ${a}] (filterFormat 'HWIO')`, '[KH, KW, 1, 1]'];
    fail(
      fn,
      'rank',
      `expected 4D weight ${expected}, but got weight of size ${show(weightShape)}; ` +
        `a single [KH, KW] kernel is ${single}`,
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
  const { stride, dilation, padding, groups, paddingMode, bias, dataFormat, filterFormat } = parseConv2dOptions(
    fn,
    options,
  );
  const { batched, dims } = inputDims(fn, inputShape, dataFormat);
  checkWeightShape(fn, weightShape, filterFormat, ['out', 'in/groups']);
  const [N, C, H, W] = dims;
  const [O, Cg, KH, KW] = filterDims(weightShape, filterFormat);
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
        `${Cg * groups} channels, but got ${C} channels instead; ${inputChannelsName(dataFormat)} must equal ` +
        `the weight's ${filterAxisName(filterFormat, 'B')} times groups`,
    );
  }
  const [sh, sw] = stride;
  const [dh, dw] = dilation;
  checkExtent(fn, KH, KW, dh, dw);
  const [[pt, pb], [pl, pr]] =
    typeof padding === 'string' ? [samePadding(H, KH, sh, dh, padding), samePadding(W, KW, sw, dw, padding)] : padding;
  const h = axis(H, KH, sh, dh, pt, pb);
  const w = axis(W, KW, sw, dw, pl, pr);
  checkFits(fn, h, w);
  checkModeLimits(fn, paddingMode, h, w);
  checkBiasShape(fn, bias, O);
  const outputShape = dataShape(dataFormat, batched, N, O, h.out, w.out);
  checkAllocation(fn, 'the output', outputShape);
  checkPerImage(fn, [O, h.out, w.out], [h.out, KH], [w.out, KW]);
  return { batched, N, C, O, groups, h, w, paddingMode, outputShape, dataFormat, filterFormat };
}

/**
 * The shape conv2d would return, computed without any data (in the options' `dataFormat`).
 * @example
 * conv2dOutputShape([1, 1, 8, 8], [1, 1, 3, 3], { padding: 1, stride: 2 }) // [1, 1, 4, 4]
 * conv2dOutputShape([1, 8, 8, 3], [3, 3, 3, 16], { padding: 'same', dataFormat: 'NHWC', filterFormat: 'HWIO' }) // [1, 8, 8, 16]
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

/** One axis of a transposed conv, resolved: the crop before and after, the output padding, the output size. */
interface TransposedAxis {
  readonly before: number;
  readonly after: number;
  readonly out: number;
  /** The output padding this axis ends with: given, or chosen by outputSize or a SAME rule. */
  readonly outputPadding: number;
}

/** The numbers of one axis of a transposed conv as the options gave them. */
interface TransposedAxisInput {
  readonly name: 'height' | 'width';
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padding: readonly [number, number] | SameRule;
  readonly outputPadding: number;
  /** The output size asked for, or null. */
  readonly asked: number | null;
}

/**
 * Resolves one axis of a transposed conv. The full output (nothing cropped) has
 * `full = (n−1)·s + d·(k−1) + 1` rows; explicit pads crop it and the output padding
 * adds rows after, so `out = full − before − after + op`. outputSize fixes `out`:
 * - explicit pads (PyTorch's output_size): `op = out − (full − before − after)`, which must
 *   lie in `[0, max(s, d))`, outputPadding's own range;
 * - a SAME rule (ONNX's output_shape with auto_pad; default out = n·s, as ONNX and tfjs):
 *   `total = full + op − out` is split as SAME splits it; a negative total (the full output is
 *   shorter than asked) crops nothing and pads `out − full` rows after, again below max(s, d).
 * The unreachable-size message speaks of the size asked for, never of a derived output padding.
 */
function transposedAxis(fn: string, a: TransposedAxisInput, asked: readonly [number, number] | null): TransposedAxis {
  const full = (a.size - 1) * a.stride + a.dilation * (a.kernel - 1) + 1;
  const bound = Math.max(a.stride, a.dilation);
  if (typeof a.padding !== 'string') {
    const [before, after] = a.padding;
    const least = full - before - after;
    if (a.asked === null) return { before, after, out: least + a.outputPadding, outputPadding: a.outputPadding };
    if (least + bound - 1 < 1) {
      // No size is reachable: the same refusal as without outputSize (the padding is at fault).
      fail(fn, 'padding', `padding (${before}, ${after}) crops the whole output ${a.name}; reduce the padding`);
    }
    if (a.asked < least || a.asked >= least + bound) unreachable(fn, a, asked!, Math.max(1, least), least + bound - 1);
    return { before, after, out: a.asked, outputPadding: a.asked - least };
  }
  const out = a.asked ?? a.size * a.stride;
  const total = full + a.outputPadding - out;
  if (total >= 0) {
    const [before, after] = sameSplit(total, a.padding);
    return { before, after, out, outputPadding: a.outputPadding };
  }
  if (out - full >= bound) unreachable(fn, a, asked!, 1, full + bound - 1);
  return { before: 0, after: 0, out, outputPadding: out - full };
}

/** Throws the refusal of an outputSize that this axis cannot reach, with the sizes it can. */
function unreachable(
  fn: string,
  a: TransposedAxisInput,
  asked: readonly [number, number],
  least: number,
  most: number,
): never {
  const padding = typeof a.padding === 'string' ? `'${a.padding}'` : `(${a.padding.join(', ')})`;
  const how = least === most ? `${least}` : least === most - 1 ? `${least} or ${most}` : `${least} to ${most}`;
  fail(
    fn,
    OPTION_RULES.outputSize.code,
    `outputSize ${show(asked)} cannot be reached: with input ${a.name} ${a.size}, kernel ${a.kernel}, stride ${a.stride}, ` +
      `dilation ${a.dilation} and padding ${padding} the output ${a.name} is ${how}; ask for one of those, ` +
      'or change the stride or padding',
  );
}

/**
 * Validates and normalises a transposed convolution from shapes alone.
 * input `[N,C,H,W]` (or `[C,H,W]`; `[N,H,W,C]` in NHWC), weight `[C, O/groups, KH, KW]` (`[KH, KW, O/groups, C]` in HWIO).
 * `OH = (H−1)·sh − top − bottom + dh·(KH−1) + oph + 1`; outputSize and the SAME
 * paddings choose oph or the crop (see `transposedAxis`).
 */
export function convTranspose2dGeometry(
  fn: string,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options?: ConvTranspose2dOptions,
): ConvTranspose2dGeometry {
  const o = parseConvTranspose2dOptions(fn, options);
  const { dataFormat, filterFormat } = o;
  const { batched, dims } = inputDims(fn, inputShape, dataFormat);
  checkWeightShape(fn, weightShape, filterFormat, ['in', 'out/groups']);
  const [N, C, H, W] = dims;
  const [Cw, Og, KH, KW] = filterDims(weightShape, filterFormat);
  if (Cw !== C) {
    fail(
      fn,
      'channels',
      `weight of size ${show(weightShape)} expects input${show(inputShape)} to have ${Cw} channels, but got ${C} channels instead; ` +
        `the weight's ${filterAxisName(filterFormat, 'A')} must equal ${inputChannelsName(dataFormat)}`,
    );
  }
  const { groups, bias } = o;
  if (C % groups !== 0) {
    fail(fn, 'groups', `input channels ${C} must be divisible by groups=${groups}; use a groups that divides them`);
  }
  const O = Og * groups;
  const side = (i: 0 | 1, size: number, kernel: number): TransposedAxis =>
    transposedAxis(
      fn,
      {
        name: i === 0 ? 'height' : 'width',
        size,
        kernel,
        stride: o.stride[i],
        dilation: o.dilation[i],
        padding: typeof o.padding === 'string' ? o.padding : o.padding[i],
        outputPadding: o.outputPadding[i],
        asked: o.outputSize?.[i] ?? null,
      },
      o.outputSize,
    );
  const [rows, cols] = [side(0, H, KH), side(1, W, KW)];
  const [OH, OW] = [rows.out, cols.out];
  if (OH < 1 || OW < 1) {
    fail(
      fn,
      'padding',
      `padding [[${rows.before}, ${rows.after}], [${cols.before}, ${cols.after}]] crops the whole output: the output would be ${OH} x ${OW}; reduce the padding`,
    );
  }
  checkBiasShape(fn, bias, O);
  // The conv whose adjoint this is: input [N,O,OH,OW] → output [N,C,H,W] with weight [C, O/g, KH, KW].
  // Its formula gives H + floor(oph/sh) output rows (more than H when outputPadding ≥ stride,
  // which a dilation above the stride allows); the transposed input feeds only the first H,
  // so the conv is restricted to them (its gradients and forward then need no cropping).
  const h = { ...axis(OH, KH, o.stride[0], o.dilation[0], rows.before, rows.after), out: H };
  const w = { ...axis(OW, KW, o.stride[1], o.dilation[1], cols.before, cols.after), out: W };
  const outputShape = dataShape(dataFormat, batched, N, O, OH, OW);
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
    outputShape: batched ? [N, C, H, W] : [C, H, W],
    dataFormat: 'NCHW',
    filterFormat: 'OIHW',
  };
  const outputPadding: [number, number] = [rows.outputPadding, cols.outputPadding];
  return { batched, conv, inH: H, inW: W, outputPadding, outputShape, dataFormat, filterFormat };
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
