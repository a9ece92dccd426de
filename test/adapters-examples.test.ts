/**
 * The documented adapter examples (docs/adapters.md, examples/adapters/)
 * against the real packages: ConvNetJS holds on every case it declares;
 * ndarray-convolve's `correlate` is caught returning the convolution (a real
 * defect: the kernel is flipped), shown on random cases and on an impulse by hand.
 */
import { describe, expect, test } from 'vitest';
import * as convnet from '../examples/adapters/convnetjs.js';
import * as ndconv from '../examples/adapters/ndarray-convolve.js';
import * as opencv from '../examples/adapters/opencv.js';
import { suiteEnv } from '../properties/profile.js';
import { tensor } from '../src/index.js';
import { checkAdapter } from './adapters/check.js';

const env = suiteEnv();
const runs = Math.max(env.runs, 200);
const asAdapter = (name: string, m: typeof convnet | typeof ndconv | typeof opencv) => ({
  name,
  knownDefects: [],
  ...m,
});

describe('ConvNetJS 0.3.0 (examples/adapters/convnetjs.ts)', () => {
  test.each(['conv2d', 'conv2dBackward'] as const)('%s agrees with the model on every case it declares', async (op) => {
    const r = await checkAdapter(asAdapter('convnetjs', convnet), op, { runs, seed: env.seed });
    console.log(`convnetjs ${op}: ${r.held} held, not applicable ${JSON.stringify(r.notApplicable)}`);
    expect(r.failure).toBeNull();
    expect(r.held).toBeGreaterThanOrEqual(10);
  });
});

describe('OpenCV.js 4.12 (examples/adapters/opencv.ts)', () => {
  test('cv.filter2D agrees with the model on every case it declares (zeros, reflect and replicate borders)', async () => {
    const r = await checkAdapter(asAdapter('opencv', opencv), 'conv2d', { runs, seed: env.seed });
    console.log(`opencv conv2d: ${r.held} held, not applicable ${JSON.stringify(r.notApplicable)}`);
    expect(r.failure).toBeNull();
    expect(r.held).toBeGreaterThanOrEqual(10);
  });
});

describe('ndarray-convolve 2.0.0 (examples/adapters/ndarray-convolve.ts)', () => {
  test('random cases catch correlate returning the convolution', async () => {
    const r = await checkAdapter(asAdapter('ndarray-convolve', ndconv), 'conv2d', { runs, seed: env.seed });
    expect(r.failure ?? '').toMatch(/out of bound/);
  });

  test('by hand: an impulse at (1,1) of a 4×4 image under the 2×3 kernel 1…6 gives the kernel itself, where a correlation gives it rotated by 180°', () => {
    const x = tensor([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 4, 4]);
    const w = tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
    // SAME_LOWER pads (top 1, left 1): y[i][j] = Σ w[a][b]·x[i−1+a][j−1+b]; x is 1 only at (1,1), so
    // y[i][j] = w[2−i][2−j]: rows 0–1, columns 0–2 hold 6 5 4 / 3 2 1.
    const correlation = [6, 5, 4, 0, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const got = Array.from(ndconv.conv2d(x, w, { padding: 'same' }).data, (v) => Math.round(v * 1e6) / 1e6 + 0);
    expect(got).not.toEqual(correlation);
    expect(got).toEqual([1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // still the convolution
  });
});
