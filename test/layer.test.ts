/**
 * The Conv2d layer: PyTorch's default initialisation, determinism per seed,
 * forward/backward bookkeeping (gradients add into .grad), zeroGrad,
 * parameters, and sgd. Values are worked out by hand with weights set
 * explicitly; the initialisation is checked statistically against its bounds.
 */
import { describe, expect, test } from 'vitest';
import { Conv2d, sgd, tensor, type Conv2dConfig, type Tensor } from '../src/index.js';
import { expectConvError, expectTensor, full, iotaTensor, snapshot, t } from './helpers.js';

/** A 1→1 layer with kernel [[0,1],[2,3]] and bias 5: the chapter's corr2d numbers plus 5. */
function chapterLayer(dtype: 'float32' | 'float64' = 'float32'): Conv2d {
  const layer = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 2, seed: 1, dtype });
  layer.weight.data.set([0, 1, 2, 3]);
  layer.bias!.data.set([5]);
  return layer;
}
const x33 = (): Tensor => iotaTensor([1, 1, 3, 3]);
const dy = (): Tensor =>
  t([
    [
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ]);

describe('Conv2d: PyTorch default initialisation', () => {
  // fan_in = C/groups · KH · KW; weight and bias uniform in ±1/√fan_in
  const configs: Array<[string, Conv2dConfig, number]> = [
    ['C=16 O=16 k=3 (fan_in 144)', { inChannels: 16, outChannels: 16, kernelSize: 3 }, 144],
    ['C=8 O=48 k=[2,3] g=2 (fan_in 24)', { inChannels: 8, outChannels: 48, kernelSize: [2, 3], groups: 2 }, 24],
    ['C=32 O=32 k=5 g=32 depthwise (fan_in 25)', { inChannels: 32, outChannels: 32, kernelSize: 5, groups: 32 }, 25],
    ['C=64 O=8 k=1 float64 (fan_in 64)', { inChannels: 64, outChannels: 8, kernelSize: 1, dtype: 'float64' }, 64],
  ];

  test.each(configs)('%s: every weight and bias lies within ±1/√fan_in', (_, config, fanIn) => {
    const layer = new Conv2d({ ...config, seed: 7 });
    const bound = 1 / Math.sqrt(fanIn);
    // a float32 value rounded from inside the bound stays within the rounded bound
    const limit = config.dtype === 'float64' ? bound : Math.fround(bound);
    for (const p of layer.parameters()) {
      const largest = Math.max(...Array.from(p.data, Math.abs));
      expect(largest).toBeLessThanOrEqual(limit);
    }
  });

  test.each(configs)('%s: the weights spread over the range (not all tiny), centred on 0', (_, config, fanIn) => {
    const { weight } = new Conv2d({ ...config, seed: 7 });
    const bound = 1 / Math.sqrt(fanIn);
    const w = Array.from(weight.data, (v) => v / bound);
    // at least 256 draws here: the extremes come within 5% of ±1, the mean within ±0.15,
    // and the standard deviation near 1/√3 ≈ 0.577, as for a uniform distribution
    expect(w.length).toBeGreaterThanOrEqual(256);
    expect(Math.max(...w)).toBeGreaterThan(0.95);
    expect(Math.min(...w)).toBeLessThan(-0.95);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(sd).toBeGreaterThan(0.5);
    expect(sd).toBeLessThan(0.65);
  });

  test('the bias spreads over ±1/√fan_in too (64 output channels, fan_in 9)', () => {
    const { bias } = new Conv2d({ inChannels: 1, outChannels: 64, kernelSize: 3, seed: 3 });
    const b = Array.from(bias!.data, (v) => v * 3);
    expect(Math.max(...b)).toBeGreaterThan(0.7);
    expect(Math.min(...b)).toBeLessThan(-0.7);
    for (const v of b) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-6);
  });

  test('shapes, dtypes and zeroed gradients', () => {
    const layer = new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: [2, 3], groups: 2, seed: 1 });
    expect(layer.weight.shape).toEqual([6, 2, 2, 3]);
    expect(layer.bias!.shape).toEqual([6]);
    expect(layer.weight.data).toBeInstanceOf(Float32Array);
    expect(layer.weight.grad).toBeInstanceOf(Float32Array);
    expect(Array.from(layer.weight.grad)).toEqual(new Array(72).fill(0));
    const l64 = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 1, dtype: 'float64', seed: 1 });
    expect(l64.weight.data).toBeInstanceOf(Float64Array);
    expect(l64.bias!.grad).toBeInstanceOf(Float64Array);
  });
});

describe('Conv2d: determinism', () => {
  const config: Conv2dConfig = { inChannels: 3, outChannels: 4, kernelSize: 3 };

  test('the same seed gives the identical layer', () => {
    const a = new Conv2d({ ...config, seed: 42 });
    const b = new Conv2d({ ...config, seed: 42 });
    expect(snapshot(a.weight)).toEqual(snapshot(b.weight));
    expect(snapshot(a.bias!)).toEqual(snapshot(b.bias!));
  });

  test('different seeds give different layers (seeds 0…19 pairwise)', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) seen.add(snapshot(new Conv2d({ ...config, seed }).weight).join(','));
    expect(seen.size).toBe(20);
  });

  test('without a seed, two layers differ', () => {
    expect(snapshot(new Conv2d(config).weight)).not.toEqual(snapshot(new Conv2d(config).weight));
  });
});

describe('Conv2d: forward, backward, zeroGrad, parameters', () => {
  test('forward with weights [[0,1],[2,3]] and bias 5 on 0..8 gives the chapter numbers + 5', () => {
    expectTensor(chapterLayer().forward(x33()), [
      [
        [
          [24, 30],
          [42, 48],
        ],
      ],
    ]);
  });

  test('backward returns gradInput and adds gradWeight and gradBias into .grad', () => {
    const layer = chapterLayer();
    layer.forward(x33());
    // the hand sums of the backward tests: Σ dy·window, Σ dy, and w scattered by dy
    expectTensor(layer.backward(dy()), [
      [
        [
          [0, 1, 2],
          [2, 10, 10],
          [6, 17, 12],
        ],
      ],
    ]);
    expect(Array.from(layer.weight.grad)).toEqual([27, 37, 57, 67]);
    expect(Array.from(layer.bias!.grad)).toEqual([10]);
  });

  test('two backward calls accumulate to twice the gradient; zeroGrad clears it', () => {
    const layer = chapterLayer();
    layer.forward(x33());
    layer.backward(dy());
    layer.backward(dy());
    expect(Array.from(layer.weight.grad)).toEqual([54, 74, 114, 134]);
    expect(Array.from(layer.bias!.grad)).toEqual([20]);
    layer.zeroGrad();
    expect(Array.from(layer.weight.grad)).toEqual([0, 0, 0, 0]);
    expect(Array.from(layer.bias!.grad)).toEqual([0]);
  });

  test('backward uses the input of the last forward', () => {
    const layer = chapterLayer();
    layer.forward(full([1, 1, 3, 3], 100));
    layer.forward(x33());
    layer.backward(dy());
    expect(Array.from(layer.weight.grad)).toEqual([27, 37, 57, 67]);
  });

  test('the layer keeps its own copy of the input: changing x after forward does not change backward', () => {
    const layer = chapterLayer();
    const x = x33();
    layer.forward(x);
    x.data.fill(-1);
    layer.backward(dy());
    expect(Array.from(layer.weight.grad)).toEqual([27, 37, 57, 67]);
  });

  test('backward uses the weight of its forward: changing the weight in between does not change the gradients', () => {
    const layer = chapterLayer();
    layer.forward(x33());
    layer.weight.data.fill(100);
    const gx = layer.backward(dy());
    // dx[i,j] = Σ dy[p,q]·w[i−p, j−q] with w = [[0,1],[2,3]] and dy = [[1,2],[3,4]], by hand.
    expectTensor(gx, [
      [
        [
          [0, 1, 2],
          [2, 10, 10],
          [6, 17, 12],
        ],
      ],
    ]);
    expect(Array.from(layer.weight.grad)).toEqual([27, 37, 57, 67]);
  });

  test('forward and backward leave x and gradOutput unchanged', () => {
    const layer = chapterLayer();
    const x = x33();
    const g = dy();
    const before = [snapshot(x), snapshot(g)];
    layer.forward(x);
    layer.backward(g);
    expect([snapshot(x), snapshot(g)]).toEqual(before);
  });

  test('a refused backward (wrong gradOutput shape) adds nothing to .grad', () => {
    const layer = chapterLayer();
    layer.forward(x33());
    layer.backward(dy());
    expectConvError(() => layer.backward(full([1, 1, 3, 3], 1)), 'grad-output');
    expect(Array.from(layer.weight.grad)).toEqual([27, 37, 57, 67]);
    expect(Array.from(layer.bias!.grad)).toEqual([10]);
  });

  test('backward before forward throws ConvError(state)', () => {
    expectConvError(() => chapterLayer().backward(dy()), 'state', ['Conv2d.backward', 'forward']);
  });

  test('parameters() is [weight, bias], or [weight] without a bias, the very objects', () => {
    const layer = chapterLayer();
    const ps = layer.parameters();
    expect(ps).toHaveLength(2);
    expect(ps[0]).toBe(layer.weight);
    expect(ps[1]).toBe(layer.bias);
    const noBias = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 2, bias: false, seed: 1 });
    expect(noBias.bias).toBeNull();
    expect(noBias.parameters()).toEqual([noBias.weight]);
  });

  test('the layer passes stride, padding, dilation, groups and paddingMode to conv2d', () => {
    // 1×1 kernel of weight 1, no bias, reflect padding 1 then stride 2: the padded image, subsampled
    const layer = new Conv2d({
      inChannels: 1,
      outChannels: 1,
      kernelSize: 1,
      padding: 1,
      stride: 2,
      paddingMode: 'reflect',
      bias: false,
      seed: 1,
    });
    layer.weight.data.set([1]);
    // padded rows/cols of 0..8 read 1,0,1,2,1; keep positions 0, 2, 4 → sources 1, 1, 1
    expectTensor(layer.forward(x33()), [
      [
        [
          [4, 4, 4],
          [4, 4, 4],
          [4, 4, 4],
        ],
      ],
    ]);
    const grouped = new Conv2d({
      inChannels: 2,
      outChannels: 2,
      kernelSize: 2,
      groups: 2,
      dilation: 2,
      bias: false,
      seed: 1,
    });
    grouped.weight.data.set([1, 0, 0, 0, 0, 0, 0, 1]);
    // channel 0 reads tap (0,0), channel 1 reads tap (1,1) two pixels down and right
    const x = tensor(
      [...Array.from({ length: 9 }, (_, i) => i), ...Array.from({ length: 9 }, (_, i) => 10 * i)],
      [1, 2, 3, 3],
    );
    expectTensor(grouped.forward(x), [[[[0]], [[80]]]]);
  });

  test('float64 layer: forward and backward stay in float64', () => {
    const layer = chapterLayer('float64');
    const y = layer.forward(iotaTensor([1, 1, 3, 3], 'float64'));
    expect(y.data).toBeInstanceOf(Float64Array);
    expect(
      layer.backward(
        t(
          [
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
          ],
          'float64',
        ),
      ).data,
    ).toBeInstanceOf(Float64Array);
    expect(Array.from(layer.weight.grad)).toEqual([27, 37, 57, 67]);
  });
});

describe('sgd', () => {
  test('p.data −= lr · p.grad for every parameter', () => {
    const layer = chapterLayer();
    layer.forward(x33());
    layer.backward(dy());
    sgd(layer.parameters(), 0.5);
    expect(Array.from(layer.weight.data)).toEqual([0 - 13.5, 1 - 18.5, 2 - 28.5, 3 - 33.5]);
    expect(Array.from(layer.bias!.data)).toEqual([0]);
    // the gradients are left as they were (zeroGrad is the caller's job)
    expect(Array.from(layer.weight.grad)).toEqual([27, 37, 57, 67]);
  });

  test('lr 0 changes nothing; an empty list is fine', () => {
    const layer = chapterLayer();
    layer.forward(x33());
    layer.backward(dy());
    sgd(layer.parameters(), 0);
    expect(Array.from(layer.weight.data)).toEqual([0, 1, 2, 3]);
    expect(() => sgd([], 0.1)).not.toThrow();
  });
});
