/**
 * The layer rule of `npm run lint` (scripts/check-layers.mjs): the tree keeps
 * it, and each kind of upward import is refused — checked on a copy of the
 * tree with one breach planted, so the script is seen failing for real.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { breaches } from '../scripts/check-layers.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const script = join(root, 'scripts/check-layers.mjs');
const check = (dir: string) => spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the three layers with `text` added as `file`. */
function plant(file: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'convproof-layers-'));
  copies.push(dir);
  for (const layer of ['src', 'properties', 'tools']) cpSync(join(root, layer), join(dir, layer), { recursive: true });
  writeFileSync(join(dir, file), text);
  return dir;
}

describe('the layer rule', () => {
  test('the tree keeps it (exit 0)', () => {
    const r = check(root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test.each([
    [
      'src/ importing the suite',
      'src/x.ts',
      "import { verify } from '../properties/verify.js';\n",
      /src\/ imports properties/,
    ],
    ['src/ importing a tool', 'src/x.ts', "export { run } from '../tools/cli/main.js';\n", /src\/ imports tools/],
    ['src/ importing a Node built-in', 'src/x.ts', "import { readFileSync } from 'node:fs';\n", /package 'node:fs'/],
    ['the suite importing a kernel', 'properties/x.ts', "import { conv2d } from '../src/conv.js';\n", /at run time/],
    ['the suite importing a tool', 'properties/x.ts', "import '../tools/cli/main.js';\n", /never imports tools/],
    ['the suite importing Node', 'properties/x.ts', "const fs = await import('node:fs');\n", /Node built-in 'node:fs'/],
    [
      'the suite loading its Node entry',
      'properties/x.ts',
      "import { isolate } from './node/isolate.js';\n",
      /Node-only/,
    ],
    ['a tool importing a test', 'tools/x.ts', "import '../test/helpers.js';\n", /imports the tests/],
  ])('refuses %s (exit 1, naming file and line)', (_, file, text, message) => {
    const r = check(plant(file, `// a comment line\n${text}`));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file}:2 `));
    expect(r.stderr).toMatch(message);
  });

  test('allows what the layers may do: type imports of src, the data helpers, Node inside properties/node/', () => {
    expect(breaches('properties/x.ts', "import type { Conv2dGeometry } from '../src/geometry.js';")).toEqual([]);
    expect(breaches('properties/x.ts', "import { seededRandom } from '../src/random.js';")).toEqual([]);
    expect(breaches('properties/x.ts', "import type { IsolatedModule } from './node/isolate.js';")).toEqual([]);
    expect(breaches('properties/node/x.ts', "import { Worker } from 'node:worker_threads';")).toEqual([]);
    expect(breaches('tools/x.ts', "import { conv2d } from '../src/conv.js';")).toEqual([]);
  });
});
