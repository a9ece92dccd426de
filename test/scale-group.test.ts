/**
 * The scale group's parts, each against something it does not compute
 * itself: the remainder-class table, the combinations, the bound carried
 * through a projection (sound for a float32 accumulator in either order,
 * blind to no single wrong element), the threshold search on failures
 * whose threshold is known, the catalog's published output sizes, and the
 * report of a failure (the threshold, the pinned work cap in the replay).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import { conv2d, type Tensor } from '../src/index.js';
import { seededRandom } from '../src/random.js';
import { formatFailure, formatReport, runProperty, runSettings, type VerifyReport } from '../properties/verify.js';
import { UnsupportedCase } from '../properties/support.js';
import { scaleParams } from '../properties/scale/arbitrary.js';
import { blockSizes, remainderClasses } from '../properties/scale/classes.js';
import { CATALOG, scaleLayer } from '../properties/scale/catalog.js';
import { binRows, combine } from '../properties/scale/combine.js';
import { checkBackward, checkForward, checkTranspose, edgeIndices } from '../properties/scale/checks.js';
import { scaleProperties } from '../properties/scale/index.js';
import { SCALE_LIMITS, scaleSettings } from '../properties/scale/limits.js';
import { convOf, MINIMAL_PARAMS, transposeOf, workOf, type ScaleParams } from '../properties/scale/params.js';
import { describeThreshold, searchThreshold } from '../properties/scale/threshold.js';
import type { ConvImplementation, PropertyContext } from '../properties/types.js';
import { naive } from './zoo/naive.js';

const EMPTY_REPORT: VerifyReport = {
  ok: true,
  supports: {},
  conventions: {},
  profile: 'quick',
  seed: 0,
  dtype: 'float32',
  runs: 1,
  timeMs: 0,
  oracles: [],
  properties: [],
};

const [forwardScale, backwardScale, transposeScale] = scaleProperties;

/** A context for calling the checks directly. */
function context(impl: ConvImplementation): PropertyContext {
  return {
    impl,
    dtype: 'both',
    limits: runSettings().profile.limits,
    oracles: [],
    observe: () => {},
    skipCase: () => {},
    supports: {},
    conventions: {},
    scale: scaleSettings(SCALE_LIMITS.quick, 20),
    note: () => {},
    pin: () => {},
  };
}

const cases = (n: number, seed: number, work = 20): ScaleParams[] =>
  fc.sample(scaleParams(SCALE_LIMITS.quick, 'float32', work), { numRuns: n, seed });

describe('remainder classes', () => {
  test('block sizes are the powers of two and three times them', () => {
    expect(blockSizes(64)).toEqual([2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]);
  });
  test('classes sit one below, at and one above every block size', () => {
    expect(remainderClasses(34)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33]);
  });
});

describe('combinations', () => {
  test('rows over axis 0 and 1 sum what they say, absolute values on request', () => {
    // t[a, b] (planes of 1×1): 1, 2, 3 / 4, 5, 6
    const t = [1, 2, 3, 4, -5, 6];
    const rows = binRows(1, 3, 2, Float64Array.of(2, -1, 3));
    expect(rows).toEqual([
      [
        [0, 2],
        [1, -1],
      ],
      [[2, 3]],
    ]);
    expect(Array.from(combine(t, [2, 3, 1, 1], 1, rows, false).data)).toEqual([2 * 1 - 2, 9, 2 * 4 + 5, 18]);
    expect(Array.from(combine(t, [2, 3, 1, 1], 1, rows, true).data)).toEqual([4, 9, 13, 18]);
    const images = binRows(1, 2, 2, Float64Array.of(1, -1));
    expect(Array.from(combine(t, [2, 3, 1, 1], 0, images, false).data)).toEqual([-3, 7, -3]);
  });
  test('edge indices are the first, the last and one inner block boundary', () => {
    for (let seed = 0; seed < 20; seed++) {
      const e = edgeIndices(65, seededRandom(seed));
      expect(e[0]).toBe(0);
      expect(e[e.length - 1]).toBe(64);
      expect(e.length).toBe(3);
      expect(remainderClasses(64)).toContain(e[1]);
    }
    expect(edgeIndices(1, seededRandom(1))).toEqual([0]);
  });
});

describe('the bound carried through a projection', () => {
  // Float32 running sums, forward and backward, are inside γ_n·M for any order:
  // the projections and full checks must accept them at every size.
  const sequential = naive({ accumulator: 'float32' });
  test('accepts float32 accumulation in loop order (conv2d, gradients, transposed)', async () => {
    const ctx = context(sequential);
    for (const p of cases(40, 11)) {
      await checkForward(ctx, p, seededRandom(p.seed));
      await checkTranspose(ctx, p, seededRandom(p.seed + 1));
    }
  });
  test('accepts our kernels (float32 and float64) on the same cases, and their gradients', async () => {
    const ctx = context(ours);
    for (const p of [...cases(25, 12), ...cases(10, 13).map((q) => ({ ...q, dtype: 'float64' as const }))]) {
      await checkForward(ctx, p, seededRandom(p.seed));
      await checkBackward(ctx, p, seededRandom(p.seed));
    }
  });
  test('rejects one wrong element anywhere, however large the case', async () => {
    let caught = 0;
    const all = cases(60, 14);
    for (const [k, p] of all.entries()) {
      const rand = seededRandom(k);
      const wrong: ConvImplementation = {
        conv2d: (x, w, o) => {
          const y = conv2d(x, w, o);
          const at = Math.floor(rand() * y.data.length);
          const data = y.data.slice();
          // One element off by a quarter of its own magnitude plus one: far above its bound, far below a gross bug.
          data[at] += 0.25 * Math.abs(data[at]) + 1;
          return { shape: y.shape, data } as Tensor;
        },
      };
      await expect(checkForward(context(wrong), p, seededRandom(p.seed)), JSON.stringify(p)).rejects.toThrow();
      caught++;
    }
    expect(caught).toBe(all.length);
  });
});

describe('threshold search', () => {
  const budget = { seconds: 20, evaluations: 400 };
  const start: ScaleParams = { ...MINIMAL_PARAMS, N: 9, C: 47, O: 30, OH: 12, OW: 9, KH: 3, KW: 2, bias: true };
  test('names the block of a remainder bug, checking every smaller size', async () => {
    const s = await searchThreshold(start, (p) => p.C > 12 && p.C % 12 !== 0, budget);
    expect(s.smallest).toMatchObject({ N: 1, C: 13, O: 1, OH: 1, OW: 1, KH: 1, KW: 1, bias: false });
    expect(describeThreshold(s, 'forward')).toContain('holds for C ≤ 12, fails from C = 13');
  });
  test('names a threshold on a product on one size, with the product it crosses', async () => {
    const s = await searchThreshold(start, (p) => p.OH * p.OW > 100, budget);
    const text = describeThreshold(s, 'forward');
    expect(text).toContain('holds for OW ≤ 100, fails from OW = 101 (output plane OH·OW 100 → 101');
  });
  test('names every size a failure needs, and a failure that needs none', async () => {
    const both = describeThreshold(await searchThreshold(start, (p) => p.N > 4 && p.KH > 2, budget), 'backward');
    expect(both).toContain('holds for N ≤ 4, fails from N = 5');
    expect(both).toContain('holds for KH ≤ 2, fails from KH = 3');
    expect(describeThreshold(await searchThreshold(start, () => true, budget), 'forward')).toContain(
      'fails at the smallest case',
    );
  });
  test('says so when its budget ends the search', async () => {
    const s = await searchThreshold(start, (p) => p.C > 3, { seconds: 20, evaluations: 3 });
    expect(s.exhausted).toBe(true);
    expect(describeThreshold(s, 'forward')).toContain('stopped by its budget');
  });
});

describe('catalog', () => {
  test('each layer has its published output size (conv) or up-sampled size (transposed)', () => {
    const sizes = Object.fromEntries(
      CATALOG.map((l) => {
        const r = l.kind === 'conv' ? convOf(l.params).r : transposeOf(l.params).r;
        return [l.name, l.kind === 'conv' ? [r.H, r.OH] : [r.H, r.OH]];
      }),
    );
    expect(sizes['AlexNet conv1 11×11 stride 4, 3→64, 224×224']).toEqual([224, 55]);
    expect(sizes['ResNet-18 conv1 7×7 stride 2, 3→64, 224×224']).toEqual([224, 112]);
    expect(sizes['ResNet-18 conv3_1 3×3 stride 2, 64→128, 56×56']).toEqual([56, 28]);
    expect(sizes['U-Net up-conv 2×2 stride 2, 128→64, 28×28 → 56×56']).toEqual([28, 56]);
    expect(sizes['DCGAN generator output 4×4 stride 2, 64→3, 32×32 → 64×64']).toEqual([32, 64]);
  });
  test('scaling fits the cap and keeps channels, kernel and stride', () => {
    for (const l of CATALOG) {
      const s = scaleLayer(l, 2 ** 20);
      expect(workOf(s.params)).toBeLessThanOrEqual(2 ** 20);
      if (workOf(l.params) > 2 ** 20) expect(s.scaled).toMatch(/outputs/);
      if (s.params.OH > 1)
        expect([s.params.C, s.params.O, s.params.KH, s.params.sh]).toEqual([
          l.params.C,
          l.params.O,
          l.params.KH,
          l.params.sh,
        ]);
    }
  });
});

describe('scale properties in verify', () => {
  test('a routine refused on some catalog layers leaves only those out (named in a note); all refused: not run', async () => {
    const catalog = scaleProperties[3];
    const isDepthwise = (x: Tensor, w: Tensor) => w.shape[1] === 1 && x.shape[x.shape.length - 3] > 1;
    const refusing: ConvImplementation = {
      ...ours,
      conv2dBackward: (dy, x, w, o) => {
        if (isDepthwise(x, w)) throw new UnsupportedCase('no depthwise gradients');
        return ours.conv2dBackward(dy, x, w, o);
      },
    };
    const settings = runSettings({ seed: 3, scaleWork: 18, dtype: 'float32' });
    const partly = await runProperty(catalog, refusing, settings);
    expect(partly.status, formatReport({ ...EMPTY_REPORT, properties: [partly] })).toBe('passed');
    const note = partly.notes.find((n) => n.startsWith('not applicable, left out of the catalog'));
    expect(note).toContain('MobileNetV2 depthwise 3×3 stride 2, 144 channels, 56×56 (backward)');
    expect(note).toContain('no depthwise gradients');
    expect(note).not.toMatch(/\(forward\)|ResNet/);
    const none: ConvImplementation = {
      conv2d: () => {
        throw new UnsupportedCase('refuses everything');
      },
    };
    const refused = await runProperty(catalog, none, settings);
    expect(refused.status).toBe('not run');
    expect(refused.reason).toContain('refuses everything');
  });

  test('a bug above a block size fails with the threshold and a replay that pins the work cap', async () => {
    const tail: ConvImplementation = {
      conv2d: (x, w, o) => {
        const y = conv2d(x, w, o);
        const [N, O] = y.shape;
        if (O <= 8) return y;
        // The last output channel of every image is dropped when O > 8.
        const data = y.data.slice();
        const plane = data.length / (N * O);
        for (let n = 0; n < N; n++) data.fill(0, (n * O + O - 1) * plane, (n * O + O) * plane);
        return { shape: y.shape, data };
      },
    };
    const settings = runSettings({ seed: 5, scaleWork: 20 });
    const report = await runProperty(forwardScale, tail, settings);
    expect(report.status).toBe('failed');
    const text = formatFailure(report.failure!);
    expect(text).toContain('holds for O ≤ 8, fails from O = 9');
    expect(text).toContain('smallest failing case: conv2d N = 1, C = 1 → O = 9, 1×1 → 1×1, kernel 1×1');
    expect(report.failure!.replay).toContain('--scale-work 20');
    expect(report.notes.join('\n')).toContain('conv2d cases of at most 2^20 multiply-adds (pinned)');
  });
  test('properties whose routine is missing are skipped, and our kernels pass them all', async () => {
    const settings = runSettings({ seed: 6, scaleWork: 18, runs: 20 });
    expect((await runProperty(backwardScale, { conv2d }, settings)).status).toBe('not run');
    for (const p of [forwardScale, backwardScale, transposeScale]) {
      const r = await runProperty(p, ours, settings);
      expect(r.status, r.failure ? formatFailure(r.failure) : r.reason).toBe('passed');
    }
  });
});
