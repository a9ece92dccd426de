/**
 * The benchmark report as the plain-text tables `npm run bench` prints.
 */
import type { BenchCase, BenchReport, BenchSummary, PeerResult } from './index.js';
import { GROUPS } from './problems.js';

/** Three significant digits, without exponent notation for the sizes seen here. */
function num(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

function pad(cells: readonly string[][]): string[] {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) =>
    row
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

function timeCell(ms: number, latency: boolean): string {
  return latency ? num(ms * 1000) : num(ms);
}

function peerCells(r: PeerResult, latency: boolean): string[] {
  if (!r.timing || r.ratio === null) return [r.missing?.startsWith('skipped') ? 'skipped' : 'n/a', '', ''];
  const star = r.partial ? '*' : '';
  return [
    timeCell(r.timing.ms, latency) + star,
    r.timing.gflops === null ? '' : num(r.timing.gflops),
    `${num(r.ratio)}×`,
  ];
}

function table(cases: readonly BenchCase[], peers: readonly string[]): string[] {
  const latency = cases[0].group.startsWith('latency');
  const unit = latency ? 'µs' : 'ms';
  const head = [
    '',
    '',
    `ours ${unit}`,
    'GFLOP/s',
    ...peers.flatMap((p) => [`${p} ${unit}`, 'GFLOP/s', '×']),
    'err/(u·M)',
  ];
  const rows = cases.map((c) => [
    c.name,
    c.shape,
    c.ours ? timeCell(c.ours.ms, latency) : 'WRONG',
    c.ours?.gflops != null ? num(c.ours.gflops) : '',
    ...peers.flatMap((p) => peerCells(c.peers.find((r) => r.peer === p)!, latency)),
    c.check.ok ? (latency ? 'exact' : c.check.worstRatio.toFixed(2)) : 'FAILED',
  ]);
  const keep = head.map((_, i) => i < 2 || [head, ...rows].some((r) => r[i] !== '' && r !== head));
  const cut = (r: string[]): string[] => r.filter((_, i) => keep[i]);
  return pad([cut(head), ...rows.map(cut)]);
}

function summaryLine(s: BenchSummary): string {
  const mean = s.geomean === null ? 'n/a' : `${num(s.geomean)}×`;
  const target = s.target === null ? '' : `   target ≥ ${s.target}×: ${s.met ? 'met' : 'NOT met'}`;
  return `  ${s.group.padEnd(13)}  vs ${s.peer.padEnd(36)} ${mean.padStart(7)}  (${s.count} of ${s.of})${target}`;
}

const TITLES: Readonly<Record<BenchCase['group'], string>> = {
  forward: 'forward (one conv2d call)',
  backward: 'backward (input + weight gradients; ours also the bias gradient; 2 passes of FLOPs)',
  layouts:
    'layouts: ours called in NCHW/OIHW, then in NHWC/HWIO (dataFormat, filterFormat) on the same values; tfjs always in its native NHWC (the last row: a backward)',
  latency: "per-call latency of the chapter's corr2d(X, K) (tfjs: conv2d on [1,6,8,1], dataSync, dispose)",
};

/**
 * Formats a report as text tables: one per group, then the geometric means
 * against the targets, then notes.
 * @example console.log(formatBenchReport(await runBenchmark({ quick: true })));
 */
export function formatBenchReport(report: BenchReport): string {
  const peers = [...new Set(report.cases.flatMap((c) => c.peers.map((r) => r.peer)))];
  const kernels = report.kernels === 'wasm' ? 'WebAssembly SIMD kernels' : 'JavaScript kernels';
  const lines = [
    `convproof bench: ours (${kernels}, float32) vs ${report.tfjs ? `TensorFlow.js ${report.tfjs}` : 'no peer'}, in one process`,
    `${report.runtime}, ${report.cpu} (${report.cores} cores)${report.quick ? ', --quick' : ''}`,
    `time: ${report.clock === 'cpu' ? "this process's CPU time" : 'wall-clock'}, median over samples after a warm-up; × = their time / ours (higher: ours faster)`,
    'err/(u·M): our worst error against the float64 model, in units of u·M (bound: 2·n with n terms)',
  ];
  for (const group of GROUPS) {
    const cases = report.cases.filter((c) => c.group === group);
    if (!cases.length) continue;
    lines.push('', TITLES[group], ...table(cases, peers));
    if (cases.some((c) => c.peers.some((r) => r.partial))) {
      const partial = cases.flatMap((c) => c.peers).find((r) => r.partial)!;
      lines.push(`  * ${partial.peer}: ${partial.partial}; its × compares that alone with our full backward`);
    }
  }
  lines.push('', 'geometric means of our speed-up', ...report.summaries.map(summaryLine));
  if (report.notes.length) lines.push('', ...report.notes.map((n) => `note: ${n}`));
  const failed = report.cases.filter((c) => !c.check.ok);
  if (failed.length) lines.push('', ...failed.map((c) => `FAILED ${c.group} ${c.name}: ${c.check.message}`));
  return lines.join('\n');
}
