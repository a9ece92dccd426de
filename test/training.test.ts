/**
 * The chapter's training loop: learn the edge kernel [1, −1] from the edge
 * image and its edge map, with a 1→1 Conv2d of kernel (1, 2) and no bias,
 * 10 steps of w −= 0.03·grad on the summed squared error.
 *
 * Why it converges for every initialisation: the loss is quadratic in
 * w = (a, b) with Hessian 2·Σ windowᵀ·window = [[36, 24], [24, 36]]
 * (eigenvalues 60 and 12), so each step multiplies the error along (1, 1) by
 * 1 − 0.03·60 = −0.8 and along (1, −1) by 1 − 0.03·12 = 0.64. After 10 steps
 * an initial error within the init box (|a|, |b| ≤ 1/√2) shrinks below 0.1 per
 * coordinate. The seeds and the four corners of the box below check it.
 */
import { describe, expect, test } from 'vitest';
import { Conv2d, corr2d, sgd, tensor, type Tensor } from '../src/index.js';
import { edgeRows, t } from './helpers.js';

const X = t(edgeRows());
const x = tensor(X.data, [1, 1, 6, 8]);
const target: Tensor = corr2d(X, t([[1, -1]]));

interface Run {
  /** The loss before the update of steps 2, 4, …, 10 (the chapter prints these). */
  losses: number[];
  kernel: number[];
}

function train(layer: Conv2d): Run {
  const losses: number[] = [];
  for (let step = 1; step <= 10; step++) {
    const y = layer.forward(x);
    const diff = Array.from(y.data, (v, i) => v - target.data[i]);
    const loss = diff.reduce((s, d) => s + d * d, 0);
    layer.zeroGrad();
    layer.backward(
      tensor(
        diff.map((d) => 2 * d),
        y.shape,
      ),
    );
    sgd(layer.parameters(), 0.03);
    if (step % 2 === 0) losses.push(loss);
  }
  return { losses, kernel: Array.from(layer.weight.data) };
}

const newLayer = (seed: number): Conv2d =>
  new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: [1, 2], bias: false, seed });

function expectLearned({ losses, kernel }: Run, label: string): void {
  expect(losses, label).toHaveLength(5);
  for (let i = 1; i < losses.length; i++) expect(losses[i], `${label}: loss ${i}`).toBeLessThan(losses[i - 1]);
  expect(Math.abs(kernel[0] - 1), `${label}: kernel ${kernel}`).toBeLessThan(0.15);
  expect(Math.abs(kernel[1] + 1), `${label}: kernel ${kernel}`).toBeLessThan(0.15);
}

describe('chapter: learning the edge kernel', () => {
  test('the target is the edge map the chapter prints: every row 0 1 0 0 0 −1 0', () => {
    expect(target.shape).toEqual([6, 7]);
    for (let r = 0; r < 6; r++)
      expect(Array.from(target.data.subarray(7 * r, 7 * r + 7))).toEqual([0, 1, 0, 0, 0, -1, 0]);
  });

  test('from w = [0.5, 0.25] the gradient is H·(w − [1, −1]) = [12, 33] exactly, and one step moves w by −0.03 of it', () => {
    // Each row of the image gives the windows (1,1), (1,0), (0,0) ×3, (0,1), (1,1): Σ windowᵀ·window over
    // 6 rows is [[18, 12], [12, 18]], so the loss Σ(y − t)² has gradient 2·that·(w − w*) with w* = [1, −1].
    const layer = newLayer(0);
    layer.weight.data.set([0.5, 0.25]);
    const y = layer.forward(x);
    layer.zeroGrad();
    const gx = layer.backward(
      tensor(
        Array.from(y.data, (v, i) => 2 * (v - target.data[i])),
        y.shape,
      ),
    );
    expect(Array.from(layer.weight.grad)).toEqual([12, 33]);
    // dL/dx = Σ over the outputs a pixel feeds of 2(y − t)·w: by hand at pixel (0, 0) it is 2·(0.75 − 0)·0.5.
    expect(gx.data[0]).toBe(0.75);
    sgd(layer.parameters(), 0.03);
    expect(Array.from(layer.weight.data)).toEqual([Math.fround(0.5 - 0.03 * 12), Math.fround(0.25 - 0.03 * 33)]);
  });

  test('seed 0: the loss printed every 2 steps decreases and the kernel ends within 0.15 of [1, -1]', () => {
    const run = train(newLayer(0));
    expectLearned(run, 'seed 0');
    // The last loss is small in absolute terms, not just smaller.
    expect(run.losses[4]).toBeLessThan(0.5);
  });

  test('for 50 seeds the kernel ends within 0.15 of [1, -1], the loss decreasing', () => {
    for (let seed = 0; seed < 50; seed++) expectLearned(train(newLayer(seed)), `seed ${seed}`);
  });

  test('from each corner of the init box ±1/√2 (the worst starts: GD on a quadratic is affine) it also converges', () => {
    const bound = Math.fround(1 / Math.sqrt(2));
    for (const [a, b] of [
      [bound, bound],
      [bound, -bound],
      [-bound, bound],
      [-bound, -bound],
    ]) {
      const layer = newLayer(0);
      layer.weight.data.set([a, b]);
      expectLearned(train(layer), `start [${a}, ${b}]`);
    }
  });

  test('the layer has one parameter, the 1×1×1×2 weight, and no bias', () => {
    const layer = newLayer(0);
    expect(layer.bias).toBeNull();
    expect(layer.parameters()).toHaveLength(1);
    expect(layer.weight.shape).toEqual([1, 1, 1, 2]);
  });
});
