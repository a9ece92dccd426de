/**
 * The examples of the "convolutional layers" and "padding and stride"
 * chapter of Dive into Deep Learning, as data and small functions, for
 * `convproof demo`.
 */
import { Conv2d, conv2dOutputShape, sgd, tensor, type Tensor } from '../../src/index.js';

/**
 * corr2d's worked example: `corr2d(X, K)` is `[[19, 25], [37, 43]]`
 * (0·0 + 1·1 + 3·2 + 4·3 = 19, and so on).
 * @example toNested(corr2d(tensor(CORR2D_EXAMPLE.X), tensor(CORR2D_EXAMPLE.K))) // CORR2D_EXAMPLE.Y
 */
export const CORR2D_EXAMPLE = {
  X: [
    [0, 1, 2],
    [3, 4, 5],
    [6, 7, 8],
  ],
  K: [
    [0, 1],
    [2, 3],
  ],
  Y: [
    [19, 25],
    [37, 43],
  ],
} as const;

/**
 * The 6×8 image of the edge-detection example: ones, with a black band in
 * columns 2–5, so it has a white→black edge after column 1 and a
 * black→white edge after column 5.
 * @example edgeImage().shape // [6, 8]
 */
export function edgeImage(): Tensor {
  const rows = Array.from({ length: 6 }, () => Array.from({ length: 8 }, (_, j) => (j >= 2 && j < 6 ? 0 : 1)));
  return tensor(rows);
}

/**
 * The edge detector `[[1, −1]]`: responds +1 where a pixel is brighter than
 * its right neighbour, −1 where darker, 0 on flat regions.
 */
export const EDGE_KERNEL = [[1, -1]] as const;

/** One recorded step of `learnKernel`. */
export interface LearningStep {
  /** 1-based step number. */
  readonly step: number;
  /** Σ(ŷ − y)² before this step's update, as the chapter prints it. */
  readonly loss: number;
}

/** Result of `learnKernel`. */
export interface LearnedKernel {
  /** The loss of every step (the chapter prints every second one). */
  readonly steps: readonly LearningStep[];
  /** The learned `[1, 2]` kernel, close to `[1, −1]`. */
  readonly kernel: readonly [number, number];
}

/**
 * The chapter's training loop: a `Conv2d` layer 1→1 with a (1, 2) kernel and
 * no bias learns `EDGE_KERNEL` from the edge image and its edge map by plain
 * gradient descent on the summed squared error.
 *
 * @param options `steps` (default 10), `lr` (default 0.03), `seed` of the layer's initialisation (default 0)
 * @example
 * const { steps, kernel } = learnKernel();
 * steps.filter((s) => s.step % 2 === 0).map((s) => s.loss.toFixed(3)); // decreasing
 * kernel; // ≈ [1, -1]
 */
export function learnKernel(options: { steps?: number; lr?: number; seed?: number } = {}): LearnedKernel {
  const { steps = 10, lr = 0.03, seed = 0 } = options;
  const layer = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: [1, 2], bias: false, seed });
  const image = edgeImage();
  const x = { shape: [1, 1, 6, 8], data: image.data };
  // The target is the exact edge map (X[i][j] − X[i][j+1]), written out rather than computed by corr2d
  // so the loop learns from data that does not depend on the code under demonstration.
  const target = new Float32Array(6 * 7);
  for (let i = 0; i < 6; i++)
    for (let j = 0; j < 7; j++) target[i * 7 + j] = image.data[i * 8 + j] - image.data[i * 8 + j + 1];
  const record: LearningStep[] = [];
  for (let step = 1; step <= steps; step++) {
    const y = layer.forward(x);
    const diff = new Float32Array(y.data.length);
    let loss = 0;
    for (let i = 0; i < diff.length; i++) {
      diff[i] = y.data[i] - target[i];
      loss += diff[i] * diff[i];
    }
    layer.zeroGrad();
    layer.backward({ shape: y.shape, data: diff.map((d) => 2 * d) });
    sgd(layer.parameters(), lr);
    record.push({ step, loss });
  }
  return { steps: record, kernel: [layer.weight.data[0], layer.weight.data[1]] };
}

/** One padding/stride example of the chapter, on an 8×8 input; every field is `[height, width]`. */
export interface ShapeExample {
  readonly kernel: readonly [number, number];
  /** Padding per side, PyTorch's convention. */
  readonly padding: readonly [number, number];
  readonly stride: readonly [number, number];
  /** The output size the chapter states. */
  readonly expected: readonly [number, number];
}

/**
 * The chapter's shape examples on an 8×8 input.
 * @example SHAPE_EXAMPLES[2] // { kernel: [3, 3], padding: [1, 1], stride: [2, 2], expected: [4, 4] }
 */
export const SHAPE_EXAMPLES: readonly ShapeExample[] = [
  { kernel: [3, 3], padding: [1, 1], stride: [1, 1], expected: [8, 8] },
  { kernel: [5, 3], padding: [2, 1], stride: [1, 1], expected: [8, 8] },
  { kernel: [3, 3], padding: [1, 1], stride: [2, 2], expected: [4, 4] },
  { kernel: [3, 5], padding: [0, 1], stride: [3, 4], expected: [2, 2] },
];

/**
 * The chapter's formula for one axis, quoted as the book writes it so the demo
 * can show it beside conv2d's answer: ⌊(n − k + p + s) / s⌋, where `p` is the
 * *total* padding of the axis (both sides), hence `2·pad` here.
 * @example chapterFormula(8, 3, 1, 2) // 4
 */
export function chapterFormula(n: number, k: number, padPerSide: number, s: number): number {
  return Math.floor((n - k + 2 * padPerSide + s) / s);
}

/**
 * The output `[OH, OW]` that conv2d computes for an example on an 8×8 input.
 * @example shapeOf(SHAPE_EXAMPLES[3]) // [2, 2]
 */
export function shapeOf(e: ShapeExample, size = 8): [number, number] {
  const [kh, kw] = e.kernel;
  const shape = conv2dOutputShape([1, 1, size, size], [1, 1, kh, kw], { padding: e.padding, stride: e.stride });
  return [shape[2], shape[3]];
}
