/**
 * Scale: big problems run without running out of memory, give the right
 * values, and memory grows with the batch only by the tensors themselves.
 * Each scenario runs in its own Node process (test/scale/measure.ts) so
 * that its peak RSS is its own. The reference kernel on the 256-channel
 * layer takes ~25 s on 2 cores and runs only with CONVPROOF_PROFILE=deep.
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
const MB = 2 ** 20;
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
  const out = execFileSync('node', ['--expose-gc', script, ...args], { encoding: 'utf8', timeout: 120_000 });
  const m = JSON.parse(out.trim().split('\n').pop()!) as Measurement;
  console.log(
    `${m.scenario}: ${m.ms.toFixed(0)} ms, peak RSS ${(m.peakRss / MB).toFixed(0)} MB ` +
      `(+${(m.peakRssGrowth / MB).toFixed(1)} MB during the work; its tensors hold ${(m.tensorBytes / MB).toFixed(1)} MB)`,
  );
  return m;
}

/** Working memory beyond the tensors stays within a few times their size plus a fixed workspace. */
const WORKSPACE = 128 * MB;

describe('scale', () => {
  test('a 1×1×2048×2048 input with a 3×3 kernel (padding 1): forward and backward exact, memory within 4× the tensors + 128 MB', () => {
    const m = measure('plane2048');
    expect(m.mismatches).toBe(0);
    expect(m.peakRssGrowth).toBeLessThan(4 * m.tensorBytes + WORKSPACE);
  });

  test('a 1×256×64×64 ∗ 256×256×3×3 layer (2.4 GFLOP forward, 4.8 backward): forward within the error bound at 64 spots, finite backward, bounded memory', () => {
    const m = measure('layer256');
    expect(m.mismatches).toBe(0);
    expect(m.peakRssGrowth).toBeLessThan(4 * m.tensorBytes + WORKSPACE);
  });

  test.runIf(deep)(
    'the reference kernel on the same 256-channel layer (deep profile: ~25 s)',
    () => {
      const m = measure('layer256-reference');
      expect(m.mismatches).toBe(0);
      expect(m.peakRssGrowth).toBeLessThan(4 * m.tensorBytes + WORKSPACE);
    },
    300_000,
  );

  test('memory grows with the batch (N = 1, 2, 4 on a 64-channel 64×64 layer) by at most 3× the extra tensors', () => {
    const [one, ...more] = [1, 2, 4].map((n) => measure('batch', String(n)));
    for (const m of [one, ...more]) expect(m.mismatches).toBe(0);
    for (const m of more) {
      const extraTensors = m.tensorBytes - one.tensorBytes;
      const extraPeak = m.peakRssGrowth - one.peakRssGrowth;
      console.log(
        `batch ${m.scenario}: ${(extraPeak / MB).toFixed(1)} MB more peak than N = 1 for ${(extraTensors / MB).toFixed(1)} MB more tensors`,
      );
      expect(extraPeak).toBeLessThan(3 * extraTensors + 32 * MB);
    }
  });
});
