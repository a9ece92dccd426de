/**
 * Layout properties: an implementation's channels-last and HWIO calls
 * (`dataFormat: 'NHWC'`, `filterFormat: 'HWIO'`, tfjs's names) against the
 * float64 model on the same tensors in NCHW/OIHW. The suite moves the data
 * itself (`spec/layout.ts`), so the check needs nothing of the
 * implementation's own layout code. Only the layouts an implementation
 * declares (`supports.dataFormats`, `supports.filterFormats`) are drawn; one
 * that takes NCHW/OIHW alone does not run these (reported with the reason).
 */
import fc from 'fast-check';
import type { Conv2dGradients, Tensor } from '../src/index.js';
import { seededRandom } from '../src/random.js';
import { checkResult, fail, scenario, type Scenario } from './scenario.js';
import {
  expectBounded,
  type Expectation,
  forwardExpectation,
  gradientExpectations,
  resolveConv,
  resolveTranspose,
  transposeExpectation,
  transposeGradientExpectations,
} from './spec/index.js';
import {
  fromData,
  fromFilter,
  toData,
  toDataShape,
  toFilter,
  toFilterShape,
  type DataFormat,
  type FilterFormat,
} from './spec/layout.js';
import { UnsupportedCase, type Supports } from './support.js';
import { count, dtypeOfTensor, fromFunction, sameShape, showShape } from './tensors.js';
import { transposeCase, transposeConstraints } from './transpose.js';
import type { ConvCase, PropertyContext, PropertyDefinition, TransposeCase } from './types.js';

/** One choice of layouts other than NCHW/OIHW. */
interface Layouts {
  readonly dataFormat: DataFormat;
  readonly filterFormat: FilterFormat;
}

/** The declared layouts other than the default pair, or a refusal naming why none is left. */
function choices(s: Supports): Layouts[] {
  const data = s.dataFormats ?? ['NCHW', 'NHWC'];
  const filter = s.filterFormats ?? ['OIHW', 'HWIO'];
  const all = data.flatMap((d) => filter.map((f) => ({ dataFormat: d, filterFormat: f })));
  const other = all.filter((l) => l.dataFormat !== 'NCHW' || l.filterFormat !== 'OIHW');
  if (other.length === 0) throw new UnsupportedCase('the declared layouts are NCHW and OIHW only');
  return other;
}

const layouts = (ctx: PropertyContext): fc.Arbitrary<Layouts> => fc.constantFrom(...choices(ctx.supports));

/** The options with the layouts written in (left out when they are the defaults, as a user would). */
function withLayouts<O extends object>(o: O, l: Layouts): O & Partial<Layouts> {
  return {
    ...o,
    ...(l.dataFormat === 'NCHW' ? {} : { dataFormat: l.dataFormat }),
    ...(l.filterFormat === 'OIHW' ? {} : { filterFormat: l.filterFormat }),
  };
}

/** `got` (in the call's layout) back in NCHW/OIHW, after checking its shape against `want` read in that layout. */
function back(
  label: string,
  got: unknown,
  want: readonly number[],
  inLayout: (shape: readonly number[]) => number[],
  undo: (t: Tensor) => Tensor,
): Tensor {
  const t = checkResult(label, got);
  const shape = inLayout(want);
  if (!sameShape(t.shape, shape) || t.data.length !== count(shape))
    fail(`${label} has shape ${showShape(t.shape)}, expected ${showShape(shape)} in the call's layout`);
  return undo(t);
}

// ---------------------------------------------------------------- conv2d and its gradients

interface LayoutDraws {
  readonly layouts: Layouts;
  readonly seed: number;
}

type LayoutScenario = Scenario<LayoutDraws>;

/** The extra draws, built with the property so that an undeclared layout refuses it before any case. */
function draws(ctx: PropertyContext): () => fc.Arbitrary<LayoutDraws> {
  const arbitrary = fc.record({ layouts: layouts(ctx), seed: fc.nat() });
  return () => arbitrary;
}

async function checkForward(ctx: PropertyContext, { c, e }: LayoutScenario): Promise<void> {
  const l = e.layouts;
  const y = await ctx.impl.conv2d(
    toData(c.input, l.dataFormat),
    toFilter(c.weight, l.filterFormat),
    withLayouts(c.options, l),
  );
  const r = resolveConv(c.input.shape, c.weight.shape, c.options, ctx.conventions.same);
  const got = back(
    'conv2d',
    y,
    r.outputShape,
    (s) => toDataShape(s, l.dataFormat),
    (t) => fromData(t, l.dataFormat),
  );
  ctx.observe(expectBounded(got, forwardExpectation(c, ctx.conventions)));
}

/** An upstream gradient of small integers and dyadic values (the bound judges the rest). */
function upstream(c: ConvCase | TransposeCase, shape: readonly number[], seed: number): Tensor {
  const rand = seededRandom(seed);
  return fromFunction(dtypeOfTensor(c.input), shape, () => (Math.floor(rand() * 65) - 32) / 8);
}

/** The three gradients back in NCHW/OIHW (shapes checked in the call's layouts), each within its bound. */
function expectGradients(
  ctx: PropertyContext,
  g: Conv2dGradients,
  l: Layouts,
  want: Record<keyof Conv2dGradients, Expectation>,
  fn: string,
): void {
  const data = [
    (s: readonly number[]) => toDataShape(s, l.dataFormat),
    (t: Tensor) => fromData(t, l.dataFormat),
  ] as const;
  const filter = [
    (s: readonly number[]) => toFilterShape(s, l.filterFormat),
    (t: Tensor) => fromFilter(t, l.filterFormat),
  ] as const;
  const same = [(s: readonly number[]) => [...s], (t: Tensor) => t] as const;
  const moves = { gradInput: data, gradWeight: filter, gradBias: same };
  for (const k of ['gradInput', 'gradWeight', 'gradBias'] as const) {
    const [move, undo] = moves[k];
    const got = back(`${fn}'s ${k}`, g?.[k], want[k].shape, move, undo);
    ctx.observe(expectBounded(got, want[k]));
  }
}

async function checkBackward(ctx: PropertyContext, { c, e }: LayoutScenario): Promise<void> {
  const l = e.layouts;
  const r = resolveConv(c.input.shape, c.weight.shape, c.options, ctx.conventions.same);
  const dy = upstream(c, r.outputShape, e.seed);
  const g = await ctx.impl.conv2dBackward!(
    toData(dy, l.dataFormat),
    toData(c.input, l.dataFormat),
    toFilter(c.weight, l.filterFormat),
    withLayouts(c.options, l),
  );
  expectGradients(ctx, g, l, gradientExpectations(c, dy, ctx.conventions), 'conv2dBackward');
}

// ---------------------------------------------------------------- the transposed conv and its gradients

interface TransposeLayoutScenario {
  readonly c: TransposeCase;
  readonly e: LayoutDraws;
}

function transposeScenario(ctx: PropertyContext): fc.Arbitrary<TransposeLayoutScenario> {
  return fc.record({ c: transposeCase(transposeConstraints(ctx, {})), e: draws(ctx)() });
}

async function checkTranspose(ctx: PropertyContext, { c, e }: TransposeLayoutScenario): Promise<void> {
  const l = e.layouts;
  const y = await ctx.impl.convTranspose2d!(
    toData(c.input, l.dataFormat),
    toFilter(c.weight, l.filterFormat),
    withLayouts(c.options, l),
  );
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const shape = (s: readonly number[]) => toDataShape(s, l.dataFormat);
  const got = back('convTranspose2d', y, r.outputShape, shape, (t) => fromData(t, l.dataFormat));
  ctx.observe(expectBounded(got, transposeExpectation(c)));
}

async function checkTransposeBackward(ctx: PropertyContext, { c, e }: TransposeLayoutScenario): Promise<void> {
  const l = e.layouts;
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const dy = upstream(c, r.outputShape, e.seed);
  const g = await ctx.impl.convTranspose2dBackward!(
    toData(dy, l.dataFormat),
    toData(c.input, l.dataFormat),
    toFilter(c.weight, l.filterFormat),
    withLayouts(c.options, l),
  );
  expectGradients(ctx, g, l, transposeGradientExpectations(c, dy), 'convTranspose2dBackward');
}

/**
 * The layout properties, in report order (group `'forward'`, `'gradient'` and `'transpose'`).
 * @example for (const p of layoutProperties) console.log(p.name)
 */
export const layoutProperties: readonly PropertyDefinition[] = [
  {
    name: "for any case in the declared layouts (dataFormat 'NHWC', filterFormat 'HWIO'), conv2d equals the float64 model on the same tensors in NCHW/OIHW within the error bound",
    group: 'forward',
    requires: ['conv2d'],
    property: (ctx) => fc.asyncProperty(scenario(ctx, {}, draws(ctx)), (s) => checkForward(ctx, s)),
  },
  {
    name: 'for any case in the declared layouts, conv2dBackward returns its gradients in those layouts, within the error bound of the model',
    group: 'gradient',
    requires: ['conv2dBackward'],
    property: (ctx) => fc.asyncProperty(scenario(ctx, {}, draws(ctx)), (s) => checkBackward(ctx, s)),
  },
  {
    name: 'for any transposed case in the declared layouts (HWIO: [KH, KW, O/g, C]), convTranspose2d equals the scatter definition within the error bound',
    group: 'transpose',
    requires: ['convTranspose2d'],
    property: (ctx) => fc.asyncProperty(transposeScenario(ctx), (s) => checkTranspose(ctx, s)),
  },
  {
    name: 'for any transposed case in the declared layouts, convTranspose2dBackward returns its gradients in those layouts, within the error bound of the chain rule',
    group: 'transpose',
    requires: ['convTranspose2dBackward'],
    property: (ctx) => fc.asyncProperty(transposeScenario(ctx), (s) => checkTransposeBackward(ctx, s)),
  },
];
