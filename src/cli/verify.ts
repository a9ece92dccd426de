/** Placeholder while verify lands. */
import type { CliContext } from './context.js';
export async function verifyCommand(_args: readonly string[], ctx: CliContext): Promise<number> {
  ctx.stderr.write('convproof verify: not available yet\n');
  return 2;
}
