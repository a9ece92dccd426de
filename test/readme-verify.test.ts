/**
 * The README's "Verify your own conv" section is real: under 20 lines; its
 * declarations are those of examples/my-conv.mjs word for word; and both
 * commands it shows (the module's own declarations, then the same declared
 * by flags on a copy without them) print the report lines it shows (its `# `
 * lines), times and the worst ratio aside.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyCommand } from '../tools/cli/verify.js';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const section = /^## Verify your own conv\n[\s\S]*?(?=^## )/m.exec(readme)![0].trimEnd();
const blocks = (lang: string) =>
  [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``, 'g'))].map((m) => m[1]);
const source = readFileSync(new URL('examples/my-conv.mjs', root), 'utf8');

/** Times and the worst ratio vary from run to run; everything else must match. */
const masked = (text: string) =>
  text.replace(/worst err\/\(u·M\) [\d.e+-]+; [\d.]+ m?s/g, 'worst err/(u·M) R; T').replace(/\s+$/gm, '');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'convproof-readme-'));
  copyFileSync(new URL('examples/my-conv.mjs', root), join(work, 'my-conv.mjs'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(line: string): Promise<{ code: number; stdout: string }> {
  const args = line
    .replace(/^npx convproof verify /, '')
    .replace(/\s*#.*$/, '')
    .split(/\s+/);
  let stdout = '';
  const ctx = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, env: {}, cwd: work };
  const code = await verifyCommand([...args, '--seed', '42', '--log', 'verify.log'], ctx);
  return { code, stdout };
}

describe('README: Verify your own conv', () => {
  test('the section is under 20 lines', () => {
    expect(section.split('\n').length).toBeLessThan(20);
  });

  test('its declarations are examples/my-conv.mjs word for word, and its conv2d that module’s signature', () => {
    const [js] = blocks('js');
    const lines = js.split('\n');
    for (const line of lines.filter((l) => !l.includes('…'))) expect(source.split('\n')).toContain(line);
    expect(source).toContain(lines.find((l) => l.includes('…'))!.replace(' { … }', ' {'));
  });

  test.each([0, 1])('command %i prints the report lines shown', async (i) => {
    const sh = blocks('sh')[0].split('\n');
    const line = sh.filter((l) => l.startsWith('npx '))[i];
    if (i === 1) {
      const bare = source.replace(/^export const (supports|conventions) = .*\n/gm, '');
      expect(bare).not.toMatch(/supports|conventions/);
      writeFileSync(join(work, 'my-conv.mjs'), bare); // the same module, declared only by the flags
    }
    const r = await cli(line);
    expect(r.code, r.stdout).toBe(0);
    const shown = sh.filter((l) => l.startsWith('# ')).map((l) => masked(l.slice(2)));
    expect(shown).toHaveLength(2);
    for (const l of shown) expect(masked(r.stdout).split('\n')).toContain(l);
  });
});
