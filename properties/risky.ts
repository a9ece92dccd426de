/**
 * Focused forward properties: the accuracy check of the forward group,
 * concentrated on regions where real kernels have had bugs and where the
 * general case arbitrary lands only now and then — padding modes with real
 * padding, 'same' with a stride larger than the kernel (tfjs-wasm #8405),
 * and IEEE specials next to zero padding (0·Inf must not leak in).
 *
 * They add no new rule: each compares with the float64 model of
 * `model.ts` under the bound of `compare.ts`, like the general property;
 * they only make the risky cases common, so a bug there is found in a few
 * runs instead of a few dozen.
 */
import fc from 'fast-check';
import type { Tensor } from '../src/index.js';
import { expectBounded, forwardExpectation } from './spec/index.js';
import { run, scenario, type Scenario } from './scenario.js';
import type { ConvCase, PropertyContext, PropertyDefinition } from './types.js';

/** Every padding form that pads something (given a large enough pad or kernel). */
const PADDED = ['number', 'pair', 'explicit', 'same'] as const;

async function accuracy(ctx: PropertyContext, c: ConvCase, label?: string): Promise<void> {
  const want = forwardExpectation(c, ctx.conventions);
  ctx.observe(expectBounded(await run(ctx, c), label ? { ...want, label } : want, ctx.conventions.precision));
}

/** Where to plant a special value: an input element and a weight element, by index modulo the size. */
interface Specials {
  readonly input: number;
  readonly inputValue: number;
  readonly weight: number;
  readonly weightValue: number;
}

const specials = (): fc.Arbitrary<Specials> =>
  fc.record({
    input: fc.nat(),
    inputValue: fc.constantFrom(NaN, Infinity, -Infinity),
    weight: fc.nat(),
    weightValue: fc.constantFrom(Infinity, -Infinity, NaN),
  });

function planted(t: Tensor, index: number, value: number): Tensor {
  const data = t.data.slice();
  if (data.length > 0) data[index % data.length] = value;
  return { shape: [...t.shape], data };
}

async function checkSpecialsNearPadding(ctx: PropertyContext, { c, e }: Scenario<Specials>): Promise<void> {
  const withSpecials = {
    ...c,
    input: planted(c.input, e.input, e.inputValue),
    weight: planted(c.weight, e.weight, e.weightValue),
  };
  await accuracy(ctx, withSpecials, 'conv2d output with a special in the input and one in the weight');
}

function focused<E>(
  name: string,
  arb: (ctx: PropertyContext) => fc.Arbitrary<Scenario<E>>,
  check: (ctx: PropertyContext, s: Scenario<E>) => Promise<void>,
): PropertyDefinition {
  return {
    name,
    group: 'forward',
    requires: ['conv2d'],
    property: (ctx) => fc.asyncProperty(arb(ctx), (s) => check(ctx, s)),
  };
}

/**
 * The focused forward properties, in report order.
 * @example for (const p of riskyProperties) console.log(p.name)
 */
export const riskyProperties: readonly PropertyDefinition[] = [
  focused(
    'for any case padded in reflect, replicate or circular mode, every output is within the error bound of the float64 model',
    (ctx) =>
      scenario(ctx, { paddings: PADDED, paddingModes: ['reflect', 'replicate', 'circular'] }, () => fc.constant(null)),
    (ctx, { c }) => accuracy(ctx, c),
  ),
  focused(
    "for any 'same' case with small kernels and any stride, every output is within the error bound of the float64 model",
    (ctx) =>
      scenario(ctx, { paddings: ['same'], maxKernel: 2, maxStride: Math.max(3, ctx.limits.maxStride) }, () =>
        fc.constant(null),
      ),
    (ctx, { c }) => accuracy(ctx, c),
  ),
  focused(
    'for any zero-padded case with NaN or ±Inf in both input and weight, they reach exactly the outputs whose real taps read them',
    (ctx) => scenario(ctx, { paddings: PADDED, paddingModes: ['zeros'] }, specials),
    checkSpecialsNearPadding,
  ),
];
