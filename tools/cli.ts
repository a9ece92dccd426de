#!/usr/bin/env node
/**
 * The `convproof` executable. Everything lives in `cli/`; this file only
 * hands the process over. Not imported by the library (`src/index.ts`),
 * which must load without Node built-ins.
 */
import { main } from './cli/main.js';

// `convproof demo | head` closes the pipe early: stop quietly, as other command-line tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
