/**
 * Valid correlation of one plane without the GEMM machinery, through the
 * `corr` micro-kernel for chapter-size calls (`correlateSmall`; the plain
 * loop `correlateValid` is the kernel's JavaScript implementation), and the
 * finiteness test that routes NaN/±Inf data to the reference.
 */
import type { TensorData } from '../tensor.js';
import { kernels } from './kernels.js';

/** A view of the workspace's first elements, kept while the workspace and the length stay the same. */
let outView: { parent: TensorData; view: TensorData } | null = null;

/**
 * `correlateValid` through the micro-kernels' `corr` (WebAssembly SIMD where
 * available), for chapter-size planes where per-call overhead is the cost:
 * X is copied into the workspace in its own dtype, K as float64, and O comes
 * back with one `set`. Bit-identical to `correlateValid`. False when the
 * workspace cannot hold the problem (the caller falls back).
 * @example correlateSmall(x, 6, 8, k, 1, 2, out); // out: 6 × 7
 */
export function correlateSmall(
  x: TensorData,
  H: number,
  W: number,
  k: TensorData,
  KH: number,
  KW: number,
  out: TensorData,
): boolean {
  const ks = kernels();
  const narrow = x instanceof Float32Array;
  const shift = narrow ? 2 : 3;
  const OH = H - KH + 1;
  const OW = W - KW + 1;
  const n = OH * OW;
  const kn = KH * KW;
  // Bytes: O, then X (8-byte aligned, one spare element: the kernel may read one past X's end), then K.
  const xAt = ((n << shift) + 7) & ~7;
  const kAt = (xAt + ((H * W + 1) << shift) + 7) & ~7;
  if (!ks.reserve(kAt + kn * 8)) return false;
  const whole = narrow ? ks.f32 : ks.f64;
  whole.set(x, xAt >>> shift);
  const f64 = ks.f64;
  const k0 = kAt >>> 3;
  for (let i = 0; i < kn; i++) f64[k0 + i] = k[i];
  ks.corr(xAt, W, kAt, KH, KW, 0, OH, OW, narrow ? 1 : 0);
  // The same view serves every call of one size until the workspace is remade (it grew, or the kernels changed).
  if (outView === null || outView.parent !== whole || outView.view.length !== n)
    outView = { parent: whole, view: whole.subarray(0, n) };
  out.set(outView.view);
  return true;
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
