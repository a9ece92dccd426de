/**
 * The benchmark's latency part, run for real in quick mode: what it measures
 * and reports, not how fast anything is (speed is never asserted in a test).
 */
import { describe, expect, test } from 'vitest';
import { formatBenchReport, runBenchmark, TARGETS, type BenchReport } from '../tools/bench/index.js';

describe('bench --only latency', () => {
  let report: BenchReport;

  test('times corr2d(X, K), checked exact against the reference', async () => {
    report = await runBenchmark({ quick: true, only: ['latency'] });
    expect(report.ok).toBe(true);
    expect(report.cases.map((c) => [c.group, c.name])).toEqual([['latency', 'chapter corr2d']]);
    for (const c of report.cases) {
      expect(c.check.ok, c.check.message).toBe(true);
      expect(c.ours!.ms).toBeGreaterThan(0);
      const cpu = c.peers.find((p) => p.peer === 'tfjs-cpu')!;
      expect(cpu.ratio).toBeCloseTo(cpu.timing!.ms / c.ours!.ms, 10);
    }
  }, 60_000);

  test('sets no latency target (withdrawn), and summarises no group it did not run', () => {
    expect(TARGETS.latency).toBeNull();
    const cpu = report.summaries.filter((s) => s.peer === 'tfjs-cpu');
    expect(cpu.map((s) => [s.group, s.target])).toEqual([['latency', null]]);
    const text = formatBenchReport(report);
    expect(text).toContain("per-call latency of the chapter's corr2d(X, K)");
    expect(text).not.toMatch(/forward|backward/);
  });
});
