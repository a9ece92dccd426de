/**
 * Bad usage of the command line: the one error the CLI reports as a single
 * line with exit code 2 (never a stack trace), and the flag parsing that
 * raises it.
 */

/**
 * A mistake of the caller (unknown flag, bad value, missing module, …).
 * `command` names the subcommand so the message can point at its `--help`.
 *
 * @example throw new UsageError('verify', '--runs must be a positive integer, got "abc"');
 */
export class UsageError extends Error {
  readonly command: string | null;

  constructor(command: string | null, message: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** node:util parseArgs errors carry these codes; anything else is a real bug. */
const PARSE_CODES = new Set([
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
]);

/**
 * Runs a `parseArgs` call, turning its errors into a `UsageError` whose message
 * keeps only the first sentence (Node's texts continue with advice about `--`
 * that does not apply to convproof).
 *
 * @example const { values } = parseOrUsage('demo', () => parseArgs({ args, options }));
 */
export function parseOrUsage<R>(command: string, parse: () => R): R {
  try {
    return parse();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && PARSE_CODES.has(code)) {
      const first = String((e as Error).message)
        .split(/\.\s|\n/)[0]
        .replace(/\.$/, '');
      throw new UsageError(command, first.charAt(0).toLowerCase() + first.slice(1));
    }
    throw e;
  }
}

/**
 * Parses a flag value that must be an integer in `[min, max]`.
 * @example integerFlag('verify', '--runs', '25', 1) // 25
 */
export function integerFlag(
  command: string,
  flag: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
    throw new UsageError(command, `${flag} must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Parses a flag value that must be one of `choices`.
 * @example choiceFlag('verify', '--dtype', 'float64', ['float32', 'float64'] as const) // 'float64'
 */
export function choiceFlag<T extends string>(command: string, flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(command, `${flag} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
