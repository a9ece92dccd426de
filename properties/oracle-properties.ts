/**
 * The `oracle` group: the implementation under test against every ready
 * oracle in the context (TensorFlow.js cpu, wasm, node; see `oracles/`).
 *
 * An oracle computes in float32, so the comparison is made at float32
 * precision: a float64 result is rounded to float32 first (one more rounding,
 * at most u·M, inside the factor 2 of the bound), and the bound is
 * `c·γ_n·M` with float32's u, M and n from the float64 model. A case an
 * oracle cannot express is left to the others; when none takes it, the case
 * is counted as skipped with their reasons.
 */
import fc from 'fast-check';
import type { Tensor } from '../src/index.js';
import { tensorData } from './arbitraries/tensorData.js';
import type { ConvConfig } from './arbitraries/convConfig.js';
import {
  compareBounded,
  forwardExpectation,
  gradientExpectations,
  transposeExpectation,
  type Expectation,
} from './spec/index.js';
import { transposeCase, transposeConstraints } from './transpose.js';
import { checkResult, scenario, type Scenario } from './scenario.js';
import type { ConvCase, Oracle, OracleOp, PropertyContext, PropertyDefinition, TransposeCase } from './types.js';

/** 20-bit mantissas: products need up to 40 bits, so float32 rounding really happens. */
const VALUES = { mantissaBits: 20, fractionBits: 16 } as const;

function outputShape(cfg: ConvConfig): number[] {
  return cfg.batched ? [cfg.N, cfg.O, cfg.OH, cfg.OW] : [cfg.O, cfg.OH, cfg.OW];
}

/** A case with an upstream gradient `e` shaped like its output. */
function withDy(ctx: PropertyContext): fc.Arbitrary<Scenario<Tensor>> {
  return scenario(ctx, VALUES, (cfg) => tensorData(cfg.dtype, outputShape(cfg), VALUES));
}

function asFloat32(t: Tensor): Tensor {
  return t.data instanceof Float32Array ? t : { shape: t.shape, data: Float32Array.from(t.data) };
}

/** The implementation's result for `op`. */
async function implResult(ctx: PropertyContext, op: OracleOp, c: ConvCase, dy: Tensor): Promise<Tensor> {
  if (op === 'forward') return checkResult('conv2d', await ctx.impl.conv2d(c.input, c.weight, c.options));
  const g = await ctx.impl.conv2dBackward!(dy, c.input, c.weight, c.options);
  return op === 'gradInput' ? g.gradInput : g.gradWeight;
}

function oracleResult(o: Oracle, op: OracleOp, c: ConvCase, dy: Tensor): Tensor {
  if (op === 'forward') return o.conv2d(c);
  return op === 'gradInput' ? o.gradInput!(c, dy) : o.gradWeight!(c, dy);
}

function bound(op: OracleOp, c: ConvCase, dy: Tensor): Expectation {
  if (op === 'forward') return forwardExpectation(c);
  const e = gradientExpectations(c, dy);
  return op === 'gradInput' ? e.gradInput : e.gradWeight;
}

/**
 * The case as the oracles must compute it: an implementation that declares its bare
 * `'same'` to be SAME_LOWER is checked against the oracles' `'same-lower'` (the explicit
 * name), never against a reinterpretation of theirs.
 */
function oracleCase(ctx: PropertyContext, c: ConvCase): ConvCase {
  if (ctx.conventions.same !== 'lower' || c.options.padding !== 'same') return c;
  return { ...c, options: { ...c.options, padding: 'same-lower' } };
}

/** Compares the implementation with every oracle that takes the case; throws on the first disagreement. */
async function checkAgainstOracles(
  ctx: PropertyContext,
  op: OracleOp,
  { c: asked, e: dy }: Scenario<Tensor>,
): Promise<void> {
  const c = oracleCase(ctx, asked);
  const reasons: string[] = [];
  let mine: Tensor | null = null;
  for (const o of ctx.oracles.filter((x) => x.ops.includes(op))) {
    const why = o.unsupported(c, op, dy);
    if (why) {
      reasons.push(`${o.name}: ${why}`);
      continue;
    }
    mine ??= asFloat32(await implResult(ctx, op, asked, dy));
    const theirs = oracleResult(o, op, c, dy);
    const b = bound(op, c, dy);
    if (theirs.shape.join() !== b.shape.join()) {
      throw new Error(
        `${o.name} itself returned shape [${theirs.shape.join(', ')}] where the size formula gives [${b.shape.join(', ')}] (an oracle defect)`,
      );
    }
    const want: Expectation = { ...b, value: Float64Array.from(theirs.data), dtype: 'float32' };
    const cmp = compareBounded(mine, want, ctx.conventions.precision);
    if (!cmp.ok) throw new Error(`disagrees with ${o.name}: ${cmp.message}`);
    ctx.observe(cmp.worstRatio);
  }
  if (mine === null) ctx.skipCase(reasons.join('; '));
}

const WHAT: Record<OracleOp, string> = {
  forward: 'conv2d',
  gradInput: "conv2dBackward's gradInput",
  gradWeight: "conv2dBackward's gradWeight",
};

function oracleProperty(op: OracleOp): PropertyDefinition {
  return {
    name: `for any valid case${op === 'forward' ? '' : ' and upstream gradient'}, ${WHAT[op]} agrees with every ready TensorFlow.js oracle within c·γ_n·M (float32)`,
    group: 'oracle',
    requires: op === 'forward' ? ['conv2d'] : ['conv2dBackward'],
    skip: (ctx) => {
      if (ctx.oracles.some((o) => o.ops.includes(op))) return null;
      if (ctx.oracles.length === 0)
        return 'no oracle was given (loadOracles() from convproof/properties provides them)';
      return `no ready oracle computes ${op}: ${ctx.oracles.map((o) => o.whyUnavailable ?? `${o.name} offers ${o.ops.join(', ') || 'nothing'}`).join('; ')}`;
    },
    property: (ctx) => fc.asyncProperty(withDy(ctx), (s) => checkAgainstOracles(ctx, op, s)),
  };
}

/** The transposed conv against every ready oracle that has one; a case none takes is skipped with their reasons. */
async function checkTransposeAgainstOracles(ctx: PropertyContext, c: TransposeCase): Promise<void> {
  const reasons: string[] = [];
  let mine: Tensor | null = null;
  const want = transposeExpectation(c);
  for (const o of ctx.oracles) {
    const why = o.unsupportedTranspose ? o.unsupportedTranspose(c) : `${o.name} has no transposed conv`;
    if (why) {
      reasons.push(`${o.name}: ${why}`);
      continue;
    }
    mine ??= asFloat32(checkResult('convTranspose2d', await ctx.impl.convTranspose2d!(c.input, c.weight, c.options)));
    const theirs = o.convTranspose2d!(c);
    if (theirs.shape.join() !== want.shape.join())
      throw new Error(
        `${o.name} itself returned shape [${theirs.shape.join(', ')}] where the size formula gives [${want.shape.join(', ')}] (an oracle defect)`,
      );
    const cmp = compareBounded(
      mine,
      { ...want, value: Float64Array.from(theirs.data), dtype: 'float32' },
      ctx.conventions.precision,
    );
    if (!cmp.ok) throw new Error(`disagrees with ${o.name}: ${cmp.message}`);
    ctx.observe(cmp.worstRatio);
  }
  if (mine === null) ctx.skipCase(reasons.join('; '));
}

const transposeOracleProperty: PropertyDefinition = {
  name: 'for any transposed case, convTranspose2d agrees with every ready TensorFlow.js oracle (conv2dTranspose: Conv2DBackpropInput with the output shape) within c·γ_n·M (float32)',
  group: 'oracle',
  requires: ['convTranspose2d'],
  skip: (ctx) =>
    ctx.oracles.some((o) => o.ops.includes('gradInput') && o.convTranspose2d)
      ? null
      : 'no ready oracle computes a transposed conv (loadOracles() from convproof/properties provides them)',
  property: (ctx) =>
    fc.asyncProperty(transposeCase(transposeConstraints(ctx, VALUES)), (c) => checkTransposeAgainstOracles(ctx, c)),
};

/**
 * The oracle group's properties: forward, gradInput and gradWeight, each
 * against every ready oracle that computes it, and the transposed conv.
 * @example oracleProperties.map((p) => p.name)
 */
export const oracleProperties: readonly PropertyDefinition[] = [
  oracleProperty('forward'),
  oracleProperty('gradInput'),
  oracleProperty('gradWeight'),
  transposeOracleProperty,
];
