/**
 * The shapes shared by the verification suite: what an implementation under
 * test looks like, what one test case is, and what an oracle offers.
 */
import type { IRawProperty } from 'fast-check';
import type { Conv2dGradients, Conv2dOptions, ConvTranspose2dOptions, DType, Tensor } from '../src/index.js';
import type { ScaleSettings } from './scale/limits.js';
import type { Conventions, Supports } from './support.js';

/**
 * A value or a promise of it: every function of an implementation under test
 * may return either (onnxruntime-web, tfjs `data()`, WebGPU readback).
 * @example const conv2d = async (x: Tensor, w: Tensor): Promise<Tensor> => mine(x, w); // fits MaybePromise<Tensor>
 */
export type MaybePromise<T> = T | PromiseLike<T>;

/**
 * A conv implementation the suite can check: a module object with this
 * package's signatures. Only `conv2d` is required; the properties that need
 * the others run only when they are present.
 * @example
 * const mine: ConvImplementation = { conv2d: (x, w, o) => myConv(x, w, o) }; // input [N,C,H,W], weight [O,C/g,KH,KW]
 * await verify(mine);
 */
export interface ConvImplementation {
  conv2d(input: Tensor, weight: Tensor, options?: Conv2dOptions): MaybePromise<Tensor>;
  conv2dBackward?(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: Conv2dOptions,
  ): MaybePromise<Conv2dGradients>;
  convTranspose2d?(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): MaybePromise<Tensor>;
  /** Gradients of convTranspose2d: gradInput like input, gradWeight like weight, gradBias `[O]`. */
  convTranspose2dBackward?(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTranspose2dOptions,
  ): MaybePromise<Conv2dGradients>;
  /** The chapter's valid 2-D correlation of `[H,W]` by `[KH,KW]`. */
  corr2d?(X: Tensor, K: Tensor): MaybePromise<Tensor>;
  /** The output shape without data; when present it must agree with the formula. */
  conv2dOutputShape?(
    inputShape: readonly number[],
    weightShape: readonly number[],
    options?: Conv2dOptions,
  ): MaybePromise<number[]>;
}

/**
 * One conv2d problem: input `[N, C, H, W]` (or `[C, H, W]`), weight
 * `[O, C/groups, KH, KW]`; always valid by construction (see arbitraries).
 * @example fc.assert(fc.property(convCase(), (c: ConvCase) => impl.conv2d(c.input, c.weight, c.options).shape.length === c.input.shape.length))
 */
export interface ConvCase {
  readonly input: Tensor;
  readonly weight: Tensor;
  /** May include `bias`. */
  readonly options: Conv2dOptions;
}

/**
 * One convTranspose2d problem with data.
 * @example compareBounded(impl.convTranspose2d(c.input, c.weight, c.options), transposeExpectation(c)) // c: TransposeCase
 */
export interface TransposeCase {
  /** `[N, C, H, W]` or `[C, H, W]`. */
  readonly input: Tensor;
  /** `[C, O/groups, KH, KW]`. */
  readonly weight: Tensor;
  /** May include `bias` (`[O]`). */
  readonly options: ConvTranspose2dOptions;
}

/** What an oracle can compute. */
export type OracleOp = 'forward' | 'gradInput' | 'gradWeight';

/**
 * An independent implementation (e.g. TensorFlow.js) used to cross-check.
 * `unsupported` returns a reason string when the case cannot be mapped onto
 * the oracle (the suite then skips it and reports the reason), or null.
 * @example
 * const [cpu] = await loadOracles(['cpu']);
 * if (cpu.unsupported(c, 'forward') === null) cpu.conv2d(c); // NCHW, bias added
 */
export interface Oracle {
  /** e.g. 'tfjs-cpu', 'tfjs-wasm', 'tfjs-node'. */
  readonly name: string;
  /** Loads the backend; false (with `whyUnavailable`) when it cannot be used here. */
  ready(): Promise<boolean>;
  readonly whyUnavailable?: string;
  /** The ops it can compute here (known once `ready()` resolved). */
  readonly ops: readonly OracleOp[];
  /** Pass the gradient ops' `dy` too: its values can matter (e.g. NaN on a backend that mishandles it). */
  unsupported(c: ConvCase, op: OracleOp, dy?: Tensor): string | null;
  /**
   * Forward, in convproof's layout and semantics (NCHW, bias added). Results
   * come in the oracle's own precision (tfjs: float32 for any case dtype), so
   * compare them with the bound of their data's dtype.
   */
  conv2d(c: ConvCase): Tensor;
  /** Why it cannot compute a transposed case (null: it can); absent when it has no transposed conv. */
  unsupportedTranspose?(c: TransposeCase): string | null;
  /** The transposed conv in convproof's layout and semantics (bias added), in the oracle's precision. */
  convTranspose2d?(c: TransposeCase): Tensor;
  /** dL/dx for upstream gradient dy (same shape as the forward output). */
  gradInput?(c: ConvCase, dy: Tensor): Tensor;
  /** dL/dw for upstream gradient dy. */
  gradWeight?(c: ConvCase, dy: Tensor): Tensor;
}

/**
 * The optional extras of `ConvImplementation` (corr2d, conv2dOutputShape);
 * properties that use them do not run (with a stated reason) when absent.
 * @example const mine: ConvImplementation & ConvExtras = { conv2d, corr2d }; // corr2d: [H,W] ⋆ [KH,KW]
 */
export type ConvExtras = Pick<ConvImplementation, 'corr2d' | 'conv2dOutputShape'>;

/** An exported function a property needs from the implementation under test. */
export type Capability = 'conv2d' | 'conv2dBackward' | 'convTranspose2d' | 'convTranspose2dBackward';

/**
 * Which part of the suite a property belongs to. `scale` checks real sizes
 * (see docs/scale.md). `errors` (how an implementation rejects bad input)
 * is opt-in: other implementations throw their own errors, so it is not
 * run unless asked for.
 */
export type PropertyGroup = 'forward' | 'gradient' | 'transpose' | 'scale' | 'oracle' | 'errors';

/** The dtype of generated cases; with `'both'` each case draws one of the two. */
export type DTypeChoice = DType | 'both';

/**
 * Size limits of generated cases (the profile sets them; quick keeps them
 * small because the float64 reference is a plain loop nest).
 */
export interface SizeLimits {
  /** Largest batch N (N = 0 is also drawn). */
  readonly maxBatch: number;
  /** Largest number of groups. */
  readonly maxGroups: number;
  /** Largest input and output channel count (C and O ≤ this). */
  readonly maxChannels: number;
  /** Largest kernel side KH, KW. */
  readonly maxKernel: number;
  readonly maxStride: number;
  readonly maxDilation: number;
  /** Largest explicit pad on one side. */
  readonly maxPad: number;
  /** Largest number of rows/columns beyond the minimum a case needs. */
  readonly maxExtra: number;
}

/**
 * What a property gets to build its fast-check property.
 * @example property: (ctx) => fc.asyncProperty(convCase({ ...ctx.limits, dtype: ctx.dtype }), async (c) => { ctx.observe(0); })
 */
export interface PropertyContext {
  readonly impl: ConvImplementation & ConvExtras;
  readonly dtype: DTypeChoice;
  readonly limits: SizeLimits;
  /** The oracles that reported ready (used by the `oracle` group). */
  readonly oracles: readonly Oracle[];
  /** What the implementation declared it takes (`{}`: everything); arbitraries draw within it. */
  readonly supports: Supports;
  /** Where it declared it differs from convproof's defaults (`{}`: nowhere); expectations follow them. */
  readonly conventions: Conventions;
  /** Records the worst err/(u·M) of one comparison, for the report. */
  observe(ratio: number): void;
  /**
   * Marks the current case as not applicable (e.g. an oracle cannot express
   * it); the predicate then returns true. The report counts reasons.
   */
  skipCase(reason: string): void;
  /** The scale group's limits and the run's work cap (shared by its properties). */
  readonly scale: ScaleSettings;
  /** Adds a line to the property's report (e.g. what was scaled down and why). */
  note(text: string): void;
  /** Settings a replay of this property must carry (the scale group's work cap). */
  pin(settings: ReplayPins): void;
}

/**
 * Settings a property's replay must carry beyond seed, path and profile.
 * @example ctx.pin({ scaleWork: 22 }) // the replay gets --scale-work 22
 */
export interface ReplayPins {
  /** log2 of the scale group's work cap. */
  readonly scaleWork?: number;
}

/**
 * One entry of the property registry (`properties/registry.ts`): `verify`
 * runs every definition whose `requires` the implementation exports.
 *
 * @example
 * const p: PropertyDefinition = {
 *   name: 'for any case, conv2d returns a fresh tensor',
 *   group: 'forward', requires: ['conv2d'],
 *   property: (ctx) => fc.asyncProperty(convCase(ctx), async (c) => (await ctx.impl.conv2d(c.input, c.weight, c.options)).data !== c.input.data),
 * };
 */
export interface PropertyDefinition {
  /** A sentence ("for any case, …"), unique: the test name and the `-t` filter of a replay. */
  readonly name: string;
  readonly group: PropertyGroup;
  readonly requires: readonly Capability[];
  /**
   * Runs relative to the profile's (e.g. 0.25 for a costly property), or a
   * function of the context; default 1. At least one run is made (0 = one).
   */
  readonly runsFactor?: number | ((ctx: PropertyContext) => number);
  /** Why the property cannot run at all in this context (e.g. no `corr2d` exported), or null. */
  skip?(ctx: PropertyContext): string | null;
  /**
   * The fast-check property over `ctx.impl` (an async property: every call
   * of the implementation is awaited). Its predicate returns false or throws
   * (preferably an Error whose message says what differs and where); an
   * `UnsupportedCase` thrown anywhere in it makes the case not applicable.
   */
  property(ctx: PropertyContext): IRawProperty<unknown>;
  /**
   * After a failure: more to say about it (the scale group names the size
   * from which it fails), or null. May run the implementation again.
   */
  explain?(
    ctx: PropertyContext,
    failure: { readonly counterexample: unknown; readonly error: unknown },
  ): Promise<string | null>;
}

/**
 * The sizes every resolved conv problem of the suite carries (an unbatched
 * `[C,H,W]` input has `batched: false` and N = 1).
 */
export interface ConvDims {
  /** False for a `[C,H,W]` input (the output is then unbatched too). */
  readonly batched: boolean;
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly O: number;
  readonly groups: number;
  readonly KH: number;
  readonly KW: number;
}
