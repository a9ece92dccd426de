/**
 * What every adapter returns: a convproof implementation whose functions may
 * be async, with the `supports`, `conventions` and `knownDefects` it declares.
 */
import type { Conv2dGradients, Conv2dOptions, ConvTranspose2dOptions, Tensor } from '../src/index.js';
import type { Conventions, Supports } from '../properties/support.js';
import type { KnownDefect } from './defects.js';

/** A value or a promise of it: implementations under test may be async. */
export type Awaitable<T> = T | Promise<T>;

/**
 * An implementation made by an adapter. Shapes as convproof's: input
 * `[N, C, H, W]` (or `[C, H, W]`), weight `[O, C/groups, KH, KW]`
 * (`[C, O/groups, KH, KW]` for the transposed conv).
 * @example const impl: Adapter = tfjsAdapter(tf); (await impl.conv2d(x, w, { padding: 1 })).shape
 */
export interface Adapter {
  /** e.g. `'tfjs-wasm'`, `'onnxruntime-web'`. */
  readonly name: string;
  readonly supports: Supports;
  readonly conventions: Conventions;
  /** Upstream defects this library still has; `pinDefects(adapter)` turns them into not-applicable cases. */
  readonly knownDefects: readonly KnownDefect[];
  conv2d(input: Tensor, weight: Tensor, options?: Conv2dOptions): Awaitable<Tensor>;
  conv2dBackward?(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: Conv2dOptions,
  ): Awaitable<Conv2dGradients>;
  convTranspose2d?(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Awaitable<Tensor>;
  convTranspose2dBackward?(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTranspose2dOptions,
  ): Awaitable<Conv2dGradients>;
  /** Frees what the adapter holds in the library (e.g. onnxruntime's sessions); later calls build afresh. */
  close?(): Promise<void>;
}

/**
 * A library module as the API an adapter calls, after checking that the
 * functions it needs are there (library typings are too generic to match a
 * narrow interface structurally, so adapters take `object` and check here).
 * @example const tf = apiOf<TfjsModule>(module, 'tfjs', ['conv2d', 'tidy']);
 */
export function apiOf<T>(module: object, library: string, needs: readonly string[]): T {
  const missing = needs.filter((k) => typeof (module as Record<string, unknown>)[k] !== 'function');
  if (missing.length)
    throw new TypeError(
      `${library} adapter: the module given has no ${missing.join(', ')}; pass the library's module object`,
    );
  return module as T;
}
