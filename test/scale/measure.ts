/**
 * The scale scenarios, run in a child process of test/scale.test.ts so that
 * peak memory (`process.resourceUsage().maxRSS`) belongs to one scenario and
 * not to whatever else the test runner does. Prints one JSON line.
 *
 * Usage (after building): node measure.js plane2048 | layer256 | layer256-reference | batch <N>
 */
import { Conv2d, conv2d, conv2dBackward, reference, tensor, type Tensor } from '../../src/index.js';
import { seededRandom } from '../../src/random.js';

/** What one scenario reports. */
export interface Measurement {
  readonly scenario: string;
  readonly ms: number;
  /** Peak RSS of the process during the work minus the RSS just before it, in bytes. */
  readonly peakRssGrowth: number;
  readonly peakRss: number;
  /** Bytes of the tensors the work was given and returned (what memory must hold anyway). */
  readonly tensorBytes: number;
  /** Elements that differ from the hand-computed (or independently computed) values. */
  readonly mismatches: number;
  readonly checked: number;
}

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;
const bytes = (...ts: Tensor[]): number => ts.reduce((a, t) => a + t.data.byteLength, 0);

function measured(
  scenario: string,
  work: () => { tensorBytes: number; mismatches: number; checked: number },
): Measurement {
  (globalThis as { gc?: () => void }).gc?.();
  const before = Math.max(process.memoryUsage().rss, 0);
  const start = performance.now();
  const r = work();
  const ms = performance.now() - start;
  const peak = peakRss();
  return { scenario, ms, peakRssGrowth: Math.max(0, peak - before), peakRss: peak, ...r };
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
  return measured('1×1×2048×2048 ∗ 1×1×3×3, padding 1, forward and backward', () => {
    const y = conv2d(x, w, { padding: 1 });
    const real = (i: number): number => (i === 0 || i === n - 1 ? 2 : 3);
    let mismatches = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (y.data[i * n + j] !== real(i) * real(j)) mismatches++;
    const dy = tensor(new Float32Array(n * n).fill(1), [1, 1, n, n]);
    const g = conv2dBackward(dy, x, w, { padding: 1 });
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (g.gradInput.data[i * n + j] !== real(i) * real(j)) mismatches++;
    const span = (k: number): number => (k === 1 ? n : n - 1);
    for (let k = 0; k < 9; k++) if (g.gradWeight.data[k] !== span(Math.floor(k / 3)) * span(k % 3)) mismatches++;
    if (g.gradBias.data[0] !== n * n) mismatches++;
    return { tensorBytes: bytes(x, w, y, dy, g.gradInput, g.gradWeight), mismatches, checked: 2 * n * n + 10 };
  });
}

/**
 * Output elements of a conv at random positions, recomputed as float64 dot
 * products; each must be within 2·γ_n·Σ|terms| of it (the suite's bound).
 */
function spotCheck(x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, samples: number): number {
  const [, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const [, , OH, OW] = y.shape;
  const rand = seededRandom(7);
  const n = C * KH * KW + 1;
  const gamma = (n * 2 ** -24) / (1 - n * 2 ** -24);
  let bad = 0;
  for (let s = 0; s < samples; s++) {
    const [o, i, j] = [Math.floor(rand() * O), Math.floor(rand() * OH), Math.floor(rand() * OW)];
    let sum = b ? b.data[o] : 0;
    let mag = Math.abs(sum);
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const [r, q] = [i - 1 + kh, j - 1 + kw];
          if (r < 0 || r >= H || q < 0 || q >= W) continue;
          const t = x.data[(c * H + r) * W + q] * w.data[((o * C + c) * KH + kh) * KW + kw];
          sum += t;
          mag += Math.abs(t);
        }
      }
    }
    if (!(Math.abs(y.data[(o * OH + i) * OW + j] - sum) <= 2 * gamma * mag)) bad++;
  }
  return bad;
}

function randomInput(shape: number[]): Tensor {
  const rand = seededRandom(3);
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float32Array.from({ length: size }, () => 2 * rand() - 1),
    shape,
  );
}

/** PyTorch-style 256→256 3×3 layer on 64×64: 2·256·256·9·64·64 ≈ 4.8 GFLOP forward and backward together. */
function layer256(kernel: 'public' | 'reference'): Measurement {
  const layer = new Conv2d({ inChannels: 256, outChannels: 256, kernelSize: 3, padding: 1, seed: 1 });
  const x = randomInput([1, 256, 64, 64]);
  if (kernel === 'reference') {
    return measured('1×256×64×64 ∗ 256×256×3×3, padding 1, reference forward', () => {
      const y = reference.conv2d(x, layer.weight, { padding: 1, bias: layer.bias });
      return {
        tensorBytes: bytes(x, layer.weight, y),
        mismatches: spotCheck(x, layer.weight, layer.bias, y, 64),
        checked: 64,
      };
    });
  }
  return measured('1×256×64×64 ∗ 256×256×3×3 layer, padding 1, forward and backward', () => {
    const y = layer.forward(x);
    const mismatches = spotCheck(x, layer.weight, layer.bias, y, 64);
    const gx = layer.backward(tensor(new Float32Array(y.data.length).fill(1), y.shape));
    const finite = gx.data.every(Number.isFinite) && layer.weight.grad.every(Number.isFinite);
    return { tensorBytes: 2 * bytes(x, y, gx, layer.weight), mismatches: mismatches + (finite ? 0 : 1), checked: 65 };
  });
}

/** A mid-size layer (64→64, 3×3, 64×64 images) with batch N, forward and backward. */
function batch(N: number): Measurement {
  const layer = new Conv2d({ inChannels: 64, outChannels: 64, kernelSize: 3, padding: 1, seed: 1 });
  const x = randomInput([N, 64, 64, 64]);
  return measured(`N×64×64×64 ∗ 64×64×3×3 layer, N = ${N}, forward and backward`, () => {
    const y = layer.forward(x);
    const first = { shape: [1, ...y.shape.slice(1)], data: y.data.subarray(0, y.data.length / N) };
    const firstX = { shape: [1, ...x.shape.slice(1)], data: x.data.subarray(0, x.data.length / N) };
    const mismatches = spotCheck(firstX, layer.weight, layer.bias, first, 32);
    const gx = layer.backward(tensor(new Float32Array(y.data.length).fill(1), y.shape));
    // Input, its saved copy, output, gradOutput and gradInput.
    return { tensorBytes: bytes(x, x, y, y, gx), mismatches, checked: 32 };
  });
}

const [scenario, arg] = process.argv.slice(2);
const result =
  scenario === 'plane2048'
    ? plane2048()
    : scenario === 'layer256'
      ? layer256('public')
      : scenario === 'layer256-reference'
        ? layer256('reference')
        : scenario === 'batch'
          ? batch(Number(arg))
          : null;
if (!result) throw new Error(`unknown scenario ${scenario}`);
console.log(JSON.stringify(result));
