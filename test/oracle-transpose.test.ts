/**
 * The transposed conv against the TensorFlow.js oracles (Conv2DBackpropInput with the
 * transposed output's shape, which is how tf.conv2dTranspose computes): convproof agrees,
 * a planted bug is caught, and what tfjs cannot take (dilation) is skipped with the reason.
 */
import { describe, expect, test } from 'vitest';
import { convTranspose2d, tensor, type ConvTranspose2dOptions, type Tensor } from '../src/index.js';
import { loadOracles, verify } from '../properties/index.js';
import { oracleProperties } from '../properties/oracle-properties.js';

const oracles = await loadOracles(['cpu', 'wasm']);
const name = oracleProperties[oracleProperties.length - 1].name;

describe('convTranspose2d against tfjs conv2dTranspose', () => {
  test('both oracles compute it, and convproof agrees with them', async () => {
    const [cpu, wasm] = oracles;
    const x = tensor([1, 10, 100], [1, 1, 3, 1]);
    const w = tensor([1, 2, 3, 4], [1, 1, 4, 1]);
    const c = { input: x, weight: w, options: { stride: [2, 1], outputSize: [9, 1] } as ConvTranspose2dOptions };
    // The full scatter of [1, 10, 100] by [1, 2, 3, 4] at stride 2, and one zero row (outputSize 9).
    for (const o of [cpu, wasm])
      expect(Array.from(o.convTranspose2d!(c).data)).toEqual([1, 2, 13, 24, 130, 240, 300, 400, 0]);
    const report = await verify(
      { conv2d: () => x, convTranspose2d },
      { properties: [name], oracles, seed: 4, runs: 60 },
    );
    const [p] = report.properties;
    expect(p.status, p.failure?.message).toBe('passed');
    expect(p.runs).toBeGreaterThan(0);
  });

  test('a transposed conv that drops the bias disagrees with the oracles', async () => {
    const noBias = (x: Tensor, w: Tensor, o: ConvTranspose2dOptions = {}) =>
      convTranspose2d(x, w, { ...o, bias: null });
    const report = await verify(
      { conv2d: convTranspose2d as never, convTranspose2d: noBias },
      {
        properties: [name],
        oracles,
        seed: 4,
        runs: 60,
      },
    );
    expect(report.properties[0].status).toBe('failed');
    expect(report.properties[0].failure?.message).toMatch(/disagrees with tfjs-(cpu|wasm)/);
  });

  test('a dilated case is left out with the reason', () => {
    const c = { input: tensor([1, 2], [1, 1, 2, 1]), weight: tensor([1, 1], [1, 1, 2, 1]), options: { dilation: 2 } };
    expect(oracles[0].unsupportedTranspose!(c)).toMatch(/dilation \[2, 2\]: the tfjs backprop kernels take none/);
  });
});
