/**
 * The scale group's sizes follow the implementation's speed instead of
 * skipping what is slow. Once per run and routine, the whole check (the
 * implementation's calls, the model's, the combinations and comparisons)
 * is timed on a probe case (2 images, 8 → 8 channels, 22×22 → 20×20, 3×3),
 * the best of five after three warm-ups; each scale property then takes the largest work cap
 * (a power of two, at most the profile's) whose estimated time fits its
 * seconds:
 *
 *   runs × (mean work of its cases at that cap) × (seconds per multiply-add of the check)
 *
 * The random cases are mostly smaller or less square than the probe, so
 * more of their time is overhead: they are estimated at 2.5 times its cost
 * per multiply-add; the catalog's layers are larger, at half of it (both
 * measured on several implementations). The report says the cap and why;
 * `scaleWork` pins it (a replay does, so a failure replays the same case on
 * any machine).
 */
import fc from 'fast-check';
import { seededRandom } from '../../src/random.js';
import type { DTypeChoice, PropertyContext } from '../types.js';
import { scaleParams } from './arbitrary.js';
import { CATALOG } from './catalog.js';
import { checkBackward, checkForward, checkTranspose } from './checks.js';
import type { ScaleLimits } from './limits.js';
import { MINIMAL_PARAMS, workOf, type ScaleOp, type ScaleParams } from './params.js';
import { withinSupport } from './support.js';

const PROBE: ScaleParams = {
  ...MINIMAL_PARAMS,
  family: 'probe',
  N: 2,
  C: 8,
  O: 8,
  OH: 20,
  OW: 20,
  KH: 3,
  KW: 3,
  values: 'signed',
};

/** The smallest cap the group goes down to (a 64-channel 1×1 conv of a 32×32 image). */
export const MIN_WORK = 16;

/** A catalog layer's cost per multiply-add relative to the probe's (larger: less overhead). */
const LAYER_EFFICIENCY = 0.5;

/**
 * A random case's cost per multiply-add relative to the probe's: most are
 * far smaller or far less square than it, so more of their time is
 * overhead (measured: about 2 to 2.5 for each routine).
 */
const CASE_OVERHEAD = 2.5;

const CHECKS = { forward: checkForward, backward: checkBackward, transpose: checkTranspose } as const;

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return Math.max(1e-4, (performance.now() - start) / 1000);
}

/** Seconds per multiply-add of one routine's whole check, on the probe. */
async function measure(ctx: PropertyContext, op: ScaleOp): Promise<number> {
  const dtype = ctx.dtype === 'float64' ? 'float64' : 'float32';
  const p = withinSupport({ ...PROBE, dtype }, ctx.supports, op);
  const quiet: PropertyContext = { ...ctx, observe: () => {}, note: () => {}, pin: () => {} };
  const once = async () => {
    try {
      await CHECKS[op](quiet, p, seededRandom(1));
    } catch {
      // A check that fails (or a case the implementation refuses) is timed as far as it ran.
    }
  };
  // Warm-ups compile (and tier up) the model's and the implementation's paths; then the best of five.
  for (let k = 0; k < 3; k++) await once();
  let t = Infinity;
  for (let k = 0; k < 5; k++) t = Math.min(t, await seconds(once));
  return t / workOf(p);
}

/** The run's measured cost of one routine's check (measured once, by the first property that asks). */
function costOf(ctx: PropertyContext, op: ScaleOp): Promise<number> {
  const cell = ctx.scale.calibration;
  const pending = cell.get(op) ?? measure(ctx, op);
  cell.set(op, pending);
  return pending;
}

function rate(secondsPerWork: number): string {
  const r = 1 / secondsPerWork;
  return r >= 1e9 ? `${(r / 1e9).toFixed(1)} G` : `${r >= 1e7 ? Math.round(r / 1e6) : (r / 1e6).toFixed(1)} M`;
}

/** Mean multiply-adds of the random cases at cap 2^w (a fixed sample, so the choice is reproducible). */
const meanWork = new Map<string, number>();
function sampledMean(limits: ScaleLimits, dtype: DTypeChoice, w: number): number {
  const key = `${JSON.stringify(limits)} ${dtype} ${w}`;
  if (!meanWork.has(key)) {
    const cases = fc.sample(scaleParams(limits, dtype, w), { numRuns: 200, seed: 1 });
    meanWork.set(key, cases.reduce((a, q) => a + workOf(q), 0) / cases.length);
  }
  return meanWork.get(key) as number;
}

/** Seconds per multiply-add of the catalog's checks: conv layers forward and backward, transposed layers. */
async function catalogCosts(ctx: PropertyContext): Promise<{ conv: number; up: number }> {
  const has = (k: 'conv2dBackward' | 'convTranspose2d') => typeof ctx.impl[k] === 'function';
  const conv = (await costOf(ctx, 'forward')) + (has('conv2dBackward') ? await costOf(ctx, 'backward') : 0);
  const up = has('convTranspose2d') ? await costOf(ctx, 'transpose') : 0;
  return { conv: conv * LAYER_EFFICIENCY, up: up * LAYER_EFFICIENCY };
}

/** Estimated seconds of the catalog at cap 2^w. */
function catalogTime(w: number, cost: { conv: number; up: number }): number {
  let total = 0;
  for (const l of CATALOG) total += Math.min(workOf(l.params), 2 ** w) * (l.kind === 'conv' ? cost.conv : cost.up);
  return total;
}

const WHAT: Readonly<Record<ScaleOp | 'catalog', string>> = {
  forward: 'conv2d cases',
  backward: 'conv2dBackward cases',
  transpose: 'convTranspose2d cases',
  catalog: 'catalog layers',
};

/** A work cap and the sentence that explains it. */
export interface WorkCap {
  /** log2 of the most multiply-adds one case may take. */
  readonly work: number;
  readonly reason: string;
}

/**
 * The work cap of one scale property: pinned, or the largest that fits its
 * seconds at the measured speeds.
 * @example const { work } = await workCap(ctx, 'forward'); scaleCase(draw, 2 ** work)
 */
export async function workCap(ctx: PropertyContext, use: ScaleOp | 'catalog'): Promise<WorkCap> {
  const L = ctx.scale.limits;
  const pinned = ctx.scale.pinnedWork;
  if (pinned !== null) return { work: pinned, reason: `${WHAT[use]} of at most 2^${pinned} multiply-adds (pinned)` };
  const runs = Math.max(1, Math.round(ctx.scale.runs * L.runsFactor));
  let time: (w: number) => number;
  let speed: string;
  if (use === 'catalog') {
    const cost = await catalogCosts(ctx);
    time = (w) => catalogTime(w, cost);
    speed = `its checks ran ${rate(cost.conv / LAYER_EFFICIENCY)} multiply-adds/s on a probe layer, forward and backward`;
  } else {
    const cost = await costOf(ctx, use);
    time = (w) => runs * sampledMean(L, ctx.dtype, w) * cost * CASE_OVERHEAD;
    speed = `its check ran ${rate(cost)} multiply-adds/s on a probe case`;
  }
  const budget = use === 'catalog' ? L.catalogSeconds : L.caseSeconds;
  let work = L.maxWork;
  while (work > MIN_WORK && time(work) > budget) work--;
  const why =
    work < L.maxWork
      ? `lowered from the profile's 2^${L.maxWork} to fit ~${budget} s`
      : `the profile's cap, estimated ${time(work).toFixed(1)} s`;
  return { work, reason: `${WHAT[use]} of at most 2^${work} multiply-adds (${why}; ${speed})` };
}
