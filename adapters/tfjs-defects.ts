/**
 * TensorFlow.js defects the tfjs adapter still meets (measured on 4.22.0),
 * each with the exact cases it hits and a witness; see `defects.ts`.
 */
import { tensor } from '../src/tensor.js';
import { resolveConv } from '../properties/spec/index.js';
import { wasmSameZerosCondition } from '../properties/oracles/plan.js';
import type { KnownDefect } from './defects.js';

const ramp = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** tfjs 'same' on wasm returns zeros when the window never reaches the last pixel (filter smaller than the stride). */
const sameZeros: KnownDefect = {
  issue: 'tensorflow/tfjs#8405',
  summary: "wasm: 'same' returns all zeros when the filter is smaller than the stride (also #5907, depthwise #6629)",
  when: (c) => {
    if (c.op === 'convTranspose2d' || c.options.padding !== 'same') return false;
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
 * The known defects of one backend (none known on `cpu` through this adapter).
 * @example pinDefects(tfjsAdapter(tf, { backend: 'wasm' })) // knownDefects = tfjsDefects('wasm')
 */
export function tfjsDefects(backend: string): KnownDefect[] {
  return backend === 'wasm' ? [sameZeros, nanLost] : [];
}
