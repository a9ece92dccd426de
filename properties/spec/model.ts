/**
 * The suite's float64 model of conv2d, its gradients and the transposed
 * conv. It is a different algorithm from `src/reference` (which walks
 * per-axis tap maps over the unpadded input), in the manner of JAX's
 * `lax_reference`:
 *
 * - forward: pad the input explicitly by its mode into a new array, then
 *   take the strided, dilated window of every output position and dot it
 *   with the kernel of each output channel of its group;
 * - gradWeight: the padded input correlated with `dy` (the roles of stride
 *   and dilation swap);
 * - gradInput: `dy` spread by the stride (holes between its values) and
 *   correlated with the flipped kernel over the padded domain, then folded
 *   back onto the pixels the padding copied (the adjoint of the padding);
 * - convTranspose2d: each input pixel scatters `x·w` into the full output,
 *   which is then cropped by the pads.
 *
 * One rule holds throughout: a zero that only the layout put there (zero
 * padding, the holes of a spread) is not a term, so `0·Inf` never appears
 * where the design says there is no product. Every sum also counts its
 * terms: the n of the comparator's bound.
 */
import type { Tensor } from '../../src/index.js';
import { sourcePixel, type ResolvedConv, type ResolvedTranspose } from './formulas.js';

/** Planes on a grid, and which grid positions hold real values (not layout zeros). */
interface Grid {
  readonly planes: number;
  readonly rows: number;
  readonly cols: number;
  /** `planes × rows × cols`, row-major. */
  readonly data: Float64Array;
  /** `rows × cols`: 1 where the value is real. */
  readonly real: Uint8Array;
}

/** Values and the number of terms summed into each. */
interface Sums {
  readonly value: Float64Array;
  readonly terms: Float64Array;
}

/** For one output plane: the grid planes it reads, each with the offset of its kernel plane. */
type Links = readonly (readonly [plane: number, kernel: number])[];

/** Strides and dilations of a windowed correlation, per axis. */
interface Walk {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Kernel plane size. */
  readonly k: readonly [number, number];
  /** Output plane size. */
  readonly out: readonly [number, number];
  /** Read the kernel rotated by 180°. */
  readonly flip: boolean;
  /**
   * Zero-padding taps multiplied rather than skipped (PyTorch, ONNX Runtime,
   * OpenCV materialise the zeros): a NaN or ±Inf weight there gives 0·w = NaN.
   */
  readonly multiplyPadded?: boolean;
}

const identity = (v: number): number => v;

function mapped(a: ArrayLike<number>, f: (v: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
  return out;
}

/** The real mask of a grid whose rows and columns are real where `rowReal`/`colReal` say. */
function outerMask(rowReal: readonly boolean[], colReal: readonly boolean[]): Uint8Array {
  const m = new Uint8Array(rowReal.length * colReal.length);
  for (let i = 0; i < rowReal.length; i++) {
    for (let j = 0; j < colReal.length; j++) m[i * colReal.length + j] = rowReal[i] && colReal[j] ? 1 : 0;
  }
  return m;
}

/** Source of every padded position of one axis (−1: a zero). */
function sourcesOf(size: number, before: number, after: number, r: ResolvedConv): number[] {
  return Array.from({ length: before + size + after }, (_, i) => sourcePixel(i - before, size, r.mode));
}

/** The input padded by its mode into a new array: planes N·C of (H+top+bottom) × (W+left+right). */
function padByMode(x: Float64Array, r: ResolvedConv): Grid {
  const rows = sourcesOf(r.H, r.top, r.bottom, r);
  const cols = sourcesOf(r.W, r.left, r.right, r);
  const planes = r.N * r.C;
  const [R, K] = [rows.length, cols.length];
  const from = Int32Array.from(cols);
  const data = new Float64Array(planes * R * K);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < R; i++) {
      if (rows[i] < 0) continue;
      const [at, src] = [(p * R + i) * K, (p * r.H + rows[i]) * r.W];
      for (let j = 0; j < K; j++) if (from[j] >= 0) data[at + j] = x[src + from[j]];
    }
  }
  const real = outerMask(
    rows.map((y) => y >= 0),
    cols.map((z) => z >= 0),
  );
  return { planes, rows: rows.length, cols: cols.length, data, real };
}

/**
 * The input padded explicitly by its case's pads and mode, in its own dtype
 * (zeros for zero padding): `[N, C, H+top+bottom, W+left+right]` (3-D when unbatched).
 * @example padInput(x, resolveConv(x.shape, w.shape, { padding: 1, paddingMode: 'reflect' })) // [N, C, H+2, W+2]
 */
export function padInput(x: Tensor, r: ResolvedConv): Tensor {
  const g = padByMode(Float64Array.from(x.data), r);
  const data = x.data instanceof Float64Array ? g.data : Float32Array.from(g.data);
  const shape = [r.N, r.C, g.rows, g.cols];
  return { shape: r.batched ? shape : shape.slice(1), data };
}

/** The adjoint of `padByMode`: each padded position's value added into the pixel it copied. */
function foldByMode(g: Sums, r: ResolvedConv): Sums {
  const rows = sourcesOf(r.H, r.top, r.bottom, r);
  const cols = sourcesOf(r.W, r.left, r.right, r);
  const value = new Float64Array(r.N * r.C * r.H * r.W);
  const terms = new Float64Array(value.length);
  let at = 0;
  for (let p = 0; p < r.N * r.C; p++) {
    for (const y of rows) {
      for (const z of cols) {
        if (y >= 0 && z >= 0) {
          value[(p * r.H + y) * r.W + z] += g.value[at];
          terms[(p * r.H + y) * r.W + z] += g.terms[at];
        }
        at++;
      }
    }
  }
  return { value, terms };
}

/**
 * Every output of `walk`: the window of output (i, j) starts at
 * (i·stride, j·stride) and spreads its taps `dilation` apart; its dot
 * products with the linked kernel planes are summed over the real taps,
 * plane by plane and tap by tap (row-major), from zero.
 */
function correlate(grid: Grid, kernel: Float64Array, links: readonly Links[], walk: Walk): Sums {
  const [OR, OC] = walk.out;
  const [KR, KC] = walk.k;
  const { data, real, cols } = grid;
  const planeSize = grid.rows * cols;
  // Each tap's offset from its window's origin in the grid, and its index in a kernel plane.
  const taps = KR * KC;
  const onGrid = new Int32Array(taps);
  const inKernel = new Int32Array(taps);
  for (let a = 0; a < KR; a++) {
    for (let b = 0; b < KC; b++) {
      onGrid[a * KC + b] = a * walk.dilation[0] * cols + b * walk.dilation[1];
      inKernel[a * KC + b] = walk.flip ? (KR - 1 - a) * KC + (KC - 1 - b) : a * KC + b;
    }
  }
  const multiply = walk.multiplyPadded === true;
  const value = new Float64Array(links.length * OR * OC);
  const terms = new Float64Array(value.length);
  let at = 0;
  for (const inputs of links) {
    for (let i = 0; i < OR; i++) {
      for (let j = 0; j < OC; j++, at++) {
        const origin = i * walk.stride[0] * cols + j * walk.stride[1];
        let sum = 0;
        let count = 0;
        for (const [plane, k0] of inputs) {
          const base = plane * planeSize;
          for (let t = 0; t < taps; t++) {
            const pos = origin + onGrid[t];
            if (!real[pos]) {
              // A NaN/±Inf weight on a zero-padding tap poisons the sum only under the 'multiply' convention.
              if (multiply && !Number.isFinite(kernel[k0 + inKernel[t]])) sum = Number.NaN;
              continue;
            }
            sum += data[base + pos] * kernel[k0 + inKernel[t]];
            count++;
          }
        }
        value[at] = sum;
        terms[at] = count;
      }
    }
  }
  return { value, terms };
}

/** Forward links: output plane (n, o) reads input planes (n, c) of o's group with kernel w[o, c]. */
function forwardLinks(r: ResolvedConv): Links[] {
  const [Cg, Og, K] = [r.C / r.groups, r.O / r.groups, r.KH * r.KW];
  const links: Links[] = [];
  for (let n = 0; n < r.N; n++) {
    for (let o = 0; o < r.O; o++) {
      const c0 = Math.floor(o / Og) * Cg;
      links.push(Array.from({ length: Cg }, (_, c) => [n * r.C + c0 + c, (o * Cg + c) * K] as const));
    }
  }
  return links;
}

function forwardSums(
  r: ResolvedConv,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  f: (v: number) => number,
  padded: 'skip' | 'multiply' = 'skip',
): Sums {
  const grid = padByMode(mapped(x.data, f), r);
  const walk: Walk = {
    stride: [r.sh, r.sw],
    dilation: [r.dh, r.dw],
    k: [r.KH, r.KW],
    out: [r.OH, r.OW],
    flip: false,
    multiplyPadded: padded === 'multiply',
  };
  const s = correlate(grid, mapped(w.data, f), forwardLinks(r), walk);
  if (bias) {
    const plane = r.OH * r.OW;
    for (let q = 0; q < r.N * r.O; q++) {
      const b = f(bias.data[q % r.O]);
      for (let p = q * plane; p < (q + 1) * plane; p++) {
        s.value[p] += b;
        s.terms[p]++;
      }
    }
  }
  return s;
}

/**
 * The forward conv in float64 (`absolute`: the same on |x|, |w|, |b|, which
 * is the magnitude M of the error bound).
 * @returns the output in NCHW order, `N·O·OH·OW` values
 * @example const r = resolveConv(x.shape, w.shape, opts); const M = modelConv2d(r, x, w, bias, true);
 */
export function modelConv2d(
  r: ResolvedConv,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  absolute = false,
): Float64Array {
  return forwardSums(r, x, w, bias, absolute ? Math.abs : identity).value;
}

/**
 * `modelConv2d` with the number of terms (real taps, plus the bias) summed into each output.
 * `padded: 'multiply'` states the other convention for zero padding: a NaN or
 * ±Inf weight on a padded tap makes the output NaN (0·Inf), as where the zeros
 * are materialised; `'skip'` (convproof's) leaves padded taps out of the sum.
 * @example modelConv2dWithTerms(resolveConv([1, 1, 3, 3], [1, 1, 3, 3], { padding: 1 }), x, w, null).terms[0] // 4: a corner reads 2×2 real pixels
 */
export function modelConv2dWithTerms(
  r: ResolvedConv,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  absolute = false,
  padded: 'skip' | 'multiply' = 'skip',
): { value: Float64Array; terms: Float64Array } {
  return forwardSums(r, x, w, bias, absolute ? Math.abs : identity, padded);
}

/** Gradients of the model (float64), with the number of terms summed into each element. */
export interface ModelGradients {
  readonly gradInput: Float64Array;
  readonly gradWeight: Float64Array;
  readonly gradBias: Float64Array;
  /** Terms summed into each gradInput element (for the error bound's n). */
  readonly inputTerms: Float64Array;
  /** Terms summed into each gradWeight element. */
  readonly weightTerms: Float64Array;
  /** Terms summed into each gradBias element: N·OH·OW. */
  readonly biasTerms: number;
}

/** Real positions of one axis of spread `dy`: multiples of s inside it, shifted by `before`. */
function spreadReal(length: number, before: number, count: number, s: number): boolean[] {
  return Array.from({ length }, (_, q) => q >= before && (q - before) % s === 0 && (q - before) / s < count);
}

/**
 * `dy` spread by the stride (s−1 holes between values) and framed so that a
 * stride-1 correlation with the flipped kernel covers the padded domain:
 * `d·(k−1)` layout zeros before, the rest of the padded size after.
 */
function spreadByStride(dy: Float64Array, r: ResolvedConv): Grid {
  const [bh, bw] = [r.dh * (r.KH - 1), r.dw * (r.KW - 1)];
  const [PH, PW] = [r.H + r.top + r.bottom, r.W + r.left + r.right];
  const [rows, cols] = [PH + bh, PW + bw];
  const planes = r.N * r.O;
  const data = new Float64Array(planes * rows * cols);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < r.OH; i++) {
      for (let j = 0; j < r.OW; j++) {
        data[(p * rows + bh + i * r.sh) * cols + bw + j * r.sw] = dy[(p * r.OH + i) * r.OW + j];
      }
    }
  }
  const real = outerMask(spreadReal(rows, bh, r.OH, r.sh), spreadReal(cols, bw, r.OW, r.sw));
  return { planes, rows, cols, data, real };
}

/** gradInput links: input plane (n, c) reads dy planes (n, o) of c's group with kernel w[o, c]. */
function inputLinks(r: ResolvedConv): Links[] {
  const [Cg, Og, K] = [r.C / r.groups, r.O / r.groups, r.KH * r.KW];
  const links: Links[] = [];
  for (let n = 0; n < r.N; n++) {
    for (let c = 0; c < r.C; c++) {
      const g = Math.floor(c / Cg);
      links.push(
        Array.from({ length: Og }, (_, o) => [n * r.O + g * Og + o, ((g * Og + o) * Cg + (c % Cg)) * K] as const),
      );
    }
  }
  return links;
}

/** gradWeight links: weight plane (o, c) reads input planes (n, c of o's group) with "kernel" dy[n, o]. */
function weightLinks(r: ResolvedConv): Links[] {
  const [Cg, Og, plane] = [r.C / r.groups, r.O / r.groups, r.OH * r.OW];
  const links: Links[] = [];
  for (let o = 0; o < r.O; o++) {
    const c0 = Math.floor(o / Og) * Cg;
    for (let c = 0; c < Cg; c++) {
      links.push(Array.from({ length: r.N }, (_, n) => [n * r.C + c0 + c, (n * r.O + o) * plane] as const));
    }
  }
  return links;
}

/** Which gradients `modelConv2dBackward` computes (a skipped one comes back empty). */
export type ModelGradientChoice = 'both' | 'input' | 'weight';

const NONE: Sums = { value: new Float64Array(0), terms: new Float64Array(0) };

/**
 * The backward pass of the model for upstream gradient `dy` (`absolute`:
 * the same on absolute values, i.e. the magnitudes of the bound).
 * Gradients of padding-mode taps fold back into the pixels they read.
 * `only` skips one of gradInput and gradWeight (returned as empty arrays);
 * gradBias is always computed.
 * @example const g = modelConv2dBackward(resolveConv(x.shape, w.shape, opts), x, w, dy); g.gradWeight // float64, w's layout
 */
export function modelConv2dBackward(
  r: ResolvedConv,
  x: Tensor,
  w: Tensor,
  dy: Tensor,
  absolute = false,
  only: ModelGradientChoice = 'both',
): ModelGradients {
  const f = absolute ? Math.abs : identity;
  const ds = mapped(dy.data, f);
  const [PH, PW] = [r.H + r.top + r.bottom, r.W + r.left + r.right];
  const padded =
    only === 'weight'
      ? null
      : correlate(spreadByStride(ds, r), mapped(w.data, f), inputLinks(r), {
          stride: [1, 1],
          dilation: [r.dh, r.dw],
          k: [r.KH, r.KW],
          out: [PH, PW],
          flip: true,
        });
  const dx = padded ? foldByMode(padded, r) : NONE;
  const dw =
    only === 'input'
      ? NONE
      : correlate(padByMode(mapped(x.data, f), r), ds, weightLinks(r), {
          stride: [r.dh, r.dw],
          dilation: [r.sh, r.sw],
          k: [r.OH, r.OW],
          out: [r.KH, r.KW],
          flip: false,
        });
  const gradBias = new Float64Array(r.O);
  const plane = r.OH * r.OW;
  for (let p = 0; p < ds.length; p++) gradBias[Math.floor(p / plane) % r.O] += ds[p];
  return {
    gradInput: dx.value,
    gradWeight: dw.value,
    gradBias,
    inputTerms: dx.terms,
    weightTerms: dw.terms,
    biasTerms: r.N * plane,
  };
}

/**
 * The transposed conv in float64 by scatter: input pixel (i, j) of channel c
 * adds `x·w[c, o]` into the full output window at (i·s, j·s) (taps `d`
 * apart) of every output channel o of its group; the full output, grown by
 * the output padding, is then cropped by the pads (ONNX's rule).
 * @returns the output in NCHW order, with the number of terms of each element
 * @example
 * const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
 * const { value, terms } = modelConvTranspose2d(r, c.input, c.weight, c.options.bias ?? null);
 */
export function modelConvTranspose2d(
  r: ResolvedTranspose,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  absolute = false,
): { value: Float64Array; terms: Float64Array } {
  const f = absolute ? Math.abs : identity;
  const [[top, bottom], [left, right]] = r.pads;
  const [FH, FW] = [r.OH + top + bottom, r.OW + left + right];
  const full = scatter(r, mapped(x.data, f), mapped(w.data, f), FH, FW);
  const value = new Float64Array(r.N * r.O * r.OH * r.OW);
  const terms = new Float64Array(value.length);
  let at = 0;
  for (let p = 0; p < r.N * r.O; p++) {
    for (let i = 0; i < r.OH; i++) {
      for (let j = 0; j < r.OW; j++, at++) {
        const from = (p * FH + top + i) * FW + left + j;
        value[at] = full.value[from] + (bias ? f(bias.data[p % r.O]) : 0);
        terms[at] = full.terms[from] + (bias ? 1 : 0);
      }
    }
  }
  return { value, terms };
}

/** The uncropped scatter of a transposed conv: planes N·O of FH × FW. */
function scatter(r: ResolvedTranspose, x: Float64Array, w: Float64Array, FH: number, FW: number): Sums {
  const [Cg, Og, K] = [r.C / r.groups, r.O / r.groups, r.KH * r.KW];
  const value = new Float64Array(r.N * r.O * FH * FW);
  const terms = new Float64Array(value.length);
  for (let n = 0; n < r.N; n++) {
    for (let c = 0; c < r.C; c++) {
      const o0 = Math.floor(c / Cg) * Og;
      for (let i = 0; i < r.H; i++) {
        for (let j = 0; j < r.W; j++) {
          const v = x[((n * r.C + c) * r.H + i) * r.W + j];
          for (let o = 0; o < Og; o++) {
            const kernel = (c * Og + o) * K;
            const plane = (n * r.O + o0 + o) * FH;
            for (let a = 0; a < r.KH; a++) {
              const row = (plane + i * r.stride[0] + a * r.dilation[0]) * FW + j * r.stride[1];
              for (let b = 0; b < r.KW; b++) {
                value[row + b * r.dilation[1]] += v * w[kernel + a * r.KW + b];
                terms[row + b * r.dilation[1]]++;
              }
            }
          }
        }
      }
    }
  }
  return { value, terms };
}

/**
 * Visits every real term of a conv2d case: `visit(outIndex, inIndex, weightIndex)`
 * (flat NCHW/OIHW offsets), through the padded windows of the model (a
 * padding-mode tap visits the pixel it copies; zero-padding taps are not terms).
 * @example forEachTap(resolveConv(x.shape, w.shape, opts), (out, inp, k) => { y[out] += x.data[inp] * w.data[k]; })
 */
export function forEachTap(r: ResolvedConv, visit: (out: number, inp: number, wt: number) => void): void {
  const rows = sourcesOf(r.H, r.top, r.bottom, r);
  const cols = sourcesOf(r.W, r.left, r.right, r);
  const [Cg, Og] = [r.C / r.groups, r.O / r.groups];
  let out = 0;
  for (let n = 0; n < r.N; n++) {
    for (let o = 0; o < r.O; o++) {
      const c0 = Math.floor(o / Og) * Cg;
      for (let i = 0; i < r.OH; i++) {
        for (let j = 0; j < r.OW; j++, out++) {
          for (let c = 0; c < Cg; c++) {
            for (let a = 0; a < r.KH; a++) {
              const y = rows[i * r.sh + a * r.dh];
              for (let b = 0; b < r.KW; b++) {
                const z = cols[j * r.sw + b * r.dw];
                if (y >= 0 && z >= 0)
                  visit(out, ((n * r.C + c0 + c) * r.H + y) * r.W + z, ((o * Cg + c) * r.KH + a) * r.KW + b);
              }
            }
          }
        }
      }
    }
  }
}
