/**
 * The ConvTranspose2d layer: PyTorch's default initialisation for
 * ConvTranspose2d (fan-in from the weight's second dimension: O/groups·KH·KW),
 * determinism per seed, forward/backward bookkeeping, forward by output size,
 * config errors, and learning an up-sampling kernel by gradient descent.
 * Values by hand use the column example of transpose-backward.test.ts.
 */
import { describe, expect, test } from 'vitest';
import {
  ConvTranspose2d,
  convTranspose2d,
  convTranspose2dBackward,
  createBackend,
  sgd,
  tensor,
  type ConvTranspose2dConfig,
  type Tensor,
} from '../src/index.js';
import { expectConvError, ints, snapshot } from './helpers.js';

const values = (t: Tensor) => Array.from(t.data);

/** 1 → 1 channel, kernel [1, 2, 3, 4] as a 4×1 column, bias 5. */
function columnLayer(extra: Partial<ConvTranspose2dConfig> = {}): ConvTranspose2d {
  const layer = new ConvTranspose2d({ inChannels: 1, outChannels: 1, kernelSize: [4, 1], seed: 1, ...extra });
  layer.weight.data.set([1, 2, 3, 4]);
  layer.bias?.data.set([5]);
  return layer;
}
const x = () => tensor([1, 10, 100], [1, 1, 3, 1]);

describe('ConvTranspose2d: PyTorch default initialisation', () => {
  const configs: Array<[string, ConvTranspose2dConfig, number[], number]> = [
    ['C=16 O=8 k=3 (fan_in 8·9 = 72)', { inChannels: 16, outChannels: 8, kernelSize: 3 }, [16, 8, 3, 3], 72],
    [
      'C=8 O=12 k=[2,3] g=4 (fan_in 3·6 = 18)',
      { inChannels: 8, outChannels: 12, kernelSize: [2, 3], groups: 4 },
      [8, 3, 2, 3],
      18,
    ],
  ];
  test.each(configs)(
    '%s: weight [C, O/g, KH, KW], every value within ±1/√fan_in, spread over it',
    (_, config, shape, fanIn) => {
      const layer = new ConvTranspose2d({ ...config, seed: 3 });
      expect(layer.weight.shape).toEqual(shape);
      expect(layer.bias!.shape).toEqual([config.outChannels]);
      const limit = Math.fround(1 / Math.sqrt(fanIn));
      const w = Array.from(layer.weight.data, (v) => v / limit);
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1);
      expect(Math.max(...w)).toBeGreaterThan(0.9);
      expect(Math.min(...w)).toBeLessThan(-0.9);
      expect(Math.max(...Array.from(layer.bias!.data, Math.abs))).toBeLessThanOrEqual(limit);
    },
  );

  test('the same seed gives the same layer, another seed another; bias: false has none; float64 on request', () => {
    const a = new ConvTranspose2d({ inChannels: 2, outChannels: 3, kernelSize: 2, seed: 9 });
    const b = new ConvTranspose2d({ inChannels: 2, outChannels: 3, kernelSize: 2, seed: 9 });
    const c = new ConvTranspose2d({ inChannels: 2, outChannels: 3, kernelSize: 2, seed: 10 });
    expect(snapshot(a.weight)).toEqual(snapshot(b.weight));
    expect(snapshot(a.weight)).not.toEqual(snapshot(c.weight));
    const plain = new ConvTranspose2d({ inChannels: 2, outChannels: 3, kernelSize: 2, bias: false, dtype: 'float64' });
    expect(plain.bias).toBeNull();
    expect(plain.parameters()).toEqual([plain.weight]);
    expect(plain.weight.data).toBeInstanceOf(Float64Array);
  });
});

describe('ConvTranspose2d: forward and backward', () => {
  test('forward is the column scatter [1, 12, 123, 234, 340, 400] plus the bias 5', () => {
    expect(values(columnLayer().forward(x()))).toEqual([6, 17, 128, 239, 345, 405]);
  });

  test("forward(x, outputSize) picks the output padding: stride 2 gives 8 rows, [9, 1] one more (PyTorch's output_size)", () => {
    const layer = columnLayer({ stride: [2, 1], bias: false });
    expect(values(layer.forward(x()))).toEqual([1, 2, 13, 24, 130, 240, 300, 400]);
    expect(values(layer.forward(x(), [9, 1]))).toEqual([1, 2, 13, 24, 130, 240, 300, 400, 0]);
    // backward uses the outputSize of the last forward: a 9-row gradOutput fits, an 8-row one does not
    const dx = layer.backward(tensor([0, 0, 0, 0, 0, 0, 0, 0, 7], [1, 1, 9, 1]));
    expect(values(dx)).toEqual([0, 0, 0]);
    layer.forward(x());
    expectConvError(() => layer.backward(tensor([0, 0, 0, 0, 0, 0, 0, 0, 7], [1, 1, 9, 1])), 'grad-output');
  });

  test("'same' padding: a unit gradOutput on kept row 0 (full row 1) gives dx = [2, 1, 0], dw = [10, 1, 0, 0], db = 1; twice adds", () => {
    const layer = columnLayer({ padding: 'same' });
    layer.forward(x());
    const dy = tensor([1, 0, 0], [1, 1, 3, 1]);
    expect(values(layer.backward(dy))).toEqual([2, 1, 0]);
    expect(values({ shape: [4], data: layer.weight.grad })).toEqual([10, 1, 0, 0]);
    layer.backward(dy);
    expect(Array.from(layer.weight.grad)).toEqual([20, 2, 0, 0]);
    expect(Array.from(layer.bias!.grad)).toEqual([2]);
    layer.zeroGrad();
    expect(Array.from(layer.weight.grad)).toEqual([0, 0, 0, 0]);
  });

  test('backward belongs to the last forward even when the caller changes the weight or the input in between', () => {
    const layer = new ConvTranspose2d({
      inChannels: 2,
      outChannels: 4,
      kernelSize: 3,
      stride: 2,
      groups: 2,
      seed: 4,
      dtype: 'float64',
    });
    const input = tensor(ints([2, 2, 4, 5], 1), [2, 2, 4, 5], 'float64');
    const options = { stride: 2, groups: 2, bias: layer.bias };
    const want = convTranspose2dBackward(
      tensor(ints([2, 4, 9, 11], 2), [2, 4, 9, 11], 'float64'),
      input,
      layer.weight,
      options,
    );
    const y = layer.forward(input);
    expect(values(y)).toEqual(values(convTranspose2d(input, layer.weight, options)));
    input.data.fill(0);
    layer.weight.data.fill(0);
    const dx = layer.backward(tensor(ints([2, 4, 9, 11], 2), [2, 4, 9, 11], 'float64'));
    expect(values(dx)).toEqual(values(want.gradInput));
    expect(Array.from(layer.weight.grad)).toEqual(values(want.gradWeight));
    expect(Array.from(layer.bias!.grad)).toEqual(values(want.gradBias));
  });

  test('a layer on another backend runs there', () => {
    const backend = createBackend({ kernels: 'reference' });
    const layer = new ConvTranspose2d({ inChannels: 1, outChannels: 1, kernelSize: 2, backend, seed: 1 });
    layer.forward(tensor(ints([1, 1, 3, 3], 1), [1, 1, 3, 3]));
    layer.backward(tensor(ints([1, 1, 4, 4], 2), [1, 1, 4, 4]));
    expect(backend.stats().reference).toBe(3);
  });
});

describe('ConvTranspose2d: config errors', () => {
  const base: ConvTranspose2dConfig = { inChannels: 4, outChannels: 6, kernelSize: 3 };
  test.each<[string, Partial<ConvTranspose2dConfig> & Record<string, unknown>, string, string[]]>([
    ['an unknown option', { paddingMode: 'reflect' }, 'option', ['ConvTranspose2d', '"paddingMode"']],
    [
      'outputPadding not below max(stride, dilation)',
      { stride: 2, outputPadding: 2 },
      'output-padding',
      ['ConvTranspose2d'],
    ],
    ['groups not dividing the channels', { groups: 4 }, 'groups', ['inChannels 4 and outChannels 6', 'groups=4']],
    [
      'a kernelSize of three numbers',
      { kernelSize: [1, 2, 3] as unknown as [number, number] },
      'shape',
      ['kernelSize'],
    ],
    ['a non-positive inChannels', { inChannels: 0 }, 'shape', ['inChannels']],
  ])('%s', (_, extra, code, parts) => {
    expectConvError(() => new ConvTranspose2d({ ...base, ...extra } as ConvTranspose2dConfig), code, parts);
  });

  test('backward before forward', () => {
    expectConvError(() => columnLayer().backward(tensor([1, 2, 3, 4, 5, 6], [1, 1, 6, 1])), 'state', ['forward(x)']);
  });
});

describe('ConvTranspose2d learns an up-sampling kernel by gradient descent', () => {
  test('a 2×2 stride-2 layer recovers the kernel that made its targets (loss < 1e-8)', () => {
    const truth = tensor([1, -2, 0.5, 3], [1, 1, 2, 2], 'float64');
    const layer = new ConvTranspose2d({
      inChannels: 1,
      outChannels: 1,
      kernelSize: 2,
      stride: 2,
      bias: false,
      seed: 0,
      dtype: 'float64',
    });
    const input = tensor(ints([4, 1, 3, 3], 5), [4, 1, 3, 3], 'float64');
    const target = convTranspose2d(input, truth, { stride: 2 });
    // Each tap sees every input pixel once (stride = kernel): the loss's curvature per tap is 2·Σx²,
    // so a step of 0.25/Σx² shrinks each tap's error by half.
    const lr = 0.25 / Array.from(input.data).reduce((a, v) => a + v * v, 0);
    let loss = Infinity;
    for (let step = 0; step < 100; step++) {
      const y = layer.forward(input);
      const diff = Array.from(y.data, (v, i) => v - target.data[i]);
      loss = diff.reduce((a, d) => a + d * d, 0);
      layer.zeroGrad();
      layer.backward({ shape: y.shape, data: Float64Array.from(diff, (d) => 2 * d) });
      sgd(layer.parameters(), lr);
    }
    expect(loss).toBeLessThan(1e-8);
    Array.from(layer.weight.data).forEach((v, i) => expect(v).toBeCloseTo(truth.data[i], 5));
  });
});
