/**
 * onnxruntime-web defects the adapter still meets (measured on 1.31.1, wasm
 * provider), each with the exact cases it hits and a witness; see `defects.ts`.
 */
import { resolveConv, resolveTranspose } from '../properties/spec/index.js';
import { tensor } from '../src/tensor.js';
import type { KnownDefect } from './defects.js';

/**
 * SAME's raw total `(ceil(in/s) − 1)·s + k − in` of one axis; convproof
 * (and ONNX) clamp it at 0, onnxruntime reads wrong rows once it is ≤ −3 for
 * SAME_UPPER, ≤ −4 for SAME_LOWER (measured on grids of in ≤ 16, k ≤ 4, s ≤ 6
 * and in ≤ 12, k ≤ 3, s ≤ 6: exactly those cases fail).
 */
const rawSameTotal = (size: number, k: number, s: number) => (Math.ceil(size / s) - 1) * s + k - size;

const sameStride: KnownDefect = {
  issue: 'microsoft/onnxruntime#10086',
  summary: 'Conv auto_pad SAME_UPPER/SAME_LOWER with a stride well above the kernel reads the wrong rows',
  when: (c) => {
    const p = c.options.padding;
    if (c.op === 'convTranspose2d' || typeof p !== 'string' || p === 'valid') return false;
    const r = resolveConv(c.input.shape, c.weight.shape, c.options);
    if (r.dh * r.dw !== 1) return false; // the adapter passes explicit pads then
    const worst = p === 'same-lower' ? -4 : -3;
    return rawSameTotal(r.H, r.KH, r.sh) <= worst || rawSameTotal(r.W, r.KW, r.sw) <= worst;
  },
  witness: {
    op: 'conv2d',
    input: tensor([1, 2, 3, 4], [1, 1, 4, 1]),
    weight: tensor([1], [1, 1, 1, 1]),
    options: { padding: 'same', stride: [4, 1] },
  },
};

const outputPadding: KnownDefect = {
  issue: 'onnxruntime (no issue found)',
  summary: 'ConvTranspose refuses output_padding ≥ stride, valid when the dilation is larger',
  when: (c) => {
    if (c.op !== 'convTranspose2d') return false;
    const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
    return r.outputPadding[0] >= r.stride[0] || r.outputPadding[1] >= r.stride[1];
  },
  witness: {
    op: 'convTranspose2d',
    input: tensor([1, 2, 3, 4], [1, 1, 2, 2]),
    weight: tensor([1, 1, 1, 1], [1, 1, 2, 2]),
    options: { dilation: 2, outputPadding: 1 },
  },
};

/** The known defects of onnxruntime-web's wasm provider through this adapter. */
export const onnxruntimeDefects: readonly KnownDefect[] = [sameStride, outputPadding];

const batchOf = (c: { readonly input: { readonly shape: readonly number[] } }) =>
  c.input.shape.length === 4 ? c.input.shape[0] : 1;

/** On the webgpu provider an empty batch reaches a dispatch of zero workgroups, which WebGPU refuses. */
const emptyBatchWebgpu: KnownDefect = {
  issue: 'onnxruntime webgpu (no issue found; cf. microsoft/onnxruntime#19442)',
  summary: 'webgpu: an empty batch (N = 0) fails with "Invalid dispatch group size (0, 1, 1)"',
  when: (c) => batchOf(c) === 0,
  witness: { op: 'conv2d', input: tensor([], [0, 1, 1, 3]), weight: tensor([1, 2], [2, 1, 1, 1]), options: {} },
};

/** On webgpu a grouped ConvTranspose leaves every group but the first at zero (measured: groups ≥ 2 fail, 1 holds). */
const groupedTransposeWebgpu: KnownDefect = {
  issue: 'onnxruntime webgpu (no issue found)',
  summary: 'webgpu: ConvTranspose with group ≥ 2 returns zeros for the groups after the first',
  when: (c) => c.op === 'convTranspose2d' && (c.options.groups ?? 1) > 1,
  witness: {
    op: 'convTranspose2d',
    input: tensor([1, 2, 3, 4], [1, 4, 1, 1]),
    weight: tensor([1, 10, 100, 1000], [4, 1, 1, 1]),
    options: { groups: 2 },
  },
};

/** On webgpu a grouped Conv skips padded taps (a ±Inf/NaN weight meets no 0), where its dense Conv and the wasm provider give NaN. */
const groupedPaddedWebgpu: KnownDefect = {
  issue: 'onnxruntime webgpu (no issue found)',
  summary: 'webgpu: grouped Conv gives 0 where a ±Inf/NaN weight meets zero padding; dense Conv and wasm give NaN',
  when: (c) => {
    if (c.op !== 'conv2d' || !c.weight.data.some((v) => !Number.isFinite(v))) return false;
    const r = resolveConv(c.input.shape, c.weight.shape, c.options);
    return r.groups > 1 && r.top + r.bottom + r.left + r.right > 0;
  },
  witness: {
    op: 'conv2d',
    input: tensor([1, 1], [1, 2, 1, 1]),
    weight: tensor([Number.POSITIVE_INFINITY, 1], [2, 1, 1, 1]),
    options: { groups: 2, padding: 1 },
  },
};

/**
 * The known defects of onnxruntime-web on `provider` (none named: the wasm provider's).
 * @example pinDefects(onnxruntimeAdapter(ort, { executionProvider: 'webgpu' })) // knownDefects = onnxruntimeProviderDefects('webgpu')
 */
export function onnxruntimeProviderDefects(provider?: string): readonly KnownDefect[] {
  return provider === 'webgpu'
    ? [...onnxruntimeDefects, emptyBatchWebgpu, groupedTransposeWebgpu, groupedPaddedWebgpu]
    : onnxruntimeDefects;
}
