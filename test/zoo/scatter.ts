/**
 * A correct conv written in direct scatter form: every padded input position
 * pushes `x·w` into each output whose window covers it (found by solving
 * `i·s + k·d = P` for i). Backward and the transposed conv are the gathers
 * that undo those scatters. Independent of convproof's code.
 */
import type { Conv2dGradients, Conv2dOptions, ConvTranspose2dOptions, Tensor, TensorData } from '../../src/index.js';
import type { ConvImplementation } from '../../properties/types.js';
import { outShape, resolve, resolveTranspose, result, source, transposeShape, type Axis, type Mode } from './common.js';

/** The (output, tap) pairs that read padded position P on an axis: `i·s + k·d = P`. */
function readers(a: Axis, P: number): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (let k = 0; k < a.k; k++) {
    const rest = P - k * a.d;
    if (rest >= 0 && rest % a.s === 0 && rest / a.s < a.out) found.push([rest / a.s, k]);
  }
  return found;
}

/** For each padded position of an axis: its source pixel (−1 for zeros) and its readers. */
function axisPlan(a: Axis, mode: Mode): Array<{ src: number; readers: Array<[number, number]> }> {
  const plan = [];
  for (let P = 0; P < a.size + a.before + a.after; P++) {
    plan.push({ src: source(P - a.before, a.size, mode), readers: readers(a, P) });
  }
  return plan;
}

/**
 * Walks every (image, output channel, input channel, padded pixel, reader)
 * combination: `visit(xIndex, yIndex, wIndex)` for each real tap.
 */
function eachTap(
  xShape: readonly number[],
  wShape: readonly number[],
  o: Conv2dOptions,
  visit: (xi: number, yi: number, wi: number) => void,
): void {
  const p = resolve(xShape, wShape, o);
  const rows = axisPlan(p.h, p.mode);
  const cols = axisPlan(p.w, p.mode);
  const [Cg, Og, KH, KW, OH, OW] = [p.C / p.groups, p.O / p.groups, p.h.k, p.w.k, p.h.out, p.w.out];
  for (let n = 0; n < p.N; n++) {
    for (let oc = 0; oc < p.O; oc++) {
      const group = Math.floor(oc / Og);
      for (let c = 0; c < Cg; c++) {
        const xPlane = (n * p.C + group * Cg + c) * p.h.size;
        for (const row of rows) {
          if (row.src < 0) continue;
          for (const col of cols) {
            if (col.src < 0) continue;
            const xi = (xPlane + row.src) * p.w.size + col.src;
            for (const [i, kh] of row.readers) {
              for (const [j, kw] of col.readers) {
                visit(xi, ((n * p.O + oc) * OH + i) * OW + j, ((oc * Cg + c) * KH + kh) * KW + kw);
              }
            }
          }
        }
      }
    }
  }
}

function forward(x: Tensor, w: Tensor, o: Conv2dOptions): Tensor {
  const p = resolve(x.shape, w.shape, o);
  const acc = new Float64Array(p.N * p.O * p.h.out * p.w.out);
  eachTap(x.shape, w.shape, o, (xi, yi, wi) => {
    acc[yi] += x.data[xi] * w.data[wi];
  });
  addBias(acc, o.bias?.data ?? null, p.O, p.h.out * p.w.out);
  return result(outShape(p), acc, x.data);
}

function addBias(acc: Float64Array, bias: TensorData | null, O: number, plane: number): void {
  if (!bias) return;
  for (let q = 0; q < acc.length; q++) acc[q] += bias[Math.floor(q / plane) % O];
}

function backward(dy: Tensor, x: Tensor, w: Tensor, o: Conv2dOptions): Conv2dGradients {
  const p = resolve(x.shape, w.shape, o);
  const gx = new Float64Array(x.data.length);
  const gw = new Float64Array(w.data.length);
  eachTap(x.shape, w.shape, o, (xi, yi, wi) => {
    gx[xi] += dy.data[yi] * w.data[wi];
    gw[wi] += dy.data[yi] * x.data[xi];
  });
  const gb = new Float64Array(p.O);
  const plane = p.h.out * p.w.out;
  for (let q = 0; q < dy.data.length; q++) gb[Math.floor(q / plane) % p.O] += dy.data[q];
  return {
    gradInput: result(x.shape, gx, x.data),
    gradWeight: result(w.shape, gw, w.data),
    gradBias: result([p.O], gb, x.data),
  };
}

/** Gather form of the transposed conv: output y sums x[i]·w[k] over `i·s − top + k·d = y`. */
function transpose(x: Tensor, w: Tensor, o: ConvTranspose2dOptions): Tensor {
  const t = resolveTranspose(x.shape, w.shape, o);
  const sources = (y: number, n: number, s: number, d: number, k: number, crop: number) => {
    const found: Array<[number, number]> = [];
    for (let kk = 0; kk < k; kk++) {
      const rest = y + crop - kk * d;
      if (rest >= 0 && rest % s === 0 && rest / s < n) found.push([rest / s, kk]);
    }
    return found;
  };
  const rowSrc = Array.from({ length: t.OH }, (_, y) =>
    sources(y, t.H, t.stride[0], t.dilation[0], t.KH, t.pads[0][0]),
  );
  const colSrc = Array.from({ length: t.OW }, (_, z) =>
    sources(z, t.W, t.stride[1], t.dilation[1], t.KW, t.pads[1][0]),
  );
  const [Cg, Og] = [t.C / t.groups, t.O / t.groups];
  const acc = new Float64Array(t.N * t.O * t.OH * t.OW);
  let q = 0;
  for (let n = 0; n < t.N; n++) {
    for (let oc = 0; oc < t.O; oc++) {
      const [g, ol] = [Math.floor(oc / Og), oc % Og];
      for (let y = 0; y < t.OH; y++) {
        for (let z = 0; z < t.OW; z++) {
          let s = 0;
          for (let c = g * Cg; c < (g + 1) * Cg; c++) {
            for (const [i, kh] of rowSrc[y]) {
              for (const [j, kw] of colSrc[z]) {
                s += x.data[((n * t.C + c) * t.H + i) * t.W + j] * w.data[((c * Og + ol) * t.KH + kh) * t.KW + kw];
              }
            }
          }
          acc[q++] = s;
        }
      }
    }
  }
  addBias(acc, o.bias?.data ?? null, t.O, t.OH * t.OW);
  return result(transposeShape(t), acc, x.data);
}

/**
 * The direct-scatter conv (correct).
 * @example scatterConv.conv2d(x, w, { stride: 2, dilation: [1, 2], groups: 3 })
 */
export const scatterConv: Required<Pick<ConvImplementation, 'conv2d' | 'conv2dBackward' | 'convTranspose2d'>> = {
  conv2d: (x, w, o = {}) => forward(x, w, o),
  conv2dBackward: (dy, x, w, o = {}) => backward(dy, x, w, o),
  convTranspose2d: (x, w, o = {}) => transpose(x, w, o),
};
