/**
 * Scale: big problems run in bounded memory and give the right values, and
 * memory grows with the batch only by the tensors themselves. Each scenario
 * runs in its own Node process (test/scale/measure.ts) so that its peak
 * memory is its own; the values are checked there in float64
 * (test/scale/check.ts: random projections plus whole elements at edges).
 *
 * The reference kernels run on a 64-channel layer by default; the deep
 * profile (CONVPROOF_PROFILE=deep) runs them on the 256-channel layer too
 * (~1 min on 2 cores).
 *
 * Reproduce the numbers: `npx vitest run test/scale.test.ts` (they are printed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Measurement } from './scale/measure.js';

const deep = process.env.CONVPROOF_PROFILE === 'deep';
const MiB = 2 ** 20;
let dir = '';
let script = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'convproof-scale-'));
  execFileSync(
    'npx',
    [
      'tsc',
      '--ignoreConfig',
      'test/scale/measure.ts',
      '--outDir',
      dir,
      '--rootDir',
      '.',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--strict',
    ],
    { stdio: 'pipe' },
  );
  // The compiled files are ES modules.
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
  script = join(dir, 'test', 'scale', 'measure.js');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function measure(...args: string[]): Measurement {
  const out = execFileSync('node', ['--expose-gc', script, ...args], { encoding: 'utf8', timeout: 280_000 });
  const m = JSON.parse(out.trim().split('\n').pop()!) as Measurement;
  console.log(
    `${m.scenario}: ${m.ms.toFixed(0)} ms, peak +${(m.peakGrowth / MiB).toFixed(1)} MiB during the work ` +
      `(the tensors it made: ${(m.tensorBytes / MiB).toFixed(1)} MiB); ${m.checked} checks, worst error/bound ${m.worst.toPrecision(2)}`,
  );
  return m;
}

/** Every check within its bound (the first failure is printed). */
function expectRight(m: Measurement): void {
  expect(m.first).toBeNull();
  expect(m.mismatches).toBe(0);
  expect(m.checked).toBeGreaterThan(0);
}

/**
 * Working memory any call may use beyond the buffers counted below: index
 * tables, tiles (at most 32768 float64 each), and the heap and code the work
 * touches (measured 2–10 MiB).
 */
const FIXED = 12 * MiB;

/**
 * The working memory one call of a C→C layer on H×W images with K×K
 * kernels and padding p may use beyond the tensors it returns, as the fast
 * kernels are designed (src/fast/conv2d.ts, backward.ts, "Working memory"):
 * three float64 copies of one padded image (forward: the padded phase
 * images, the input as given, the staged output; input gradient: the
 * gradOutput planes and the gradient accumulated and rounded), the packed
 * weights in float64, and FIXED. It does not grow with the batch.
 */
function allowance(C: number, H: number, W: number, K: number, p: number): number {
  return 3 * 8 * C * (H + 2 * p) * (W + 2 * p) + 8 * C * C * K * K + FIXED;
}

describe('scale', () => {
  test('a 1×1×2048×2048 input with a 3×3 kernel (padding 1): forward and backward exact; beyond its tensors at most 3 float64 padded images + 12 MiB, where a float32 im2col of the image alone needs 144 MiB', () => {
    const m = measure('plane2048');
    expectRight(m);
    expect(allowance(1, 2048, 2048, 3, 1)).toBeLessThan(9 * 2048 * 2048 * 4);
    expect(m.peakGrowth).toBeLessThan(m.tensorBytes + allowance(1, 2048, 2048, 3, 1));
  });

  test('a 1×256×64×64 ∗ 256×256×3×3 layer (2.4 GFLOP forward, 4.8 backward): forward, gradInput, gradWeight and gradBias within the error bound (projections over every position, whole elements at edges and block boundaries); beyond its tensors at most 3 float64 padded images + float64 weights + 12 MiB', () => {
    const m = measure('layer256');
    expectRight(m);
    expect(m.peakGrowth).toBeLessThan(m.tensorBytes + allowance(256, 64, 64, 3, 1));
  });

  test('the reference kernels on a 1×64×32×32 ∗ 64×64×3×3 layer: forward and backward within the error bound, bounded memory', () => {
    const m = measure('reference', '64', '32');
    expectRight(m);
    expect(m.peakGrowth).toBeLessThan(m.tensorBytes + allowance(64, 32, 32, 3, 1));
  });

  test.runIf(deep)(
    'the reference kernels on the 1×256×64×64 ∗ 256×256×3×3 layer (deep profile): forward and backward within the error bound, bounded memory',
    () => {
      const m = measure('reference', '256', '64');
      expectRight(m);
      expect(m.peakGrowth).toBeLessThan(m.tensorBytes + allowance(256, 64, 64, 3, 1));
    },
    300_000,
  );

  describe('memory grows with the batch only by the tensors', () => {
    // A 64→64 3×3 layer on 64×64 images. One image's float32 im2col matrix
    // is C·9·OH·OW·4 = 9 MiB; an implementation that builds it for the whole
    // batch at once grows by 9 MiB per extra image (18 MiB in float64) on top
    // of the tensors. Ours keeps one image's working memory whatever N is:
    // over repeated runs the growth from N = 1 exceeded the extra tensors by
    // at most 2.4 MiB (the garbage collector moves the peak by ~2 MiB). So the
    // growth may exceed the extra tensors by 3/4 of an image's float32
    // columns, 6.75 MiB: a full-batch im2col fails from N = 2 on.
    const columns = 64 * 9 * 64 * 64 * 4;
    const slack = (3 / 4) * columns;
    let single: Measurement | undefined;
    const one = (): Measurement => (single ??= measure('batch', '1'));
    const growth = (m: Measurement, one: Measurement) => ({
      peak: m.peakGrowth - one.peakGrowth,
      tensors: m.tensorBytes - one.tensorBytes,
    });

    test("N = 1, 2, 4: all values right, each within one image's allowance, and N = 2 and N = 4 grow the peak by at most their extra tensors + 6.75 MiB", () => {
      const more = [2, 4].map((n) => measure('batch', String(n)));
      for (const m of [one(), ...more]) {
        expectRight(m);
        expect(m.peakGrowth).toBeLessThan(m.tensorBytes + allowance(64, 64, 64, 3, 1));
      }
      for (const m of more) {
        const g = growth(m, one());
        console.log(
          `${m.scenario}: +${(g.peak / MiB).toFixed(1)} MiB peak for +${(g.tensors / MiB).toFixed(1)} MiB tensors`,
        );
        expect(g.peak).toBeLessThan(g.tensors + slack);
      }
    });

    test('a negative control that holds a full-batch float32 im2col (N = 4) breaks that bound', () => {
      const control = measure('batch', '4', 'im2col');
      const g = growth(control, one());
      expect(g.peak).toBeGreaterThan(g.tensors + slack);
    });
  });
});
