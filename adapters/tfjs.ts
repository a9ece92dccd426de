/**
 * TensorFlow.js as a convproof implementation, on any backend. Data moves
 * NCHW/OIHW → NHWC/HWIO on plain arrays; `groups = C` goes to
 * `depthwiseConv2d`; `'same'`/`'valid'` are passed by name and every other
 * padding as explicit pads (a numeric pad hits tfjs #649); the bias is added
 * after; gradients come from the `Conv2DBackpropInput`/`Conv2DBackpropFilter`
 * kernels (tfjs-core registers no gradients); results are read with `await data()`.
 */
import type { Conv2dOptions, Tensor } from '../src/index.js';
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
      const f = h.oihwToHwio(w); // depthwise: [C·m, 1, KH, KW] → [KH, KW, 1, C·m], the same data as [KH, KW, C, m]
      const [conv, shape] = r.groups > 1 ? [tf.depthwiseConv2d, [r.KH, r.KW, r.C, r.O / r.C]] : [tf.conv2d, f.shape];
      const y = () => conv(nhwc(x), tensor(f, shape), r.stride, pad(o, r), 'NHWC', r.dilation);
      return h.addBias(await read(y, h.nhwcToNchw, r.batched), o.bias);
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
      const gx = run(`${base}BackpropInput`, () => ({ dy: nhwc(dy), filter: tensor(h.oihwToHwio(w), filterShape) }));
      const gw = run(`${base}BackpropFilter`, () => ({ x: nhwc(x), dy: nhwc(dy) }));
      const hwio = (t: Tensor) => h.hwioToOihw({ shape: [r.KH, r.KW, w.shape[1], r.O], data: t.data }); // as [KH, KW, C/g, O]
      const gradBias = await read(() => tf.sum(nhwc(dy), [0, 1, 2]), asIs);
      return { gradInput: await read(gx, h.nhwcToNchw, r.batched), gradWeight: await read(gw, hwio), gradBias };
    },
    convTranspose2d: async (x, w, o = {}) => {
      const r = h.transposeNumbers(x.shape, w.shape, o);
      if (r.groups > 1 || r.dilation[0] * r.dilation[1] > 1)
        h.refuse('tfjs', 'conv2dTranspose takes no groups and no dilation');
      const pads = [[0, 0], ...r.pads, [0, 0]] as const; // the weight [C, O, KH, KW] → [KH, KW, O, C]
      const y = () => tf.conv2dTranspose(nhwc(x), tensor(h.oihwToHwio(w)), [r.N, r.OH, r.OW, r.O], r.stride, pads);
      return h.addBias(await read(y, h.nhwcToNchw, r.batched), o.bias);
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
      const [C, , KH, KW] = w.shape;
      const filterShape = [KH, KW, r.O, C];
      const gx = () => tf.conv2d(nhwc(dy), tensor(h.oihwToHwio(w)), r.stride, pads, 'NHWC', [1, 1]);
      const attrs = { strides: r.stride, pad: pads, dataFormat: 'NHWC', filterShape, dilations: [1, 1] };
      const gw = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: nhwc(dy), dy: nhwc(x) }, attrs);
      const hwio = (t: Tensor) => h.hwioToOihw({ shape: filterShape, data: t.data });
      const gradBias = await read(() => tf.sum(nhwc(dy), [0, 1, 2]), asIs);
      return { gradInput: await read(gx, h.nhwcToNchw, r.batched), gradWeight: await read(gw, hwio), gradBias };
    },
  };
}
