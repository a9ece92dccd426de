/**
 * Every forward property, run against our conv2d: one test per property,
 * failing with the shrunk counterexample and its replay command.
 * Steer with CONVPROOF_PROFILE / CONVPROOF_RUNS / CONVPROOF_SEED / CONVPROOF_DTYPE.
 */
import { describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import { envSettings } from './helpers.js';
import { forwardProperties } from '../properties/forward.js';
import { formatFailure, runProperty } from '../properties/verify.js';

const settings = envSettings('test/properties.forward.test.ts', 'forward properties');

describe('forward properties of our conv2d', () => {
  for (const property of forwardProperties) {
    test(property.name, async () => {
      const report = await runProperty(property, ours, settings);
      if (report.failure) throw new Error(formatFailure(report.failure));
      expect(report.status, report.reason).toBe('passed');
    });
  }
});
