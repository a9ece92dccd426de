// ConvNetJS 0.3.0's ConvLayer as a convproof implementation (forward and backward).
// Its Vol is [y][x][depth] (an image in NHWC order, a filter in OHWI); one image per call.
import convnetjs from 'convnetjs';
import type { Conventions, Supports } from 'convproof/properties';
import type { Conv2dOptions, Tensor } from 'convproof';
import { convNumbers, inDtypeOf, nchwToNhwc, nhwcToNchw, refuseOutside } from 'convproof/adapters';

export const supports: Supports = {
  dataFormats: ['NCHW'],
  filterFormats: ['OIHW'],
  padding: ['valid', 'number'],
  stride: 'equal',
  dilation: false,
  groups: 'none',
  paddingModes: ['zeros'],
  unbatched: false,
};
export const conventions: Conventions = { padded: 'skip' }; // padded taps are skipped, like convproof's

/** One Vol per image (or per filter: OIHW → OHWI is the same move as NCHW → NHWC). */
function vols(t: Tensor) {
  const { shape, data } = nchwToNhwc(t);
  const [N, H, W, C] = shape;
  return Array.from({ length: N }, (_, n) => {
    const v = new convnetjs.Vol(W, H, C, 0);
    v.w.set(data.subarray(n * H * W * C, (n + 1) * H * W * C));
    return v;
  });
}
/** Vol arrays of one shape `[H, W, C]` stacked as `[N, H, W, C]`, back to NCHW in the input's dtype. */
function stacked(x: Tensor, parts: Float64Array[], shape: number[]) {
  const data = Float64Array.from(parts.flatMap((p) => Array.from(p)));
  return inDtypeOf(x, nhwcToNchw({ shape: [parts.length, ...shape], data }));
}

function layer(x: Tensor, w: Tensor, o: Conv2dOptions) {
  refuseOutside('ConvLayer', supports, x, w, o);
  const r = convNumbers(x.shape, w.shape, o);
  const [sx, sy, stride, pad] = [r.KW, r.KH, r.stride[0], r.pads[0][0]];
  const l = new convnetjs.ConvLayer({ in_sx: r.W, in_sy: r.H, in_depth: r.C, sx, sy, filters: r.O, stride, pad });
  for (const [oc, f] of vols(w).entries()) l.filters[oc].w.set(f.w);
  l.biases.w.set(o.bias ? o.bias.data : new Float64Array(r.O));
  return l;
}

export function conv2d(x: Tensor, w: Tensor, o: Conv2dOptions = {}): Tensor {
  const l = layer(x, w, o);
  const ys = vols(x).map((v) => l.forward(v).w);
  return stacked(x, ys, [l.out_sy, l.out_sx, l.out_depth]);
}

export function conv2dBackward(dy: Tensor, x: Tensor, w: Tensor, o: Conv2dOptions = {}) {
  const l = layer(x, w, o);
  const dys = vols(dy);
  const gx = vols(x).map((v, n) => {
    l.forward(v);
    l.out_act.dw = dys[n].w;
    l.backward(); // filter and bias gradients accumulate over the batch
    return v.dw;
  });
  const [O, , KH, KW] = w.shape;
  const gws = l.filters.map((f) => f.dw);
  return {
    gradInput: stacked(x, gx, [x.shape[2], x.shape[3], x.shape[1]]),
    gradWeight: stacked(x, gws, [KH, KW, x.shape[1]]),
    gradBias: inDtypeOf(x, { shape: [O], data: Float64Array.from(l.biases.dw) }),
  };
}
