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
