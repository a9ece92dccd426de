/**
 * A TensorFlow.js backend as a convproof oracle: forward through `tf.conv2d`
 * (NHWC), dX through the `Conv2DBackpropInput` kernel and dW through
 * `Conv2DBackpropFilter`, called with `engine().runKernel` (tfjs-core alone
 * registers no gradients). Groups are split into one tfjs conv per group,
 * padding modes are applied in JS first, the bias is added afterwards in
 * float32, and results come back in convproof's NCHW/OIHW layout as float32
 * (tfjs computes in float32 whatever the case's dtype).
 *
 * tfjs has one global engine with one active backend. Every call here first
 * makes its own backend active; once a backend is initialised (by `ready()`),
 * switching to it is synchronous, so oracles can be called synchronously and
 * interleaved. Intermediate tensors are disposed before a call returns.
 */
import type { Tensor } from '../../src/index.js';
import { resolveTranspose } from '../spec/index.js';
import type { ConvCase, Oracle, OracleOp, TransposeCase } from '../types.js';
import {
  channelsToNhwc,
  filterToHwio,
  foldNchw,
  hwioIntoFilter,
  nhwcIntoChannels,
  padNchw,
  subsampleNhwc,
  type Nchw,
  type Oihw,
} from './layout.js';
import { dataReason, planFor, resolveCase, type BackendTraits, type TfjsPlan } from './plan.js';

/** A tfjs tensor, as far as the oracle uses it. */
export interface TfjsTensor {
  readonly shape: number[];
  dataSync(): ArrayLike<number>;
  dispose(): void;
}

type Pad4 = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

/** The part of the tfjs API the oracle calls (tfjs-core and tfjs-node both offer it). */
export interface TfjsApi {
  tensor(values: Float32Array, shape: number[], dtype: 'float32'): TfjsTensor;
  conv2d(
    x: TfjsTensor,
    filter: TfjsTensor,
    strides: [number, number],
    pad: Pad4,
    dataFormat: 'NHWC',
    dilations: [number, number],
  ): TfjsTensor;
  engine(): { runKernel(name: string, inputs: Record<string, TfjsTensor>, attrs: Record<string, unknown>): TfjsTensor };
  tidy<T extends TfjsTensor>(fn: () => T): T;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  findBackend(name: string): unknown;
  getKernel(kernelName: string, backendName: string): unknown;
}

/** How to obtain one tfjs backend. */
export interface TfjsBackendSpec {
  /** The oracle's name, e.g. `'tfjs-cpu'`. */
  readonly name: string;
  /** The tfjs backend name, e.g. `'cpu'`, `'wasm'`, `'tensorflow'`. */
  readonly backend: string;
  readonly traits: BackendTraits;
  /** Imports tfjs and registers the backend; throws (with a useful message) when it cannot. */
  load(): Promise<TfjsApi>;
}

const KERNELS: Record<OracleOp, string> = {
  forward: 'Conv2D',
  gradInput: 'Conv2DBackpropInput',
  gradWeight: 'Conv2DBackpropFilter',
};

/** Runs `fn` and returns the data and shape of the tensor it makes, disposing everything. */
function pull(tf: TfjsApi, fn: () => TfjsTensor): { data: Float32Array; shape: number[] } {
  const t = tf.tidy(fn);
  try {
    // A copy: wasm's dataSync may be a view into its heap.
    return { data: Float32Array.from(t.dataSync()), shape: [...t.shape] };
  } finally {
    t.dispose();
  }
}

function nchwOf(p: TfjsPlan): Nchw {
  const { N, C, H, W } = p.c;
  return { N, C, H, W };
}

function oihwOf(p: TfjsPlan): Oihw {
  return { O: p.c.O, I: p.c.Cg, KH: p.c.KH, KW: p.c.KW };
}

/** The input as tfjs sees it: padded in JS when the plan says so. */
function paddedInput(c: ConvCase, p: TfjsPlan): { data: Float32Array | Float64Array; dims: Nchw } {
  const dims = nchwOf(p);
  if (!p.prePad) return { data: c.input.data, dims };
  return padNchw(c.input.data, dims, p.prePad, p.c.mode);
}

/** The dims of the input as tfjs sees it. */
function paddedDims(p: TfjsPlan): Nchw {
  const d = nchwOf(p);
  if (!p.prePad) return d;
  const [[t, b], [l, r]] = p.prePad;
  return { ...d, H: d.H + t + b, W: d.W + l + r };
}

function outputShape(p: TfjsPlan, OH: number, OW: number): number[] {
  return p.c.batched ? [p.c.N, p.c.O, OH, OW] : [p.c.O, OH, OW];
}

function checkDy(p: TfjsPlan, dy: Tensor): void {
  const want = outputShape(p, p.c.OH, p.c.OW);
  if (dy.shape.join() !== want.join()) {
    throw new Error(`oracle: dy has shape [${dy.shape.join(', ')}] but the forward output is [${want.join(', ')}]`);
  }
}

/**
 * Builds the oracle of one tfjs backend. `ready()` loads it; until then (and
 * when loading fails, see `whyUnavailable`) `ops` is empty.
 * @example
 * const cpu = tfjsOracle(cpuSpec);
 * if (await cpu.ready()) cpu.conv2d({ input, weight, options: { padding: 'same' } });
 */
export function tfjsOracle(spec: TfjsBackendSpec): Oracle {
  return new TfjsOracle(spec);
}

class TfjsOracle implements Oracle {
  readonly name: string;
  whyUnavailable?: string;
  ops: readonly OracleOp[] = [];
  private tf: TfjsApi | null = null;
  private loading: Promise<boolean> | null = null;

  constructor(private readonly spec: TfjsBackendSpec) {
    this.name = spec.name;
  }

  ready(): Promise<boolean> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<boolean> {
    try {
      const tf = await this.spec.load();
      if (!(await tf.setBackend(this.spec.backend)))
        throw new Error(`tf.setBackend('${this.spec.backend}') returned false`);
      this.tf = tf;
      // Ask the kernel registry rather than assume: a kernel added upstream shows up here.
      this.ops = (Object.keys(KERNELS) as OracleOp[]).filter(
        (op) => tf.getKernel(KERNELS[op], this.spec.backend) != null,
      );
      return true;
    } catch (e) {
      this.whyUnavailable = `${this.name}: ${String((e as Error).message ?? e).split('\n')[0]}`;
      return false;
    }
  }

  unsupported(c: ConvCase, op: OracleOp, dy?: Tensor): string | null {
    if (!this.tf) return `${this.name} is not available${this.whyUnavailable ? ` (${this.whyUnavailable})` : ''}`;
    if (!this.ops.includes(op))
      return `${this.name} has no ${KERNELS[op]} kernel${op === 'gradWeight' ? ' (tfjs #8474)' : ''}`;
    return dataReason(c, planFor(resolveCase(c), this.spec.traits, op), this.spec.traits, dy);
  }

  /** Makes this oracle's backend the active one (synchronous once initialised). */
  private activate(): TfjsApi {
    const tf = this.tf;
    if (!tf) throw new Error(`${this.name} is not ready: await ready() first`);
    if (tf.getBackend() !== this.spec.backend) {
      // setBackend runs synchronously up to its first await, and for a
      // registered backend there is none; the check below guards that reading.
      tf.setBackend(this.spec.backend).catch(() => undefined);
      if (tf.getBackend() !== this.spec.backend)
        throw new Error(`${this.name}: could not switch to backend '${this.spec.backend}'`);
    }
    return tf;
  }

  private plan(c: ConvCase, op: OracleOp, dy?: Tensor): TfjsPlan {
    const reason = this.unsupported(c, op, dy);
    if (reason) throw new Error(`${this.name} cannot compute this case: ${reason}`);
    return planFor(resolveCase(c), this.spec.traits, op);
  }

  conv2d(c: ConvCase): Tensor {
    const p = this.plan(c, 'forward');
    const tf = this.activate();
    const x = paddedInput(c, p);
    const { Cg, Og, groups, N } = p.c;
    let out: Float32Array | null = null;
    let OH = 0;
    let OW = 0;
    for (let g = 0; g < groups; g++) {
      const xg = channelsToNhwc(x.data, x.dims, g * Cg, Cg);
      const f = filterToHwio(c.weight.data, oihwOf(p), g * Og, Og, p.kernelDilation);
      const full = pull(tf, () =>
        tf.conv2d(
          tf.tensor(xg, [N, x.dims.H, x.dims.W, Cg], 'float32'),
          tf.tensor(f.data, f.shape, 'float32'),
          [p.tfStride[0], p.tfStride[1]],
          p.tfPad,
          'NHWC',
          [p.tfDilation[0], p.tfDilation[1]],
        ),
      );
      const y = subsampleNhwc(full.data, full.shape, p.subsample);
      // The shape tfjs returned, not the one we expect: a wrong shape must show.
      [OH, OW] = [y.shape[1], y.shape[2]];
      out ??= new Float32Array(N * p.c.O * OH * OW);
      nhwcIntoChannels(y.data, out, { N, C: p.c.O, H: OH, W: OW }, g * Og, Og);
    }
    addBias(out!, c.options.bias?.data, p.c.O, OH * OW);
    return { shape: outputShape(p, OH, OW), data: out! };
  }

  gradInput(c: ConvCase, dy: Tensor): Tensor {
    const p = this.plan(c, 'gradInput', dy);
    checkDy(p, dy);
    const tf = this.activate();
    const x = paddedDims(p);
    const { Cg, Og, groups, N, OH, OW } = p.c;
    const gx = new Float64Array(N * x.C * x.H * x.W);
    for (let g = 0; g < groups; g++) {
      const dyg = channelsToNhwc(dy.data, { N, C: p.c.O, H: OH, W: OW }, g * Og, Og);
      const f = filterToHwio(c.weight.data, oihwOf(p), g * Og, Og, p.kernelDilation);
      const r = pull(tf, () =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor(dyg, [N, OH, OW, Og], 'float32'), filter: tf.tensor(f.data, f.shape, 'float32') },
          {
            strides: [p.tfStride[0], p.tfStride[1]],
            pad: p.tfPad,
            dataFormat: 'NHWC',
            inputShape: [N, x.H, x.W, Cg],
          },
        ),
      );
      nhwcIntoChannels(r.data, gx, x, g * Cg, Cg);
    }
    const data = p.prePad ? foldNchw(gx, nchwOf(p), p.prePad, p.c.mode) : Float32Array.from(gx);
    return { shape: [...c.input.shape], data };
  }

  gradWeight(c: ConvCase, dy: Tensor): Tensor {
    const p = this.plan(c, 'gradWeight', dy);
    checkDy(p, dy);
    const tf = this.activate();
    const x = paddedInput(c, p);
    const { Cg, Og, groups, N, OH, OW } = p.c;
    const out = new Float32Array(c.weight.data.length);
    for (let g = 0; g < groups; g++) {
      const xg = channelsToNhwc(x.data, x.dims, g * Cg, Cg);
      const dyg = channelsToNhwc(dy.data, { N, C: p.c.O, H: OH, W: OW }, g * Og, Og);
      const shape = filterToHwio(c.weight.data, oihwOf(p), g * Og, Og, p.kernelDilation).shape;
      const r = pull(tf, () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          {
            x: tf.tensor(xg, [N, x.dims.H, x.dims.W, Cg], 'float32'),
            dy: tf.tensor(dyg, [N, OH, OW, Og], 'float32'),
          },
          { strides: [p.tfStride[0], p.tfStride[1]], pad: p.tfPad, dataFormat: 'NHWC', filterShape: shape },
        ),
      );
      hwioIntoFilter(r.data, out, oihwOf(p), g * Og, Og, p.kernelDilation);
    }
    return { shape: [...c.weight.shape], data: out };
  }

  unsupportedTranspose(c: TransposeCase): string | null {
    if (!this.tf) return `${this.name} is not available${this.whyUnavailable ? ` (${this.whyUnavailable})` : ''}`;
    if (!this.ops.includes('gradInput')) return `${this.name} has no Conv2DBackpropInput kernel`;
    return transposeReason(c);
  }

  /** The transposed conv as tf.conv2dTranspose computes it: Conv2DBackpropInput, one call per group. */
  convTranspose2d(c: TransposeCase): Tensor {
    const reason = this.unsupportedTranspose(c);
    if (reason) throw new Error(`${this.name} cannot compute this case: ${reason}`);
    const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
    const tf = this.activate();
    const [Cg, Og] = [r.C / r.groups, r.O / r.groups];
    const [[t, b], [l, rr]] = r.pads;
    const out = new Float32Array(r.N * r.O * r.OH * r.OW);
    for (let g = 0; g < r.groups; g++) {
      const xg = channelsToNhwc(c.input.data, { N: r.N, C: r.C, H: r.H, W: r.W }, g * Cg, Cg);
      // The weight [C, O/g, KH, KW] is the forward conv's [out = C, in = O/g]: its rows of group g as HWIO.
      const f = filterToHwio(c.weight.data, { O: r.C, I: Og, KH: r.KH, KW: r.KW }, g * Cg, Cg, [1, 1]);
      const y = pull(tf, () =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor(xg, [r.N, r.H, r.W, Cg], 'float32'), filter: tf.tensor(f.data, f.shape, 'float32') },
          {
            strides: [r.stride[0], r.stride[1]],
            pad: [
              [0, 0],
              [t, b],
              [l, rr],
              [0, 0],
            ],
            dataFormat: 'NHWC',
            inputShape: [r.N, r.OH, r.OW, Og],
          },
        ),
      );
      nhwcIntoChannels(y.data, out, { N: r.N, C: r.O, H: r.OH, W: r.OW }, g * Og, Og);
    }
    addBias(out, c.options.bias?.data, r.O, r.OH * r.OW);
    return { shape: [...r.outputShape], data: out };
  }
}

/**
 * Why tfjs cannot compute a transposed case, or null. tfjs's conv2dTranspose is its
 * Conv2DBackpropInput kernel with the transposed output's shape as `inputShape`, and that
 * kernel takes no dilation; groups are split here.
 * @example transposeReason(c) // 'dilation [2, 1]: the tfjs backprop kernels take none'
 */
export function transposeReason(c: TransposeCase): string | null {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  if (r.dilation[0] * r.dilation[1] > 1)
    return `dilation [${r.dilation.join(', ')}]: the tfjs backprop kernels take none`;
  if (r.N === 0) return 'an empty batch: no value to compare';
  return null;
}

/** Adds the bias per output channel, rounding to float32 as a tfjs `add` would. */
function addBias(out: Float32Array, bias: ArrayLike<number> | undefined, O: number, plane: number): void {
  if (!bias) return;
  for (let i = 0; i < out.length; i++) out[i] = out[i] + bias[Math.floor(i / plane) % O];
}
