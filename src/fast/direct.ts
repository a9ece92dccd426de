/**
 * Direct loops for problems too small to repay the workspace copies, and
 * the finiteness test that routes NaN/±Inf data to the reference.
 */
import type { TensorData } from '../tensor.js';

/**
 * The chapter's valid, stride-1 correlation of one `[H, W]` plane with one
 * `[KH, KW]` kernel: `out[i][j] = Σ_{kh,kw} x[i+kh][j+kw] · k[kh][kw]`,
 * accumulated in float64 in the reference's (kh, kw) order and rounded once.
 * Every tap is real, so NaN/Inf behave exactly as in the reference.
 * @example correlateValid(x, 6, 8, k, 1, 2, out); // out: 6 × 7
 */
export function correlateValid(
  x: TensorData, H: number, W: number, k: TensorData, KH: number, KW: number, out: TensorData,
): void {
  const OH = H - KH + 1;
  const OW = W - KW + 1;
  for (let i = 0; i < OH; i++) {
    for (let j = 0; j < OW; j++) {
      let acc = 0;
      for (let kh = 0; kh < KH; kh++) {
        const row = (i + kh) * W + j;
        const krow = kh * KW;
        for (let kw = 0; kw < KW; kw++) acc += x[row + kw] * k[krow + kw];
      }
      out[i * OW + j] = acc;
    }
  }
}

/**
 * True when every element is finite. `v·0` is ±0 for a finite v and NaN
 * otherwise, so one sum answers without a branch per element.
 * @example allFinite(new Float32Array([1, Infinity])) // false
 */
export function allFinite(data: TensorData): boolean {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * 0;
  return s === 0;
}
