// A user's own conv2d, as `convproof verify --impl` takes it: PyTorch's convention (a padded zero times an Inf
// weight is NaN), async, float32 only, zero padding only, no dilation, NCHW/OIHW only — and declared so.
// biome-ignore format: one line, as the README shows it
export const supports = { dtypes: ['float32'], paddingModes: ['zeros'], dilation: false, dataFormats: ['NCHW'], filterFormats: ['OIHW'] };
export const conventions = { padded: 'multiply' };

const pair = (v) => (typeof v === 'number' ? [v, v] : v);

/** Pads [[top, bottom], [left, right]] of `padding`; 'same' puts the odd pad after (SAME_UPPER), 'same-lower' before. */
function pads(padding = 0, [H, W], [KH, KW], [sh, sw]) {
  if (padding === 'valid')
    return [
      [0, 0],
      [0, 0],
    ];
  if (typeof padding !== 'string') return Array.isArray(padding[0]) ? padding : pair(padding).map((p) => [p, p]);
  const total = (n, k, s) => Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  const small = (t) => (padding === 'same-lower' ? t - Math.floor(t / 2) : Math.floor(t / 2));
  return [total(H, KH, sh), total(W, KW, sw)].map((t) => [small(t), t - small(t)]);
}

export async function conv2d(input, weight, { stride = 1, padding, groups = 1, bias } = {}) {
  const batched = input.shape.length === 4;
  const [N, C, H, W] = batched ? input.shape : [1, ...input.shape];
  const [O, Cg, KH, KW] = weight.shape;
  const [sh, sw] = pair(stride);
  const [[pt, pb], [pl, pr]] = pads(padding, [H, W], [KH, KW], [sh, sw]);
  const [OH, OW] = [Math.floor((H + pt + pb - KH) / sh) + 1, Math.floor((W + pl + pr - KW) / sw) + 1];
  const out = new Float32Array(N * O * OH * OW);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let sum = bias ? bias.data[o] : 0;
          for (let c = 0; c < Cg; c++)
            for (let a = 0; a < KH; a++)
              for (let b = 0; b < KW; b++) {
                const [y, x] = [i * sh + a - pt, j * sw + b - pl];
                const inside = y >= 0 && y < H && x >= 0 && x < W;
                const v = inside ? input.data[((n * C + Math.floor(o / (O / groups)) * Cg + c) * H + y) * W + x] : 0;
                sum += v * weight.data[((o * Cg + c) * KH + a) * KW + b];
              }
          out[((n * O + o) * OH + i) * OW + j] = sum;
        }
  return { shape: batched ? [N, O, OH, OW] : [O, OH, OW], data: out };
}
