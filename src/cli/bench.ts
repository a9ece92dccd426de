/** Placeholder while the benchmark lands. */
import type { CliContext } from './context.js';
export async function bench(_args: readonly string[], ctx: CliContext): Promise<number> {
  ctx.stderr.write('convproof bench: not available yet\n');
  return 2;
}
