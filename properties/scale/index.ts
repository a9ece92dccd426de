/**
 * The scale group: conv2d, its gradients and the transposed conv at real
 * sizes, where fast kernels keep their bugs (block remainders of channels,
 * output channels and batch, the last partial tile, rows wider than a tile,
 * kernels wider than the unrolled ones, long reductions, aligned pitches,
 * chunked reductions). Random cases biased to remainder classes, and a
 * catalog of real layers; each checked by random projections and full
 * checks of edge channels (`checks.ts`), within the declared support and by
 * the declared conventions. A failure is shrunk by the threshold search,
 * which names the size where it starts.
 */
import fc from 'fast-check';
import { seededRandom } from '../../src/random.js';
import { ComparisonError } from '../spec/index.js';
import { isUnsupportedCase } from '../support.js';
import { supportedDtype } from '../support-filter.js';
import type { Capability, ConvImplementation, PropertyContext, PropertyDefinition } from '../types.js';
import { scaleCase, scaleDraws, type ScaleDraw } from './arbitrary.js';
import { MIN_WORK, workCap, type WorkCap } from './calibrate.js';
import { CATALOG, scaleLayer, type CatalogLayer } from './catalog.js';
import { checkBackward, checkForward, checkTranspose } from './checks.js';
import { showOptions } from '../arbitraries/convCase.js';
import { without } from '../scenario.js';
import { convOf, describeParams, normalise, transposeOf, workOf, type ScaleOp, type ScaleParams } from './params.js';
import { withinSupport } from './support.js';
import { describeThreshold, searchThreshold } from './threshold.js';

/**
 * A failed scale check, with the case and the routine it failed on (the
 * threshold search starts there); `cause` is what the check threw (a
 * `ComparisonError` says which elements differ).
 */
export class ScaleFailure extends Error {
  readonly params: ScaleParams;
  readonly op: ScaleOp;
  constructor(message: string, params: ScaleParams, op: ScaleOp, cause?: unknown) {
    super(message, { cause });
    this.params = params;
    this.op = op;
  }
}

const CHECKS: Record<ScaleOp, (ctx: PropertyContext, p: ScaleParams, rand: () => number) => Promise<void>> = {
  forward: checkForward,
  backward: checkBackward,
  transpose: checkTranspose,
};

const NEEDS: Record<ScaleOp, Capability> = {
  forward: 'conv2d',
  backward: 'conv2dBackward',
  transpose: 'convTranspose2d',
};

/** The check of one case, with coefficients drawn from the case's own seed (so a case always checks the same way). */
function runCheck(ctx: PropertyContext, p: ScaleParams, op: ScaleOp): Promise<void> {
  const salt = { forward: 1, backward: 2, transpose: 3 }[op];
  return CHECKS[op](ctx, p, seededRandom((Math.imul(p.seed, 0x2545f491) + salt) >>> 0));
}

function reason(e: unknown): string {
  if (e instanceof ComparisonError) return e.message;
  if (e instanceof Error) return e.name === 'Error' ? e.message : `threw ${e.name}: ${e.message}`;
  return `threw ${String(e)}`;
}

/**
 * Runs a check; a failure becomes a ScaleFailure that names the case (and
 * the layer, if any) and carries it. A case outside the declared support
 * stays an `UnsupportedCase` (not applicable).
 */
async function guarded(ctx: PropertyContext, p: ScaleParams, op: ScaleOp, layer: string | null): Promise<void> {
  try {
    await runCheck(ctx, p, op);
  } catch (e) {
    if (isUnsupportedCase(e)) throw e;
    const where = layer ? `${layer}: ` : '';
    throw new ScaleFailure(`${where}${describeParams(p, op)}\n${reason(e)}`, p, op, e);
  }
}

/** A case as a counterexample: in words, its options as the call gets them, and its numbers (to rebuild it). */
function caseText(ctx: PropertyContext, p: ScaleParams, op: ScaleOp): string {
  const options = op === 'transpose' ? transposeOf(p).t.options : convOf(p, ctx.conventions.same).c.options;
  return `${describeParams(p, op)}; options ${showOptions(without(options, 'bias'))}; ${JSON.stringify(p)}`;
}

/** The threshold search from a failure of a scale property, as report text. */
async function explain(ctx: PropertyContext, error: unknown): Promise<string | null> {
  if (!(error instanceof ScaleFailure)) return null;
  const quiet: PropertyContext = { ...ctx, observe: () => {}, note: () => {}, pin: () => {} };
  // Two data seeds per case: at the smallest sizes one output may hold the only wrong term,
  // and one seed's data could make it small enough to pass by chance.
  const fails = async (p: ScaleParams): Promise<boolean> => {
    for (const k of [0, 1]) {
      try {
        await runCheck(quiet, { ...p, seed: (p.seed + k) >>> 0 }, error.op);
      } catch (e) {
        if (!isUnsupportedCase(e)) return true;
      }
    }
    return false;
  };
  const budget = { seconds: ctx.scale.limits.searchSeconds, evaluations: 400 };
  // Every candidate is a valid case inside the declared support: the smallest one named is one that was checked.
  const canon = (p: ScaleParams) => withinSupport(normalise(p), ctx.supports, error.op);
  const search = await searchThreshold(error.params, fails, budget, canon);
  return describeThreshold(search, error.op);
}

/** The property's first work cap, measured (or pinned) once and noted. */
function capOnce(ctx: PropertyContext, use: ScaleOp | 'catalog'): () => Promise<WorkCap> {
  let cap: Promise<WorkCap> | undefined;
  return () => {
    cap ??= workCap(ctx, use).then((c) => {
      ctx.note(c.reason);
      return c;
    });
    return cap;
  };
}

/** Why a scale property has nothing to draw under the declared support, or null. */
function outside(ctx: PropertyContext): string | null {
  return supportedDtype(ctx.dtype, ctx.supports) === null ? 'outside the declared support: no dtype left' : null;
}

const REAL_SIZE = 'of real size (channels, batch, planes, rows and kernels around block remainders; long reductions)';

/**
 * A property's cap as the run goes: measured (or pinned) at first, then
 * one power of two lower whenever the cases since the last change took
 * more than twice their planned time (the probe misjudges an
 * implementation whose time goes into per-call or per-plane overhead). A
 * pinned cap never moves, so a replay checks the same case; the cap of
 * each case is pinned for its replay.
 */
class Pace {
  work: number;
  private since = performance.now();
  private planned = 0;
  private readonly ctx: PropertyContext;
  constructor(ctx: PropertyContext, cap: WorkCap) {
    this.ctx = ctx;
    this.work = cap.work;
    ctx.pin({ scaleWork: cap.work });
  }
  /** After work planned to take `seconds`: lowers the cap if the work since the last change ran too slow. */
  after(seconds: number, what: string): void {
    this.planned += seconds;
    const spent = (performance.now() - this.since) / 1000;
    if (this.ctx.scale.pinnedWork !== null || spent <= 2 * this.planned || spent < 1 || this.work <= MIN_WORK) return;
    this.work--;
    this.ctx.pin({ scaleWork: this.work });
    this.ctx.note(
      `${what} lowered to 2^${this.work} multiply-adds during the run: they took ${spent.toFixed(1)} s where ${this.planned.toFixed(1)} s were planned`,
    );
    [this.since, this.planned] = [performance.now(), 0];
  }
}

function randomCases(op: ScaleOp, name: string): PropertyDefinition {
  return {
    name,
    group: 'scale',
    requires: [NEEDS[op]],
    runsFactor: (ctx) => ctx.scale.limits.runsFactor,
    skip: outside,
    property: (ctx) => {
      const cap = capOnce(ctx, op);
      const dtype = supportedDtype(ctx.dtype, ctx.supports) ?? ctx.dtype;
      const L = ctx.scale.limits;
      const perCase = L.caseSeconds / Math.max(1, Math.round(ctx.scale.runs * L.runsFactor));
      let pace: Pace | undefined;
      const caseOf = (draw: ScaleDraw, w: number) => withinSupport(scaleCase(draw, 2 ** w), ctx.supports, op);
      // A draw becomes its case once the cap is known; a counterexample prints that case.
      const draws = scaleDraws(L, dtype).map((d) => ({
        ...d,
        [fc.toStringMethod]: () => (pace ? caseText(ctx, caseOf(d, pace.work), op) : JSON.stringify(d)),
      }));
      return fc.asyncProperty(draws, async (draw) => {
        pace ??= new Pace(ctx, await cap());
        await guarded(ctx, caseOf(draw, pace.work), op, null);
        pace.after(perCase, `${NEEDS[op]} cases`);
      });
    },
    explain: (ctx, failure) => explain(ctx, failure.error),
  };
}

function opsOf(layer: CatalogLayer, impl: ConvImplementation): ScaleOp[] {
  const ops: ScaleOp[] = layer.kind === 'conv' ? ['forward', 'backward'] : ['transpose'];
  return ops.filter((op) => typeof impl[NEEDS[op]] === 'function');
}

const catalogProperty: PropertyDefinition = {
  name: 'for every layer of the real-layer catalog (LeNet-5, AlexNet, VGG-16, ResNet-18/50, MobileNetV2, U-Net, DCGAN), conv2d, conv2dBackward and convTranspose2d match the float64 model by random projections and in full on edge channels',
  group: 'scale',
  requires: ['conv2d'],
  runsFactor: () => 0,
  skip: outside,
  property: (ctx) => {
    const cap = capOnce(ctx, 'catalog');
    const choice = supportedDtype(ctx.dtype, ctx.supports) ?? ctx.dtype;
    const dtypes = choice === 'both' ? (['float32', 'float64'] as const) : ([choice] as const);
    let failing: (() => string) | null = null;
    // The counterexample of a catalog run is its seed and dtype; it prints the layer that failed, as a case.
    const runs = fc.record({ seed: fc.nat(), dtype: fc.constantFrom(...dtypes) }).map((v) => ({
      ...v,
      [fc.toStringMethod]: () => failing?.() ?? `catalog run with seed ${v.seed}, ${v.dtype}`,
    }));
    return fc.asyncProperty(runs, async ({ seed, dtype }) => {
      const pace = new Pace(ctx, await cap());
      const scaled: string[] = [];
      // Each layer is planned a share of the budget by its work at the first cap.
      const total = CATALOG.reduce((a, l) => a + workOf(scaleLayer(l, 2 ** pace.work).params), 0);
      // A routine the implementation cannot run on one layer (e.g. depthwise gradients) is left out of that layer
      // only, and named in a note; the run is not applicable only when no layer could be checked at all.
      const outside = new Map<string, string[]>();
      let checked = 0;
      let refusal: unknown = null;
      for (const layer of CATALOG) {
        const { params, scaled: how } = scaleLayer(layer, 2 ** pace.work);
        if (how) scaled.push(`${layer.name}: ${how}`);
        for (const op of opsOf(layer, ctx.impl)) {
          const p = withinSupport({ ...params, dtype, seed: (params.seed + seed) >>> 0 }, ctx.supports, op);
          failing = () => `${layer.name}: ${caseText(ctx, p, op)}`;
          try {
            await guarded(ctx, p, op, layer.name);
            checked++;
          } catch (e) {
            if (!isUnsupportedCase(e)) throw e;
            refusal = e;
            const why = (e as Error).message;
            outside.set(why, [...(outside.get(why) ?? []), `${layer.name} (${op})`]);
          }
          failing = null;
        }
        pace.after((ctx.scale.limits.catalogSeconds * workOf(params)) / total, 'catalog layers');
      }
      if (checked === 0 && refusal !== null) throw refusal;
      if (scaled.length) ctx.note(`scaled to fit: ${scaled.join('; ')}`);
      for (const [why, where] of outside)
        ctx.note(`not applicable, left out of the catalog: ${where.join(', ')}: ${why}`);
    });
  },
  explain: (ctx, failure) => explain(ctx, failure.error),
};

/**
 * The scale properties, in report order.
 * @example for (const p of scaleProperties) console.log(p.name)
 */
export const scaleProperties: readonly PropertyDefinition[] = [
  randomCases(
    'forward',
    `for any case ${REAL_SIZE}, conv2d matches the float64 model by random projections and in full on edge output channels`,
  ),
  randomCases(
    'backward',
    `for any case ${REAL_SIZE}, conv2dBackward's three gradients match the float64 model by random projections and in full on edge input channels`,
  ),
  randomCases(
    'transpose',
    `for any case ${REAL_SIZE}, convTranspose2d matches the float64 model by random projections and in full on edge output channels`,
  ),
  catalogProperty,
];
