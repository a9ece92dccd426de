/**
 * TensorFlow.js as a convproof implementation, on any backend. tfjs itself
 * moves NCHW/OIHW to its NHWC/HWIO; `groups = C` goes to `depthwiseConv2d`;
 * `'same'`/`'valid'` are passed by name and every other padding as explicit
 * pads (a numeric pad hits tfjs #649); the bias is added after; gradients
 * come from the `Conv2DBackpropInput`/`Conv2DBackpropFilter` kernels
 * (tfjs-core registers no gradients); results are read with `await data()`.
 */
import type { Conv2dOptions, Tensor } from '../src/index.js';
import { type ResolvedConv, resolveConv, resolveTranspose } from '../properties/spec/index.js';
import { type Conventions, type Supports, UnsupportedCase } from '../properties/support.js';
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

const no = (why: string): never => {
  throw new UnsupportedCase(`tfjs: ${why}`);
};

/**
 * An adapter for `tf` (the `@tensorflow/tfjs-core` module, `TfjsModule`, with `backend` registered and ready).
 * @example const impl = tfjsAdapter(tf, { backend: 'wasm' }); await impl.conv2d(x, w, { padding: 'same' }) // x [N,C,H,W], w [O,C,KH,KW]
 */
export function tfjsAdapter(module: object, { backend = 'cpu' } = {}): Adapter {
  const tf = apiOf<TfjsModule>(module, 'tfjs', [
    'tensor',
    'transpose',
    'conv2d',
    'depthwiseConv2d',
    'conv2dTranspose',
    'engine',
    'tidy',
  ]);
  const f32 = (t: Tensor, shape = t.shape) => tf.tensor(t.data, [...shape], 'float32');
  const nhwc = (t: Tensor) => tf.transpose(f32(t, t.shape.length === 3 ? [1, ...t.shape] : t.shape), [0, 2, 3, 1]);
  const hwio = (w: Tensor) => tf.transpose(f32(w), [2, 3, 1, 0]); // [O, I, KH, KW] → [KH, KW, I, O]
  const pad = (o: Conv2dOptions, r: ResolvedConv) =>
    o.padding === 'same' || o.padding === 'valid'
      ? o.padding
      : ([
          [0, 0],
          [r.top, r.bottom],
          [r.left, r.right],
          [0, 0],
        ] as const);
  const run = async (make: () => TfTensor, perm: number[], unbatched = false): Promise<Tensor> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    const t = tf.tidy(() => tf.transpose(make(), perm));
    const data = Float32Array.from(await t.data());
    t.dispose();
    return { shape: unbatched ? t.shape.slice(1) : t.shape, data };
  };
  const bias = (y: TfTensor, b: Tensor | null | undefined) => (b ? tf.add(y, f32(b)) : y);
  const resolve = (x: Tensor, w: Tensor, o: Conv2dOptions, grad: boolean) => {
    const r = resolveConv(x.shape, w.shape, o);
    if (r.mode !== 'zeros') no(`no padding mode ${r.mode}`);
    if (r.groups !== 1 && (grad || r.groups !== r.C))
      no(`groups ${r.groups}: only 1${grad ? '' : ' or C (depthwise)'}`);
    if (r.dh * r.dw > 1 && (grad || r.sh * r.sw > 1))
      no(grad ? 'no dilation in the gradient kernels' : 'either strides or dilations must be 1');
    return r;
  };
  return {
    name: `tfjs-${backend}`,
    supports: tfjsSupports,
    conventions: backend === 'wasm' ? wasmConventions : tfjsConventions,
    knownDefects: tfjsDefects(backend),
    conv2d: (x, w, o = {}) => {
      const r = resolve(x, w, o, false);
      const args = [[r.sh, r.sw], pad(o, r), 'NHWC', [r.dh, r.dw]] as const; // depthwise: [C·m, 1, KH, KW] → [KH, KW, C, m]
      const depthwise = () =>
        tf.depthwiseConv2d(nhwc(x), tf.transpose(f32(w, [r.C, r.O / r.C, r.KH, r.KW]), [2, 3, 0, 1]), ...args);
      return run(
        () => bias(r.groups > 1 ? depthwise() : tf.conv2d(nhwc(x), hwio(w), ...args), o.bias),
        [0, 3, 1, 2],
        !r.batched,
      );
    },
    conv2dBackward: async (dy, x, w, o = {}) => {
      const r = resolve(x, w, o, true);
      if (!tf.getKernel('Conv2DBackpropFilter', backend))
        no(`${backend} has no Conv2DBackpropFilter kernel (tfjs #8474)`);
      const kernel = (name: string, inputs: Record<string, TfTensor>, shape: object) => () =>
        tf.engine().runKernel(name, inputs, { strides: [r.sh, r.sw], pad: pad(o, r), dataFormat: 'NHWC', ...shape });
      const gradInput = await run(
        kernel('Conv2DBackpropInput', { dy: nhwc(dy), filter: hwio(w) }, { inputShape: [r.N, r.H, r.W, r.C] }),
        [0, 3, 1, 2],
        !r.batched,
      );
      const gradWeight = await run(
        kernel('Conv2DBackpropFilter', { x: nhwc(x), dy: nhwc(dy) }, { filterShape: [r.KH, r.KW, r.C, r.O] }),
        [3, 2, 0, 1],
      );
      return { gradInput, gradWeight, gradBias: await run(() => tf.sum(nhwc(dy), [0, 1, 2]), [0]) };
    },
    convTranspose2d: (x, w, o = {}) => {
      const r = resolveTranspose(x.shape, w.shape, o);
      if (r.groups > 1 || r.dilation[0] * r.dilation[1] > 1) no('conv2dTranspose takes no groups and no dilation');
      const [[t, b], [l, rt]] = r.pads; // the weight [C, O, KH, KW] → [KH, KW, O, C]
      const y = () =>
        tf.conv2dTranspose(
          nhwc(x),
          hwio(w),
          [r.N, r.OH, r.OW, r.O],
          [...r.stride],
          [
            [0, 0],
            [t, b],
            [l, rt],
            [0, 0],
          ],
        );
      return run(() => bias(y(), o.bias), [0, 3, 1, 2], !r.batched);
    },
  };
}
