/**
 * Known upstream defects, pinned: each names its issue, the exact cases it
 * hits (`when`) and a witness call on which it shows today. `pinDefects`
 * turns the hit cases into not-applicable ones (an `UnsupportedCase` whose
 * message names the issue), so a suite run reports only new defects;
 * `recheckDefects` runs each witness against the float64 model, so a test
 * learns when an upgrade fixed one and its pin can go. A user pins their own
 * defects the same way: a list of `KnownDefect` beside their implementation.
 */
import type { Conv2dGradients, Conv2dOptions, ConvTranspose2dOptions, Tensor } from '../src/index.js';
import {
  compareBounded,
  forwardExpectation,
  fromData,
  fromFilter,
  gradientExpectations,
  transposeExpectation,
  transposeGradientExpectations,
  type Comparison,
  type Expectation,
} from '../properties/spec/index.js';
import { UnsupportedCase } from '../properties/support.js';
import type { Adapter } from './types.js';

/** One call of an implementation, as a defect's `when` sees it. */
export type DefectCall =
  | { readonly op: 'conv2d'; readonly input: Tensor; readonly weight: Tensor; readonly options: Conv2dOptions }
  | {
      readonly op: 'conv2dBackward';
      readonly input: Tensor;
      readonly weight: Tensor;
      readonly options: Conv2dOptions;
      /** The upstream gradient, shaped like the forward output. */
      readonly gradOutput: Tensor;
    }
  | {
      readonly op: 'convTranspose2d';
      readonly input: Tensor;
      readonly weight: Tensor;
      readonly options: ConvTranspose2dOptions;
    }
  | {
      readonly op: 'convTranspose2dBackward';
      readonly input: Tensor;
      readonly weight: Tensor;
      readonly options: ConvTranspose2dOptions;
      /** The upstream gradient, shaped like the transposed output. */
      readonly gradOutput: Tensor;
    };

/**
 * A defect of the implementation under test that is known and reported upstream.
 * @example
 * const mine: KnownDefect = { issue: 'me/conv#12', summary: 'stride 3 drops the last row', when: (c) => c.op === 'conv2d' && c.options.stride === 3, witness: { op: 'conv2d', input, weight, options: { stride: 3 } } };
 */
export interface KnownDefect {
  /** Where it is reported, e.g. `'tensorflow/tfjs#8405'`. */
  readonly issue: string;
  /** What goes wrong, in one line. */
  readonly summary: string;
  /** True for exactly the calls the defect hits (as narrow as measured: a broad one hides other bugs). */
  when(call: DefectCall): boolean;
  /** A call on which the defect shows today (wrong values, a wrong shape or a throw). */
  readonly witness: DefectCall;
}

/**
 * The error a pinned call throws instead of running: an `UnsupportedCase`
 * (counted as not applicable, never as a pass) that carries the issue.
 */
export class KnownDefectCase extends UnsupportedCase {
  readonly issue: string;
  constructor(d: KnownDefect) {
    super(`known defect ${d.issue}: ${d.summary}`);
    this.issue = d.issue;
  }
}

/**
 * The call as `when` reads it: tensors in NCHW/OIHW, options without `dataFormat`/`filterFormat`
 * (a defect is measured and stated on the default layouts, whatever layout a call uses).
 */
function canonical(call: DefectCall): DefectCall {
  const { dataFormat = 'NCHW', filterFormat = 'OIHW', ...options } = call.options;
  if (dataFormat === 'NCHW' && filterFormat === 'OIHW') return call;
  const moved = { input: fromData(call.input, dataFormat), weight: fromFilter(call.weight, filterFormat), options };
  if (call.op === 'conv2dBackward' || call.op === 'convTranspose2dBackward')
    return { ...call, ...moved, gradOutput: fromData(call.gradOutput, dataFormat) };
  return { ...call, ...moved } as DefectCall;
}

function guard(defects: readonly KnownDefect[], raw: DefectCall): void {
  const call = canonical(raw);
  const hit = defects.find((d) => d.when(call));
  if (hit) throw new KnownDefectCase(hit);
}

/**
 * The adapter with its known defects (and `extra` ones of your own) pinned:
 * a call a defect hits throws `KnownDefectCase` before it reaches the library.
 * @example await verify(pinDefects(tfjsAdapter(tf, { backend: 'wasm' })), { supports: tfjsSupports })
 */
export function pinDefects<A extends Adapter>(adapter: A, extra: readonly KnownDefect[] = []): A {
  const defects = [...adapter.knownDefects, ...extra];
  const pinned: Adapter = {
    ...adapter,
    knownDefects: defects,
    conv2d: (input, weight, options = {}) => {
      guard(defects, { op: 'conv2d', input, weight, options });
      return adapter.conv2d(input, weight, options);
    },
  };
  const { conv2dBackward, convTranspose2d, convTranspose2dBackward } = adapter;
  if (conv2dBackward)
    pinned.conv2dBackward = (gradOutput, input, weight, options = {}) => {
      guard(defects, { op: 'conv2dBackward', input, weight, options, gradOutput });
      return conv2dBackward.call(adapter, gradOutput, input, weight, options);
    };
  if (convTranspose2d)
    pinned.convTranspose2d = (input, weight, options = {}) => {
      guard(defects, { op: 'convTranspose2d', input, weight, options });
      return convTranspose2d.call(adapter, input, weight, options);
    };
  if (convTranspose2dBackward)
    pinned.convTranspose2dBackward = (gradOutput, input, weight, options = {}) => {
      guard(defects, { op: 'convTranspose2dBackward', input, weight, options, gradOutput });
      return convTranspose2dBackward.call(adapter, gradOutput, input, weight, options);
    };
  return pinned as A;
}

/** How one witness fared. */
export interface DefectCheck {
  readonly issue: string;
  /** True when the witness still gives a wrong answer or throws. */
  readonly reproduces: boolean;
  /** The comparison's message, the error's, or `'matches the model'`. */
  readonly detail: string;
}

async function compareWitness(adapter: Adapter, w: DefectCall): Promise<Comparison> {
  if (w.op === 'conv2d')
    return compareBounded(
      await adapter.conv2d(w.input, w.weight, w.options),
      forwardExpectation(w, adapter.conventions),
    );
  if (w.op === 'convTranspose2d') {
    if (!adapter.convTranspose2d) throw new Error(`${adapter.name} has no convTranspose2d`);
    return compareBounded(await adapter.convTranspose2d(w.input, w.weight, w.options), transposeExpectation(w));
  }
  let got: Conv2dGradients;
  let want: Record<keyof Conv2dGradients, Expectation>;
  if (w.op === 'convTranspose2dBackward') {
    if (!adapter.convTranspose2dBackward) throw new Error(`${adapter.name} has no convTranspose2dBackward`);
    got = await adapter.convTranspose2dBackward(w.gradOutput, w.input, w.weight, w.options);
    want = transposeGradientExpectations(w, w.gradOutput);
  } else {
    if (!adapter.conv2dBackward) throw new Error(`${adapter.name} has no conv2dBackward`);
    got = await adapter.conv2dBackward(w.gradOutput, w.input, w.weight, w.options);
    want = gradientExpectations(w, w.gradOutput);
  }
  const parts = (['gradInput', 'gradWeight', 'gradBias'] as const).map((k) => compareBounded(got[k], want[k]));
  return parts.find((p) => !p.ok) ?? parts[0];
}

/**
 * Runs every defect's witness on the unpinned adapter and compares it with
 * convproof's float64 model: a defect that no longer reproduces is fixed upstream.
 * @example for (const r of await recheckDefects(tfjsAdapter(tf, { backend: 'wasm' }))) expect(r.reproduces).toBe(true);
 */
export async function recheckDefects(adapter: Adapter, defects = adapter.knownDefects): Promise<DefectCheck[]> {
  const out: DefectCheck[] = [];
  for (const d of defects) {
    if (!d.when(d.witness)) throw new Error(`${d.issue}: its witness is not a case its when() hits`);
    try {
      const cmp = await compareWitness(adapter, d.witness);
      out.push({ issue: d.issue, reproduces: !cmp.ok, detail: cmp.ok ? 'matches the model' : cmp.message });
    } catch (e) {
      const unsupported = e instanceof UnsupportedCase || (e instanceof Error && e.name === 'UnsupportedCase');
      if (unsupported) throw new Error(`${d.issue}: the adapter refuses its witness (${(e as Error).message})`);
      out.push({ issue: d.issue, reproduces: true, detail: `threw: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return out;
}
