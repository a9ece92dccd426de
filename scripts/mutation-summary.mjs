#!/usr/bin/env node
// Summarises a StrykerJS JSON report (default reports/mutation/mutation.json) for docs/mutation.md:
// a per-file table of mutant statuses and scores, then every surviving and uncovered mutant with its
// line, mutator and replacement. Usage: node scripts/mutation-summary.mjs [report.json]
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(path, 'utf8'));
const STATUSES = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'RuntimeError', 'CompileError'];

/** Stryker's score: detected (killed or timed out) over valid mutants (detected, survived, uncovered). */
function score(c) {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid === 0 ? '–' : `${((100 * (c.Killed + c.Timeout)) / valid).toFixed(2)}%`;
}

/** The same with timeouts counted as not detected: a lower bound that no slow machine can inflate. */
function strict(c) {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid === 0 ? '–' : `${((100 * c.Killed) / valid).toFixed(2)}%`;
}

const zero = () => Object.fromEntries(STATUSES.map((s) => [s, 0]));
const total = zero();
const rows = [];
const left = [];
for (const [file, f] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const c = zero();
  for (const m of f.mutants) {
    c[m.status] = (c[m.status] ?? 0) + 1;
    total[m.status] = (total[m.status] ?? 0) + 1;
    if (m.status === 'Survived' || m.status === 'NoCoverage') {
      const line = f.source.split('\n')[m.location.start.line - 1]?.trim() ?? '';
      left.push(
        `${file}:${m.location.start.line} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement)} | ${line}`,
      );
    }
  }
  rows.push([file, f.mutants.length, c]);
}
const line = (name, n, c) =>
  `| ${name} | ${n} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} | ${score(c)} | ${strict(c)} |`;
console.log('| file | mutants | killed | timed out | survived | no coverage | ignored | score | killed only |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [file, n, c] of rows) console.log(line(file, n, c));
console.log(
  line(
    '**all of src/**',
    rows.reduce((s, [, n]) => s + n, 0),
    total,
  ),
);
console.log(`\n${left.length} mutants survived or were not covered:`);
for (const l of left) console.log(`- ${l}`);
