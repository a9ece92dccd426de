/**
 * Regressions. Every counterexample the suite ever finds in our
 * implementation is pinned here as a plain test; none has been found so far
 * (quick, ci and deep campaigns over many seeds, forward and backward).
 * Until then this file holds the pinned-seed run, as fast-check's own suite
 * does: every forward property with seed 42 in both dtypes, so a change
 * that breaks a case once drawn is caught deterministically.
 */
import { describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import { PROFILES, suiteEnv } from '../properties/index.js';
import { forwardProperties } from '../properties/forward.js';
import { formatFailure, runProperty, runSettings, vitestReplay } from '../properties/verify.js';

/** Seed, runs and dtype are pinned; only CONVPROOF_PATH (to replay a failure) is read. */
const { path } = suiteEnv();
const pinned = runSettings({
  profile: 'quick',
  runs: PROFILES.quick.runs,
  seed: 42,
  dtype: 'both',
  ...(path ? { path } : {}),
  replay: vitestReplay('test/regressions.test.ts'),
});

describe('pinned-seed regression run (seed 42)', () => {
  for (const property of forwardProperties) {
    test(`seed 42: ${property.name}`, async () => {
      const report = await runProperty(property, ours, pinned);
      if (report.failure) throw new Error(formatFailure(report.failure));
      expect(report.status).toBe('passed');
      if (!path) expect(report.runs).toBe(PROFILES.quick.runs);
    });
  }
});
