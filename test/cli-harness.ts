/**
 * The harness of the CLI tests: a private build of the CLI (inside the project, so
 * that bare imports resolve through its node_modules; other work may rebuild dist/
 * meanwhile, and a half-written dist/ must not flake these tests), a fresh work
 * directory, and ways to run the CLI there. Each test file gets its own build.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';

/** What one CLI run printed and returned. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The paths of one test file's CLI: `work` is set once the build is ready. */
export interface CliContext {
  readonly root: string;
  readonly build: string;
  readonly cli: string;
  work: string;
}

/**
 * Builds the CLI into `node_modules/.cache/convproof-cli-test-<name>` before the
 * file's tests and makes a work directory; both go away after them.
 */
export function setupCli(name: string): CliContext {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const build = join(root, 'node_modules', '.cache', `convproof-cli-test-${name}`);
  const ctx: CliContext = { root, build, cli: join(build, 'tools', 'cli.js'), work: '' };
  beforeAll(() => {
    rmSync(build, { recursive: true, force: true });
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', build], {
        cwd: root,
        stdio: 'pipe',
      });
    } catch (e) {
      // Type errors elsewhere still emit JavaScript (typecheck reports them); only a missing CLI is fatal here.
      if (!existsSync(ctx.cli)) throw e;
    }
    ctx.work = mkdtempSync(join(tmpdir(), 'convproof-cli-'));
  });
  afterAll(() => {
    if (ctx.work) rmSync(ctx.work, { recursive: true, force: true });
    rmSync(build, { recursive: true, force: true });
  });
  return ctx;
}

/** Runs the CLI in the work directory; asynchronous so that independent runs can overlap. */
export function runCli(ctx: CliContext, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...inherited } = process.env;
  const child = spawn(process.execPath, [ctx.cli, ...args], {
    cwd: ctx.work,
    env: { ...inherited, ...env },
    timeout: 60_000,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) =>
      done({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/**
 * Runs the built CLI's `main` in this process, with captured streams: for the
 * many flag-validation cases, where a process per case would only add start-up time.
 */
export async function runCliInProcess(ctx: CliContext, args: readonly string[]): Promise<Run> {
  const { main } = (await import(
    pathToFileURL(join(ctx.build, 'tools', 'cli', 'main.js')).href
  )) as typeof import('../tools/cli/main.js');
  let [stdout, stderr] = ['', ''];
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: ctx.work,
  });
  return { code, stdout, stderr };
}

/** Bad usage: exit 2, exactly one line on stderr, nothing that looks like a stack trace. */
export function expectUsageError(r: Run, mentions: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}
