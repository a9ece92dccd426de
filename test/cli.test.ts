/**
 * The convproof CLI, run as a user runs it: a built `cli.js` spawned in a
 * child process, judged by exit code, stdout/stderr and the files it writes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crc32, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// A private build inside the project (so bare imports resolve through its node_modules):
// other engineers rebuild dist/ concurrently, and a half-written dist/ must not flake these tests.
const build = join(root, 'node_modules', '.cache', 'convproof-cli-test');
const cli = join(build, 'tools', 'cli.js');
let work: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in the work directory; asynchronous so that independent runs can overlap. */
function run(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...inherited } = process.env;
  const child = spawn(process.execPath, [cli, ...args], { cwd: work, env: { ...inherited, ...env }, timeout: 60_000 });
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
async function runInProcess(args: readonly string[]): Promise<Run> {
  const { main } = (await import(
    pathToFileURL(join(build, 'tools', 'cli', 'main.js')).href
  )) as typeof import('../tools/cli/main.js');
  let [stdout, stderr] = ['', ''];
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: work,
  });
  return { code, stdout, stderr };
}

/** Bad usage: exit 2, exactly one line on stderr, nothing that looks like a stack trace. */
function expectUsageError(r: Run, mentions: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

beforeAll(() => {
  rmSync(build, { recursive: true, force: true });
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', build],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
  } catch (e) {
    // Type errors elsewhere still emit JavaScript (typecheck reports them); only a missing CLI is fatal here.
    if (!existsSync(cli)) throw e;
  }
  work = mkdtempSync(join(tmpdir(), 'convproof-cli-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// Help texts, the version and most flag checks run in process (see runInProcess); the exit codes,
// the one-line errors without a stack trace and everything that imports a user's module run spawned.
describe.concurrent('help and version', () => {
  test('--help lists the commands and the exit codes, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['verify', 'demo', 'bench', 'Exit codes']) expect(r.stdout).toContain(word);
  });

  test.each(['verify', 'demo', 'bench'])('%s --help shows the usage of that command, exit 0', async (command) => {
    const r = await runInProcess([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: convproof ${command}`));
  });

  test('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = await runInProcess(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe.concurrent('bad usage: one line on stderr, exit 2', () => {
  test('no command', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: convproof');
  });

  test('unknown command', async () => expectUsageError(await run(['frobnicate']), /unknown command "frobnicate"/));

  test('unknown global flag', async () =>
    expectUsageError(await runInProcess(['--frobnicate']), /unknown option --frobnicate/));

  test('unknown flag of a command', async () =>
    expectUsageError(await runInProcess(['demo', '--frobnicate']), /unknown option '--frobnicate'/));

  test('a flag without its value', async () => expectUsageError(await runInProcess(['demo', '--out']), /--out/));
});

/** The chunks of a PNG file, each checked against its CRC (computed by Node's zlib, not by the CLI's code). */
function pngChunks(bytes: Buffer): { type: string; data: Buffer }[] {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    expect(bytes.readUInt32BE(at + 8 + length), `CRC of ${type}`).toBe(crc32(bytes.subarray(at + 4, at + 8 + length)));
    chunks.push({ type, data });
    at += 12 + length;
  }
  expect(at).toBe(bytes.length);
  return chunks;
}

interface Decoded {
  readonly width: number;
  readonly height: number;
  /** RGB of pixel (x, y). */
  rgb(x: number, y: number): [number, number, number];
}

/** Decodes the 8-bit RGB, filter-0 PNGs the demo writes, checking every structural field on the way. */
function decodePng(file: string): Decoded {
  const chunks = pngChunks(readFileSync(file));
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = chunks[0].data;
  expect(ihdr.length).toBe(13);
  const [width, height] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)];
  expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
  const raw = inflateSync(chunks[1].data);
  expect(raw.length).toBe(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) expect(raw[y * (1 + 3 * width)], `filter byte of row ${y}`).toBe(0);
  return {
    width,
    height,
    rgb: (x, y) => {
      const i = y * (1 + 3 * width) + 1 + 3 * x;
      return [raw[i], raw[i + 1], raw[i + 2]];
    },
  };
}

describe('demo', () => {
  let r: Run;
  const out = () => join(work, 'pictures');

  beforeAll(async () => {
    r = await run(['demo', '--out', 'pictures']);
  });

  test('walks through the chapter, exit 0', async () => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/19 25\s*\n.*37 43/);
    expect(r.stdout).toContain('all zeros');
    // The chapter prints the loss every second step; it must fall and the kernel approach [1, -1].
    const losses = [...r.stdout.matchAll(/step\s+(\d+), loss (\d+\.\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(losses.map(([s]) => s)).toEqual([2, 4, 6, 8, 10]);
    for (let i = 1; i < losses.length; i++) expect(losses[i][1]).toBeLessThan(losses[i - 1][1]);
    const kernel = /learned kernel \[\[(-?\d+\.\d+), (-?\d+\.\d+)\]\]/.exec(r.stdout);
    expect(kernel).not.toBeNull();
    expect(Math.abs(Number(kernel![1]) - 1)).toBeLessThan(0.1);
    expect(Math.abs(Number(kernel![2]) + 1)).toBeLessThan(0.1);
  });

  test('the padding/stride table states the chapter shapes 8×8, 8×8, 4×4, 2×2, all agreeing', async () => {
    const rows = r.stdout.split('\n').filter((l) => l.includes('⌊(8−'));
    expect(rows).toHaveLength(4);
    expect(rows.map((l) => /= (\d+×\d+)/.exec(l)?.[1])).toEqual(['8×8', '8×8', '4×4', '2×2']);
    for (const row of rows) expect(row).toContain('✓');
  });

  test('piped output has no colour codes; FORCE_COLOR adds them, NO_COLOR wins over it', async () => {
    expect(r.stdout).not.toContain('\x1b[');
    expect((await run(['demo', '--out', 'pictures'], { FORCE_COLOR: '1' })).stdout).toContain('\x1b[');
    expect((await run(['demo', '--out', 'pictures'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain(
      '\x1b[',
    );
  });

  // Each picture has `cell` pixels per entry plus 1-pixel grid lines: a side of n entries is n·(cell+1)+1 pixels.
  const side = (n: number) => n * 41 + 1;
  const WHITE = [255, 255, 255];
  const BLACK = [0, 0, 0];
  const centre = (img: Decoded, row: number, col: number) => img.rgb(col * 41 + 21, row * 41 + 21);

  test('edge-input.png: 6×8 entries, black band in columns 2–5', async () => {
    const img = decodePng(join(out(), 'edge-input.png'));
    expect([img.width, img.height]).toEqual([side(8), side(6)]);
    for (let j = 0; j < 8; j++) expect(centre(img, 3, j)).toEqual(j >= 2 && j < 6 ? BLACK : WHITE);
  });

  test('edge-output.png: 6×7 entries, +1 (red) at column 1, −1 (blue) at column 5, white elsewhere', async () => {
    const img = decodePng(join(out(), 'edge-output.png'));
    expect([img.width, img.height]).toEqual([side(7), side(6)]);
    for (let j = 0; j < 7; j++) {
      const [red, , blue] = centre(img, 0, j);
      if (j === 1) expect(red).toBeGreaterThan(blue);
      else if (j === 5) expect(blue).toBeGreaterThan(red);
      else expect(centre(img, 0, j)).toEqual(WHITE);
    }
  });

  test('the transposed pictures: 8×6 input, 8×5 all-white (all-zero) output', async () => {
    const input = decodePng(join(out(), 'edge-input-transposed.png'));
    expect([input.width, input.height]).toEqual([side(6), side(8)]);
    expect(centre(input, 3, 0)).toEqual(BLACK);
    expect(centre(input, 0, 3)).toEqual(WHITE);
    const output = decodePng(join(out(), 'edge-output-transposed.png'));
    expect([output.width, output.height]).toEqual([side(5), side(8)]);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 5; j++) expect(centre(output, i, j)).toEqual(WHITE);
  });

  test('loss.png: a valid 640×400 plot that is not blank', async () => {
    const img = decodePng(join(out(), 'loss.png'));
    expect([img.width, img.height]).toEqual([640, 400]);
    const colours = new Set<string>();
    for (let y = 0; y < img.height; y += 3) for (let x = 0; x < img.width; x += 3) colours.add(img.rgb(x, y).join(','));
    expect(colours.size).toBeGreaterThan(2);
  });

  test('an --out path that is a file is refused in one line, exit 2', async () => {
    writeFileSync(join(work, 'a-file'), 'x');
    expectUsageError(await run(['demo', '--out', 'a-file']), /cannot write the pictures/);
  });
});

/** Writes a module into the work directory; `{{build}}` becomes the private build's URL. */
function module(name: string, source: string): string {
  writeFileSync(join(work, name), source.replaceAll('{{build}}', pathToFileURL(build).href));
  return name;
}

/** Splits a replay command printed by the CLI into words (it quotes with '…' only). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replaceAll(`'\\''`, `'`) : m[2],
  );
}

interface JsonReport {
  implementation: string;
  ok: boolean;
  seed: number;
  runs: number;
  oracles: { name: string; ready: boolean }[];
  properties: {
    name: string;
    status: string;
    runs: number;
    timeMs: number;
    worstRatio: number | null;
    failure?: { seed: number; path: string; replay: string; counterexample: string };
  }[];
}

describe('verify', () => {
  test('our implementation: every property held, exit 0; the table, the summary and the JSON report agree', async () => {
    const r = await run(['verify', '--runs', '3', '--seed', '7', '--oracle', 'cpu', '--json', 'ours.json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/runs\s+result\s+worst err\/\(u·M\)\s+time\s+property/);
    expect(r.stdout).toContain('every property held');
    expect(r.stdout).toContain('seed 7');
    const report = JSON.parse(readFileSync(join(work, 'ours.json'), 'utf8')) as JsonReport;
    expect(report.ok).toBe(true);
    expect(report.seed).toBe(7);
    expect(report.oracles).toEqual([{ name: 'tfjs-cpu', ready: true }]);
    expect(report.properties.length).toBeGreaterThan(10);
    for (const p of report.properties) {
      expect(p.status, p.name).toBe('passed');
      expect(p.runs).toBeGreaterThanOrEqual(1);
      expect(p.runs).toBeLessThanOrEqual(3);
      expect(typeof p.timeMs).toBe('number');
      // one table row per property, ending with its name
      expect(r.stdout.split('\n').filter((l) => l.endsWith(p.name) && /\bheld\b/.test(l))).toHaveLength(1);
    }
    // The tfjs oracles were consulted and the worst ratio of a compared property is a number.
    expect(report.properties.some((p) => typeof p.worstRatio === 'number')).toBe(true);
  });

  test('progress goes to stderr as plain lines when stderr is not a terminal', async () => {
    const r = await run(['verify', '--runs', '2', '--seed', '3', '--oracle', 'none']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l).toMatch(/^\[\s*\d+\/\d+\] (held|skipped|FAILED): /);
    expect(r.stderr).not.toContain('\r');
  });

  test('a correct conv2d given with --impl passes; what it does not export is skipped with the reason', async () => {
    const impl = module('only-conv2d.mjs', "export { conv2d } from '{{build}}/src/reference/index.js';\n");
    const r = await run(['verify', '--impl', impl, '--runs', '3', '--seed', '11', '--oracle', 'none']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/skipped \d+ propert(y|ies): the implementation exports no conv2dBackward/);
    expect(r.stdout).toContain(`implementation: ${impl}`);
  });

  test('a conv2d that flips the kernel (true convolution) fails, exit 1, with a counterexample and a replay that reproduces it', async () => {
    const impl = module(
      'flipped.mjs',
      `import { conv2d as correlate } from '{{build}}/src/reference/index.js';
export function conv2d(input, weight, options) {
  const [O, C, KH, KW] = weight.shape;
  const data = weight.data.slice();
  for (let p = 0; p < O * C; p++)
    for (let i = 0; i < KH; i++)
      for (let j = 0; j < KW; j++) data[(p * KH + i) * KW + j] = weight.data[(p * KH + KH - 1 - i) * KW + KW - 1 - j];
  return correlate(input, { shape: weight.shape, data }, options);
}
`,
    );
    const r = await run([
      'verify',
      '--impl',
      impl,
      '--runs',
      '20',
      '--seed',
      '5',
      '--oracle',
      'none',
      '--json',
      'flipped.json',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/\bFAILED\b/);
    expect(r.stdout).toMatch(/\d+ failed: /);
    expect(r.stdout).toContain('counterexample');
    const report = JSON.parse(readFileSync(join(work, 'flipped.json'), 'utf8')) as JsonReport;
    expect(report.ok).toBe(false);
    expect(report.implementation).toBe(impl);
    const failed = report.properties.filter((p) => p.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    // The impulse property names the bug exactly: the response must be the kernel rotated by 180°.
    expect(failed.map((p) => p.name).some((n) => /impulse/.test(n))).toBe(true);
    for (const p of failed) {
      expect(p.failure?.seed).toBe(5);
      expect(p.failure?.path).toMatch(/^\d+(:\d+)*$/);
      expect(r.stdout).toContain(`replay: ${p.failure?.replay}`);
    }
    const replay = shellWords(failed[0].failure!.replay);
    expect(replay.slice(0, 2)).toEqual(['convproof', 'verify']);
    const again = await run(replay.slice(1));
    expect(again.code, again.stdout + again.stderr).toBe(1);
    expect(again.stdout.split('\n').filter((l) => /\bFAILED\b/.test(l))).toHaveLength(1);
    expect(again.stdout).toContain(failed[0].failure!.counterexample);
  });
});

describe.concurrent('verify: bad usage is one line on stderr, exit 2, no stack trace', () => {
  test('--impl of a missing file', async () =>
    expectUsageError(await runInProcess(['verify', '--impl', 'nowhere.mjs']), /no such file nowhere\.mjs/));

  test('--impl of a module without conv2d', async () => {
    const impl = module('no-conv.mjs', 'export function conv(x) { return x; }\n');
    expectUsageError(await run(['verify', '--impl', impl]), /does not export a conv2d function \(its exports: conv\)/);
  });

  test('--impl of a module whose conv2d is not a function', async () => {
    const impl = module('number-conv.mjs', 'export const conv2d = 3;\n');
    expectUsageError(await run(['verify', '--impl', impl]), /does not export a conv2d function/);
  });

  test('--impl of a module that throws on import', async () => {
    const impl = module('throws.mjs', "throw new Error('broken at load time');\n");
    expectUsageError(await run(['verify', '--impl', impl]), /importing throws\.mjs failed: broken at load time/);
  });

  test('--impl of a module with a syntax error', async () => {
    const impl = module('syntax.mjs', 'export function conv2d( {\n');
    expectUsageError(await run(['verify', '--impl', impl]), /importing syntax\.mjs failed: SyntaxError/);
  });

  test('--impl of a TypeScript file', async () =>
    expectUsageError(await runInProcess(['verify', '--impl', 'conv.ts']), /\.js, \.mjs or \.cjs/));

  test.each([
    [['--runs', 'abc'], /--runs must be an integer/],
    [['--runs', '0'], /--runs must be an integer/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--profile', 'huge'], /--profile must be one of quick, ci, deep/],
    [['--dtype', 'float16'], /--dtype must be one of float32, float64, both/],
    [['--oracle', 'cpu,tpu'], /--oracle must be one of cpu, wasm, node, none, got "tpu"/],
    [['--property', 'no such property'], /no property named "no such property"/],
    [['--path', '0:1'], /--path replays one counterexample/],
    [['--json', 'missing-dir/r.json'], /--json: no directory/],
    [['--json', '.'], /--json: \. is a directory/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['extra'], /unexpected argument 'extra'/],
  ])('verify %j (in process)', async (args, message) =>
    expectUsageError(await runInProcess(['verify', ...args]), message),
  );
});

describe.concurrent('bench: bad usage', () => {
  test.each([
    [['--kernels', 'gpu'], /--kernels must be one of auto, wasm, js/],
    [['--clock', 'tsc'], /--clock must be one of wall, cpu/],
    [['--only', 'latency', '--only', 'speed'], /--only must be one of forward, backward, latency/],
    [['--json', 'missing-dir/b.json'], /--json: no directory/],
    [['--quick', 'now'], /unexpected argument 'now'/],
  ])('bench %j (in process)', async (args, message) =>
    expectUsageError(await runInProcess(['bench', ...args]), message),
  );
});
