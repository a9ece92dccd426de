/**
 * The documented examples are real: each `examples/*.ts` file appears verbatim
 * on a page a user reads (the README or docs/chapter.md), followed by a `text`
 * block holding exactly what it prints. The README carries the first ones.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, test, vi } from 'vitest';

const root = new URL('../', import.meta.url);
const PAGES = ['README.md', 'docs/chapter.md'] as const;
const IN_README = ['corr2d.ts', 'conv2d.ts'];
const pages = PAGES.map((page) => ({ page, text: readFileSync(new URL(page, root), 'utf8') }));
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

/** The `text` block right after the example's verbatim source, on the page that shows it. */
function shownOutput(file: string): { page: string; output: string | undefined } | null {
  const source = readFileSync(new URL(`examples/${file}`, root), 'utf8').trimEnd();
  const block = `\`\`\`ts\n// examples/${file}\n${source}\n\`\`\`\n`;
  for (const { page, text } of pages) {
    const at = text.indexOf(block);
    if (at < 0) continue;
    const shown = /^\s*```text\n([\s\S]*?)\n```/.exec(text.slice(at + block.length));
    return { page, output: shown?.[1] };
  }
  return null;
}

describe('documented examples', () => {
  test.each(files)('examples/%s appears verbatim with the output it prints', async (file) => {
    const shown = shownOutput(file);
    expect(shown, `examples/${file} must appear verbatim in ${PAGES.join(' or ')}`).not.toBeNull();
    expect(shown!.output, `${shown!.page} must show the output of examples/${file} right after it`).toBeDefined();
    expect(await run(file)).toBe(shown!.output);
  });

  test.each(IN_README)('the README itself shows examples/%s', (file) => {
    expect(files).toContain(file);
    expect(shownOutput(file)?.page).toBe('README.md');
  });
});
