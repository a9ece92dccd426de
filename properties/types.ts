/**
 * The shapes shared by the verification suite: what an implementation under
 * test looks like, what one test case is, and what an oracle offers.
 */
import type {
  Conv2dGradients,
  Conv2dOptions,
  ConvTranspose2dOptions,
  Tensor,
} from '../src/index.js';

/**
 * A conv implementation the suite can check: a module object with this
 * package's signatures. Only `conv2d` is required; the properties that need
 * the others run only when they are present.
 */
export interface ConvImplementation {
  conv2d(input: Tensor, weight: Tensor, options?: Conv2dOptions): Tensor;
  conv2dBackward?(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: Conv2dOptions): Conv2dGradients;
  convTranspose2d?(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor;
}

/** One conv2d problem: always valid by construction (see arbitraries). */
export interface ConvCase {
  readonly input: Tensor;
  readonly weight: Tensor;
  /** May include `bias`. */
  readonly options: Conv2dOptions;
}

/** What an oracle can compute. */
export type OracleOp = 'forward' | 'gradInput' | 'gradWeight';

/**
 * An independent implementation (e.g. TensorFlow.js) used to cross-check.
 * `unsupported` returns a reason string when the case cannot be mapped onto
 * the oracle (the suite then skips it and reports the reason), or null.
 */
export interface Oracle {
  /** e.g. 'tfjs-cpu', 'tfjs-wasm', 'tfjs-node'. */
  readonly name: string;
  /** Loads the backend; false (with `whyUnavailable`) when it cannot be used here. */
  ready(): Promise<boolean>;
  readonly whyUnavailable?: string;
  readonly ops: readonly OracleOp[];
  unsupported(c: ConvCase, op: OracleOp): string | null;
  /** Forward, in convproof's layout and semantics (NCHW, bias added). */
  conv2d(c: ConvCase): Tensor;
  /** dL/dx for upstream gradient dy (same shape as the forward output). */
  gradInput?(c: ConvCase, dy: Tensor): Tensor;
  /** dL/dw for upstream gradient dy. */
  gradWeight?(c: ConvCase, dy: Tensor): Tensor;
}
