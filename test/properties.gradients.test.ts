/**
 * Every gradient and transposed-conv property, run against our kernels: one
 * test per property, failing with the shrunk counterexample and its replay
 * command. Steer with CONVPROOF_PROFILE / CONVPROOF_RUNS / CONVPROOF_SEED / CONVPROOF_DTYPE.
 */
import { describe, expect, test } from 'vitest';
import * as ours from '../src/index.js';
import {
  formatFailure,
  gradientProperties,
  runProperty,
  runSettings,
  suiteEnv,
  transposeProperties,
  vitestReplay,
} from '../properties/index.js';

const env = suiteEnv();
const settings = runSettings({
  profile: env.profile,
  runs: env.runs,
  seed: env.seed,
  dtype: env.dtype,
  ...(env.path ? { path: env.path } : {}),
  replay: vitestReplay('test/properties.gradients.test.ts'),
});
console.log(`gradient properties: profile ${env.profile.name}, seed ${settings.seed}, ${settings.runs} runs, dtype ${settings.dtype}`);

for (const [title, list] of [
  ['gradient properties of our conv2dBackward', gradientProperties],
  ['transposed-conv properties of our convTranspose2d', transposeProperties],
] as const) {
  describe(title, () => {
    for (const property of list) {
      test(property.name, async () => {
        const report = await runProperty(property, ours, settings);
        if (report.failure) throw new Error(formatFailure(report.failure));
        expect(report.status, report.reason).toBe('passed');
      });
    }
  });
}
