/**
 * Gradient properties of conv2d: each a sentence, each checking ANY
 * implementation's `conv2dBackward` (and, where named, its `conv2d` or
 * `convTranspose2d`) against definitions that never touch its code.
 *
 * conv2d is linear in x, in w and in b separately, so a loss
 * `L = ⟨conv2d(x, w, b), dy⟩` is linear in each of them: a central
 * difference with step 1 has no truncation error, and on small-integer
 * float64 data every sum is exact. The identities below are therefore
 * compared exactly, in the JAX style of inner products along random
 * directions (one scalar per gradient, not one difference per element).
 * Only the accuracy property uses general values and the error bound.
 */
import fc from 'fast-check';
import type { Conv2dGradients, DType, Tensor } from '../src/index.js';
import { sampleValue } from './arbitraries/convValue.js';
import { checkResult, fail, resolved, run, scenario, without, type Scenario } from './scenario.js';
import {
  expectBounded,
  expectExact,
  gradientExpectations,
  modelConv2dBackward,
  modelConvTranspose2d,
  resolveConv,
  resolveTranspose,
  restoringTransposeOptions,
} from './spec/index.js';
import { seededRandom } from '../src/random.js';
import { count, dtypeOfTensor, fromFunction, sameShape, showShape } from './tensors.js';
import type { ConvCase, PropertyContext, PropertyDefinition } from './types.js';

const INTEGER = { kind: 'integer' } as const;

/** Extra draws of a gradient property: a seed for dy and the random directions. */
interface Directions {
  readonly seed: number;
}

const directions = (): fc.Arbitrary<Directions> => fc.record({ seed: fc.nat() });

type GradientScenario = Scenario<Directions>;

/** A tensor of `shape` with small integers in [−3, 3] (so every sum is exact). */
function integers(dtype: DType, shape: readonly number[], rand: () => number): Tensor {
  return fromFunction(dtype, shape, () => Math.floor(rand() * 7) - 3);
}

/** The case with its tensors converted to float64 (exact: they hold float32 values). */
function asFloat64(c: ConvCase): ConvCase {
  const up = (t: Tensor): Tensor => fromFunction('float64', t.shape, (i) => t.data[i]);
  const bias = c.options.bias ? up(c.options.bias) : null;
  return {
    input: up(c.input),
    weight: up(c.weight),
    options: bias ? { ...c.options, bias } : without(c.options, 'bias'),
  };
}

/** Σ a[i]·b[i] in float64 (exact for the small integers used here). */
function dot(a: Tensor, b: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

/** `t + k·u`, elementwise, in t's dtype. */
function step(t: Tensor, u: Tensor, k: number): Tensor {
  return fromFunction(dtypeOfTensor(t), t.shape, (i) => t.data[i] + k * u.data[i]);
}

/** Calls the implementation's backward and checks the three shapes before anything else reads them. */
async function backward(ctx: PropertyContext, dy: Tensor, c: ConvCase): Promise<Conv2dGradients> {
  const g = await ctx.impl.conv2dBackward!(dy, c.input, c.weight, c.options);
  const check = (label: string, t: Tensor, shape: readonly number[]) => {
    if (!sameShape(t.shape, shape) || t.data.length !== count(shape)) {
      fail(`${label} has shape ${showShape(t.shape)} (${t.data.length} elements), expected ${showShape(shape)}`);
    }
    if (dtypeOfTensor(t) !== dtypeOfTensor(c.input))
      fail(`${label} is ${dtypeOfTensor(t)}, the input ${dtypeOfTensor(c.input)}`);
  };
  check('gradInput', g.gradInput, c.input.shape);
  check('gradWeight', g.gradWeight, c.weight.shape);
  check('gradBias', g.gradBias, [c.weight.shape[0]]);
  return g;
}

/** An upstream gradient of the forward output's shape. */
function upstream(c: ConvCase, rand: () => number, mixed = false): Tensor {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const dtype = dtypeOfTensor(c.input);
  return mixed ? fromFunction(dtype, r.outputShape, () => sampleValue(rand)) : integers(dtype, r.outputShape, rand);
}

// ---------------------------------------------------------------- central differences

type Argument = 'input' | 'weight' | 'bias';

/** The case with one argument moved by k·u. */
function moved(c: ConvCase, which: Argument, u: Tensor, k: number): ConvCase {
  if (which === 'bias') return { ...c, options: { ...c.options, bias: step(c.options.bias!, u, k) } };
  return { ...c, [which]: step(c[which], u, k) };
}

async function checkCentralDifferences(ctx: PropertyContext, { c: generated, e }: GradientScenario): Promise<void> {
  const c = asFloat64(generated);
  const rand = seededRandom(e.seed);
  const dy = upstream(c, rand);
  const g = await backward(ctx, dy, c);
  const loss = async (k: ConvCase): Promise<number> => dot(await run(ctx, k), dy);
  const grads: Record<Argument, Tensor> = { input: g.gradInput, weight: g.gradWeight, bias: g.gradBias };
  const args: Argument[] = c.options.bias ? ['input', 'weight', 'bias'] : ['input', 'weight'];
  for (const which of args) {
    const at = which === 'bias' ? c.options.bias! : c[which];
    const u = integers('float64', at.shape, rand);
    const difference = ((await loss(moved(c, which, u, 1))) - (await loss(moved(c, which, u, -1)))) / 2;
    const predicted = dot(grads[which], u);
    if (difference !== predicted) {
      fail(
        `along a random direction u of the ${which}, the central difference (L(+u) − L(−u))/2 of L = ⟨conv2d, dy⟩ is ${difference}, but ⟨grad${which[0].toUpperCase()}${which.slice(1)}, u⟩ is ${predicted} (float64, exact on integer data)`,
      );
    }
  }
}

// ---------------------------------------------------------------- adjoint identity

async function checkAdjoint(ctx: PropertyContext, { c, e }: GradientScenario): Promise<void> {
  const dy = upstream(c, seededRandom(e.seed));
  const g = await backward(ctx, dy, c);
  const y = await run(ctx, c);
  if (!sameShape(y.shape, dy.shape))
    fail(`conv2d output ${showShape(y.shape)} does not match the expected ${showShape(dy.shape)}`);
  const b = c.options.bias;
  const viaBias = b ? dot(b, g.gradBias) : 0;
  const [forward, viaX, viaW] = [
    dot(y, dy),
    dot(c.input, g.gradInput) + viaBias,
    dot(c.weight, g.gradWeight) + viaBias,
  ];
  const bias = b ? ' + ⟨b, db⟩' : '';
  if (forward !== viaX) fail(`⟨conv2d(x, w), dy⟩ = ${forward} but ⟨x, dX⟩${bias} = ${viaX} (exact on integer data)`);
  if (forward !== viaW) fail(`⟨conv2d(x, w), dy⟩ = ${forward} but ⟨w, dW⟩${bias} = ${viaW} (exact on integer data)`);
}

// ---------------------------------------------------------------- bias gradient

/** The model's float64 values as a tensor of `dtype` (exact for the small integers used here). */
function asTensor(dtype: DType, shape: readonly number[], values: Float64Array): Tensor {
  return fromFunction(dtype, shape, (i) => values[i]);
}

async function checkBiasGradient(ctx: PropertyContext, { c, e }: GradientScenario): Promise<void> {
  const dy = upstream(c, seededRandom(e.seed));
  const r = resolved(ctx, c);
  const sums = modelConv2dBackward(r, c.input, c.weight, dy).gradBias;
  expectExact(
    (await backward(ctx, dy, c)).gradBias,
    asTensor(dtypeOfTensor(c.input), [r.O], sums),
    'gradBias against Σ dy over batch and space',
  );
}

// ---------------------------------------------------------------- gradInput as a transposed conv

/**
 * gradInput and convTranspose2d(dy, w) (same stride, dilation, groups and
 * explicit pads, and the output padding that restores H) must both equal
 * the spec's transposed conv, a scatter that shares no code with its
 * gradInput: each routine is compared with the independent model, never
 * only with the other.
 */
async function checkTransposeEquivalence(ctx: PropertyContext, { c, e }: GradientScenario): Promise<void> {
  const dy = upstream(c, seededRandom(e.seed));
  const options = restoringTransposeOptions(resolved(ctx, c));
  const rt = resolveTranspose(dy.shape, c.weight.shape, options);
  const want = asTensor(dtypeOfTensor(c.input), rt.outputShape, modelConvTranspose2d(rt, dy, c.weight, null).value);
  const what = `the spec's transposed conv of dy with outputPadding [${options.outputPadding}]`;
  expectExact((await backward(ctx, dy, c)).gradInput, want, `gradInput against ${what}`);
  expectExact(
    checkResult('convTranspose2d', await ctx.impl.convTranspose2d!(dy, c.weight, options)),
    want,
    `convTranspose2d(dy, w) against ${what}`,
  );
}

// ---------------------------------------------------------------- accuracy

async function checkAccuracy(ctx: PropertyContext, { c, e }: GradientScenario): Promise<void> {
  const dy = upstream(c, seededRandom(e.seed), true);
  const g = await backward(ctx, dy, c);
  const want = gradientExpectations(c, dy, ctx.conventions);
  const precision = ctx.conventions.precision;
  ctx.observe(expectBounded(g.gradInput, want.gradInput, precision));
  ctx.observe(expectBounded(g.gradWeight, want.gradWeight, precision));
  ctx.observe(expectBounded(g.gradBias, want.gradBias, precision));
}

// ---------------------------------------------------------------- empty batch

async function checkEmptyBatch(ctx: PropertyContext, { c }: GradientScenario): Promise<void> {
  const r = resolved(ctx, c);
  const dtype = dtypeOfTensor(c.input);
  const empty: ConvCase = { ...c, input: fromFunction(dtype, [0, r.C, r.H, r.W], () => 0) };
  const dy = fromFunction(dtype, [0, r.O, r.OH, r.OW], () => 0);
  const g = await backward(ctx, dy, empty);
  expectExact(
    g.gradWeight,
    fromFunction(dtype, c.weight.shape, () => 0),
    'gradWeight of an empty batch',
  );
  expectExact(
    g.gradBias,
    fromFunction(dtype, [r.O], () => 0),
    'gradBias of an empty batch',
  );
}

// ---------------------------------------------------------------- purity

function bytes(t: Tensor): string {
  return `${showShape(t.shape)}:${Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).join(',')}`;
}

async function checkPurity(ctx: PropertyContext, { c, e }: GradientScenario): Promise<void> {
  const dy = upstream(c, seededRandom(e.seed), true);
  const snap = (): string =>
    [dy, c.input, c.weight, ...(c.options.bias ? [c.options.bias] : [])].map(bytes).join('|') +
    JSON.stringify(without(c.options, 'bias'));
  const before = snap();
  const g = await backward(ctx, dy, c);
  if (snap() !== before) fail('conv2dBackward changed its arguments (gradOutput, input, weight, bias or options)');
  const mine = [dy, c.input, c.weight, c.options.bias].map((t) => t?.data.buffer);
  for (const [name, t] of Object.entries(g))
    if (mine.includes((t as Tensor).data.buffer)) fail(`${name} shares storage with an argument`);
}

// ---------------------------------------------------------------- the list

function gradient(
  name: string,
  constraints: object,
  check: (ctx: PropertyContext, s: GradientScenario) => Promise<void>,
  more: Partial<PropertyDefinition> = {},
): PropertyDefinition {
  return {
    name,
    group: 'gradient',
    requires: ['conv2dBackward'],
    property: (ctx) => fc.asyncProperty(scenario(ctx, constraints, directions), (s) => check(ctx, s)),
    ...more,
  };
}

/**
 * The gradient properties, in report order. Each needs `conv2dBackward`;
 * those that also call `conv2d` or `convTranspose2d` say so in `requires`.
 * @example for (const p of gradientProperties) console.log(p.name)
 */
export const gradientProperties: readonly PropertyDefinition[] = [
  gradient(
    'for any case, each gradient matches float64 central differences of ⟨conv2d, dy⟩ along random directions',
    INTEGER,
    checkCentralDifferences,
    { requires: ['conv2d', 'conv2dBackward'] },
  ),
  gradient(
    'for any case, ⟨conv2d(x, w), dy⟩ = ⟨x, dX⟩ = ⟨w, dW⟩ (the adjoint identity, with ⟨b, db⟩ for a bias)',
    INTEGER,
    checkAdjoint,
    { requires: ['conv2d', 'conv2dBackward'] },
  ),
  gradient('for any case, gradBias is the sum of gradOutput over batch and space', INTEGER, checkBiasGradient),
  gradient(
    'for any zero-padded case, gradInput equals convTranspose2d(dy, w) with the output padding that restores H',
    { ...INTEGER, paddingModes: ['zeros'] },
    checkTransposeEquivalence,
    { requires: ['conv2dBackward', 'convTranspose2d'] },
  ),
  gradient('for any case, every gradient is within the error bound of the float64 model', {}, checkAccuracy),
  gradient('for any case, the gradients of an empty batch are zeros of the right shapes', INTEGER, checkEmptyBatch, {
    runsFactor: 0.25,
  }),
  gradient('for any case, conv2dBackward leaves its arguments unchanged and returns fresh storage', {}, checkPurity),
];
