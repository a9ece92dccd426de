/**
 * The public suite stays slim: `convproof/properties` exports what a user of
 * the suite needs, at most 30 names (values and types), and every value it
 * exports is one of them.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import * as suite from '../properties/index.js';

const index = readFileSync(new URL('../properties/index.ts', import.meta.url), 'utf8');
const listed = [...index.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)]
  .flatMap((m) => m[1].split(','))
  .map((name) => name.replace(/^\s*type\s+/, '').trim())
  .filter(Boolean);

test('convproof/properties exports at most 30 names, each listed once in properties/index.ts', () => {
  expect(/export\s+\*/.test(index), 'no export * (every name is chosen)').toBe(false);
  expect(new Set(listed).size).toBe(listed.length);
  expect(listed.length).toBeLessThanOrEqual(30);
  for (const value of Object.keys(suite)) expect(listed).toContain(value);
});
