/**
 * A direct check of an adapter against the suite's float64 model, on random
 * cases (convCase / transposeCase, float32, zero padding): each result is
 * compared with the model's expectation by the one comparator; a case the
 * adapter refuses (`UnsupportedCase`, pinned defects included) is counted by
 * reason, never passed. `verify` does this and more once it takes async
 * implementations; this keeps the adapters tested on their own.
 */
import fc from 'fast-check';
import type { Adapter } from '../../adapters/types.js';
import { convCase } from '../../properties/arbitraries/index.js';
import {
  type Comparison,
  compareBounded,
  forwardExpectation,
  gradientExpectations,
  transposeExpectation,
} from '../../properties/spec/index.js';
import { isUnsupportedCase } from '../../properties/support.js';
import { transposeCase } from '../../properties/transpose.js';
import { tensorData } from '../../properties/arbitraries/index.js';
import { resolveConv, resolveTranspose, transposeGradientExpectations } from '../../properties/spec/index.js';
import type { SizeLimits } from '../../properties/types.js';
import type { Conventions, Supports } from '../../properties/support.js';
import type { ConvCase } from '../../properties/types.js';
import type { Conv2dOptions, Tensor } from '../../src/index.js';

export interface CheckResult {
  /** Cases compared with the model and found within the bound. */
  held: number;
  /** Refused cases, by reason. */
  notApplicable: Record<string, number>;
  /** The first failure (after shrinking), or null. */
  failure: string | null;
}

type Op = 'conv2d' | 'conv2dBackward' | 'convTranspose2d' | 'convTranspose2dBackward';

/** Why a drawn case lies outside `s` (a stand-in for verify's drawing from the declared support), or null. */
export function outside(s: Supports, c: { input: Tensor; options: Conv2dOptions }): string | null {
  const o = c.options;
  const form =
    o.padding === undefined
      ? 'valid'
      : typeof o.padding === 'string'
        ? o.padding
        : typeof o.padding === 'number'
          ? 'number'
          : typeof o.padding[0] === 'number'
            ? 'pair'
            : 'explicit';
  const pair = (v: number | readonly [number, number] | undefined) =>
    v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v;
  const [sh, sw] = pair(o.stride);
  const [dh, dw] = pair(o.dilation);
  if (s.dtypes && !s.dtypes.includes(c.input.data instanceof Float32Array ? 'float32' : 'float64')) return 'dtype';
  if (s.padding && !s.padding.includes(form)) return `padding ${form}`;
  if (s.paddingModes && !s.paddingModes.includes(o.paddingMode ?? 'zeros')) return 'padding mode';
  if ((s.stride === 'equal' && sh !== sw) || (s.stride === 'none' && sh * sw > 1)) return 'stride';
  if (s.dilation === false && dh * dw > 1) return 'dilation';
  if (s.groups === 'none' && (o.groups ?? 1) > 1) return 'groups';
  if (s.unbatched === false && c.input.shape.length === 3) return 'unbatched';
  return null;
}

/**
 * The case as the model must see it under the declared conventions: with
 * `same: 'lower'`, `'same'` becomes its SAME_LOWER pads (SAME_UPPER's, each
 * axis's pair swapped). Verify's own handling replaces this once merged.
 */
function declared(conv: Conventions, c: ConvCase): ConvCase {
  if (conv.same !== 'lower' || c.options.padding !== 'same') return c;
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const padding: [[number, number], [number, number]] = [
    [r.bottom, r.top],
    [r.right, r.left],
  ];
  return { ...c, options: { ...c.options, padding } };
}

/** Draws near the declared support (verify draws inside it; `outside` drops the rest). */
function arbitrary(op: Op, limits: Partial<SizeLimits>, s: Supports) {
  const narrowed = {
    ...(s.groups === 'none' ? { maxGroups: 1 } : {}),
    ...(s.dilation === false ? { maxDilation: 1 } : {}),
    ...(s.stride === 'none' ? { maxStride: 1 } : {}),
    ...(s.padding ? { paddings: [...s.padding, ...(s.padding.includes('valid') ? (['omitted'] as const) : [])] } : {}),
    ...(s.unbatched === false ? { unbatched: false } : {}),
    ...(s.maxKernel ? { maxKernel: s.maxKernel } : {}),
  };
  const base = {
    ...limits,
    ...narrowed,
    dtype: 'float32' as const,
    paddingModes: s.paddingModes ?? ['zeros' as const],
  };
  if (op === 'convTranspose2d') return transposeCase({ ...limits, dtype: 'float32' });
  if (op === 'convTranspose2dBackward')
    return transposeCase({ ...limits, dtype: 'float32' }).chain((c) => {
      const shape = resolveTranspose(c.input.shape, c.weight.shape, c.options).outputShape;
      return tensorData('float32', shape).map((dy) => ({ ...c, dy }));
    });
  if (op === 'conv2d') return convCase(base);
  return convCase(base).chain((c) => {
    const shape = resolveConv(c.input.shape, c.weight.shape, c.options).outputShape;
    return tensorData('float32', shape).map((dy) => ({ ...c, dy }));
  });
}

/**
 * Runs `runs` cases of `op` through `adapter` and compares each with the model.
 * @example const r = await checkAdapter(onnxruntimeAdapter(ort), 'conv2d', { runs: 60, seed: 42 }); r.failure // null
 */
export async function checkAdapter(
  adapter: Adapter,
  op: Op,
  { runs = 60, seed = 42, limits = {} as Partial<SizeLimits> } = {},
): Promise<CheckResult> {
  const result: CheckResult = { held: 0, notApplicable: {}, failure: null };
  const prop = fc.asyncProperty(arbitrary(op, limits, adapter.supports), async (c) => {
    const out = outside(adapter.supports, c as never);
    if (out) {
      result.notApplicable[`outside supports: ${out}`] = (result.notApplicable[`outside supports: ${out}`] ?? 0) + 1;
      return;
    }
    try {
      let cmp: Pick<Comparison, 'ok' | 'message'>;
      if (op === 'conv2d')
        cmp = compareBounded(
          await adapter.conv2d(c.input, c.weight, c.options),
          forwardExpectation(declared(adapter.conventions, c as never)),
        );
      else if (op === 'convTranspose2d')
        cmp = compareBounded(
          await adapter.convTranspose2d!(c.input, c.weight, c.options as never),
          transposeExpectation(c as never),
        );
      else {
        const dy = (c as unknown as { dy: never }).dy;
        const transposed = op === 'convTranspose2dBackward';
        const g = transposed
          ? await adapter.convTranspose2dBackward!(dy, c.input, c.weight, c.options as never)
          : await adapter.conv2dBackward!(dy, c.input, c.weight, c.options as never);
        const e = transposed ? transposeGradientExpectations(c as never, dy) : gradientExpectations(c as never, dy);
        cmp = [
          compareBounded(g.gradInput, e.gradInput),
          compareBounded(g.gradWeight, e.gradWeight),
          compareBounded(g.gradBias, e.gradBias),
        ].find((x) => !x.ok) ?? { ok: true, message: '' };
      }
      if (!cmp.ok) throw new Error(cmp.message);
      result.held++;
    } catch (e) {
      if (!isUnsupportedCase(e)) throw e;
      const reason = (e as Error).message;
      result.notApplicable[reason] = (result.notApplicable[reason] ?? 0) + 1;
    }
  });
  const details = await fc.check(prop, { numRuns: runs, seed });
  if (details.failed)
    result.failure = `${String(details.errorInstance)}\ncase: ${fc.stringify(details.counterexample)}`;
  return result;
}
