/**
 * A ConvTranspose2d layer beside Conv2d (PyTorch's nn.ConvTranspose2d):
 * the same parameter / forward / backward / zeroGrad contract, for the
 * transposed convolution that up-samples (decoders, U-Net, DCGAN).
 */
import type { Backend } from './backend.js';
import { fail } from './errors.js';
import type { ConvTranspose2dOptions, Pair, TransposePadding } from './geometry.js';
import type { DataFormat, FilterFormat } from './options.js';
import { accumulate, checkConfigKeys, copied, copyOption, layerBasics, parameter, type Parameter } from './layer.js';
import { parseConvTranspose2dOptions } from './parse-options.js';
import { checkAllocation, type DType, type Tensor } from './tensor.js';

/** Constructor options of `ConvTranspose2d` (PyTorch's names, camelCased). */
export interface ConvTranspose2dConfig {
  inChannels: number;
  outChannels: number;
  /** `k` or `[KH, KW]`. */
  kernelSize: Pair;
  stride?: Pair;
  /** Rows/columns cropped from the full output (see `TransposePadding`). */
  padding?: TransposePadding;
  /** Extra rows/columns at the bottom/right, each `< max(stride, dilation)`; default 0. */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  /** The layout of the inputs and outputs: `'NCHW'` (default) or `'NHWC'` (tfjs's `[N, H, W, C]`). */
  dataFormat?: DataFormat;
  /**
   * The weight's layout: `'OIHW'` (default, `[C, O/groups, KH, KW]`) or `'HWIO'` (tfjs's conv2dTranspose
   * filter, `[KH, KW, O/groups, C]`). The same seed gives the same values in either, permuted.
   */
  filterFormat?: FilterFormat;
  /** Whether the layer has a bias; default true. */
  bias?: boolean;
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
  'outputPadding',
  'dilation',
  'groups',
  'dataFormat',
  'filterFormat',
  'bias',
  'dtype',
  'seed',
  'backend',
]);

/** The layer's own options, as convTranspose2d takes them (without bias and outputSize). */
type LayerOptions = Readonly<Omit<ConvTranspose2dOptions, 'bias' | 'outputSize'>>;

/**
 * A transposed 2-D convolution layer. Weight `[C, O/groups, KH, KW]` (`[KH, KW, O/groups, C]`
 * with `filterFormat: 'HWIO'`, drawn in the OIHW order whatever the layout) and bias
 * `[O]` start uniform in ±1/√(O/groups·KH·KW), PyTorch's default for
 * ConvTranspose2d (its fan-in is computed from the weight's second dimension),
 * drawn from a seeded generator.
 *
 * @example
 * const up = new ConvTranspose2d({ inChannels: 8, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, seed: 0 });
 * const y = up.forward(x, [16, 16]);    // x: [1, 8, 8, 8]; outputSize [16, 16] picks outputPadding 1
 * const tfjsLike = new ConvTranspose2d({ inChannels: 8, outChannels: 4, kernelSize: 3, stride: 2, padding: 'same',
 *   dataFormat: 'NHWC', filterFormat: 'HWIO' }); // weight [3, 3, 4, 8]; tfjsLike.forward(xNhwc) → [N, 2H, 2W, 4]
 * up.zeroGrad();
 * const dx = up.backward(gradOfLossWrtY); // adds into up.weight.grad and up.bias.grad
 */
export class ConvTranspose2d {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly options: LayerOptions;
  /** The backend its calls run on. */
  readonly backend: Backend;
  private saved: {
    readonly input: Tensor;
    readonly weight: Tensor;
    readonly outputSize: readonly [number, number] | null;
  } | null = null;

  constructor(config: ConvTranspose2dConfig) {
    const fn = 'ConvTranspose2d';
    checkConfigKeys(fn, config, CONFIG_KEYS);
    // Checked by the option table's rules, like convTranspose2d's own options.
    const { groups, filterFormat } = parseConvTranspose2dOptions(fn, {
      stride: config.stride,
      padding: config.padding,
      outputPadding: config.outputPadding,
      dilation: config.dilation,
      groups: config.groups,
      dataFormat: config.dataFormat,
      filterFormat: config.filterFormat,
    });
    const { C, O, KH, KW, dtype, rand, backend } = layerBasics(fn, config, groups);
    this.backend = backend;
    // Copies: the caller may reuse (and change) its arrays after construction.
    this.options = {
      stride: copyOption(config.stride),
      padding: copyOption(config.padding),
      outputPadding: copyOption(config.outputPadding),
      dilation: copyOption(config.dilation),
      groups,
      dataFormat: config.dataFormat,
      filterFormat: config.filterFormat,
    };
    checkAllocation(fn, 'the weight', [C, O / groups, KH, KW]);
    const bound = 1 / Math.sqrt((O / groups) * KH * KW);
    this.weight = parameter(dtype, [C, O / groups, KH, KW], bound, rand, filterFormat);
    this.bias = config.bias === false ? null : parameter(dtype, [O], bound, rand);
  }

  /**
   * Runs the transposed convolution and keeps copies of the input and the
   * weight for `backward`.
   * @param outputSize `[OH, OW]` (PyTorch's `output_size`): chooses the output padding for
   *   this call, in place of the layer's outputPadding (which must then be 0)
   */
  forward(x: Tensor, outputSize?: readonly [number, number]): Tensor {
    const size = outputSize === undefined ? null : ([...outputSize] as [number, number]);
    const y = this.backend.convTranspose2d(x, this.weight, this.callOptions(size));
    this.saved = { input: copied(x), weight: copied(this.weight), outputSize: size };
    return y;
  }

  /**
   * Backpropagates through the last `forward`: adds dL/dw (and dL/db) into
   * the parameters' `.grad` and returns dL/dx.
   * @throws ConvError('state') if `forward` has not been called
   */
  backward(gradOutput: Tensor): Tensor {
    if (!this.saved) fail('ConvTranspose2d.backward', 'state', 'call forward(x) before backward(gradOutput)');
    const { input, weight, outputSize } = this.saved;
    const g = this.backend.convTranspose2dBackward(gradOutput, input, weight, this.callOptions(outputSize));
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

  private callOptions(outputSize: readonly [number, number] | null): ConvTranspose2dOptions {
    return { ...this.options, bias: this.bias, outputSize };
  }
}
