/**
 * Forward properties of conv2d: each a sentence, each checking ANY
 * implementation passed in the context (never our own geometry helpers:
 * expected shapes, pads and values come from the spec, `spec/`).
 *
 * This file holds the contract (shape, accuracy, IEEE specials, purity,
 * determinism) and the list in report order; the metamorphic checks live in
 * `forward-geometry.ts` and `forward-algebra.ts`. Metamorphic properties
 * draw small-integer data, so every sum is exact in either dtype and both
 * sides must agree exactly; the accuracy property draws dyadic values and
 * uses the comparator's error bound.
 */
import fc from 'fast-check';
import type { Tensor } from '../src/index.js';
import {
  checkBatch,
  checkChannels,
  checkCorr2d,
  checkGroups,
  checkLinear,
  checkLocality,
  checkPointwise,
  combination,
  planeArbitrary,
  pokeArbitrary,
} from './forward-algebra.js';
import {
  checkDilation,
  checkImpulse,
  checkPadding,
  checkSame,
  checkStride,
  checkTranslation,
  checkTranspose,
  impulseArbitrary,
  shiftArbitrary,
} from './forward-geometry.js';
import { fail, nothing, resolved, run, scenario, without, type Scenario, type ScenarioConfig } from './scenario.js';
import { compareExact, expectBounded, forwardExpectation } from './spec/index.js';
import { count, dtypeOfTensor, sameShape, showShape } from './tensors.js';
import type { ConvCase, PropertyContext, PropertyDefinition } from './types.js';

const INTEGER = { kind: 'integer' } as const;

/** A forward property over scenarios with extras `E`. */
function forward<E>(
  name: string,
  arb: (ctx: PropertyContext) => fc.Arbitrary<Scenario<E>>,
  check: (ctx: PropertyContext, s: Scenario<E>) => Promise<void>,
  more: Partial<PropertyDefinition> = {},
): PropertyDefinition {
  return {
    name,
    group: 'forward',
    requires: ['conv2d'],
    property: (ctx) =>
      fc.asyncProperty(arb(ctx), async (s) => {
        await check(ctx, s);
      }),
    ...more,
  };
}

// ---------------------------------------------------------------- shape

async function checkShape(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const r = resolved(ctx, c);
  const y = await run(ctx, c);
  if (!sameShape(y.shape, r.outputShape))
    fail(`output shape ${showShape(y.shape)}, the size formula gives ${showShape(r.outputShape)}`);
  if (y.data.length !== count(r.outputShape))
    fail(`output shape ${showShape(y.shape)} but ${y.data.length} data elements`);
  if (dtypeOfTensor(y) !== dtypeOfTensor(c.input))
    fail(`output dtype ${dtypeOfTensor(y)}, input dtype ${dtypeOfTensor(c.input)}`);
  const shapeFn = ctx.impl.conv2dOutputShape;
  if (shapeFn) {
    const s = await shapeFn(c.input.shape, c.weight.shape, without(c.options, 'bias'));
    if (!sameShape(s, r.outputShape))
      fail(`conv2dOutputShape gives ${showShape(s)}, the size formula ${showShape(r.outputShape)}`);
  }
}

// ---------------------------------------------------------------- accuracy

async function checkAccuracy(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  ctx.observe(expectBounded(await run(ctx, c), forwardExpectation(c, ctx.conventions), ctx.conventions.precision));
}

// ---------------------------------------------------------------- IEEE specials

interface Planting {
  readonly target: 'input' | 'weight' | 'bias';
  readonly index: number;
  readonly value: number;
}

function plantingArbitrary(): fc.Arbitrary<Planting[]> {
  const one = fc.record({
    target: fc.constantFrom<Planting['target']>('input', 'input', 'weight', 'bias'),
    index: fc.nat(),
    value: fc.constantFrom(NaN, Infinity, -Infinity),
  });
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

function plant(c: ConvCase, plantings: readonly Planting[]): ConvCase {
  const edit = (t: Tensor, target: Planting['target']): Tensor => {
    const data = t.data.slice();
    for (const p of plantings) if (p.target === target && data.length > 0) data[p.index % data.length] = p.value;
    return { shape: [...t.shape], data };
  };
  const bias = c.options.bias ? edit(c.options.bias, 'bias') : null;
  return {
    input: edit(c.input, 'input'),
    weight: edit(c.weight, 'weight'),
    options: bias ? { ...c.options, bias } : c.options,
  };
}

async function checkSpecials(ctx: PropertyContext, { c, e }: Scenario<Planting[]>): Promise<void> {
  const planted = plant(c, e);
  const want = { ...forwardExpectation(planted, ctx.conventions), label: 'conv2d output with NaN/±Inf planted' };
  expectBounded(await run(ctx, planted), want, ctx.conventions.precision);
}

// ---------------------------------------------------------------- purity

function snapshot(c: ConvCase): string {
  const bytes = (t: Tensor): string =>
    Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).join(',');
  const { bias, ...rest } = c.options;
  return JSON.stringify({
    input: [c.input.shape, bytes(c.input)],
    weight: [c.weight.shape, bytes(c.weight)],
    bias: bias ? [bias.shape, bytes(bias)] : bias,
    options: rest,
  });
}

async function checkPurity(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const before = snapshot(c);
  const y = await run(ctx, c);
  if (snapshot(c) !== before) fail('conv2d changed its arguments (input, weight, bias or options)');
  const buffers = [c.input.data.buffer, c.weight.data.buffer, c.options.bias?.data.buffer];
  if (buffers.includes(y.data.buffer)) fail('conv2d returned a tensor sharing storage with one of its arguments');
  if (y.shape === c.input.shape || y.shape === c.weight.shape)
    fail("conv2d returned one of its arguments' shape arrays");
}

async function checkDeterminism(ctx: PropertyContext, { c }: Scenario<null>): Promise<void> {
  const a = await run(ctx, c);
  const b = await run(ctx, c);
  if (a.data === b.data) fail('two calls returned the same storage (outputs must be fresh)');
  const bits = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const [x, y] = [bits(a), bits(b)];
  if (!sameShape(a.shape, b.shape) || x.length !== y.length || x.some((v, i) => v !== y[i])) {
    fail(
      `two identical calls differ: ${compareExact(b, a, 'second call against first').message || 'in their bits (e.g. −0 against +0, or NaN payloads)'}`,
    );
  }
}

// ---------------------------------------------------------------- the list

const plain =
  (constraints: object = {}) =>
  (ctx: PropertyContext) =>
    scenario(ctx, constraints, nothing);
const integers = (constraints: object = {}) => plain({ ...INTEGER, ...constraints });
const withExtras =
  <E>(constraints: object, extras: (cfg: ScenarioConfig) => fc.Arbitrary<E>) =>
  (ctx: PropertyContext) =>
    scenario(ctx, constraints, extras);

/**
 * The forward properties, in report order. Each checks `ctx.impl.conv2d`
 * (corr2d's property is skipped when the implementation has none).
 * @example for (const p of forwardProperties) console.log(p.name)
 */
export const forwardProperties: readonly PropertyDefinition[] = [
  forward("for any case, the output has the input's dtype and the shape of the size formula", plain(), checkShape),
  forward('for any case, every output is within the error bound of the float64 model', plain(), checkAccuracy),
  forward(
    'for any case, transposing input and kernel with options swapped per axis transposes the output',
    integers(),
    checkTranspose,
  ),
  forward(
    'for any case, shifting the input down and right by whole strides shifts the outputs that read no top or left padding',
    withExtras({ ...INTEGER, emptyBatch: false }, shiftArbitrary),
    checkTranslation,
  ),
  forward(
    'for any case, changing one input pixel changes exactly the outputs that read it, by delta times their weights',
    withExtras({ ...INTEGER, emptyBatch: false }, pokeArbitrary),
    checkLocality,
  ),
  forward(
    'for any case, the output is affine in the input',
    withExtras(INTEGER, combination('input')),
    checkLinear('input'),
  ),
  forward(
    'for any case, the output is affine in the weight',
    withExtras(INTEGER, combination('weight')),
    checkLinear('weight'),
  ),
  forward(
    'for any case, padding in any mode equals padding the input first and then no padding',
    integers(),
    checkPadding,
  ),
  forward(
    "for any 'same' case, 'same' equals its explicit SAME_UPPER pads",
    integers({ paddings: ['same'] }),
    checkSame,
  ),
  forward(
    "for any 'same-upper' or 'same-lower' case, it equals its explicit pads, the odd one after or before",
    integers({ paddings: ['same-upper', 'same-lower'] }),
    checkSame,
  ),
  forward('for any case, a strided output is the stride-1 output subsampled', integers(), checkStride),
  forward('for any case, dilation equals a kernel with zeros between its taps', integers(), checkDilation),
  forward(
    'for any case, a grouped conv equals one conv per group, concatenated',
    integers({ maxGroups: 4 }),
    checkGroups,
  ),
  forward(
    'for any 1×1 kernel, the conv is a matrix product over channels at strided pixels',
    integers({ maxKernel: 1, paddings: ['omitted', 'valid'] }),
    checkPointwise,
  ),
  forward(
    'for any kernel, the fully padded conv of a unit impulse is the kernel rotated by 180 degrees',
    withExtras({ ...INTEGER, emptyBatch: false }, impulseArbitrary),
    checkImpulse,
  ),
  forward("for any batch, each sample's output does not depend on the other samples", integers(), checkBatch),
  forward(
    'for any case, permuting groups and channels permutes the output channels to match',
    withExtras(INTEGER, () => fc.record({ groups: fc.nat(), outputs: fc.nat(), inputs: fc.nat() })),
    checkChannels,
  ),
  forward(
    'for any 2-D input and kernel, corr2d equals conv2d on [1, 1, H, W]',
    withExtras({ ...INTEGER, paddings: ['valid'], maxStride: 1, maxDilation: 1 }, planeArbitrary),
    checkCorr2d,
    {
      skip: (ctx) => (typeof ctx.impl.corr2d === 'function' ? null : 'the implementation exports no corr2d'),
    },
  ),
  forward(
    'for any case with NaN or ±Inf planted, they reach exactly the outputs whose real taps read them',
    withExtras({}, plantingArbitrary),
    checkSpecials,
  ),
  forward('for any case, conv2d leaves its arguments unchanged and returns fresh storage', plain(), checkPurity),
  forward('for any case, two identical calls return bit-identical outputs', plain(), checkDeterminism),
];
