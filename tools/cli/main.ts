/**
 * The `convproof` command line: dispatch to a command, and the one place
 * that turns errors into exit codes (0 ok, 1 a property failed, 2 bad usage).
 */
import { readFileSync } from 'node:fs';
import { println, type CliContext, type Command } from './context.js';
import { UsageError } from './usage.js';

/** The text of `convproof --help`. */
export const GLOBAL_HELP = `Usage: convproof <command> [options]

A 2-D convolution you can trust, and the property-based suite that proves it.

Commands:
  verify   check a conv2d implementation (ours by default) against the
           properties, the TensorFlow.js oracles and the references
  demo     the Dive into Deep Learning chapter, in the terminal and as PNGs
  bench    time the kernels beside TensorFlow.js

Options:
  -h, --help      show this help (or: convproof <command> --help)
  -v, --version   print the version

Exit codes: 0 everything held, 1 a property failed, 2 bad usage.`;

/** Commands load lazily, so `demo` works without the suite's optional peers installed. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  verify: async () => (await import('./verify.js')).verifyCommand,
  demo: async () => (await import('./demo.js')).demo,
  bench: async () => (await import('./bench.js')).bench,
};

/** The package version, from the nearest package.json named convproof above this file. */
export function version(): string {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 8; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'convproof' && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level: keep walking up (tools/cli/ and dist/tools/cli/ sit at different depths)
    }
    dir = new URL('..', dir);
  }
  return 'unknown';
}

async function dispatch(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    println(ctx.stderr, GLOBAL_HELP);
    return 2;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest[0] !== undefined) return dispatch([rest[0], '--help'], ctx);
    println(ctx.stdout, GLOBAL_HELP);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    println(ctx.stdout, version());
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!load) {
    const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command ${JSON.stringify(first)}`;
    throw new UsageError(null, `${what}; the commands are ${Object.keys(COMMANDS).join(', ')}`);
  }
  return (await load())(rest, ctx);
}

/**
 * Runs the CLI and returns its exit code. Bad usage prints one line on
 * stderr; anything unexpected prints one line too (the stack only with
 * `CONVPROOF_DEBUG=1`), because a stack trace tells a user nothing.
 *
 * @example process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, … });
 */
export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    return await dispatch(argv, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      const help = e.command ? `convproof ${e.command} --help` : 'convproof --help';
      println(ctx.stderr, `convproof${e.command ? ` ${e.command}` : ''}: ${e.message} (see ${help})`);
      return 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    println(ctx.stderr, `convproof: internal error: ${message.split('\n')[0]} (set CONVPROOF_DEBUG=1 for the stack)`);
    if (ctx.env.CONVPROOF_DEBUG) println(ctx.stderr, e instanceof Error ? String(e.stack) : String(e));
    return 2;
  }
}
