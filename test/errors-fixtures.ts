/**
 * What the error tests share: the shape of a "throws ConvError(code) when …"
 * case, how a list of them is built, and the small values the cases use.
 */
import { Conv2d, type Conv2dConfig, type Tensor } from '../src/index.js';
import { full } from './helpers.js';

/** One check: a call that must throw ConvError with `code`. */
export interface Case {
  /** The public function, and the prefix its messages carry. */
  fn: string;
  /** How the test names it: `fn`, or `reference.fn` for the reference kernels. */
  label: string;
  code: string;
  when: string;
  run: () => unknown;
  /** Substrings the message must contain besides `${fn}:`. */
  parts: string[];
}

/**
 * Returns `add(fn, code, when, run, parts)`, which appends a case to `cases`;
 * `prefix` is '' for the public kernels and 'reference.' for the reference ones.
 *
 * @example
 * const add = caseAdder(cases);
 * add('tensor', 'type', 'values is null', () => tensor(bad(null)), ['null']);
 */
export function caseAdder(
  cases: Case[],
  prefix = '',
): (fn: string, code: string, when: string, run: () => unknown, parts?: string[]) => void {
  return (fn, code, when, run, parts = []) => {
    cases.push({ fn, label: prefix + fn, code, when, run, parts });
  };
}

/**
 * Lets a test pass a value the types forbid, to check the runtime guard.
 *
 * @example tensor(bad('abc'))
 */
export const bad = <T>(value: unknown): T => value as T;

/**
 * The upstream gradient of the valid conv2d case (x [1,2,5,5], w [4,2,3,3]): [1,4,3,3].
 *
 * @example conv2dBackward(dy(), x(), w())
 */
export const dy = (): Tensor => full([1, 4, 3, 3], 1);

/**
 * A valid Conv2d config (2 → 4 channels, 3×3 kernel, seed 1) with `extra` merged in, unchecked.
 *
 * @example new Conv2d(config({ stride: 0 }))
 */
export const config = (extra: Record<string, unknown>): Conv2dConfig =>
  bad({ inChannels: 2, outChannels: 4, kernelSize: 3, seed: 1, ...extra });

/**
 * The parameters of a fresh layer of `config({})`: weight and bias.
 *
 * @example sgd(params(), 0.1)
 */
export const params = () => new Conv2d(config({})).parameters();
