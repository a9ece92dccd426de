/**
 * The scale group run against our own kernels: one test per property
 * (random cases of real size, and the catalog of real layers), failing
 * with the threshold the search names and a replay command.
 * Steer with CONVPROOF_PROFILE / CONVPROOF_RUNS / CONVPROOF_SEED / CONVPROOF_DTYPE / CONVPROOF_SCALE_WORK.
 */
import { describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import { scaleProperties } from '../properties/scale/index.js';
import { formatFailure, runProperty } from '../properties/verify.js';
import { envSettings } from './helpers.js';

const settings = envSettings('test/properties.scale.test.ts', 'scale properties');

describe('scale properties of our conv2d, conv2dBackward and convTranspose2d', () => {
  for (const property of scaleProperties) {
    test(property.name, async () => {
      const report = await runProperty(property, ours, settings);
      for (const note of report.notes) console.log(`${property.name.slice(0, 40)}…: ${note}`);
      if (report.failure) throw new Error(formatFailure(report.failure));
      expect(report.status, report.reason).toBe('passed');
      console.log(
        `${report.runs} runs in ${(report.timeMs / 1000).toFixed(1)} s, worst err/(u·M) ${report.worstRatio}`,
      );
    });
  }
});
