/**
 * TensorFlow.js defects the tfjs adapter still meets (measured on 4.22.0),
 * each with the exact cases it hits and a witness; see `defects.ts`.
 */
import { tensor } from '../src/tensor.js';
import { resolveConv } from '../properties/spec/index.js';
import { wasmSameZerosCondition } from '../properties/oracles/plan.js';
import type { DefectCall, KnownDefect } from './defects.js';

const ramp = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const batchOf = (c: DefectCall) => (c.input.shape.length === 4 ? c.input.shape[0] : 1);

/** tfjs 'same' on wasm returns zeros when the window never reaches the last pixel (filter smaller than the stride). */
const sameZeros: KnownDefect = {
  issue: 'tensorflow/tfjs#8405',
  summary: "wasm: 'same' returns all zeros when the filter is smaller than the stride (also #5907, depthwise #6629)",
  when: (c) => {
    if (c.op.startsWith('convTranspose2d') || c.options.padding !== 'same') return false;
    const r = resolveConv(c.input.shape, c.weight.shape, c.options);
    const eff: [number, number] = [r.dh * (r.KH - 1) + 1, r.dw * (r.KW - 1) + 1];
    return wasmSameZerosCondition(r.H, r.W, r.KH, r.KW, [r.sh, r.sw], eff);
  },
  witness: {
    op: 'conv2d',
    input: tensor(ramp(18), [1, 1, 9, 2]),
    weight: tensor([1, 1], [1, 1, 2, 1]),
    options: { stride: 2, padding: 'same' },
  },
};

// An empty batch (N = 0, C > 1) makes tfjs-wasm's Transpose kernel divide by zero (no issue filed). The adapter
// moves layouts on plain arrays, so it never calls that kernel: not pinned (test/adapters-tfjs.test.ts keeps the witness).

/** XNNPACK gives no NaN guarantee (tfjs PR #3855): a NaN may come back as −Infinity. */
const nanLost: KnownDefect = {
  issue: 'tfjs-wasm (no issue filed; tfjs PR #3855)',
  summary: 'wasm: a NaN input may come back as −Infinity',
  when: (c) => c.input.data.some(Number.isNaN) || c.weight.data.some(Number.isNaN),
  witness: {
    op: 'conv2d',
    input: tensor([Number.NaN, 1, 2, 3], [1, 1, 2, 2]),
    weight: tensor([1], [1, 1, 1, 1]),
    options: {},
  },
};

/**
 * On webgpu an empty batch makes conv2d (and the gradient kernels) throw — and
 * the next conv2d's `data()` then returns the previous call's result (measured
 * in Chromium 156 on SwiftShader: a stale readback, not only an error), so the
 * pin also keeps the rest of a run honest.
 */
const emptyBatchWebgpu: KnownDefect = {
  issue: 'tfjs-webgpu (no issue found)',
  summary: 'webgpu: an empty batch (N = 0) throws, and the next conv2d returns the previous result',
  when: (c) => batchOf(c) === 0,
  witness: { op: 'conv2d', input: tensor([], [0, 1, 1, 3]), weight: tensor([1, 2], [2, 1, 1, 1]), options: {} },
};

const padded = (c: DefectCall) => {
  if (c.op.startsWith('convTranspose2d')) return false;
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  return r.groups === 1 && r.top + r.bottom + r.left + r.right > 0;
};

/**
 * webgpu's conv2d multiplies the padded zeros (0·Inf = NaN), unlike tfjs-cpu
 * and unlike its own depthwiseConv2d, which skip them (as convproof's 'skip').
 */
const paddedInf: KnownDefect = {
  issue: 'tfjs-webgpu (no issue found)',
  summary:
    "webgpu: conv2d gives NaN where a ±Inf/NaN weight meets zero padding; cpu and webgpu's depthwise give the sum of the real taps",
  when: (c) => c.op === 'conv2d' && c.weight.data.some((v) => !Number.isFinite(v)) && padded(c),
  witness: {
    op: 'conv2d',
    input: tensor([1], [1, 1, 1, 1]),
    weight: tensor([Number.POSITIVE_INFINITY], [1, 1, 1, 1]),
    options: { padding: 1 },
  },
};

/**
 * The known defects of one backend (none known on `cpu` through this adapter).
 * @example pinDefects(tfjsAdapter(tf, { backend: 'wasm' })) // knownDefects = tfjsDefects('wasm')
 */
export function tfjsDefects(backend: string): KnownDefect[] {
  if (backend === 'webgpu') return [paddedInf, emptyBatchWebgpu]; // the empty batch stales the next result: last
  return backend === 'wasm' ? [sameZeros, nanLost] : [];
}
