/**
 * The convproof CLI, run as a user runs it: a built `cli.js` spawned in a
 * child process, judged by exit code, stdout/stderr and the files it writes
 * (the demo's pictures: cli-demo.test.ts; the build and the runners: cli-harness.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { expectUsageError, runCli, runCliInProcess, setupCli } from './cli-harness.js';

const ctx = setupCli('main');
const { root, build } = ctx;
const run = (args: readonly string[], env?: Record<string, string>) => runCli(ctx, args, env);
const runInProcess = (args: readonly string[]) => runCliInProcess(ctx, args);

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
/** Writes a module into the work directory; `{{build}}` becomes the private build's URL. */
function module(name: string, source: string): string {
  writeFileSync(join(ctx.work, name), source.replaceAll('{{build}}', pathToFileURL(build).href));
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
    const report = JSON.parse(readFileSync(join(ctx.work, 'ours.json'), 'utf8')) as JsonReport;
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
    for (const l of lines) expect(l).toMatch(/^\[\s*\d+\/\d+\] (held|not run|FAILED): /);
    expect(r.stderr).not.toContain('\r');
  });

  test('a correct conv2d given with --impl passes; what it does not export is skipped with the reason', async () => {
    const impl = module('only-conv2d.mjs', "export { conv2d } from '{{build}}/src/reference/index.js';\n");
    const r = await run(['verify', '--impl', impl, '--runs', '3', '--seed', '11', '--oracle', 'none']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/not run \d+ propert(y|ies): the implementation exports no conv2dBackward/);
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
    const report = JSON.parse(readFileSync(join(ctx.work, 'flipped.json'), 'utf8')) as JsonReport;
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

describe('verify --json', () => {
  const ACCURACY = 'for any case, every output is within the error bound of the float64 model';
  const ORACLE = 'for any valid case, conv2d agrees with every ready TensorFlow.js oracle within c·γ_n·M (float32)';
  const versionOf = (dir: string): string =>
    (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

  test('carries the counterexample as data and the versions, and names no absolute path of this machine', async () => {
    mkdirSync(join(ctx.work, 'pkg'), { recursive: true });
    writeFileSync(join(ctx.work, 'pkg', 'package.json'), JSON.stringify({ name: 'my-conv', version: '1.2.3' }));
    // A planted bug that needs only a stride: its message names the module's own absolute URL.
    const impl = module(
      'pkg/no-stride.mjs',
      `import { conv2d as ours } from '{{build}}/src/reference/index.js';
export function conv2d(input, weight, options = {}) {
  const s = options.stride ?? 1;
  if (s !== 1 && String(s) !== '1,1') throw new Error('no stride in ' + import.meta.url);
  return ours(input, weight, options);
}
`,
    );
    const args = ['verify', '--impl', join(ctx.work, impl), '--runs', '30', '--seed', '3', '--oracle', 'cpu'];
    const r = await run([...args, '--property', ACCURACY, '--property', ORACLE, '--json', 'paths.json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const text = readFileSync(join(ctx.work, 'paths.json'), 'utf8');
    for (const dir of [tmpdir(), process.cwd(), homedir(), ctx.work].filter((d) => d.length > 1))
      expect(text.includes(dir), `${dir} in the JSON report`).toBe(false);
    const report = JSON.parse(text) as JsonReport & { versions: Record<string, unknown> };
    expect(report.implementation).toBe('pkg/no-stride.mjs');
    expect(report.versions).toEqual({
      convproof: versionOf(root),
      'fast-check': versionOf(join(root, 'node_modules', 'fast-check')),
      node: process.versions.node,
      oracles: {
        '@tensorflow/tfjs-core': versionOf(join(root, 'node_modules', '@tensorflow', 'tfjs-core')),
        '@tensorflow/tfjs-backend-cpu': versionOf(join(root, 'node_modules', '@tensorflow', 'tfjs-backend-cpu')),
      },
      implementation: 'my-conv@1.2.3',
    });
    const failure = report.properties.find((p) => p.name === ACCURACY)?.failure as unknown as {
      message: string;
      case: {
        routine: string;
        options: Record<string, unknown>;
        tensors: Record<string, { shape: number[]; data: unknown[] }>;
      };
    };
    expect(failure.message).toBe('no stride in file://./pkg/no-stride.mjs');
    expect(failure.case.routine).toBe('conv2d');
    expect(Object.keys(failure.case.options)).toEqual(['stride']);
    const { input, weight } = failure.case.tensors;
    expect(input.data).toHaveLength(input.shape.reduce((a, b) => a * b, 1));
    expect(weight.data).toHaveLength(weight.shape.reduce((a, b) => a * b, 1));
  });
});

describe('verify: declared support and conventions', () => {
  const pytorchLike = (): string =>
    module('pytorch-like.mjs', readFileSync(join(root, 'test', 'fixtures', 'pytorch-like.mjs'), 'utf8'));

  test("a module's own supports and conventions are used: an async PyTorch-convention conv passes, exit 0", async () => {
    const r = await run([
      'verify',
      '--impl',
      pytorchLike(),
      '--runs',
      '15',
      '--seed',
      '4',
      '--oracle',
      'none',
      '--json',
      'pt.json',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(ctx.work, 'pt.json'), 'utf8')) as JsonReport & {
      supports: unknown;
      conventions: unknown;
    };
    expect(report.supports).toEqual({
      dtypes: ['float32'],
      paddingModes: ['zeros'],
      dataFormats: ['NCHW'],
      filterFormats: ['OIHW'],
    });
    expect(report.conventions).toEqual({ padded: 'multiply' });
  });

  test("flags override the module's declaration, and a failure's replay carries the declaration", async () => {
    const r = await run([
      'verify',
      '--impl',
      pytorchLike(),
      '--runs',
      '200',
      '--seed',
      '6',
      '--oracle',
      'none',
      '--padded',
      'skip',
      '--no-dilation',
      '--property',
      'for any case with NaN or ±Inf planted, they reach exactly the outputs whose real taps read them',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const replay = /replay: (.*)/.exec(r.stdout)?.[1] ?? '';
    expect(replay).toContain('--no-dilation');
    expect(replay).toContain('--padding-modes zeros');
    expect(replay).toContain('--padded skip');
    const again = await run(shellWords(replay).slice(1));
    expect(again.code, again.stdout + again.stderr).toBe(1);
  });

  test('a bad declaration flag is one line, exit 2', async () =>
    expectUsageError(await runInProcess(['verify', '--groups', 'some']), /--groups/));
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
    [['--only', 'latency', '--only', 'speed'], /--only must be one of forward, backward, layouts, latency/],
    [['--json', 'missing-dir/b.json'], /--json: no directory/],
    [['--quick', 'now'], /unexpected argument 'now'/],
  ])('bench %j (in process)', async (args, message) =>
    expectUsageError(await runInProcess(['bench', ...args]), message),
  );
});

describe('verify: an --impl that hangs', () => {
  const BOUND = 'for any case, every output is within the error bound of the float64 model';
  const ONE_BY_ONE = 'for any 1×1 kernel, the conv is a matrix product over channels at strided pixels';

  test('is stopped after --timeout, reported with its case, and the run goes on; progress is in the log as it happens', async () => {
    module('pytorch-like.mjs', readFileSync(join(root, 'test', 'fixtures', 'pytorch-like.mjs'), 'utf8'));
    const impl = module('faulty-hang.mjs', readFileSync(join(root, 'test', 'fixtures', 'faulty-hang.mjs'), 'utf8'));
    const args = ['verify', '--impl', impl, '--timeout', '1', '--runs', '20', '--seed', '1', '--oracle', 'none'];
    const r = await run([...args, '--log', 'hang.log', '--property', BOUND, '--property', ONE_BY_ONE]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`✗ ${BOUND}\n  conv2d did not return within 1 s`);
    expect(r.stdout).toMatch(/counterexample \(shrunk in 0 steps\):\n {4}conv2d\(input \[/);
    expect(r.stdout).toContain('re-run alone in a fresh worker: it fails again');
    expect(r.stdout).toMatch(/2 properties, 1 held, 1 failed/);
    expect(/replay: (.*)/.exec(r.stdout)?.[1]).toContain('--timeout 1');
    const log = readFileSync(join(ctx.work, 'hang.log'), 'utf8').trim().split('\n');
    expect(log.map((l) => l.replace(/^\s*[\d.]+ s /, ''))).toEqual([
      `[1/2] start: ${BOUND}`,
      `[1/2] FAILED: ${BOUND}`,
      `[2/2] start: ${ONE_BY_ONE}`,
      `[2/2] held: ${ONE_BY_ONE}`,
    ]);
  });
});
