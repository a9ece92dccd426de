/**
 * Backends: which kernels run the public calls, chosen explicitly. A backend
 * is a frozen object with the four kernels (the same signatures as the
 * top-level ones), its own workspace and its own counters; nothing is
 * switched process-wide. The top-level `conv2d`, `conv2dBackward`,
 * `convTranspose2d` and `corr2d` are `defaultBackend`'s.
 */
import type { Conv2dOptions, ConvTranspose2dOptions } from './geometry.js';
import { fail, show } from './errors.js';
import {
  conv2dBackwardOn,
  conv2dOn,
  convTranspose2dBackwardOn,
  convTranspose2dOn,
  corr2dOn,
  type Engine,
} from './dispatch.js';
import { wasmAvailable } from './fast/kernels.js';
import { DEFAULT_WORKSPACE_BYTES, Workspace } from './fast/workspace.js';
import type { Conv2dGradients } from './reference/conv2d.js';
import type { Tensor } from './tensor.js';

export { DEFAULT_WORKSPACE_BYTES } from './fast/workspace.js';

/**
 * The kernels a backend runs:
 * - `'wasm'`: WebAssembly SIMD (f64x2) for every call above a few thousand multiply-adds;
 * - `'js'`: the same algorithms in plain JavaScript (bit-identical results);
 * - `'reference'`: the readable reference loops for every call (slow; the definition).
 * Small calls and non-finite weights take the reference loops on every backend.
 * @example defaultBackend.kernels // 'wasm' in Node 20
 */
export type KernelName = 'wasm' | 'js' | 'reference';

/**
 * What `createBackend` may ask for: a kernel name, or `'auto'` (WebAssembly SIMD where available, else JavaScript).
 * @example createBackend({ kernels: 'auto' satisfies KernelChoice })
 */
export type KernelChoice = KernelName | 'auto';

/**
 * Options of `createBackend`; every field is optional.
 * @example createBackend({ kernels: 'js', workspaceBytes: 8 * 2 ** 20 } satisfies BackendOptions)
 */
export interface BackendOptions {
  /** Default `'auto'`. `'wasm'` where WebAssembly SIMD is missing throws ConvError('option'). */
  readonly kernels?: KernelChoice;
  /**
   * Bytes of working memory the backend may keep between calls; default
   * DEFAULT_WORKSPACE_BYTES (32 MiB). A call that needs more grows the
   * workspace for its own duration and gives it back when it returns (the
   * next call starts afresh). `Infinity` keeps whatever it grew to.
   */
  readonly workspaceBytes?: number;
}

/**
 * A diagnostic snapshot of one backend (see `Backend.stats`).
 * @example
 * const before = backend.stats().fast;
 * backend.conv2d(x, w);
 * backend.stats().fast - before; // 1 when the call took the fast kernels, 0 when the reference loops
 */
export interface BackendStats {
  /**
   * Kernel runs taken by the fast kernels. Each forward, transposed conv or
   * corr2d is one run; conv2dBackward and convTranspose2dBackward are two (input
   * gradient, weight gradient; the bias gradient is a plain sum and not counted).
   */
  readonly fast: number;
  /** Kernel runs taken by the reference loops (small problems, non-finite data, a `'reference'` backend, no memory). */
  readonly reference: number;
  /** Bytes of working memory held right now, between calls. */
  readonly workspaceBytes: number;
  /** Times a grown workspace was given back (after a call that outgrew the bound, or by `trim`). */
  readonly releases: number;
}

/**
 * The public kernels on one choice of kernels and one workspace.
 *
 * @example
 * import { createBackend, tensor } from 'convproof';
 * const js = createBackend({ kernels: 'js', workspaceBytes: 8 * 2 ** 20 });
 * const y = js.conv2d(x, w, { padding: 1 });   // same result, bit for bit, as the wasm kernels
 * js.kernels;                                  // 'js'
 * js.stats();                                  // { fast: 1, reference: 0, workspaceBytes: …, releases: 0 }
 */
export interface Backend {
  /** The kernels it actually runs (`'auto'` resolved). */
  readonly kernels: KernelName;
  /** Its resting bound on working memory, in bytes. */
  readonly workspaceBytes: number;
  /** `conv2d` (see the top-level function) on this backend. */
  conv2d(input: Tensor, weight: Tensor, options?: Conv2dOptions): Tensor;
  /** `conv2dBackward` (see the top-level function) on this backend. */
  conv2dBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: Conv2dOptions): Conv2dGradients;
  /** `convTranspose2d` (see the top-level function) on this backend. */
  convTranspose2d(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor;
  /** `convTranspose2dBackward` (see the top-level function) on this backend. */
  convTranspose2dBackward(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTranspose2dOptions,
  ): Conv2dGradients;
  /** `corr2d` (see the top-level function) on this backend. */
  corr2d(X: Tensor, K: Tensor): Tensor;
  /** Gives the working memory back now (the next fast call allocates afresh). */
  trim(): void;
  /** Counts of the kernel runs by path, and the memory held: a diagnostic, cheap to call. */
  stats(): BackendStats;
}

const OPTION_KEYS = ['kernels', 'workspaceBytes'];
const CHOICES: readonly KernelChoice[] = ['auto', 'wasm', 'js', 'reference'];

function resolve(choice: unknown): KernelName {
  const fn = 'createBackend';
  if (!CHOICES.includes(choice as KernelChoice)) {
    fail(fn, 'option', `kernels must be one of ${CHOICES.map((c) => `'${c}'`).join(', ')}, got ${show(choice)}`);
  }
  if (choice === 'auto') return wasmAvailable() ? 'wasm' : 'js';
  if (choice === 'wasm' && !wasmAvailable()) {
    fail(fn, 'option', "kernels 'wasm' need WebAssembly SIMD, which this runtime lacks; use 'auto' or 'js'");
  }
  return choice as KernelName;
}

function checkBound(value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || (Number.isFinite(value) && !Number.isInteger(value))) {
    fail('createBackend', 'option', `workspaceBytes must be a non-negative integer (or Infinity), got ${show(value)}`);
  }
  return value;
}

function checkBackendOptions(options: unknown): { kernels: KernelName; bound: number } {
  if (options === undefined) return { kernels: resolve('auto'), bound: DEFAULT_WORKSPACE_BYTES };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail('createBackend', 'option', `options must be an object such as { kernels: 'js' }, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key))
      fail('createBackend', 'option', `unknown option ${show(key)}; the options are ${OPTION_KEYS.join(', ')}`);
  }
  const o = options as BackendOptions;
  return {
    kernels: resolve(o.kernels ?? 'auto'),
    bound: o.workspaceBytes === undefined ? DEFAULT_WORKSPACE_BYTES : checkBound(o.workspaceBytes),
  };
}

/**
 * Makes a backend: the public kernels on the kernels you choose, with their
 * own bounded workspace and counters. Backends share nothing, so two can run
 * side by side (e.g. to compare the WebAssembly and JavaScript kernels).
 *
 * @throws ConvError('option') for an unknown option or value, or `'wasm'` where it cannot run
 * @example
 * const ref = createBackend({ kernels: 'reference' });
 * ref.conv2d(x, w).data;                         // the reference loops' result
 * const fast = createBackend();                  // 'auto': fast.kernels is 'wasm' in Node 20
 * fast.conv2d(big, w); fast.trim();              // give the working memory back at once
 */
export function createBackend(options?: BackendOptions): Backend {
  const { kernels, bound } = checkBackendOptions(options);
  const engine: Engine = {
    workspace: kernels === 'reference' ? null : new Workspace(kernels, bound),
    runs: { fast: 0, reference: 0 },
  };
  return Object.freeze({
    kernels,
    workspaceBytes: bound,
    conv2d: (input: Tensor, weight: Tensor, options?: Conv2dOptions) => conv2dOn(engine, input, weight, options),
    conv2dBackward: (gradOutput: Tensor, input: Tensor, weight: Tensor, options?: Conv2dOptions) =>
      conv2dBackwardOn(engine, gradOutput, input, weight, options),
    convTranspose2d: (input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions) =>
      convTranspose2dOn(engine, input, weight, options),
    convTranspose2dBackward: (gradOutput: Tensor, input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions) =>
      convTranspose2dBackwardOn(engine, gradOutput, input, weight, options),
    corr2d: (X: Tensor, K: Tensor) => corr2dOn(engine, X, K),
    trim: () => engine.workspace?.trim(),
    stats: (): BackendStats => ({
      fast: engine.runs.fast,
      reference: engine.runs.reference,
      workspaceBytes: engine.workspace?.bytes ?? 0,
      releases: engine.workspace?.releases ?? 0,
    }),
  });
}

/**
 * The backend behind the top-level `conv2d`, `conv2dBackward`,
 * `convTranspose2d`, `corr2d` and `Conv2d` (unless given another): `'auto'`
 * kernels and the default workspace bound.
 * @example defaultBackend.kernels // 'wasm' where WebAssembly SIMD runs, else 'js'
 */
export const defaultBackend: Backend = createBackend();
