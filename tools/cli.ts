#!/usr/bin/env node
/**
 * The `convproof` executable. Everything lives in `cli/`; this file only
 * hands the process over. Not imported by the library (`index.ts`), which
 * must load without Node built-ins.
 */
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
