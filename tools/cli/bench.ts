/**
 * `convproof bench`: the benchmark of `tools/bench` (our kernels beside
 * TensorFlow.js cpu and wasm, and tfjs-node when installed) from the
 * command line.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { println, type CliContext } from './context.js';
import { UsageError, choiceFlag, parseOrUsage } from './usage.js';

/** The text of `convproof bench --help`. */
export const BENCH_HELP = `Usage: convproof bench [--quick] [--only part] [--json file] [--kernels auto|wasm|js] [--clock wall|cpu]

Times convproof's conv2d and conv2dBackward beside TensorFlow.js (cpu, wasm,
and tfjs-node when installed) in one process on the same shapes: LeNet,
CIFAR, ResNet 3×3, depthwise, strided, the backward pass, a few of them in
NCHW and in NHWC (dataFormat) side by side, and the latency of
the chapter's 6×8 corr2d (into a reused buffer, and returning a fresh array).
Prints ms, GFLOP/s (2·N·O·OH·OW·(C/g)·KH·KW per
pass) and how many times faster ours is. Each of our results is checked
against the float64 model first; a wrong result reports no speed and the
exit code is 1.

Options:
  --quick            fewer samples; skips tfjs-cpu's slowest backward runs
  --only part        run one part: forward, backward, layouts or latency (repeatable)
  --json file        also write the report as JSON
  --kernels name     which of our kernels: auto (default), wasm or js
  --clock name       wall (default) or cpu: this process's CPU time, steadier
                     while other processes load the machine
  -h, --help         show this help`;

const OPTIONS = {
  quick: { type: 'boolean' },
  only: { type: 'string', multiple: true },
  json: { type: 'string' },
  kernels: { type: 'string' },
  clock: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `convproof bench [...]`: prints the benchmark tables; 1 when one of our results fails its check.
 * @example await bench(['--quick', '--json', 'bench.json'], ctx);
 */
export async function bench(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseOrUsage('bench', () => parseArgs({ args: [...args], options: OPTIONS, strict: true }));
  if (values.help) {
    println(ctx.stdout, BENCH_HELP);
    return 0;
  }
  const kernels = choiceFlag('bench', '--kernels', values.kernels ?? 'auto', ['auto', 'wasm', 'js'] as const);
  const clock = choiceFlag('bench', '--clock', values.clock ?? 'wall', ['wall', 'cpu'] as const);
  const only = values.only?.map((part) =>
    choiceFlag('bench', '--only', part, ['forward', 'backward', 'layouts', 'latency'] as const),
  );
  const json = values.json === undefined ? undefined : resolve(ctx.cwd, values.json);
  if (json !== undefined && (values.json === '' || !existsSync(dirname(json)))) {
    throw new UsageError('bench', `--json: no directory to write ${JSON.stringify(values.json)} into`);
  }
  const { runBenchmark, formatBenchReport } = await import('../bench/index.js');
  // A redrawn status line on a terminal, one line per step otherwise.
  const tty = ctx.stderr.isTTY === true;
  const report = await runBenchmark({
    quick: values.quick ?? false,
    kernels,
    clock,
    ...(only ? { only } : {}),
    ...(json ? { json } : {}),
    onProgress: (line) => ctx.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`),
  });
  if (tty) ctx.stderr.write('\r\x1b[2K');
  println(ctx.stdout, formatBenchReport(report));
  if (json) println(ctx.stdout, `report written to ${values.json}`);
  return report.ok ? 0 : 1;
}
