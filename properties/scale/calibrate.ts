/**
 * The scale group's sizes follow the implementation's speed instead of
 * skipping what is slow. Once per run a probe conv (16 → 16 channels,
 * 26×26 → 24×24, 3×3) times the implementation and the float64 model;
 * each scale property then takes the largest work cap (a power of two, at
 * most the profile's) whose estimated time fits its seconds:
 *
 *   runs × (mean work of its cases at that cap) × (k/impl rate + ρ/model rate)
 *
 * with k the conv-equivalents the implementation computes (2 for the
 * backward) and ρ those the checks make the model compute, measured on
 * these checks (the projections, the full checks of edge channels and
 * their magnitudes M): about 4 for conv2d and convTranspose2d, 12 for the
 * backward, less on the catalog's larger layers. The report says the cap
 * and why; `scaleWork` pins it (a replay does, so a failure replays the
 * same case on any machine).
 */
import fc from 'fast-check';
import { modelConv2d } from '../spec/index.js';
import type { DTypeChoice, PropertyContext } from '../types.js';
import { scaleParams } from './arbitrary.js';
import { CATALOG } from './catalog.js';
import type { Calibration, ScaleLimits } from './limits.js';
import { convOf, MINIMAL_PARAMS, workOf, type ScaleOp, type ScaleParams } from './params.js';

const PROBE: ScaleParams = {
  ...MINIMAL_PARAMS,
  family: 'probe',
  C: 16,
  O: 16,
  OH: 24,
  OW: 24,
  KH: 3,
  KW: 3,
  values: 'signed',
};

/** The smallest cap the group goes down to (a 64-channel 1×1 conv of a 32×32 image). */
const MIN_WORK = 16;

/** Conv-equivalents per case: the implementation's (k) and the model's (ρ), per routine and for a catalog layer. */
const COST: Readonly<Record<ScaleOp | 'layer' | 'upLayer', { readonly impl: number; readonly model: number }>> = {
  forward: { impl: 1, model: 4 },
  backward: { impl: 2, model: 12 },
  transpose: { impl: 1, model: 5 },
  /** A catalog conv layer: forward and backward. */
  layer: { impl: 3, model: 5 },
  /** A catalog transposed layer. */
  upLayer: { impl: 1, model: 2 },
};

function seconds(run: () => unknown): number {
  const start = performance.now();
  run();
  return Math.max(1e-4, (performance.now() - start) / 1000);
}

/** The better of `times` timings of `run`, in seconds. */
function best(times: number, run: () => unknown): number {
  return Math.min(...Array.from({ length: times }, () => seconds(run)));
}

function rate(r: number): string {
  if (!Number.isFinite(r)) return 'an unmeasured number of';
  return r >= 1e9 ? `${(r / 1e9).toFixed(1)} G` : `${r >= 1e7 ? Math.round(r / 1e6) : (r / 1e6).toFixed(1)} M`;
}

function measure(ctx: PropertyContext): Calibration {
  const p: ScaleParams = { ...PROBE, dtype: ctx.dtype === 'float64' ? 'float64' : 'float32' };
  const { c, r } = convOf(p);
  let implSeconds: number;
  try {
    implSeconds = best(3, () => ctx.impl.conv2d(c.input, c.weight, c.options));
  } catch {
    // A conv2d that throws here fails the properties themselves; size the cases by the model alone.
    implSeconds = 0;
  }
  // The model's first call compiles it: time the better of two calls after a warm-up.
  modelConv2d(r, c.input, c.weight, null);
  const modelRate = workOf(p) / best(2, () => modelConv2d(r, c.input, c.weight, null));
  return { implRate: implSeconds > 0 ? workOf(p) / implSeconds : Infinity, modelRate };
}

/** The run's measured speeds (measured by the first scale property that asks). */
function rates(ctx: PropertyContext): Calibration {
  const cell = ctx.scale.calibration;
  cell.value ??= measure(ctx);
  return cell.value;
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

function perWork(cost: { impl: number; model: number }, r: Calibration): number {
  return cost.impl / r.implRate + cost.model / r.modelRate;
}

/** Estimated seconds of the catalog at cap 2^w. */
function catalogTime(ctx: PropertyContext, w: number, r: Calibration): number {
  const has = (k: 'conv2dBackward' | 'convTranspose2d') => typeof ctx.impl[k] === 'function';
  let total = 0;
  for (const l of CATALOG) {
    const work = Math.min(workOf(l.params), 2 ** w);
    if (l.kind === 'conv') total += work * perWork(has('conv2dBackward') ? COST.layer : COST.forward, r);
    else if (has('convTranspose2d')) total += work * perWork(COST.upLayer, r);
  }
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
 * @example const { work } = workCap(ctx, 'forward'); scaleParams(ctx.scale.limits, ctx.dtype, work)
 */
export function workCap(ctx: PropertyContext, use: ScaleOp | 'catalog'): WorkCap {
  const L = ctx.scale.limits;
  const pinned = ctx.scale.pinnedWork;
  if (pinned !== null) return { work: pinned, reason: `${WHAT[use]} of at most 2^${pinned} multiply-adds (pinned)` };
  const r = rates(ctx);
  const runs = Math.max(1, Math.round(ctx.scale.runs * L.runsFactor));
  const time = (w: number) =>
    use === 'catalog' ? catalogTime(ctx, w, r) : runs * sampledMean(L, ctx.dtype, w) * perWork(COST[use], r);
  const budget = use === 'catalog' ? L.catalogSeconds : L.caseSeconds;
  let work = L.maxWork;
  while (work > MIN_WORK && time(work) > budget) work--;
  const why =
    work < L.maxWork
      ? `lowered from the profile's 2^${L.maxWork} to fit ~${budget} s`
      : `the profile's cap, estimated ${time(work).toFixed(1)} s`;
  const speeds = `conv2d ran ${rate(r.implRate)} multiply-adds/s, the float64 model ${rate(r.modelRate)}/s`;
  return { work, reason: `${WHAT[use]} of at most 2^${work} multiply-adds (${why}; ${speeds})` };
}
