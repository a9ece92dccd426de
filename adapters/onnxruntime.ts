/**
 * onnxruntime-web (its wasm provider, in Node or a browser) as a convproof
 * implementation: each distinct configuration becomes a one-node ONNX model
 * (`Conv` or `ConvTranspose`, written in memory) and one cached session;
 * every call is an async `session.run`. `'same'` and `'same-upper'` are passed
 * as auto_pad SAME_UPPER and `'same-lower'` as SAME_LOWER, so onnxruntime's own
 * rules are what gets checked.
 */
import type { Tensor } from '../src/index.js';
import type { Conventions, Supports } from '../properties/support.js';
import * as h from './helpers.js';
import { type Attribute, onnxConvModel } from './onnx-model.js';
import { onnxruntimeProviderDefects } from './onnxruntime-defects.js';
import type { OrtModule, OrtProvider, OrtSession, OrtSessionOptions } from './onnxruntime-types.js';
import { type Adapter, apiOf } from './types.js';

/** ONNX's auto_pad name of each convproof SAME padding name. */
const AUTO_PAD: Readonly<Record<string, string>> = {
  same: 'SAME_UPPER',
  'same-upper': 'SAME_UPPER',
  'same-lower': 'SAME_LOWER',
};

/** float32 (no float64 Conv kernel), zero padding; everything else ONNX's Conv takes. */
export const onnxruntimeSupports: Supports = {
  dtypes: ['float32'],
  paddingModes: ['zeros'],
  dataFormats: ['NCHW'], // ONNX Conv is NCHW/OIHW only
  filterFormats: ['OIHW'],
};
/** onnxruntime multiplies padded zeros (0·Inf = NaN); SAME_UPPER as convproof. */
export const onnxruntimeConventions: Conventions = { padded: 'multiply', same: 'upper', precision: 'float32' };

type Op = 'Conv' | 'ConvTranspose';
type Attrs = Record<string, Attribute>;

/**
 * Session options on `provider`: none named, onnxruntime's default; 'webgpu'
 * forbids its silent fall-back to the CPU provider, so a node the GPU cannot
 * run makes the session fail instead of checking the CPU kernel by mistake.
 */
function sessionOptions(provider: OrtProvider | undefined): OrtSessionOptions {
  const extra = provider === 'webgpu' ? { extra: { session: { disable_cpu_ep_fallback: '1' } } } : {};
  return { logSeverityLevel: 4, ...(provider ? { executionProviders: [provider] } : {}), ...extra };
}

/**
 * An adapter for `ort` (`import * as ort from 'onnxruntime-web'`, an `OrtModule`), on
 * `executionProvider` if named (`'webgpu'` needs `onnxruntime-web/webgpu` in a page with WebGPU).
 * @example const impl = onnxruntimeAdapter(ort); await impl.conv2d(x, w, { stride: 2, padding: 'same' }) // x [N,C,H,W]
 */
export function onnxruntimeAdapter(
  module: object,
  { executionProvider }: { executionProvider?: OrtProvider } = {},
): Adapter {
  const ort = apiOf<OrtModule>(module, 'onnxruntime-web', ['InferenceSession', 'Tensor']);
  const sessions = new Map<string, Promise<OrtSession>>();
  const options = sessionOptions(executionProvider);
  const run = async (op: Op, attrs: Attrs, x: Tensor, w: Tensor, b?: Tensor | null) => {
    const key = JSON.stringify([op, attrs, !!b]); // one session per configuration
    if (!sessions.has(key)) sessions.set(key, ort.InferenceSession.create(onnxConvModel(op, attrs, !!b), options));
    const f32 = (t: Tensor) => new ort.Tensor('float32', Float32Array.from(t.data), t.shape);
    const feeds = { X: f32(h.batched(x)), W: f32(w), ...(b ? { B: f32(b) } : {}) };
    const { Y } = await (await sessions.get(key)!).run(feeds);
    return h.unbatched({ shape: [...Y.dims], data: Float32Array.from(Y.data as Float32Array) }, x.shape.length === 4);
  };
  const close = async () => {
    const open = [...sessions.values()];
    sessions.clear();
    for (const s of open) await (await s.catch(() => null))?.release?.();
  };
  return {
    close,
    name: executionProvider ? `onnxruntime-web-${executionProvider}` : 'onnxruntime-web',
    supports: onnxruntimeSupports,
    conventions: onnxruntimeConventions,
    knownDefects: onnxruntimeProviderDefects(executionProvider),
    conv2d: (x, w, o = {}) => {
      h.refuseOutside('onnxruntime', onnxruntimeSupports, x, w, o); // float64, padding modes
      const r = h.convNumbers(x.shape, w.shape, o);
      const [[t, b], [l, rt]] = r.pads; // onnxruntime refuses auto_pad SAME_* with dilation: explicit pads then
      const autoPad = typeof o.padding === 'string' ? AUTO_PAD[o.padding] : undefined;
      const pads: Attrs =
        autoPad && r.dilation[0] * r.dilation[1] === 1 ? { auto_pad: autoPad } : { pads: [t, l, b, rt] };
      return run('Conv', { strides: r.stride, dilations: r.dilation, group: r.groups, ...pads }, x, w, o.bias);
    },
    convTranspose2d: (x, w, o = {}) => {
      const r = h.transposeNumbers(x.shape, w.shape, o);
      const [[t, b], [l, rt]] = r.pads;
      const attrs = { strides: r.stride, dilations: r.dilation, group: r.groups, pads: [t, l, b, rt] };
      return run('ConvTranspose', { ...attrs, output_padding: r.outputPadding }, x, w, o.bias);
    },
  };
}
