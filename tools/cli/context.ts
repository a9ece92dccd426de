/**
 * What a command gets from the process: its streams, environment and working
 * directory. Passed in (not read from `process`) so the commands stay
 * testable and say plainly what they touch.
 */
import type { OutStream } from './style.js';

/** The process-facing side of a command. */
export interface CliContext {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** A command: parses its own arguments, returns the exit code (0 ok, 1 a check failed, 2 bad usage). */
export type Command = (args: readonly string[], ctx: CliContext) => Promise<number>;

/** Writes `text` and a newline. */
export function println(stream: OutStream, text = ''): void {
  stream.write(`${text}\n`);
}
