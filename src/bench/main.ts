/**
 * `npm run bench [-- --quick] [--json report.json] [--kernels js] [--clock cpu]`:
 * runs the benchmark and prints its tables; exits 1 when one of our results
 * fails its correctness check, 2 on bad usage.
 */
import { formatBenchReport, runBenchmark, type BenchOptions } from './index.js';

const USAGE = 'usage: npm run bench -- [--quick] [--json FILE] [--kernels auto|wasm|js] [--clock wall|cpu]';

function parse(argv: readonly string[]): BenchOptions | string {
  let quick = false;
  let json: string | undefined;
  let kernels: BenchOptions['kernels'] = 'auto';
  let clock: BenchOptions['clock'] = 'wall';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--json' && argv[i + 1]) json = argv[++i];
    else if (a === '--kernels' && ['auto', 'wasm', 'js'].includes(argv[i + 1] ?? '')) kernels = argv[++i] as BenchOptions['kernels'];
    else if (a === '--clock' && ['wall', 'cpu'].includes(argv[i + 1] ?? '')) clock = argv[++i] as BenchOptions['clock'];
    else return `unknown or incomplete option ${JSON.stringify(a)}; ${USAGE}`;
  }
  return { quick, kernels, clock, ...(json ? { json } : {}) };
}

const options = parse(process.argv.slice(2));
if (typeof options === 'string') {
  console.error(options);
  process.exitCode = 2;
} else {
  const report = await runBenchmark({ ...options, onProgress: (line) => process.stderr.write(`${line}\n`) });
  console.log(formatBenchReport(report));
  if (!report.ok) process.exitCode = 1;
}
