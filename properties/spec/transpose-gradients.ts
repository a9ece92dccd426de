/**
 * The gradients of a transposed conv, as the spec states them: the chain
 * rule of the scatter model (`modelConvTranspose2d`). Each term of that
 * model, `y[out] += x[in] · w[k]` for an input pixel, a kernel tap and the
 * cropped output position they land on, gives `dL/dx[in] += dy[out] · w[k]`
 * and `dL/dw[k] += dy[out] · x[in]`; `dL/db[o] = Σ dy[·, o, ·, ·]`. It walks
 * the scatter's terms directly, so it shares no loop with `src/` (whose
 * transposed gradients run the forward and weight-gradient kernels of the
 * conv2d whose adjoint the transposed conv is).
 */
import type { Tensor } from '../../src/index.js';
import type { TransposeCase } from '../types.js';
import type { Expectation } from './compare.js';
import { expectationsOf } from './expectations.js';
import { resolveTranspose, type ResolvedTranspose } from './formulas.js';
import type { ModelGradients } from './model.js';

/**
 * Visits every term of a transposed case's scatter that survives the crop:
 * `visit(outIndex, inIndex, weightIndex)` (flat NCHW and `[C, O/g, KH, KW]` offsets).
 * @example forEachScatterTerm(r, (out, inp, k) => { y[out] += x.data[inp] * w.data[k]; })
 */
export function forEachScatterTerm(r: ResolvedTranspose, visit: (out: number, inp: number, wt: number) => void): void {
  const [Cg, Og, K] = [r.C / r.groups, r.O / r.groups, r.KH * r.KW];
  const [[top], [left]] = r.pads;
  let inp = 0;
  for (let n = 0; n < r.N; n++) {
    for (let c = 0; c < r.C; c++) {
      const o0 = Math.floor(c / Cg) * Og;
      for (let i = 0; i < r.H; i++) {
        for (let j = 0; j < r.W; j++, inp++) {
          for (let o = 0; o < Og; o++) {
            const plane = (n * r.O + o0 + o) * r.OH;
            for (let a = 0; a < r.KH; a++) {
              const p = i * r.stride[0] + a * r.dilation[0] - top;
              if (p < 0 || p >= r.OH) continue;
              for (let b = 0; b < r.KW; b++) {
                const q = j * r.stride[1] + b * r.dilation[1] - left;
                if (q >= 0 && q < r.OW) visit((plane + p) * r.OW + q, inp, (c * Og + o) * K + a * r.KW + b);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * The three gradients of a transposed case for upstream gradient `dy` (shaped like its output),
 * in float64, with the terms summed into each element (`absolute`: on absolute values, the
 * magnitudes of the comparator's bound).
 * @example const g = modelConvTranspose2dBackward(resolveTranspose(x.shape, w.shape, o), x, w, dy); g.gradInput
 */
export function modelConvTranspose2dBackward(
  r: ResolvedTranspose,
  x: Tensor,
  w: Tensor,
  dy: Tensor,
  absolute = false,
): ModelGradients {
  const f = absolute ? Math.abs : (v: number) => v;
  const gradInput = new Float64Array(x.data.length);
  const gradWeight = new Float64Array(w.data.length);
  const inputTerms = new Float64Array(x.data.length);
  const weightTerms = new Float64Array(w.data.length);
  forEachScatterTerm(r, (out, inp, k) => {
    const d = f(dy.data[out]);
    gradInput[inp] += d * f(w.data[k]);
    gradWeight[k] += d * f(x.data[inp]);
    inputTerms[inp]++;
    weightTerms[k]++;
  });
  const gradBias = new Float64Array(r.O);
  const plane = r.OH * r.OW;
  for (let p = 0; p < dy.data.length; p++) gradBias[Math.floor(p / plane) % r.O] += f(dy.data[p]);
  return { gradInput, gradWeight, gradBias, inputTerms, weightTerms, biasTerms: r.N * plane };
}

/** Expectations of the three gradients of a transposed case. */
export interface TransposeGradientExpectations {
  /** M = the chain rule on |dy| and |w|; n = the scatter terms each input pixel feeds. */
  readonly gradInput: Expectation;
  /** M = the chain rule on |dy| and |x|; n = the terms each tap makes. */
  readonly gradWeight: Expectation;
  /** M = Σ|dy| per channel; n = N·OH·OW. */
  readonly gradBias: Expectation;
}

/**
 * What `convTranspose2dBackward(dy, c.input, c.weight, c.options)` must return, with its bounds.
 * @example
 * const e = transposeGradientExpectations(c, dy);
 * compareBounded(impl.convTranspose2dBackward(dy, c.input, c.weight, c.options).gradWeight, e.gradWeight);
 */
export function transposeGradientExpectations(c: TransposeCase, dy: Tensor): TransposeGradientExpectations {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const v = modelConvTranspose2dBackward(r, c.input, c.weight, dy);
  const m = modelConvTranspose2dBackward(r, c.input, c.weight, dy, true);
  return expectationsOf(c, r.O, v, m);
}
