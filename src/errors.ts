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
  | 'output-size' // convTranspose2d's outputSize malformed, unreachable, or given with outputPadding
  | 'data-format' // dataFormat other than 'NCHW' or 'NHWC'
  | 'filter-format' // filterFormat other than 'OIHW' or 'HWIO'
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

/** Array items and string characters shown before an ellipsis (≥ MAX_RANK, so whole shapes print). */
const SHOW_ITEMS = 64;
const SHOW_CHARS = 200;

/**
 * Formats a value for an error message: arrays as `[1, 2]`, strings quoted.
 * Total for any input (cycles, deep nesting, huge arrays, throwing getters),
 * because it runs on the error path where a second exception would hide the first.
 */
export function show(value: unknown): string {
  try {
    const text = describe(value, 3);
    return text.length > SHOW_CHARS * 4 ? `${text.slice(0, SHOW_CHARS * 4)}…` : text;
  } catch {
    return '(an unprintable value)';
  }
}

function describe(value: unknown, depth: number): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > SHOW_CHARS ? `${value.slice(0, SHOW_CHARS)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    if (depth === 0) return `[…${value.length} items]`;
    const items = value.slice(0, SHOW_ITEMS).map((v) => describe(v, depth - 1));
    if (value.length > SHOW_ITEMS) items.push(`…${value.length - SHOW_ITEMS} more`);
    return `[${items.join(', ')}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (typeof value === 'object') {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) return json.length > SHOW_CHARS ? `${json.slice(0, SHOW_CHARS)}…` : json;
    } catch {
      // cyclic, BigInt-holding or getter-throwing objects fall through to their tag
    }
    return Object.prototype.toString.call(value);
  }
  return typeof value;
}

/** Throws `ConvError(code, "fn: message")`. */
export function fail(fn: string, code: ConvErrorCode, message: string): never {
  throw new ConvError(code, `${fn}: ${message}`);
}
