/**
 * The README's examples are real: each `examples/*.ts` file appears verbatim in
 * the README, followed by a `text` block holding exactly what it prints.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, test, vi } from 'vitest';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const files = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.ts'));

async function run(file: string): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(format(...args));
  });
  try {
    await import(`../examples/${file.replace(/\.ts$/, '')}.ts`);
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

describe('README examples', () => {
  test.each(files)('examples/%s appears in the README with the output it prints', async (file) => {
    const source = readFileSync(new URL(`examples/${file}`, root), 'utf8').trimEnd();
    const block = `\`\`\`ts\n// examples/${file}\n${source}\n\`\`\`\n`;
    const at = readme.indexOf(block);
    expect(at, `README must contain examples/${file} verbatim`).toBeGreaterThanOrEqual(0);
    const after = readme.slice(at + block.length);
    const shown = /^\s*```text\n([\s\S]*?)\n```/.exec(after);
    expect(shown, `README must show the output of examples/${file} right after it`).not.toBeNull();
    expect(await run(file)).toBe(shown![1]);
  });
});
