import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // The examples import the package by name, as a user would; tests run them from source.
    alias: [
      { find: /^convproof$/, replacement: here('./src/index.ts') },
      { find: /^convproof\/reference$/, replacement: here('./src/reference/index.ts') },
      { find: /^convproof\/properties$/, replacement: here('./properties/index.ts') },
      { find: /^convproof\/adapters$/, replacement: here('./adapters/index.ts') },
      { find: /^convproof\/vitest$/, replacement: here('./properties/vitest.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'threads',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
