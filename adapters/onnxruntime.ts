/**
 * onnxruntime-web (its wasm provider, in Node or a browser) as a convproof
 * implementation: each distinct configuration becomes a one-node ONNX model
 * (`Conv` or `ConvTranspose`, written in memory) and one cached session;
 * every call is an async `session.run`. `'same'` is passed as SAME_UPPER, so
 * onnxruntime's own `'same'` is what gets checked.
 */
import type { Tensor } from '../src/index.js';
import { resolveConv, resolveTranspose } from '../properties/spec/index.js';
import { type Conventions, type Supports, UnsupportedCase } from '../properties/support.js';
import { type Attribute, onnxConvModel } from './onnx-model.js';
import { onnxruntimeProviderDefects } from './onnxruntime-defects.js';
import { type Adapter, apiOf } from './types.js';

/** float32 (no float64 Conv kernel), zero padding; everything else ONNX's Conv takes. */
export const onnxruntimeSupports: Supports = { dtypes: ['float32'], paddingModes: ['zeros'] };
/** onnxruntime multiplies padded zeros (0·Inf = NaN); SAME_UPPER as convproof. */
export const onnxruntimeConventions: Conventions = { padded: 'multiply', same: 'upper', precision: 'float32' };

/** The part of the `onnxruntime-web` module the adapter calls. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}
interface OrtSessionOptions {
  logSeverityLevel: number;
  executionProviders?: OrtProvider[];
  extra?: { session: Record<string, string> };
}
interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
/** An execution provider of onnxruntime-web this adapter can name. */
export type OrtProvider = 'wasm' | 'webgpu';

interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}

/**
 * Session options on `provider`: none named, onnxruntime's default; 'webgpu'
 * forbids its silent fall-back to the CPU provider, so a node the GPU cannot
 * run makes the session fail instead of checking the CPU kernel by mistake.
 */
function sessionOptions(provider: OrtProvider | undefined): OrtSessionOptions {
  if (!provider) return { logSeverityLevel: 4 };
  const extra = provider === 'webgpu' ? { extra: { session: { disable_cpu_ep_fallback: '1' } } } : {};
  return { logSeverityLevel: 4, executionProviders: [provider], ...extra };
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
  const run = async (
    op: 'Conv' | 'ConvTranspose',
    attrs: Record<string, Attribute>,
    x: Tensor,
    w: Tensor,
    b: Tensor | null | undefined,
  ) => {
    const key = JSON.stringify([op, attrs, !!b]);
    if (!sessions.has(key)) sessions.set(key, ort.InferenceSession.create(onnxConvModel(op, attrs, !!b), options));
    const f32 = (t: Tensor, dims = t.shape) => new ort.Tensor('float32', Float32Array.from(t.data), dims);
    const feeds = {
      X: f32(x, x.shape.length === 3 ? [1, ...x.shape] : x.shape),
      W: f32(w),
      ...(b ? { B: f32(b) } : {}),
    };
    const { Y } = await (await sessions.get(key))!.run(feeds);
    return {
      shape: x.shape.length === 3 ? Y.dims.slice(1) : [...Y.dims],
      data: Float32Array.from(Y.data as Float32Array),
    };
  };
  return {
    name: executionProvider ? `onnxruntime-web-${executionProvider}` : 'onnxruntime-web',
    supports: onnxruntimeSupports,
    conventions: onnxruntimeConventions,
    knownDefects: onnxruntimeProviderDefects(executionProvider),
    conv2d: (x, w, o = {}) => {
      const r = resolveConv(x.shape, w.shape, o);
      if (r.mode !== 'zeros') throw new UnsupportedCase(`onnxruntime: Conv has no padding mode ${r.mode}`);
      const named = o.padding === 'same' && r.dh * r.dw === 1; // onnxruntime refuses SAME_UPPER with dilation
      const pads: Record<string, Attribute> = named
        ? { auto_pad: 'SAME_UPPER' }
        : { pads: [r.top, r.left, r.bottom, r.right] };
      return run('Conv', { strides: [r.sh, r.sw], dilations: [r.dh, r.dw], group: r.groups, ...pads }, x, w, o.bias);
    },
    convTranspose2d: (x, w, o = {}) => {
      const r = resolveTranspose(x.shape, w.shape, o);
      const [[t, b], [l, rt]] = r.pads;
      const attrs = {
        strides: [...r.stride],
        dilations: [...r.dilation],
        group: r.groups,
        pads: [t, l, b, rt],
        output_padding: [...r.outputPadding],
      };
      return run('ConvTranspose', attrs, x, w, o.bias);
    },
  };
}
