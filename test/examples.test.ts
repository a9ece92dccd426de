/**
 * The README's examples are real: each `examples/*.ts` file appears verbatim in
 * the README, followed by a `text` block holding exactly what it prints. And
 * what they print is the chapter's: each output is also checked against the
 * numbers the D2L chapters print (not against a recording of our own output).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, test, vi } from 'vitest';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
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

describe('README examples', () => {
  test.each(files)('examples/%s appears in the README with the output it prints', async (file) => {
    const source = readFileSync(new URL(`examples/${file}`, root), 'utf8').trimEnd();
    const block = `\`\`\`ts\n// examples/${file}\n${source}\n\`\`\`\n`;
    const at = readme.indexOf(block);
    expect(at, `README must contain examples/${file} verbatim`).toBeGreaterThanOrEqual(0);
    const after = readme.slice(at + block.length);
    const shown = /^\s*```text\n([\s\S]*?)\n```/.exec(after);
    expect(shown, `README must show the output of examples/${file} right after it`).not.toBeNull();
    expect(await output(file)).toBe(shown![1]);
  });
});

const edgeRow = ' 0  1  0  0  0 -1  0';

/** What each example must print, from the chapters' printed values. */
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
  'padding-stride.ts': (lines) =>
    expect(lines.map((l) => /→ (\d+×\d+) \(conv2dOutputShape: (\d+×\d+)\)$/.exec(l)!.slice(1))).toEqual([
      ['8×8', '8×8'],
      ['8×8', '8×8'],
      ['4×4', '4×4'],
      ['2×2', '2×2'],
    ]),
};

describe("the examples print the chapter's numbers", () => {
  test('every example has its chapter check', () => {
    expect(files.slice().sort()).toEqual(Object.keys(CHAPTER).sort());
  });

  test.each(Object.keys(CHAPTER))('examples/%s', async (file) => {
    CHAPTER[file]((await output(file)).split('\n'));
  });
});
