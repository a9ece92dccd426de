/**
 * The one error type convproof throws for bad input.
 *
 * Every public function validates its arguments before doing any work and
 * throws a `ConvError` whose `code` is stable (scripts may switch on it) and
 * whose message names the function, the offending values and the fix.
 */

/** Stable error codes. */
export type ConvErrorCode =
  | 'type' // a tensor (or options object) was expected and something else was given
  | 'rank'
  | 'shape'
  | 'data-length'
  | 'dtype'
  | 'channels'
  | 'groups'
  | 'stride'
  | 'dilation'
  | 'padding'
  | 'padding-mode'
  | 'output-padding'
  | 'kernel-too-large'
  | 'bias'
  | 'option' // unknown option name, or an option of the wrong type
  | 'grad-output'
  | 'state' // a method called in the wrong order (e.g. backward before forward)
  | 'too-large';

/**
 * Thrown by every convproof function for invalid input.
 *
 * @example
 * try { conv2d(x, w, { stride: 0 }); }
 * catch (e) { if (e instanceof ConvError && e.code === 'stride') … }
 */
export class ConvError extends Error {
  /** A stable machine-readable code, e.g. `'stride'`, `'channels'`, `'too-large'`. */
  readonly code: ConvErrorCode;

  constructor(code: ConvErrorCode, message: string) {
    super(message);
    this.name = 'ConvError';
    this.code = code;
  }
}

/** Formats a value for an error message: arrays as `[1, 2]`, strings quoted. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return typeof value;
}

/** Throws `ConvError(code, "fn: message")`. */
export function fail(fn: string, code: ConvErrorCode, message: string): never {
  throw new ConvError(code, `${fn}: ${message}`);
}
