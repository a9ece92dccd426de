/**
 * A Conv2d layer in the style of the chapter (and PyTorch's nn.Conv2d):
 * parameters with gradients, forward, backward, zeroGrad.
 */
import { defaultBackend, type Backend } from './backend.js';
import { fail, show } from './errors.js';
import { fromOIHW } from './formats.js';
import type { Conv2dOptions, Pair, Padding, PaddingMode } from './geometry.js';
import type { DataFormat, FilterFormat } from './options.js';
import { parseConv2dOptions } from './parse-options.js';
import { seededRandom } from './random.js';
import { allocate, checkAllocation, type DType, type Tensor, type TensorData } from './tensor.js';

/** A trainable tensor: `grad` has the same length as `data` and is added into by `backward`. */
export interface Parameter extends Tensor {
  readonly grad: Float32Array | Float64Array;
}

/** Constructor options of `Conv2d` (PyTorch's names, camelCased). */
export interface Conv2dConfig {
  inChannels: number;
  outChannels: number;
  /** `k` or `[KH, KW]`. */
  kernelSize: Pair;
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  groups?: number;
  /** Whether the layer has a bias; default true. */
  bias?: boolean;
  paddingMode?: PaddingMode;
  /** The layout of the inputs and outputs: `'NCHW'` (default) or `'NHWC'` (tfjs's `[N, H, W, C]`). */
  dataFormat?: DataFormat;
  /**
   * The weight's layout: `'OIHW'` (default, `[O, C/groups, KH, KW]`) or `'HWIO'` (tfjs's, `[KH, KW, C/groups, O]`).
   * The same seed gives the same values in either, permuted.
   */
  filterFormat?: FilterFormat;
  /** Default float32. */
  dtype?: DType;
  /** Seed of the initialisation; the same seed gives the same layer. Default: a random seed. */
  seed?: number;
  /** The kernels its forward and backward run on (`createBackend`); default `defaultBackend`. */
  backend?: Backend;
}

const CONFIG_KEYS = new Set([
  'inChannels',
  'outChannels',
  'kernelSize',
  'stride',
  'padding',
  'dilation',
  'groups',
  'bias',
  'paddingMode',
  'dataFormat',
  'filterFormat',
  'dtype',
  'seed',
  'backend',
]);

function positiveInt(fn: string, name: string, v: unknown, code: 'shape' | 'groups'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    fail(fn, code, `${name} must be a positive integer, got ${show(v)}`);
  }
  return v;
}

/**
 * Refuses a config that is not an object or names an option the layer does not have.
 * @example checkConfigKeys('Conv2d', { inChannels: 1 }, new Set(['inChannels'])) // passes
 */
export function checkConfigKeys(fn: string, config: unknown, keys: ReadonlySet<string>): void {
  if (config === null || typeof config !== 'object')
    fail(fn, 'option', `expected a config object, got ${show(config)}`);
  for (const key of Object.keys(config)) {
    if (!keys.has(key)) fail(fn, 'option', `unknown option ${show(key)}; the options are ${[...keys].join(', ')}`);
  }
}

/** What every conv layer's config shares, validated. */
export interface LayerBasics {
  readonly C: number;
  readonly O: number;
  readonly KH: number;
  readonly KW: number;
  readonly dtype: DType;
  /** The seeded generator of the initial parameters. */
  readonly rand: () => number;
  readonly backend: Backend;
}

/** The fields both layers' configs have (channels, kernel, bias, dtype, seed, backend). */
interface BasicConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: Pair;
  bias?: boolean;
  dtype?: DType;
  seed?: number;
  backend?: Backend;
}

/**
 * Validates the config fields both layers share; both channel counts must be divisible by `groups`.
 * @throws ConvError naming the layer (`fn`) and the field
 * @example const { C, O, KH, KW, dtype, rand } = layerBasics('Conv2d', config, 1);
 */
export function layerBasics(fn: string, config: BasicConfig, groups: number): LayerBasics {
  const C = positiveInt(fn, 'inChannels', config.inChannels, 'shape');
  const O = positiveInt(fn, 'outChannels', config.outChannels, 'shape');
  const k = config.kernelSize;
  if (Array.isArray(k) && k.length !== 2) fail(fn, 'shape', `kernelSize must be a number or [KH, KW], got ${show(k)}`);
  const [KH, KW] = Array.isArray(k) ? k : [k, k];
  positiveInt(fn, 'kernelSize', KH, 'shape');
  positiveInt(fn, 'kernelSize', KW, 'shape');
  if (C % groups !== 0 || O % groups !== 0) {
    fail(fn, 'groups', `inChannels ${C} and outChannels ${O} must both be divisible by groups=${groups}`);
  }
  const dtype = config.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64')
    fail(fn, 'dtype', `dtype must be 'float32' or 'float64', got ${show(dtype)}`);
  if (config.bias !== undefined && typeof config.bias !== 'boolean') {
    fail(fn, 'option', `bias must be true or false, got ${show(config.bias)}`);
  }
  const seed = config.seed ?? Math.floor(Math.random() * 2 ** 32);
  if (typeof seed !== 'number' || !Number.isFinite(seed))
    fail(fn, 'option', `seed must be a finite number, got ${show(seed)}`);
  return { C, O, KH, KW, dtype, rand: seededRandom(seed), backend: checkBackend(fn, config.backend) };
}

/**
 * A parameter of `shape` drawn uniform in ±bound, with a zero gradient. A weight's `shape` is its
 * OIHW form; with `filterFormat` `'HWIO'` it is drawn in that order, then laid out as `[KH, KW, B, A]`,
 * so a seed gives one layer whatever the layout.
 * @example parameter('float32', [4], 0.5, seededRandom(0)).grad // Float32Array [0, 0, 0, 0]
 */
export function parameter(
  dtype: DType,
  shape: number[],
  bound: number,
  rand: () => number,
  filterFormat: FilterFormat = 'OIHW',
): Parameter {
  const data = allocate(
    dtype,
    shape.reduce((a, b) => a * b, 1),
  );
  for (let i = 0; i < data.length; i++) data[i] = (2 * rand() - 1) * bound;
  if (filterFormat === 'OIHW') return { shape, data, grad: allocate(dtype, data.length) };
  const [a, b, kh, kw] = shape;
  const laid = fromOIHW(filterFormat, [kh, kw, b, a], data);
  return { shape: [...laid.shape], data: laid.data, grad: allocate(dtype, data.length) };
}

/**
 * A 2-D convolution layer. Weight `[O, C/groups, KH, KW]` (`[KH, KW, C/groups, O]`
 * with `filterFormat: 'HWIO'`) and bias `[O]` start uniform in ±1/√(C/groups·KH·KW),
 * PyTorch's default, drawn from a seeded generator (in OIHW order, whatever the layout).
 *
 * @example
 * const layer = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: [1, 2], bias: false, seed: 0 });
 * const tfjsLike = new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, dataFormat: 'NHWC', filterFormat: 'HWIO' });
 * tfjsLike.forward(images);                 // images: [N, H, W, 3] → [N, H − 2, W − 2, 8]
 * const onJs = new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, backend: createBackend({ kernels: 'js' }) });
 * const y = layer.forward(x);               // x: [1, 1, 6, 8]
 * layer.zeroGrad();
 * layer.backward(gradOfLossWrtY);           // adds into layer.weight.grad
 */
export class Conv2d {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly options: Readonly<Omit<Conv2dOptions, 'bias'>>;
  /** The backend its calls run on. */
  readonly backend: Backend;
  private saved: { readonly input: Tensor; readonly weight: Tensor } | null = null;

  constructor(config: Conv2dConfig) {
    const fn = 'Conv2d';
    checkConfigKeys(fn, config, CONFIG_KEYS);
    // Checked by the option table's rules, like conv2d's own options.
    const { groups, filterFormat } = parseConv2dOptions(fn, {
      stride: config.stride,
      padding: config.padding,
      dilation: config.dilation,
      groups: config.groups,
      paddingMode: config.paddingMode,
      dataFormat: config.dataFormat,
      filterFormat: config.filterFormat,
    });
    const { C, O, KH, KW, dtype, rand, backend } = layerBasics(fn, config, groups);
    this.backend = backend;
    // Copies: the caller may reuse (and change) its arrays after construction.
    this.options = {
      stride: copyOption(config.stride),
      padding: copyOption(config.padding),
      dilation: copyOption(config.dilation),
      groups,
      paddingMode: config.paddingMode,
      dataFormat: config.dataFormat,
      filterFormat: config.filterFormat,
    };
    checkAllocation(fn, 'the weight', [O, C / groups, KH, KW]);
    const bound = 1 / Math.sqrt((C / groups) * KH * KW);
    this.weight = parameter(dtype, [O, C / groups, KH, KW], bound, rand, filterFormat);
    this.bias = config.bias === false ? null : parameter(dtype, [O], bound, rand);
  }

  /**
   * Runs the convolution and keeps copies of the input and the weight for
   * `backward`, so the gradients belong to this forward even if the caller
   * changes either in between.
   */
  forward(x: Tensor): Tensor {
    const y = this.backend.conv2d(x, this.weight, { ...this.options, bias: this.bias });
    this.saved = { input: copied(x), weight: copied(this.weight) };
    return y;
  }

  /**
   * Backpropagates through the last `forward`: adds dL/dw (and dL/db) into
   * the parameters' `.grad` and returns dL/dx.
   * @throws ConvError('state') if `forward` has not been called
   */
  backward(gradOutput: Tensor): Tensor {
    if (!this.saved) fail('Conv2d.backward', 'state', 'call forward(x) before backward(gradOutput)');
    const g = this.backend.conv2dBackward(gradOutput, this.saved.input, this.saved.weight, {
      ...this.options,
      bias: this.bias,
    });
    return accumulate(this, g);
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad.fill(0);
  }

  /** `[weight]` or `[weight, bias]`. */
  parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }
}

/**
 * A fresh copy of a tensor (shape and data): what a layer keeps from `forward` for `backward`.
 * @example copied(x).data !== x.data // true
 */
export function copied(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data.slice() as TensorData };
}

/**
 * Adds a backward pass's weight and bias gradients into a layer's `.grad` and returns dL/dx.
 * @example return accumulate(this, backend.conv2dBackward(dy, x, w, options));
 */
export function accumulate(
  layer: { readonly weight: Parameter; readonly bias: Parameter | null },
  g: { readonly gradInput: Tensor; readonly gradWeight: Tensor; readonly gradBias: Tensor },
): Tensor {
  addInto(layer.weight.grad, g.gradWeight.data);
  if (layer.bias) addInto(layer.bias.grad, g.gradBias.data);
  return g.gradInput;
}

/** The config's backend: undefined means the default; anything else must have the kernels the layers call. */
function checkBackend(fn: string, backend: unknown): Backend {
  if (backend === undefined) return defaultBackend;
  const b = backend as Partial<Backend> | null;
  const kernels = ['conv2d', 'conv2dBackward', 'convTranspose2d', 'convTranspose2dBackward'] as const;
  if (!kernels.every((k) => typeof b?.[k] === 'function')) {
    fail(fn, 'option', `backend must be a backend made by createBackend(), got ${show(backend)}`);
  }
  return backend as Backend;
}

/**
 * A deep copy of a (validated) Pair or Padding option.
 * @example copyOption([[1, 0], [2, 2]]) // a fresh [[1, 0], [2, 2]]
 */
export function copyOption<T>(v: T): T {
  return (Array.isArray(v) ? v.map(copyOption) : v) as T;
}

/**
 * `target[i] += source[i]`: how backward accumulates into `.grad`.
 * @example addInto(layer.weight.grad, grads.gradWeight.data)
 */
function addInto(target: TensorData, source: TensorData): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}

/**
 * One step of plain gradient descent: `p.data[i] -= lr · p.grad[i]`.
 * @example sgd(layer.parameters(), 0.03)
 */
export function sgd(parameters: readonly Parameter[], lr: number): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr))
    fail('sgd', 'option', `lr must be a finite number, got ${show(lr)}`);
  checkParameters(parameters);
  for (const p of parameters) {
    for (let i = 0; i < p.data.length; i++) p.data[i] -= lr * p.grad[i];
  }
}

const isFloatArray = (v: unknown): v is TensorData => v instanceof Float32Array || v instanceof Float64Array;

/** All parameters are checked before any is updated, so a bad one leaves the rest untouched. */
function checkParameters(parameters: unknown): void {
  if (!Array.isArray(parameters)) {
    fail('sgd', 'type', `parameters must be an array of Parameters (e.g. layer.parameters()), got ${show(parameters)}`);
  }
  parameters.forEach((p: Partial<Parameter> | null, i) => {
    if (!isFloatArray(p?.data) || !isFloatArray(p?.grad) || p.grad.length !== p.data.length) {
      fail(
        'sgd',
        'type',
        `parameters[${i}] must have data and a grad of the same length (a Parameter), got data ${show(p?.data)} and grad ${show(p?.grad)}`,
      );
    }
  });
}
