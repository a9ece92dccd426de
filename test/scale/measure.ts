/**
 * The scale scenarios, run in a child process of test/scale.test.ts so that
 * peak memory belongs to one scenario and not to whatever else the test
 * runner does. Prints one JSON line.
 *
 * Peak memory is Linux's high-water mark of resident memory (VmHWM in
 * /proc/self/status), reset just before the work by writing 5 to
 * /proc/self/clear_refs. `process.resourceUsage().maxRSS` will not do: a
 * child process inherits its parent's high-water mark through fork and
 * exec, so under a test runner of 200 MB every scenario reported ~200 MB
 * whatever it allocated.
 *
 * The values are checked after the peak is read (the checks allocate too),
 * by test/scale/check.ts: independent float64 sums under the suite's bound.
 *
 * Usage (after building): node --expose-gc measure.js plane2048 | layer256 |
 *   reference <C> <H> | batch <N> [im2col]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Conv2d, conv2d, conv2dBackward, reference, tensor, type Tensor } from '../../src/index.js';
import { seededRandom } from '../../src/random.js';
import { checkForward, checkGradBias, checkGradInput, checkGradWeight, layerOf, merge, type Found } from './check.js';

/** What one scenario reports. */
export interface Measurement {
  readonly scenario: string;
  readonly ms: number;
  /** Peak resident memory during the work minus the resident memory just before it, in bytes. */
  readonly peakGrowth: number;
  /** Bytes of the tensors the work created (outputs, gradients, saved copies): memory it must hold anyway. */
  readonly tensorBytes: number;
  /** Elements (or projections) checked, how many broke their bound, the worst error/bound, the first failure. */
  readonly checked: number;
  readonly mismatches: number;
  readonly worst: number;
  readonly first: string | null;
}

/** What the work of a scenario hands over: the tensors it created and how to check them. */
interface Outcome {
  readonly created: readonly (ArrayLike<number> & { readonly byteLength: number })[];
  /** Working memory kept alive until the peak is read (the negative control's columns). */
  readonly kept?: readonly unknown[];
  readonly check: () => Found;
}

function statusBytes(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/self/status: the scale scenarios measure memory on Linux only`);
  return Number(m[1]) * 1024;
}

function measured(scenario: string, work: () => Outcome): Measurement {
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current VmRSS
  const before = statusBytes('VmRSS');
  const start = performance.now();
  const outcome = work();
  const ms = performance.now() - start;
  const peakGrowth = Math.max(0, statusBytes('VmHWM') - before);
  const tensorBytes = outcome.created.reduce((a, t) => a + t.byteLength, 0);
  return { scenario, ms, peakGrowth, tensorBytes, ...outcome.check() };
}

function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  const rand = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float32Array.from({ length: size }, () => lo + (hi - lo) * rand()),
    shape,
  );
}

/**
 * Ones ∗ a 3×3 kernel of ones with padding 1: each output counts the real
 * pixels under the kernel (9 inside, 6 on an edge, 4 in a corner), and so
 * does gradInput for gradOutput = ones; gradWeight counts the positions
 * where a tap lands on a real pixel (H·W for the centre, H·(W−1) beside it…).
 */
function plane2048(): Measurement {
  const n = 2048;
  const x = tensor(new Float32Array(n * n).fill(1), [1, 1, n, n]);
  const w = tensor(new Float32Array(9).fill(1), [1, 1, 3, 3]);
  const dy = tensor(new Float32Array(n * n).fill(1), [1, 1, n, n]);
  return measured('1×1×2048×2048 ∗ 1×1×3×3, padding 1, forward and backward', () => {
    const y = conv2d(x, w, { padding: 1 });
    const g = conv2dBackward(dy, x, w, { padding: 1 });
    const check = (): Found => {
      const real = (i: number): number => (i === 0 || i === n - 1 ? 2 : 3);
      const span = (k: number): number => (k === 1 ? n : n - 1);
      let mismatches = 0;
      let first: string | null = null;
      const expect = (what: string, got: number, want: number): void => {
        if (got === want) return;
        mismatches++;
        first ??= `${what}: got ${got}, want ${want}`;
      };
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          expect(`y[${i}, ${j}]`, y.data[i * n + j], real(i) * real(j));
          expect(`gradInput[${i}, ${j}]`, g.gradInput.data[i * n + j], real(i) * real(j));
        }
      }
      for (let k = 0; k < 9; k++)
        expect(`gradWeight[${k}]`, g.gradWeight.data[k], span(Math.floor(k / 3)) * span(k % 3));
      expect('gradBias', g.gradBias.data[0], n * n);
      return { checked: 2 * n * n + 10, mismatches, worst: mismatches ? Infinity : 0, first };
    };
    return { created: [y.data, g.gradInput.data, g.gradWeight.data, g.gradBias.data], check };
  });
}

/** Output channels at the edges of blocks of 4 and 8 (where blocked kernels keep remainders), and the last. */
function blockRows(O: number): number[] {
  return [...new Set([0, 3, 4, 7, 8, O - 1])].filter((o) => o < O);
}

/**
 * A PyTorch-style C→C 3×3 layer (padding 1, bias) on N H×H images, forward
 * and backward through `Conv2d`, with a random upstream gradient; whole
 * weight-gradient rows are checked for the output channels `rows`.
 */
function layer(
  C: number,
  H: number,
  N: number,
  rows: readonly number[],
  extra?: (y: Tensor) => Float32Array[],
): Measurement {
  const l = new Conv2d({ inChannels: C, outChannels: C, kernelSize: 3, padding: 1, seed: 1 });
  const x = randomTensor([N, C, H, H], 3);
  const dy = randomTensor([N, C, H, H], 4);
  const name = `${N}×${C}×${H}×${H} ∗ ${C}×${C}×3×3 layer, padding 1, forward and backward${extra ? ', with a full-batch im2col' : ''}`;
  return measured(name, () => {
    const y = l.forward(x);
    const held = extra ? extra(y) : []; // working memory of the control, not a tensor it returns
    const gx = l.backward(dy);
    const L = layerOf(x, l.weight, 1);
    const check = (): Found =>
      merge(
        checkForward(L, x, l.weight, l.bias, y, 5),
        checkGradInput(L, l.weight, dy, gx, 6),
        checkGradWeight(L, x, dy, l.weight.grad, 7, rows),
        checkGradBias(L, dy, l.bias!.grad),
      );
    // The layer keeps a copy of its input (and of its weight) for backward.
    return { created: [y.data, gx.data, x.data, l.weight.data], kept: held, check };
  });
}

/**
 * What a full-batch im2col implementation holds beyond ours: the column
 * matrix of every image at once, `N·C·9·OH·OW` float32 (written, so that
 * it is resident). Used as a negative control of the memory bound.
 */
function fullBatchIm2col(y: Tensor): Float32Array[] {
  const [N, C, OH, OW] = y.shape;
  const cols = new Float32Array(N * C * 9 * OH * OW);
  for (let i = 0; i < cols.length; i += 1024) cols[i] = 1;
  return [cols];
}

/** The reference kernels on a C→C 3×3 layer (padding 1, bias) of one H×H image, forward and backward. */
function referenceLayer(C: number, H: number): Measurement {
  const l = new Conv2d({ inChannels: C, outChannels: C, kernelSize: 3, padding: 1, seed: 1 });
  const x = randomTensor([1, C, H, H], 3);
  const dy = randomTensor([1, C, H, H], 4);
  return measured(`1×${C}×${H}×${H} ∗ ${C}×${C}×3×3, padding 1, reference forward and backward`, () => {
    const options = { padding: 1, bias: l.bias };
    const y = reference.conv2d(x, l.weight, options);
    const g = reference.conv2dBackward(dy, x, l.weight, options);
    const L = layerOf(x, l.weight, 1);
    const check = (): Found =>
      merge(
        checkForward(L, x, l.weight, l.bias, y, 5),
        checkGradInput(L, l.weight, dy, g.gradInput, 6),
        checkGradWeight(L, x, dy, g.gradWeight.data, 7, blockRows(C)),
        checkGradBias(L, dy, g.gradBias.data),
      );
    return { created: [y.data, g.gradInput.data, g.gradWeight.data, g.gradBias.data], check };
  });
}

const [scenario, ...args] = process.argv.slice(2);
const result =
  scenario === 'plane2048'
    ? plane2048()
    : scenario === 'layer256'
      ? layer(256, 64, 1, blockRows(256))
      : scenario === 'reference'
        ? referenceLayer(Number(args[0]), Number(args[1]))
        : scenario === 'batch'
          ? layer(64, 64, Number(args[0]), [], args[1] === 'im2col' ? fullBatchIm2col : undefined)
          : null;
if (!result) throw new Error(`unknown scenario ${scenario}`);
console.log(JSON.stringify(result));
