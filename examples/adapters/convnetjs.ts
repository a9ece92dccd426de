// ConvNetJS 0.3.0's ConvLayer as a convproof implementation (forward and backward).
// Its Vol is [width][height][depth] (x fastest after depth); one image per call.
import convnetjs from 'convnetjs';
import { type Conventions, type Supports, UnsupportedCase } from 'convproof/properties';
import type { Conv2dOptions, Tensor } from 'convproof';

export const supports: Supports = {
  padding: ['valid', 'number'],
  stride: 'equal',
  dilation: false,
  groups: 'none',
  paddingModes: ['zeros'],
  unbatched: false,
};
export const conventions: Conventions = { padded: 'skip' }; // padded taps are skipped, like convproof's

function layer(x: Tensor, w: Tensor, o: Conv2dOptions) {
  const equal = (v: Conv2dOptions['stride']) => v === undefined || typeof v === 'number' || v[0] === v[1];
  const one = (v: Conv2dOptions['dilation']) =>
    v === undefined || v === 1 || (typeof v === 'object' && v[0] * v[1] === 1);
  const form = o.padding === undefined || o.padding === 'valid' || typeof o.padding === 'number';
  if (
    !form ||
    !equal(o.stride) ||
    !one(o.dilation) ||
    (o.groups ?? 1) > 1 ||
    (o.paddingMode ?? 'zeros') !== 'zeros' ||
    x.shape.length !== 4
  )
    throw new UnsupportedCase('ConvLayer: one square stride, one numeric pad, zeros, no dilation or groups, batched');
  const [, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const s = typeof o.stride === 'object' ? o.stride[0] : (o.stride ?? 1);
  const pad = typeof o.padding === 'number' ? o.padding : 0;
  const l = new convnetjs.ConvLayer({ in_sx: W, in_sy: H, in_depth: C, sx: KW, sy: KH, filters: O, stride: s, pad });
  for (let i = 0; i < w.data.length; i++) {
    const [oc, c, kh, kw] = [
      Math.floor(i / (C * KH * KW)),
      Math.floor(i / (KH * KW)) % C,
      Math.floor(i / KW) % KH,
      i % KW,
    ];
    l.filters[oc].w[(kh * KW + kw) * C + c] = w.data[i];
  }
  for (let oc = 0; oc < O; oc++) l.biases.w[oc] = o.bias ? o.bias.data[oc] : 0;
  return l;
}

/** NCHW image n of `t` → a Vol, or a Vol → NCHW values written into `out` at image n. */
function toVol(t: Tensor, n: number) {
  const [, C, H, W] = t.shape;
  const v = new convnetjs.Vol(W, H, C, 0);
  for (let i = 0; i < C * H * W; i++) v.w[(i % (H * W)) * C + Math.floor(i / (H * W))] = t.data[n * C * H * W + i];
  return v;
}
function fromVol(a: Float64Array, v: { sx: number; sy: number; depth: number }, out: Float64Array, n: number) {
  const size = v.sx * v.sy * v.depth;
  for (let i = 0; i < size; i++) out[n * size + i] = a[(i % (v.sx * v.sy)) * v.depth + Math.floor(i / (v.sx * v.sy))];
}

export function conv2d(x: Tensor, w: Tensor, o: Conv2dOptions = {}): Tensor {
  const l = layer(x, w, o);
  const first = l.forward(toVol(x, 0)); // N = 0: the shape still comes from the layer
  const data = new Float64Array(x.shape[0] * first.sx * first.sy * first.depth);
  for (let n = 0; n < x.shape[0]; n++) fromVol(l.forward(toVol(x, n)).w, first, data, n);
  const out = { shape: [x.shape[0], first.depth, first.sy, first.sx], data };
  return x.data instanceof Float32Array ? { shape: out.shape, data: Float32Array.from(data) } : out;
}

export function conv2dBackward(dy: Tensor, x: Tensor, w: Tensor, o: Conv2dOptions = {}) {
  const l = layer(x, w, o);
  const gx = new Float64Array(x.data.length);
  for (let n = 0; n < x.shape[0]; n++) {
    const v = toVol(x, n);
    l.forward(v);
    l.out_act.dw = toVol(dy, n).w;
    l.backward(); // filter and bias gradients accumulate over the batch
    fromVol(v.dw, v, gx, n);
  }
  const gw = new Float64Array(w.data.length);
  for (const [oc, f] of l.filters.entries()) fromVol(f.dw, f, gw, oc);
  const cast = (a: Float64Array, shape: readonly number[]) => ({
    shape,
    data: x.data instanceof Float32Array ? Float32Array.from(a) : a,
  });
  return {
    gradInput: cast(gx, x.shape),
    gradWeight: cast(gw, w.shape),
    gradBias: cast(Float64Array.from(l.biases.dw), [w.shape[0]]),
  };
}
