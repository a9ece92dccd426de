/**
 * convTranspose2dBackward: by hand on the column example of
 * transpose-output-size.test.ts, through the suite's two properties (the
 * scatter model's chain rule and the central differences of the forward),
 * on the fast kernels, and against planted bugs that the properties must catch.
 */
import { describe, expect, test } from 'vitest';
import {
  conv2d,
  convTranspose2d,
  convTranspose2dBackward,
  createBackend,
  reference,
  tensor,
  type Conv2dGradients,
  type ConvTranspose2dOptions,
  type Tensor,
} from '../src/index.js';
import { verify, type ConvImplementation } from '../properties/index.js';
import { transposeGradientProperties } from '../properties/transpose-gradients.js';
import { expectConvError, ints, snapshot } from './helpers.js';

const x = () => tensor([1, 10, 100], [1, 1, 3, 1]);
const k = () => tensor([1, 2, 3, 4], [1, 1, 4, 1]);
const values = (t: Tensor) => Array.from(t.data);

describe('convTranspose2dBackward by hand: x = [1, 10, 100], k = [1, 2, 3, 4], full output rows 0..5', () => {
  // y[r] = Σ_{i + a = r} x[i]·k[a]: the full output is [1, 12, 123, 234, 340, 400].
  // A unit dy at full row r gives gradInput[i] = k[r − i] and gradWeight[a] = x[r − a].
  test("'same' (rows 1..3 kept): dy = [1, 0, 0] is full row 1, so dx = [k1, k0, 0], dw = [x1, x0, 0, 0], db = 1", () => {
    const g = convTranspose2dBackward(tensor([1, 0, 0], [1, 1, 3, 1]), x(), k(), { padding: 'same' });
    expect(values(g.gradInput)).toEqual([2, 1, 0]);
    expect(values(g.gradWeight)).toEqual([10, 1, 0, 0]);
    expect(values(g.gradBias)).toEqual([1]);
  });

  test('stride 2, outputSize [9, 1] (one output-padding row after the full 8): dy on that last row reaches nothing', () => {
    const dy = tensor([0, 0, 0, 0, 0, 0, 0, 0, 5], [1, 1, 9, 1]);
    const g = convTranspose2dBackward(dy, x(), k(), { stride: [2, 1], outputSize: [9, 1] });
    expect(values(g.gradInput)).toEqual([0, 0, 0]);
    expect(values(g.gradWeight)).toEqual([0, 0, 0, 0]);
    expect(values(g.gradBias)).toEqual([5]);
  });

  test('stride 2, dy = ones(8): dx[i] = Σ k = 10 for each i, dw[a] = Σ x = 111 for each a', () => {
    const dy = tensor(new Float32Array(8).fill(1), [1, 1, 8, 1]);
    const g = convTranspose2dBackward(dy, x(), k(), { stride: [2, 1] });
    expect(values(g.gradInput)).toEqual([10, 10, 10]);
    expect(values(g.gradWeight)).toEqual([111, 111, 111, 111]);
  });

  test("'same-lower' (rows 2..4 kept) with dy = [0, 0, 1] (full row 4): dx = [0, k3, k2], dw = [0, 0, x2, x1]", () => {
    const g = convTranspose2dBackward(tensor([0, 0, 1], [1, 1, 3, 1]), x(), k(), { padding: 'same-lower' });
    expect(values(g.gradInput)).toEqual([0, 4, 3]);
    expect(values(g.gradWeight)).toEqual([0, 0, 100, 10]);
  });
});

describe('convTranspose2dBackward: shapes, kernels and purity', () => {
  const options: ConvTranspose2dOptions = { stride: [3, 2], dilation: [4, 1], outputPadding: [3, 1], groups: 2 };
  const input = () => tensor(ints([3, 4, 9, 11], 1), [3, 4, 9, 11], 'float64');
  const weight = () => tensor(ints([4, 3, 3, 2], 2), [4, 3, 3, 2], 'float64');

  test('an output padding past the stride (dilation 4 > stride 3): the fast kernels equal the reference exactly', () => {
    const y = convTranspose2d(input(), weight(), options);
    const dy = tensor(ints(y.shape, 3), y.shape, 'float64');
    const fast = createBackend({ kernels: 'js' });
    const got = fast.convTranspose2dBackward(dy, input(), weight(), options);
    expect(fast.stats().fast).toBe(2);
    const want = reference.convTranspose2dBackward(dy, input(), weight(), options);
    for (const key of ['gradInput', 'gradWeight', 'gradBias'] as const) {
      expect(got[key].shape).toEqual(want[key].shape);
      expect(values(got[key])).toEqual(values(want[key]));
    }
    expect(got.gradBias.shape).toEqual([6]);
    const wasm = createBackend({ kernels: 'wasm' }).convTranspose2dBackward(dy, input(), weight(), options);
    expect(values(wasm.gradWeight)).toEqual(values(want.gradWeight));
    expect(values(wasm.gradInput)).toEqual(values(want.gradInput));
  });

  test('arguments are left unchanged; float32 in, float32 out; unbatched and empty batches', () => {
    const xi = tensor(ints([2, 5, 5], 4), [2, 5, 5]);
    const w = tensor(ints([2, 3, 3, 3], 5), [2, 3, 3, 3]);
    const dy = tensor(ints([3, 11, 11], 6), [3, 11, 11]);
    const before = [snapshot(xi), snapshot(w), snapshot(dy)];
    const g = convTranspose2dBackward(dy, xi, w, { stride: 2 });
    expect([snapshot(xi), snapshot(w), snapshot(dy)]).toEqual(before);
    expect(g.gradInput.data).toBeInstanceOf(Float32Array);
    expect(g.gradInput.shape).toEqual([2, 5, 5]);
    const empty = convTranspose2dBackward(tensor([], [0, 3, 11, 11]), tensor([], [0, 2, 5, 5]), w, { stride: 2 });
    expect(empty.gradInput.shape).toEqual([0, 2, 5, 5]);
    expect(values(empty.gradWeight).every((v) => v === 0)).toBe(true);
  });

  test('a gradOutput of the wrong shape or dtype is refused, naming convTranspose2dBackward', () => {
    const xi = tensor(ints([1, 1, 3, 3], 1), [1, 1, 3, 3]);
    const w = tensor(ints([1, 1, 2, 2], 2), [1, 1, 2, 2]);
    expectConvError(() => convTranspose2dBackward(tensor(ints([1, 1, 3, 3], 3), [1, 1, 3, 3]), xi, w), 'grad-output', [
      'convTranspose2dBackward',
      'shape [1, 1, 4, 4], got [1, 1, 3, 3]',
    ]);
    const dy64 = tensor(ints([1, 1, 4, 4], 3), [1, 1, 4, 4], 'float64');
    expectConvError(() => convTranspose2dBackward(dy64, xi, w), 'dtype', ['convTranspose2dBackward', 'gradOutput']);
    expectConvError(() => convTranspose2dBackward(dy64, xi, w, { outputPadding: 1 }), 'output-padding', [
      'convTranspose2dBackward',
    ]);
  });
});

// ---------------------------------------------------------------- the suite's properties

const names = transposeGradientProperties.map((p) => p.name);
const ours: ConvImplementation = { conv2d, convTranspose2d, convTranspose2dBackward };

async function failedWith(backward: NonNullable<ConvImplementation['convTranspose2dBackward']>, seed: number) {
  const report = await verify({ ...ours, convTranspose2dBackward: backward }, { properties: names, seed, runs: 60 });
  return report.properties.filter((p) => p.status === 'failed').map((p) => p.name);
}

type Backward = (dy: Tensor, x: Tensor, w: Tensor, o?: ConvTranspose2dOptions) => Conv2dGradients;
const mapped = (f: (g: Conv2dGradients, x: Tensor, o: ConvTranspose2dOptions) => Conv2dGradients): Backward => {
  return (dy, xi, w, o = {}) => f(convTranspose2dBackward(dy, xi, w, o), xi, o);
};

/** Planted bugs, each of a kind a hand-written transposed backward makes. */
const BUGS: Record<string, Backward> = {
  'gradBias of the first image only': (dy, xi, w, o = {}) => {
    const g = convTranspose2dBackward(dy, xi, w, o);
    const first =
      dy.shape.length === 4 && dy.shape[0] > 1
        ? { ...dy, shape: [1, ...dy.shape.slice(1)], data: dy.data.slice(0, dy.data.length / dy.shape[0]) }
        : dy;
    const one =
      xi.shape.length === 4 && xi.shape[0] > 1
        ? { ...xi, shape: [1, ...xi.shape.slice(1)], data: xi.data.slice(0, xi.data.length / xi.shape[0]) }
        : xi;
    return { ...g, gradBias: convTranspose2dBackward(first, one, w, o).gradBias };
  },
  'gradWeight with each kernel flipped': mapped((g) => {
    const [, , KH, KW] = g.gradWeight.shape;
    const data = g.gradWeight.data.slice();
    for (let p = 0; p < data.length; p += KH * KW) data.subarray(p, p + KH * KW).reverse();
    return { ...g, gradWeight: { shape: g.gradWeight.shape, data } };
  }),
  'gradInput from the crop mirrored (top and left pads read as bottom and right)': (dy, xi, w, o = {}) => {
    const p = o.padding;
    const mirrored =
      Array.isArray(p) && Array.isArray(p[0])
        ? {
            ...o,
            padding: [
              [p[0][1], p[0][0]],
              [(p as number[][])[1][1], (p as number[][])[1][0]],
            ] as [[number, number], [number, number]],
          }
        : o;
    const shifted = mirrored === o ? o : mirrored;
    const g = convTranspose2dBackward(dy, xi, w, o);
    try {
      return { ...g, gradInput: convTranspose2dBackward(dy, xi, w, shifted).gradInput };
    } catch {
      return g;
    }
  },
};

describe('the suite rejects planted transposed-backward bugs and passes convproof', () => {
  test('convproof passes both transposed-gradient properties', async () => {
    const report = await verify(ours, { properties: names, seed: 1, runs: 60 });
    expect(report.properties.map((p) => [p.name, p.status])).toEqual(names.map((n) => [n, 'passed']));
  });

  for (const [bug, backward] of Object.entries(BUGS)) {
    test(`rejects: ${bug}`, async () => {
      expect(await failedWith(backward, 1)).not.toEqual([]);
    });
  }
});
