/**
 * TensorFlow.js as a convproof implementation, on any backend. Data moves
 * NCHW/OIHW → NHWC/HWIO on plain arrays; `groups = C` goes to
 * `depthwiseConv2d`; `'same'`/`'valid'` are passed by name and every other
 * padding as explicit pads (a numeric pad hits tfjs #649); the bias is added
 * after; gradients come from the `Conv2DBackpropInput`/`Conv2DBackpropFilter`
 * kernels (tfjs-core registers no gradients); results are read with `await data()`.
 */
import type { Conv2dOptions, ConvTranspose2dOptions, Tensor } from '../src/index.js';
import type { Conventions, Supports } from '../properties/support.js';
import * as h from './helpers.js';
import { tfjsDefects } from './tfjs-defects.js';
import type { TfjsModule, TfTensor } from './tfjs-types.js';
import { type Adapter, apiOf } from './types.js';

/** float32, zero padding, groups 1 or C; dilation with stride 1 only, gradients without dilation (else UnsupportedCase). */
export const tfjsSupports: Supports = { dtypes: ['float32'], paddingModes: ['zeros'], groups: 'depthwise' };
/** tfjs cpu skips padded taps (as convproof); the odd `'same'` pad goes after. */
export const tfjsConventions: Conventions = { padded: 'skip', same: 'upper', precision: 'float32' };
/**
 * wasm (XNNPACK) materialises zero padding, so 0·Inf = NaN there (measured by
 * verify's NaN/Inf properties). webgpu keeps tfjs's 'skip' in its depthwise and
 * transposed kernels but not in conv2d: a known defect (tfjs-defects.ts).
 */
const wasmConventions: Conventions = { ...tfjsConventions, padded: 'multiply' };

/** The layout options of a call. */
type Layouts = Pick<Conv2dOptions, 'dataFormat' | 'filterFormat'>;

const NEEDS = ['tensor', 'conv2d', 'depthwiseConv2d', 'conv2dTranspose', 'engine', 'tidy', 'getKernel'];
const asIs = (t: Tensor) => t;

/**
 * An adapter for `tf` (the `@tensorflow/tfjs-core` module, `TfjsModule`, with `backend` registered and ready).
 * @example const impl = tfjsAdapter(tf, { backend: 'wasm' }); await impl.conv2d(x, w, { padding: 'same' }) // x [N,C,H,W], w [O,C,KH,KW]
 */
export function tfjsAdapter(module: object, { backend = 'cpu' } = {}): Adapter {
  const tf = apiOf<TfjsModule>(module, 'tfjs', NEEDS);
  const tensor = (t: Tensor, shape = t.shape) => tf.tensor(t.data, [...shape], 'float32');
  const nhwc = (t: Tensor) => tensor(h.nchwToNhwc(h.batched(t)));
  // tfjs is channels-last with HWIO filters: a caller's NHWC data and HWIO weights go in as they are.
  const data = (t: Tensor, o: Layouts) => (o.dataFormat === 'NHWC' ? tensor(h.batched(t)) : nhwc(t));
  const back = (o: Layouts) => (o.dataFormat === 'NHWC' ? asIs : h.nhwcToNchw);
  const hwio = (w: Tensor, o: Layouts) => (o.filterFormat === 'HWIO' ? w : h.oihwToHwio(w));
  // The bias goes on the channel axis: tfjs broadcasts it over the last one; NCHW results get it after.
  const biased = (y: () => TfTensor, o: Conv2dOptions | ConvTranspose2dOptions) =>
    o.dataFormat === 'NHWC' && o.bias ? () => tf.add(y(), tensor(o.bias!)) : y;
  const withBias = (t: Tensor, o: Conv2dOptions | ConvTranspose2dOptions) =>
    o.dataFormat === 'NHWC' ? t : h.addBias(t, o.bias);
  const pad = (o: Conv2dOptions, r: h.ConvNumbers) =>
    o.padding === 'same' || o.padding === 'valid' ? o.padding : ([[0, 0], ...r.pads, [0, 0]] as const);
  const read = async (make: () => TfTensor, back = h.nhwcToNchw, batched = true): Promise<Tensor> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    const t = tf.tidy(make); // every tensor made inside is freed, the result after reading
    const data = Float32Array.from(await t.data());
    t.dispose();
    return h.unbatched(back({ shape: t.shape, data }), batched);
  };
  const resolve = (x: Tensor, w: Tensor, o: Conv2dOptions, grad: boolean) => {
    h.refuseOutside('tfjs', tfjsSupports, x, w, o); // float64, padding modes, groups other than 1 or C
    const r = h.convNumbers(x.shape, w.shape, o);
    if (r.groups !== 1 && r.groups !== r.C) h.refuse('tfjs', `groups ${r.groups}: only 1 or C (depthwise)`);
    if (r.dilation[0] * r.dilation[1] > 1 && (grad || r.stride[0] * r.stride[1] > 1))
      h.refuse('tfjs', grad ? 'no dilation in the gradient kernels' : 'either strides or dilations must be 1');
    return r;
  };
  return {
    name: `tfjs-${backend}`,
    supports: tfjsSupports,
    conventions: backend === 'wasm' ? wasmConventions : tfjsConventions,
    knownDefects: tfjsDefects(backend),
    conv2d: async (x, w, o = {}) => {
      const r = resolve(x, w, o, false);
      const f = hwio(w, o); // depthwise: [C·m, 1, KH, KW] → [KH, KW, 1, C·m], the same data as [KH, KW, C, m]
      const [conv, shape] = r.groups > 1 ? [tf.depthwiseConv2d, [r.KH, r.KW, r.C, r.O / r.C]] : [tf.conv2d, f.shape];
      const y = () => conv(data(x, o), tensor(f, shape), r.stride, pad(o, r), 'NHWC', r.dilation);
      return withBias(await read(biased(y, o), back(o), r.batched), o);
    },
    conv2dBackward: async (dy, x, w, o = {}) => {
      const r = resolve(x, w, o, true);
      const base = r.groups > 1 ? 'DepthwiseConv2dNative' : 'Conv2D'; // the depthwise filter is [KH, KW, C, m]
      for (const k of [`${base}BackpropInput`, `${base}BackpropFilter`])
        if (!tf.getKernel(k, backend))
          h.refuse('tfjs', `${backend} has no ${k} kernel${base === 'Conv2D' ? ' (tfjs #8474)' : ''}`);
      const filterShape = [r.KH, r.KW, r.C, r.groups > 1 ? r.O / r.C : r.O];
      const shapes = { inputShape: [r.N, r.H, r.W, r.C], filterShape, dilations: [1, 1] }; // each kernel reads its own
      const attrs = { strides: r.stride, pad: pad(o, r), dataFormat: 'NHWC', ...shapes };
      const run = (k: string, ins: () => Record<string, TfTensor>) => () => tf.engine().runKernel(k, ins(), attrs);
      const gx = run(`${base}BackpropInput`, () => ({ dy: data(dy, o), filter: tensor(hwio(w, o), filterShape) }));
      const gw = run(`${base}BackpropFilter`, () => ({ x: data(x, o), dy: data(dy, o) }));
      const hwioShape = [r.KH, r.KW, r.C / r.groups, r.O]; // tfjs's result, read as [KH, KW, C/g, O]
      const weightBack = (t: Tensor) =>
        o.filterFormat === 'HWIO'
          ? { shape: hwioShape, data: t.data }
          : h.hwioToOihw({ shape: hwioShape, data: t.data });
      const gradBias = await read(() => tf.sum(data(dy, o), [0, 1, 2]), asIs);
      return { gradInput: await read(gx, back(o), r.batched), gradWeight: await read(gw, weightBack), gradBias };
    },
    convTranspose2d: async (x, w, o = {}) => {
      const r = h.transposeNumbers(x.shape, w.shape, o);
      if (r.groups > 1 || r.dilation[0] * r.dilation[1] > 1)
        h.refuse('tfjs', 'conv2dTranspose takes no groups and no dilation');
      const pads = [[0, 0], ...r.pads, [0, 0]] as const; // the weight [C, O, KH, KW] → [KH, KW, O, C]
      const y = () => tf.conv2dTranspose(data(x, o), tensor(hwio(w, o)), [r.N, r.OH, r.OW, r.O], r.stride, pads);
      return withBias(await read(biased(y, o), back(o), r.batched), o);
    },
    // The gradients of the transposed conv are those of the conv2d it is the adjoint of (input dy,
    // output x, filter [KH, KW, O, C]): dx is that conv2d of dy, dw its Conv2DBackpropFilter with x as dy.
    // Without dilation the output padding stays below the stride, so that conv2d has exactly x's H × W.
    convTranspose2dBackward: async (dy, x, w, o = {}) => {
      const r = h.transposeNumbers(x.shape, w.shape, o);
      if (r.groups > 1 || r.dilation[0] * r.dilation[1] > 1)
        h.refuse('tfjs', 'conv2dTranspose takes no groups and no dilation');
      if (!tf.getKernel('Conv2DBackpropFilter', backend))
        h.refuse('tfjs', `${backend} has no Conv2DBackpropFilter kernel (tfjs #8474)`);
      const pads = [[0, 0], ...r.pads, [0, 0]] as const;
      const f = hwio(w, o); // [KH, KW, O, C]: the conv2d filter from O channels (dy) to C (x)
      const gx = () => tf.conv2d(data(dy, o), tensor(f), r.stride, pads, 'NHWC', [1, 1]);
      const attrs = { strides: r.stride, pad: pads, dataFormat: 'NHWC', filterShape: f.shape, dilations: [1, 1] };
      const gw = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: data(dy, o), dy: data(x, o) }, attrs);
      const weightBack = (t: Tensor) =>
        o.filterFormat === 'HWIO' ? { shape: f.shape, data: t.data } : h.hwioToOihw({ shape: f.shape, data: t.data });
      const gradBias = await read(() => tf.sum(data(dy, o), [0, 1, 2]), asIs);
      return { gradInput: await read(gx, back(o), r.batched), gradWeight: await read(gw, weightBack), gradBias };
    },
  };
}
