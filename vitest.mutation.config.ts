/**
 * The test run that mutation testing (`npm run mutation`, see docs/mutation.md)
 * repeats for every mutant of `src/`: the project's vitest config minus the
 * tests that exercise a built `dist/` or a child process instead of the
 * sources (CLI, benchmarks, packaging), which cannot see an in-memory mutant.
 *
 * More are left out because their subject is not `src/`: the bug zoos
 * (test/zoo*.test.ts: the suite against deliberately broken implementations;
 * at ~45 s and ~30 s they would be re-run for every surviving mutant), the
 * adapters of other libraries (test/adapters-*.test.ts, ~90 s) and the
 * pinned tfjs defects (test/oracle-defects*.test.ts: one of them corrupts
 * the wasm backend's memory on purpose, so it needs a fresh module graph).
 * Leaving a test out can only lower the score, never raise it.
 *
 * Test files share one module graph per run (`isolate: false`): importing the
 * tfjs backends once instead of once per file makes the unmutated run ~7×
 * faster. Stryker still starts every mutant's run on freshly loaded modules
 * (a mutant in a module-level constant is killed), and the suite passes in
 * this mode, so no test depends on running alone.
 *
 * The property seed is pinned so that a mutant is killed or not the same way
 * on every run: with a fresh seed each run, a score could drift by chance.
 */
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/** Test files that run a build or another process rather than `src/` in this process. */
const OUT_OF_PROCESS = [
  'test/cli.test.ts',
  'test/bench*.test.ts',
  'test/package*.test.ts',
  'test/pack*.test.ts',
  'test/workspace.test.ts',
  // A page bundled from the files on disk and run in Chromium, a worker thread, a child vitest, the layer script:
  // none of them runs the in-memory mutant.
  'test/browser*.test.ts',
  'test/isolate.test.ts',
  'test/vitest-entry.test.ts',
  'test/layers.test.ts',
];
/** Slow tests about something else than `src/` (see above). */
const OTHER_SUBJECT = [
  'test/zoo.test.ts',
  'test/zoo-scale.test.ts',
  'test/oracle-defects*.test.ts',
  // The adapters of other libraries (tfjs, onnxruntime-web, ConvNetJS, OpenCV.js) against the float64 model.
  'test/adapters-*.test.ts',
  // The suite's own machinery: verify's reports, declared support, counterexamples, the README's run, and the
  // scale group (its checks, and its properties run on our kernels with budgets in seconds). They run our kernels
  // too, but for tens of seconds per mutant; the kernels' own tests (fast, golden, oracles, properties.forward,
  // properties.gradients, the invariants) hold them to the reference and the spec at every size class.
  'test/verify*.test.ts',
  'test/readme-verify.test.ts',
  'test/scale-group.test.ts',
  'test/properties.scale.test.ts',
];

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, ...OUT_OF_PROCESS, ...OTHER_SUBJECT],
      isolate: false,
      env: { CONVPROOF_SEED: process.env.CONVPROOF_SEED ?? '42' },
    },
  }),
);
