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
import { scaleCase, scaleDraws } from './arbitrary.js';
import { workCap, type WorkCap } from './calibrate.js';
import { CATALOG, scaleLayer, type CatalogLayer } from './catalog.js';
import { checkBackward, checkForward, checkTranspose } from './checks.js';
import { describeParams, type ScaleOp, type ScaleParams } from './params.js';
import { withinSupport } from './support.js';
import { describeThreshold, searchThreshold } from './threshold.js';

/** A failed scale check, with the case and the routine it failed on (the threshold search starts there). */
export class ScaleFailure extends Error {
  readonly params: ScaleParams;
  readonly op: ScaleOp;
  constructor(message: string, params: ScaleParams, op: ScaleOp) {
    super(message);
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
    throw new ScaleFailure(`${where}${describeParams(p, op)}\n${reason(e)}`, p, op);
  }
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
        await runCheck(quiet, withinSupport({ ...p, seed: (p.seed + k) >>> 0 }, ctx.supports, error.op), error.op);
      } catch (e) {
        if (!isUnsupportedCase(e)) return true;
      }
    }
    return false;
  };
  const search = await searchThreshold(error.params, fails, {
    seconds: ctx.scale.limits.searchSeconds,
    evaluations: 400,
  });
  return describeThreshold(search, error.op);
}

/** The property's work cap, measured (or pinned) once, noted and pinned for its replay. */
function capOnce(ctx: PropertyContext, use: ScaleOp | 'catalog'): () => Promise<WorkCap> {
  let cap: Promise<WorkCap> | undefined;
  return () => {
    cap ??= workCap(ctx, use).then((c) => {
      ctx.note(c.reason);
      ctx.pin({ scaleWork: c.work });
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
      return fc.asyncProperty(scaleDraws(ctx.scale.limits, dtype), async (draw) => {
        const { work } = await cap();
        await guarded(ctx, withinSupport(scaleCase(draw, 2 ** work), ctx.supports, op), op, null);
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
    return fc.asyncProperty(fc.nat(), fc.constantFrom(...dtypes), async (seed, dtype) => {
      const { work } = await cap();
      const layers = CATALOG.map((l) => ({ layer: l, ...scaleLayer(l, 2 ** work) }));
      const scaled = layers.filter((s) => s.scaled).map((s) => `${s.layer.name}: ${s.scaled}`);
      if (scaled.length) ctx.note(`scaled to fit: ${scaled.join('; ')}`);
      for (const { layer, params } of layers) {
        for (const op of opsOf(layer, ctx.impl)) {
          const p = withinSupport({ ...params, dtype, seed: (params.seed + seed) >>> 0 }, ctx.supports, op);
          await guarded(ctx, p, op, layer.name);
        }
      }
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
