/**
 * Isolation: an implementation given as a module runs in a worker with a
 * deadline per call and a heap cap. A call that hangs, runs out of memory or
 * kills its thread fails its property with that case, and the run goes on
 * with a fresh worker; a failure that needs earlier calls (corrupted state)
 * is reported with the first failing case and does not reproduce alone.
 * Fixtures: test/fixtures/faulty-*.mjs and stateful.mjs, built on the correct
 * pytorch-like.mjs, misbehave only for kernels taller than one row.
 */
import { describe, expect, test } from 'vitest';
import type { VerifyReport } from '../properties/index.js';
import { isolate, verifyIsolated } from '../properties/node/index.js';
import { tensor } from '../src/index.js';

const BOUND = 'for any case, every output is within the error bound of the float64 model';
const ONE_BY_ONE = 'for any 1×1 kernel, the conv is a matrix product over channels at strided pixels';
const fixture = (name: string) => new URL(`./fixtures/${name}.mjs`, import.meta.url);

async function faulty(name: string, limits: { timeoutMs: number; maxMemoryMb?: number }): Promise<VerifyReport> {
  return verifyIsolated({ module: fixture(name), ...limits }, { seed: 1, runs: 30, properties: [BOUND, ONE_BY_ONE] });
}

/** The faulty property failed on a tall kernel with `message`, unshrunk; the 1×1 property still ran and held. */
function expectReported(report: VerifyReport, kind: string, message: RegExp): void {
  const [bound, oneByOne] = report.properties;
  expect(bound.status).toBe('failed');
  expect(bound.failure?.fault).toBe(kind);
  expect(bound.failure?.message).toMatch(message);
  expect(bound.failure?.shrinks).toBe(0);
  expect(bound.failure?.counterexample).toMatch(/weight \[\d+, \d+, [2-9], \d+\]/);
  expect(oneByOne.status).toBe('passed');
  expect(oneByOne.runs).toBe(30);
  expect(report.ok).toBe(false);
}

describe('an isolated implementation that misbehaves on one kernel shape', () => {
  test('a call that never returns is stopped after the deadline and reported; the next property runs', async () => {
    const report = await faulty('faulty-hang', { timeoutMs: 1000 });
    expectReported(report, 'timeout', /^conv2d did not return within 1 s/);
    expect(report.properties[0].failure?.reproducedAlone).toBe(true);
  }, 30_000);

  test('a call that allocates without bound is reported as out of memory', async () => {
    const report = await faulty('faulty-memory', { timeoutMs: 5000, maxMemoryMb: 32 });
    expectReported(report, 'memory', /^ran out of memory/);
  }, 30_000);

  test('an ArrayBuffer the engine refuses (it lives outside the capped heap) is reported as out of memory', async () => {
    const report = await faulty('faulty-alloc', { timeoutMs: 5000 });
    expectReported(report, 'memory', /^ran out of memory \(RangeError: Array buffer allocation failed\)/);
  }, 30_000);

  test('process.exit in the implementation ends only its worker, and is reported', async () => {
    const report = await faulty('faulty-exit', { timeoutMs: 1000 });
    expectReported(report, 'died', /^its thread died: it exited with code 3/);
  }, 30_000);

  test('an exception thrown from a timer (asynchronously) is reported with its message', async () => {
    const report = await faulty('faulty-async-throw', { timeoutMs: 1000 });
    expectReported(report, 'died', /^its thread died: RangeError: the backend lost its context/);
  }, 30_000);
});

describe('a failure that needs the calls before it', () => {
  test('is reported with the first failing case, and does not reproduce alone in a fresh worker', async () => {
    const report = await verifyIsolated(
      { module: fixture('stateful'), timeoutMs: 5000 },
      { seed: 1, runs: 40, properties: [BOUND] },
    );
    const f = report.properties[0].failure;
    expect(f, 'the state corruption went unnoticed').toBeDefined();
    // The fixture corrupts itself on a kernel 3 or more columns wide; the first failure comes after such a call.
    expect(f?.original).toBeDefined();
    expect(f?.original).not.toBe(f?.counterexample);
    expect(f?.reproducedAlone).toBe(false);
  }, 30_000);
});

describe('the isolated implementation', () => {
  test("copies arguments across (the caller's arrays untouched), keeps error names and reads the declarations", async () => {
    const impl = await isolate({ module: fixture('pytorch-like'), timeoutMs: 5000 });
    try {
      expect(impl.supports).toEqual({
        dtypes: ['float32'],
        paddingModes: ['zeros'],
        dataFormats: ['NCHW'],
        filterFormats: ['OIHW'],
      });
      expect(impl.conventions).toEqual({ padded: 'multiply' });
      const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
      const w = tensor([1, 1], [1, 1, 1, 2]);
      const y = await impl.conv2d(x, w);
      expect(Array.from(y.data)).toEqual([3, 7]);
      expect(y.shape).toEqual([1, 1, 2, 1]);
      expect(Array.from(x.data)).toEqual([1, 2, 3, 4]);
      const refused = impl.conv2d(x, w, { padding: 'same', stride: 2 });
      await expect(refused).rejects.toMatchObject({ name: 'UnsupportedCase' });
    } finally {
      await impl.close();
    }
  }, 30_000);
});
