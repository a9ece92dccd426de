/**
 * Gradient properties of the transposed conv: ANY implementation's
 * `convTranspose2dBackward` against the spec's chain rule of the scatter
 * model (`spec/transpose-gradients.ts`), and against its own
 * `convTranspose2d` through the linearity identities (exact on integer data).
 */
import fc from 'fast-check';
import type { Conv2dGradients, Tensor } from '../src/index.js';
import { seededRandom } from '../src/random.js';
import { tensorData } from './arbitraries/tensorData.js';
import { printable, showTensor } from './arbitraries/convCase.js';
import { checkResult, fail } from './scenario.js';
import { expectBounded, resolveTranspose, transposeGradientExpectations } from './spec/index.js';
import { count, dtypeOfTensor, fromFunction, sameShape, showShape } from './tensors.js';
import { showTransposeCase, transposeCase, transposeConstraints, type TransposeCaseConstraints } from './transpose.js';
import type { PropertyContext, PropertyDefinition, TransposeCase } from './types.js';

/** A transposed case with an upstream gradient of its output's shape. */
interface BackwardScenario {
  readonly c: TransposeCase;
  readonly dy: Tensor;
  /** Seed of the random directions of the linearity identity. */
  readonly seed: number;
}

function backwardScenario(ctx: PropertyContext, constraints: TransposeCaseConstraints): fc.Arbitrary<BackwardScenario> {
  return transposeCase(transposeConstraints(ctx, constraints)).chain((c) => {
    const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
    return fc
      .record({ dy: tensorData(dtypeOfTensor(c.input), r.outputShape, constraints), seed: fc.nat() })
      .map(({ dy, seed }) =>
        printable<BackwardScenario>(
          { c, dy, seed },
          (s) => `${showTransposeCase(s.c)} with gradOutput ${showTensor(s.dy)}`,
        ),
      );
  });
}

/** Calls the implementation's transposed backward and checks the three shapes and dtypes first. */
async function backward(ctx: PropertyContext, { c, dy }: BackwardScenario): Promise<Conv2dGradients> {
  const g = await ctx.impl.convTranspose2dBackward!(dy, c.input, c.weight, c.options);
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const check = (label: keyof Conv2dGradients, shape: readonly number[]) => {
    const t = checkResult(`convTranspose2dBackward's ${label}`, g?.[label]);
    if (!sameShape(t.shape, shape) || t.data.length !== count(shape))
      fail(`${label} has shape ${showShape(t.shape)} (${t.data.length} elements), expected ${showShape(shape)}`);
    if (dtypeOfTensor(t) !== dtypeOfTensor(c.input))
      fail(`${label} is ${dtypeOfTensor(t)}, the input ${dtypeOfTensor(c.input)}`);
  };
  check('gradInput', c.input.shape);
  check('gradWeight', c.weight.shape);
  check('gradBias', [r.O]);
  return g;
}

async function checkAccuracy(ctx: PropertyContext, s: BackwardScenario): Promise<void> {
  const g = await backward(ctx, s);
  const e = transposeGradientExpectations(s.c, s.dy);
  ctx.observe(expectBounded(g.gradInput, e.gradInput));
  ctx.observe(expectBounded(g.gradWeight, e.gradWeight));
  ctx.observe(expectBounded(g.gradBias, e.gradBias));
}

function dot(a: Tensor, b: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

/**
 * L = ⟨convTranspose2d(x, w, b), dy⟩ is linear in each argument, so for integer directions u
 * the central difference (L(+u) − L(−u))/2 equals ⟨grad, u⟩ exactly (float64, integer data).
 */
async function checkCentralDifferences(ctx: PropertyContext, s: BackwardScenario): Promise<void> {
  const up = (t: Tensor): Tensor => fromFunction('float64', t.shape, (i) => t.data[i]);
  const bias = s.c.options.bias ? up(s.c.options.bias) : null;
  const c: TransposeCase = { input: up(s.c.input), weight: up(s.c.weight), options: { ...s.c.options, bias } };
  const dy = up(s.dy);
  const g = await backward(ctx, { c, dy, seed: s.seed });
  const rand = seededRandom(s.seed);
  const loss = async (k: TransposeCase): Promise<number> =>
    dot(checkResult('convTranspose2d', await ctx.impl.convTranspose2d!(k.input, k.weight, k.options)), dy);
  const shift = (t: Tensor, u: Tensor, k: number) => fromFunction('float64', t.shape, (i) => t.data[i] + k * u.data[i]);
  const args = { input: g.gradInput, weight: g.gradWeight, ...(bias ? { bias: g.gradBias } : {}) };
  for (const [which, grad] of Object.entries(args)) {
    const at = which === 'bias' ? bias! : c[which as 'input' | 'weight'];
    const u = fromFunction('float64', at.shape, () => Math.floor(rand() * 7) - 3);
    const moved = (k: number): TransposeCase =>
      which === 'bias'
        ? { ...c, options: { ...c.options, bias: shift(bias!, u, k) } }
        : { ...c, [which]: shift(at, u, k) };
    const difference = ((await loss(moved(1))) - (await loss(moved(-1)))) / 2;
    const predicted = dot(grad, u);
    if (difference !== predicted)
      fail(
        `along a random direction u of the ${which}, the central difference (L(+u) − L(−u))/2 of ` +
          `L = ⟨convTranspose2d, dy⟩ is ${difference}, but ⟨grad of the ${which}, u⟩ is ${predicted} (float64, exact on integer data)`,
      );
  }
}

/**
 * The transposed-gradient properties, in report order.
 * @example for (const p of transposeGradientProperties) console.log(p.name)
 */
export const transposeGradientProperties: readonly PropertyDefinition[] = [
  {
    name: 'for any transposed case, convTranspose2dBackward is within the error bound of the chain rule of the scatter definition',
    group: 'transpose',
    requires: ['convTranspose2dBackward'],
    property: (ctx) => fc.asyncProperty(backwardScenario(ctx, {}), (s) => checkAccuracy(ctx, s)),
  },
  {
    name: 'for any transposed case, the central differences of ⟨convTranspose2d(x, w, b), dy⟩ equal convTranspose2dBackward along random directions',
    group: 'transpose',
    requires: ['convTranspose2d', 'convTranspose2dBackward'],
    property: (ctx) =>
      fc.asyncProperty(backwardScenario(ctx, { kind: 'integer' }), (s) => checkCentralDifferences(ctx, s)),
  },
];
