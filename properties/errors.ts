/**
 * The opt-in `errors` group: how an implementation treats invalid calls.
 * Other implementations throw their own error types, so the property asks
 * only that an invalid call throws an `Error` with a message, never returns
 * a tensor. Each case is a valid one broken in exactly one way that the
 * design's semantics forbid.
 */
import fc from 'fast-check';
import type { Conv2dOptions, Tensor } from '../src/index.js';
import type { ConvConfig } from './arbitraries/convConfig.js';
import { scenario, showValue, type Scenario } from './scenario.js';
import { dtypeOfTensor, fromFunction, showShape, storage } from './tensors.js';
import type { ConvCase, PropertyDefinition } from './types.js';

/** One way to break a valid case. */
export interface Breakage {
  readonly what: string;
  readonly apply: (c: ConvCase, cfg: ConvConfig) => ConvCase;
}

const withOptions = (c: ConvCase, extra: Record<string, unknown>): ConvCase => ({
  ...c,
  options: { ...c.options, ...extra } as Conv2dOptions,
});

const zeros = (t: Tensor, shape: readonly number[]): Tensor => fromFunction(dtypeOfTensor(t), shape, () => 0);

/**
 * Breakages, each invalid whatever the case it is applied to.
 * @example BREAKAGES.map((b) => b.what) // ['stride 0 on the width', 'negative padding', …]
 */
export const BREAKAGES: readonly Breakage[] = [
  { what: 'stride 0 on the width', apply: (c, cfg) => withOptions(c, { stride: [cfg.stride[0], 0] }) },
  {
    what: 'negative padding',
    apply: (c) =>
      withOptions(c, {
        padding: [
          [0, -1],
          [0, 0],
        ],
        paddingMode: 'zeros',
      }),
  },
  { what: 'dilation 0', apply: (c) => withOptions(c, { dilation: 0 }) },
  { what: 'a fractional stride', apply: (c) => withOptions(c, { stride: 1.5 }) },
  { what: "an unknown paddingMode 'mirror'", apply: (c) => withOptions(c, { paddingMode: 'mirror' }) },
  {
    what: 'groups that divide neither C nor O',
    apply: (c, cfg) => withOptions(c, { groups: Math.max(cfg.C, cfg.O) + 1 }),
  },
  {
    what: 'one input channel too many',
    apply: (c, cfg) => ({
      ...c,
      input: zeros(c.input, cfg.batched ? [cfg.N, cfg.C + 1, cfg.H, cfg.W] : [cfg.C + 1, cfg.H, cfg.W]),
    }),
  },
  {
    what: 'a kernel taller than the padded input',
    apply: (c, cfg) => ({
      ...withOptions(c, { padding: 'valid', dilation: 1, paddingMode: 'zeros' }),
      weight: zeros(c.weight, [cfg.O, cfg.C / cfg.groups, cfg.H + 1, cfg.KW]),
    }),
  },
  {
    what: 'a bias of O+1 values',
    apply: (c, cfg) => withOptions(c, { bias: fromFunction(dtypeOfTensor(c.input), [cfg.O + 1], () => 1) }),
  },
  {
    what: 'input data one element short of its shape',
    apply: (c) => ({
      ...c,
      input: { shape: c.input.shape, data: storage(dtypeOfTensor(c.input), c.input.data.length).subarray(1) },
    }),
  },
  { what: 'a 2-D input', apply: (c, cfg) => ({ ...c, input: zeros(c.input, [cfg.H, cfg.W]) }) },
  {
    what: 'reflect padding as large as the input',
    apply: (c, cfg) => withOptions(c, { padding: [cfg.H, 0], paddingMode: 'reflect', dilation: 1, stride: 1 }),
  },
  {
    what: 'a weight of the other dtype',
    apply: (c) => ({
      ...c,
      weight: {
        shape: c.weight.shape,
        data:
          dtypeOfTensor(c.weight) === 'float32' ? Float64Array.from(c.weight.data) : Float32Array.from(c.weight.data),
      },
    }),
  },
];

async function checkThrows(impl: (c: ConvCase) => unknown, s: Scenario<number>): Promise<void> {
  const breakage = BREAKAGES[s.e];
  const broken = breakage.apply(s.c, s.c.config);
  let result: unknown;
  try {
    result = await impl(broken);
  } catch (e) {
    if (!(e instanceof Error) || e.message.length === 0)
      throw new Error(`conv2d with ${breakage.what} threw ${String(e)}, not an Error with a message`);
    return;
  }
  const shape = (result as Partial<Tensor> | null)?.shape;
  const what = Array.isArray(shape) ? `a tensor of shape ${showShape(shape)}` : showValue(result);
  throw new Error(`conv2d with ${breakage.what} returned ${what} instead of throwing`);
}

/**
 * The opt-in error-handling properties (`verify(impl, { groups: ['errors'] })`).
 * @example await verify(mine, { groups: ['errors'] })
 */
export const errorProperties: readonly PropertyDefinition[] = [
  {
    name: 'for any case broken in one way, conv2d throws an Error with a message instead of returning',
    group: 'errors',
    requires: ['conv2d'],
    property: (ctx) =>
      fc.asyncProperty(
        scenario(ctx, { emptyBatch: false }, () => fc.integer({ min: 0, max: BREAKAGES.length - 1 })),
        (s) => checkThrows((c) => ctx.impl.conv2d(c.input, c.weight, c.options), s),
      ),
  },
];
