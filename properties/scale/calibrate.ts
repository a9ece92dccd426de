/**
 * The scale group's sizes follow the implementation's speed instead of
 * skipping what is slow: once per run, a probe conv (16 → 16 channels,
 * 26×26 → 24×24, 3×3) times the implementation and the float64 model, and
 * the largest work cap (a power of two, at most the profile's) whose
 * estimated catalog time fits the profile's seconds is used for every
 * scale case. The report says what the cap is and why; `scaleWork` pins it
 * (a replay does, so a failure replays the same case on any machine).
 */
import { modelConv2d } from '../spec/index.js';
import type { PropertyContext } from '../types.js';
import { CATALOG } from './catalog.js';
import type { Calibration } from './limits.js';
import { convOf, MINIMAL_PARAMS, workOf, type ScaleParams } from './params.js';

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

/**
 * Model multiply-adds per implementation multiply-add of one check
 * (projections plus the full checks of three channels), measured on the
 * catalog and rounded up: forward and transposed ≈ 0.35, backward ≈ 1.
 */
const MODEL_SHARE = { forward: 0.35, backward: 1, transpose: 0.35 } as const;

function seconds(run: () => unknown): number {
  const start = performance.now();
  run();
  return Math.max(1e-4, (performance.now() - start) / 1000);
}

function rate(r: number): string {
  return r >= 1e9 ? `${(r / 1e9).toFixed(1)} G` : `${r >= 1e7 ? Math.round(r / 1e6) : (r / 1e6).toFixed(1)} M`;
}

/** Estimated seconds of the catalog at cap 2^w, given the two speeds. */
function catalogSeconds(ctx: PropertyContext, w: number, implRate: number, modelRate: number): number {
  const has = (k: 'conv2dBackward' | 'convTranspose2d') => typeof ctx.impl[k] === 'function';
  let total = 0;
  for (const l of CATALOG) {
    const work = Math.min(workOf(l.params), 2 ** w);
    const ops =
      l.kind === 'conv'
        ? [[1, MODEL_SHARE.forward], ...(has('conv2dBackward') ? [[2, MODEL_SHARE.backward]] : [])]
        : has('convTranspose2d')
          ? [[1, MODEL_SHARE.transpose]]
          : [];
    for (const [impl, model] of ops) total += work * (impl / implRate + model / modelRate);
  }
  return total;
}

/** The better of `times` timings of `run`, in seconds. */
function best(times: number, run: () => unknown): number {
  return Math.min(...Array.from({ length: times }, () => seconds(run)));
}

function measure(ctx: PropertyContext): Calibration {
  const L = ctx.scale.limits;
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
  const implRate = implSeconds > 0 ? workOf(p) / implSeconds : Infinity;
  let work = L.maxWork;
  while (work > MIN_WORK && catalogSeconds(ctx, work, implRate, modelRate) > L.catalogSeconds) work--;
  const impl = Number.isFinite(implRate) ? `${rate(implRate)} multiply-adds/s` : 'at an unmeasured speed';
  const why =
    work < L.maxWork
      ? `lowered from the profile's 2^${L.maxWork} to fit ~${L.catalogSeconds} s of catalog`
      : `the profile's cap`;
  return {
    work,
    implRate: Number.isFinite(implRate) ? implRate : null,
    modelRate,
    reason: `cases of at most 2^${work} multiply-adds (${why}; conv2d ran ${impl}, the float64 model ${rate(modelRate)}/s)`,
  };
}

/**
 * The run's work cap: pinned, already measured, or measured now.
 * @example const { work } = calibrate(ctx); scaleParams(ctx.scale.limits, ctx.dtype, work)
 */
export function calibrate(ctx: PropertyContext): Calibration {
  const cell = ctx.scale.calibration;
  if (cell.value) return cell.value;
  const pinned = ctx.scale.pinnedWork;
  cell.value =
    pinned !== null
      ? { work: pinned, implRate: null, modelRate: null, reason: `cases of at most 2^${pinned} multiply-adds (pinned)` }
      : measure(ctx);
  return cell.value;
}
