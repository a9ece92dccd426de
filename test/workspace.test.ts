/**
 * The WebAssembly (and JavaScript) workspace gives its memory back. A
 * WebAssembly memory can only grow, so a backend drops its kernels whole
 * after a call that grew them past its bound (or on `trim()`), and the
 * engine collects them. Each scenario runs in its own `node --expose-gc`
 * process (test/workspace/measure.ts) and reads `process.memoryUsage().external`
 * after a full gc, which counts every ArrayBuffer and WebAssembly.Memory
 * (a wasm memory shows in `external`, not in `arrayBuffers`).
 *
 * The call is a 1×4×768×1024 ∗ 4×4×3×3 forward (padding 1) whose workspace
 * needs ~72 MiB, over the 32 MiB bound. The bounds below come from those
 * sizes: an unbounded backend keeps the page-rounded workspace (so the
 * reading does see it), a bounded or trimmed one keeps less than one 64 KiB
 * page beyond the output tensor.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { WorkspaceMeasurement } from './workspace/measure.js';
import { Workspace } from '../src/fast/workspace.js';

const PAGE = 65536;
const MB = 2 ** 20;
let dir = '';
let script = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'convproof-workspace-'));
  execFileSync(
    'npx',
    [
      'tsc',
      '--ignoreConfig',
      'test/workspace/measure.ts',
      '--outDir',
      dir,
      '--rootDir',
      '.',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--strict',
    ],
    { stdio: 'pipe' },
  );
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
  script = join(dir, 'test', 'workspace', 'measure.js');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function measure(kernels: string, mode: string): WorkspaceMeasurement & { retained: number } {
  const out = execFileSync('node', ['--expose-gc', script, kernels, mode], { encoding: 'utf8', timeout: 60_000 });
  const m = JSON.parse(out.trim().split('\n').pop()!) as WorkspaceMeasurement;
  const retained = m.after - m.before - m.outputBytes;
  console.log(
    `${kernels} ${mode}: needs ${(m.need / MB).toFixed(1)} MiB, keeps ${retained} bytes beyond the output ` +
      `(backend holds ${m.held}, ${m.releases} release(s)); RSS ${(m.rssBefore / MB).toFixed(0)} → ${(m.rssAfter / MB).toFixed(0)} MiB; ${m.ms.toFixed(0)} ms`,
  );
  return { ...m, retained };
}

describe.each(['wasm', 'js'])('the %s workspace', (kernels) => {
  test('without a bound it keeps the grown workspace, and the reading sees all of it', () => {
    const m = measure(kernels, 'unbounded');
    expect(m.need).toBeGreaterThan(2 * 32 * MB);
    expect(m.held).toBe(Math.ceil(m.need / PAGE) * PAGE);
    expect(m.retained).toBeGreaterThanOrEqual(m.held);
    expect(m.retained).toBeLessThan(m.held + PAGE);
  });

  test('with the 32 MiB bound, a call that outgrew it gives the memory back: less than a page stays', () => {
    const m = measure(kernels, 'bounded');
    expect(m.need).toBeGreaterThan(m.bound);
    expect([m.held, m.releases]).toEqual([0, 1]);
    expect(m.retained).toBeLessThan(PAGE);
  });

  test('without a bound, trim() gives it back: less than a page stays', () => {
    const m = measure(kernels, 'trimmed');
    expect([m.held, m.releases]).toEqual([0, 1]);
    expect(m.retained).toBeLessThan(PAGE);
  });
});

describe.each(['wasm', 'js'] as const)('dropped %s kernels, not yet collected', (name) => {
  test('are taken up again by the next call instead of a second workspace', () => {
    const ws = new Workspace(name, 2 ** 20);
    const first = ws.acquire()!;
    expect(first.reserve(4 * 2 ** 20)).toBe(true);
    ws.settle();
    expect([ws.bytes, ws.releases]).toEqual([0, 1]);
    // Same task: the engine cannot have collected them, so they come back rather than a fresh, empty set.
    const again = ws.acquire()!;
    expect(again).toBe(first);
    expect(again.bytes).toBeGreaterThanOrEqual(4 * 2 ** 20);
    ws.trim();
    expect(ws.bytes).toBe(0);
  });
});
