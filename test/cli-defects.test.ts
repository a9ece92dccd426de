/**
 * `convproof verify --impl` with a module that exports its own `knownDefects`:
 * each witness is re-checked before the run on the unpinned implementation;
 * one that reproduces is pinned (its cases are not applicable, named by its
 * issue), one that no longer reproduces is reported as stale and not pinned.
 * The fixture is a plain loop-nest conv (valid padding, any stride) whose one
 * bug is stride 3 on the rows: it returns zeros there.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyCommand } from '../tools/cli/verify.js';

const ACCURACY = 'for any case, every output is within the error bound of the float64 model';

const CONV = `
export const supports = { dtypes: ['float32'], padding: ['valid'], dilation: false, groups: 'none', unbatched: false, paddingModes: ['zeros'] };
export function conv2d(x, w, o = {}) {
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const [sh, sw] = typeof o.stride === 'object' ? o.stride : [o.stride ?? 1, o.stride ?? 1];
  const [OH, OW] = [Math.floor((H - KH) / sh) + 1, Math.floor((W - KW) / sw) + 1];
  const y = new Float32Array(N * O * OH * OW);
  if (sh === 3) return { shape: [N, O, OH, OW], data: y }; // the bug: zeros
  for (let n = 0; n < N; n++) for (let k = 0; k < O; k++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    let s = o.bias ? o.bias.data[k] : 0;
    for (let c = 0; c < C; c++) for (let a = 0; a < KH; a++) for (let b = 0; b < KW; b++)
      s += x.data[((n * C + c) * H + i * sh + a) * W + j * sw + b] * w.data[((k * C + c) * KH + a) * KW + b];
    y[((n * O + k) * OH + i) * OW + j] = s;
  }
  return { shape: [N, O, OH, OW], data: y };
}
const t = (data, shape) => ({ shape, data: Float32Array.from(data) });
const rowsOf = (o) => (typeof o.stride === 'object' ? o.stride[0] : (o.stride ?? 1));
`;
const DEFECTS = `
export const knownDefects = [
  { issue: 'me/conv#1', summary: 'row stride 3 gives zeros', when: (c) => rowsOf(c.options) === 3,
    witness: { op: 'conv2d', input: t([1, 2, 3, 4], [1, 1, 4, 1]), weight: t([1], [1, 1, 1, 1]), options: { stride: 3 } } },
  { issue: 'me/conv#2', summary: 'row stride 2 was wrong (fixed since)', when: (c) => rowsOf(c.options) === 2,
    witness: { op: 'conv2d', input: t([1, 2, 3, 4], [1, 1, 4, 1]), weight: t([1], [1, 1, 1, 1]), options: { stride: 2 } } },
];
`;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'convproof-defects-'));
  writeFileSync(join(work, 'pinned.mjs'), CONV + DEFECTS);
  writeFileSync(join(work, 'unpinned.mjs'), CONV);
  writeFileSync(join(work, 'bad-witness.mjs'), CONV + DEFECTS.replace('rowsOf(c.options) === 3', 'false'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(args: readonly string[]) {
  let [stdout, stderr] = ['', ''];
  const ctx = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { NO_COLOR: '1' },
    cwd: work,
  };
  const common = ['--property', ACCURACY, '--runs', '150', '--seed', '3', '--oracle', 'none', '--log', 'v.log'];
  const code = await verifyCommand([...args, ...common], ctx).catch((e: Error) => `${e.name}: ${e.message}`);
  return { code, stdout, stderr };
}

interface Report {
  knownDefects?: { issue: string; reproduces: boolean; pinned: boolean; verdict: string }[];
  properties: { status: string; skippedCases: Record<string, number> }[];
}

describe('verify --impl with the module’s own knownDefects', () => {
  test('the reproducing defect is pinned (its cases not applicable, named by issue), the fixed one reported stale and not pinned', async () => {
    const r = await run(['--impl', 'pinned.mjs', '--json', 'pinned.json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('me/conv#1: still reproduces (pinned: its cases are not applicable)');
    expect(r.stdout).toContain(
      'me/conv#2: no longer reproduces — remove the pin (fixed upstream?); not pinned in this run',
    );
    const report = JSON.parse(readFileSync(join(work, 'pinned.json'), 'utf8')) as Report;
    expect(report.knownDefects?.map((d) => [d.issue, d.reproduces, d.pinned])).toEqual([
      ['me/conv#1', true, true],
      ['me/conv#2', false, false],
    ]);
    const [accuracy] = report.properties;
    expect(accuracy.status).toBe('passed');
    const reasons = Object.keys(accuracy.skippedCases).join('\n');
    expect(reasons).toMatch(/known defect me\/conv#1: row stride 3 gives zeros/);
    expect(reasons).not.toMatch(/me\/conv#2/);
  });

  test('the pin is what makes it pass: the same module without knownDefects fails on a row stride of 3', async () => {
    const r = await run(['--impl', 'unpinned.mjs']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).not.toContain('known defects');
    expect(r.stdout).toMatch(/stride"?: ?(3|\[3)/);
  });

  test('a witness its own when() does not hit is bad usage, named', async () => {
    const r = await run(['--impl', 'bad-witness.mjs']);
    expect(r.code).toMatch(/UsageError: .*knownDefects: me\/conv#1: its witness is not a case its when\(\) hits/);
  });
});
