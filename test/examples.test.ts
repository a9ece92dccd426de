/**
 * The documented examples are real: each `examples/*.ts` file appears verbatim
 * on a page a user reads (the README or docs/chapter.md), followed by a `text`
 * block holding exactly what it prints. The README carries the first ones.
 * And what they print is right: each output is also checked against the
 * numbers the D2L chapters print, or values derived by hand (not against a
 * recording of our own output).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, test, vi } from 'vitest';

const root = new URL('../', import.meta.url);
const PAGES = ['README.md', 'docs/chapter.md'] as const;
const IN_README = ['corr2d.ts', 'conv2d.ts'];
const pages = PAGES.map((page) => ({ page, text: readFileSync(new URL(page, root), 'utf8') }));
const files = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.ts'));

/** Each example runs once (a module is imported once), whichever test asks first. */
const outputs = new Map<string, Promise<string>>();
const output = (file: string): Promise<string> => {
  if (!outputs.has(file)) outputs.set(file, run(file));
  return outputs.get(file)!;
};

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
    expect(await output(file)).toBe(shown!.output);
  });

  test.each(IN_README)('the README itself shows examples/%s', (file) => {
    expect(files).toContain(file);
    expect(shownOutput(file)?.page).toBe('README.md');
  });
});

const edgeRow = ' 0  1  0  0  0 -1  0';

/** What each example must print, from the chapters' printed values or derived by hand. */
const CHAPTER: Readonly<Record<string, (lines: string[]) => void>> = {
  'corr2d.ts': (lines) =>
    expect(lines).toEqual([
      format([
        [19, 25],
        [37, 43],
      ]),
    ]),
  'edges.ts': (lines) => expect(lines).toEqual([...Array(6).fill(edgeRow), 'transposed image, all zeros: true']),
  'learn-kernel.ts': (lines) => {
    const losses = lines.slice(0, 5).map((l) => Number(/^epoch (\d+), loss ([\d.]+)$/.exec(l)![2]));
    for (let i = 1; i < 5; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
    const kernel = JSON.parse(lines[5].replace(/'/g, '"')).map(Number) as number[];
    expect(Math.abs(kernel[0] - 1)).toBeLessThan(0.15);
    expect(Math.abs(kernel[1] + 1)).toBeLessThan(0.15);
  },
  // Hand-derived: 'same' with stride 2 on 32 pads (0, 1), so output (0, 0) reads 27 taps of 0.5 and the last output
  // of a plane 2·2·3 real taps; each of gradBias's 2·16·16 positions adds 1.
  'conv2d.ts': (lines) =>
    expect(lines).toEqual([
      `y ${format([2, 16, 16, 16])} first 13.5 last of plane 0 6`,
      `gradInput ${format([2, 3, 32, 32])} gradWeight ${format([16, 3, 3, 3])} gradBias[0] 512`,
    ]),
  'padding-stride.ts': (lines) =>
    expect(lines.map((l) => /→ (\d+×\d+) \(conv2dOutputShape: (\d+×\d+)\)$/.exec(l)!.slice(1))).toEqual([
      ['8×8', '8×8'],
      ['8×8', '8×8'],
      ['4×4', '4×4'],
      ['2×2', '2×2'],
    ]),
};

describe('the examples print the numbers of the chapter (or of a hand derivation)', () => {
  test('every example has its chapter check', () => {
    expect(files.slice().sort()).toEqual(Object.keys(CHAPTER).sort());
  });

  test.each(Object.keys(CHAPTER))('examples/%s', async (file) => {
    CHAPTER[file]((await output(file)).split('\n'));
  });
});
