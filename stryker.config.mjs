// Mutation testing of src/ (`npm run mutation`); the choices are explained in docs/mutation.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // No type checker: the project's TypeScript 7 `tsc` is a native binary without the
  // compiler API that @stryker-mutator/typescript-checker drives. A mutant that would not
  // type-check still runs (vitest strips types) and is judged by the tests like any other.
  mutate: [
    // The library: every file of src/ (the CLI, benchmark and chapter demo are tools, not library).
    'src/**/*.ts',
    '!src/cli/**',
    '!src/cli.ts',
    '!src/bench/**',
    '!src/chapter.ts',
    // Bytes generated from kernels.wat by scripts/assemble-wasm.mjs: mutating them tests the assembler, not us.
    '!src/fast/wasm/kernels.generated.ts',
  ],
  // Stryker rewrites the sandbox's tsconfig paths through the `typescript` package's JS API,
  // which TypeScript 7 no longer has; our tsconfig points at nothing outside the project and
  // vitest does not read it, so no rewrite is needed: naming no file skips that step.
  tsconfigFile: '',
  // Nothing type-checks the sandbox, so its files need no `// @ts-nocheck` header; adding one
  // would also break the README examples test, which compares examples/*.ts with the README.
  disableTypeChecks: false,
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // Added to 1.5× the unmutated run time of a mutant's tests: a mutant that turns a loop around costs all of it.
  timeoutMS: 5000,
  timeoutFactor: 1.5,
  // The unmutated run of the whole focused suite with per-test coverage takes 2–6 minutes here.
  dryRunTimeoutMinutes: 20,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: {
    allowColor: false,
    logTests: false,
    maxTestsToLog: 0,
    reportScoreTable: true,
    reportMutants: true,
  },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
