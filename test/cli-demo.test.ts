/**
 * `convproof demo`, run as a user runs it: the chapter's pictures as SVG files and
 * an index page, parsed with a conforming XML parser and compared with the values
 * PyTorch computed (golden/chapter.json).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadGoldenFile } from '../golden/fixtures.js';
import { expectUsageError, runCli, setupCli, type Run } from './cli-harness.js';

const ctx = setupCli('demo');
const { root, cli } = ctx;
const run = (args: readonly string[], env?: Record<string, string>) => runCli(ctx, args, env);

/** An element of a parsed XML document. */
interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

/** Parses `text` with saxes, a conforming XML parser: anything that is not well-formed throws. */
function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const open = [root];
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: { ...tag.attributes }, children: [], text: '' };
    open.at(-1)!.children.push(element);
    open.push(element);
  });
  parser.on('closetag', () => open.pop());
  parser.on('text', (t) => {
    open.at(-1)!.text += t;
  });
  parser.write(text).close();
  expect(root.children).toHaveLength(1);
  return root.children[0];
}

/** Every element named `name` below `e`, in document order. */
function descendants(e: XmlElement, name: string): XmlElement[] {
  return e.children.flatMap((c) => [...(c.name === name ? [c] : []), ...descendants(c, name)]);
}

/** The text of an element's `<title>` child (a tooltip in SVG). */
function titleOf(e: XmlElement): string {
  const titles = e.children.filter((c) => c.name === 'title');
  expect(titles, e.name).toHaveLength(1);
  return titles[0].text;
}

const num = (e: XmlElement, attribute: string) => Number(e.attributes[attribute]);

/**
 * The cells of a matrix picture as rows of `{ value, fill }`: one `<rect>` per
 * entry, laid out on a grid whose rows and columns are read from the positions.
 */
function cellGrid(svg: XmlElement): { value: number; fill: string }[][] {
  const rects = descendants(svg, 'rect');
  const ys = [...new Set(rects.map((r) => num(r, 'y')))].sort((a, b) => a - b);
  const xs = [...new Set(rects.map((r) => num(r, 'x')))].sort((a, b) => a - b);
  expect(rects).toHaveLength(ys.length * xs.length);
  const grid = ys.map(() => xs.map(() => ({ value: Number.NaN, fill: '' })));
  for (const r of rects) {
    const value = /= (-?\d+(?:\.\d+)?)$/.exec(titleOf(r));
    expect(value, titleOf(r)).not.toBeNull();
    grid[ys.indexOf(num(r, 'y'))][xs.indexOf(num(r, 'x'))] = { value: Number(value![1]), fill: r.attributes.fill };
  }
  // The cells tile the picture: equal squares side by side, inside the drawing.
  const side = num(rects[0], 'width');
  for (const r of rects) expect([num(r, 'width'), num(r, 'height')]).toEqual([side, side]);
  expect(xs.map((x, j) => x - xs[0] - j * side)).toEqual(xs.map(() => 0));
  expect(num(svg, 'width')).toBeGreaterThanOrEqual(xs.length * side);
  expect(num(svg, 'height')).toBeGreaterThanOrEqual(ys.length * side);
  return grid;
}

/** A golden tensor `[H, W]` as rows. */
function rowsOf(t: { readonly shape: readonly number[]; readonly data: readonly number[] }): number[][] {
  const [H, W] = t.shape;
  return Array.from({ length: H }, (_, i) => [...t.data.slice(i * W, (i + 1) * W)]);
}

/** `rgb(r,g,b)` → [r, g, b]. */
function rgbOf(fill: string): number[] {
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(fill);
  expect(m, fill).not.toBeNull();
  return m!.slice(1).map(Number);
}

describe('demo', () => {
  let r: Run;
  const out = () => join(ctx.work, 'pictures');
  const svgFile = (name: string) => parseXml(readFileSync(join(out(), name), 'utf8'));
  // The chapter's pictures, as PyTorch computed them (golden/chapter.json), not as our code does.
  const chapter = loadGoldenFile(join(root, 'golden', 'chapter.json'));
  if (chapter.kind !== 'chapter') throw new Error('golden/chapter.json is not the chapter file');
  const edges = chapter.corr2d.find((c) => /^edge detection: 6x8/.test(c.id))!;
  const transposed = chapter.corr2d.find((c) => /transposed/.test(c.id))!;

  beforeAll(async () => {
    r = await run(['demo', '--out', 'pictures']);
  });

  test('walks through the chapter, exit 0', async () => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/19 25\s*\n.*37 43/);
    expect(r.stdout).toContain('all zeros');
    // The chapter prints the loss every second step; it must fall and the kernel approach [1, -1].
    const losses = [...r.stdout.matchAll(/step\s+(\d+), loss (\d+\.\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(losses.map(([s]) => s)).toEqual([2, 4, 6, 8, 10]);
    for (let i = 1; i < losses.length; i++) expect(losses[i][1]).toBeLessThan(losses[i - 1][1]);
    const kernel = /learned kernel \[\[(-?\d+\.\d+), (-?\d+\.\d+)\]\]/.exec(r.stdout);
    expect(kernel).not.toBeNull();
    expect(Math.abs(Number(kernel![1]) - 1)).toBeLessThan(0.1);
    expect(Math.abs(Number(kernel![2]) + 1)).toBeLessThan(0.1);
  });

  test('the padding/stride table states the chapter shapes 8×8, 8×8, 4×4, 2×2, all agreeing', async () => {
    const rows = r.stdout.split('\n').filter((l) => l.includes('⌊(8−'));
    expect(rows).toHaveLength(4);
    expect(rows.map((l) => /= (\d+×\d+)/.exec(l)?.[1])).toEqual(['8×8', '8×8', '4×4', '2×2']);
    for (const row of rows) expect(row).toContain('✓');
  });

  test('piped output has no colour codes; FORCE_COLOR adds them, NO_COLOR wins over it', async () => {
    expect(r.stdout).not.toContain('\x1b[');
    expect((await run(['demo', '--out', 'pictures'], { FORCE_COLOR: '1' })).stdout).toContain('\x1b[');
    expect((await run(['demo', '--out', 'pictures'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain(
      '\x1b[',
    );
  });

  const pictures = ['edge-input', 'edge-output', 'edge-input-transposed', 'edge-output-transposed', 'loss'];

  test('writes five well-formed SVG files and one well-formed HTML page that holds all five', async () => {
    const page = readFileSync(join(out(), 'index.html'), 'utf8');
    const html = parseXml(page.replace(/^<!DOCTYPE html>\n/, ''));
    expect(html.name).toBe('html');
    expect(descendants(html, 'svg')).toHaveLength(5);
    for (const name of pictures) {
      const text = readFileSync(join(out(), `${name}.svg`), 'utf8');
      const svg = parseXml(text);
      expect(svg.name, name).toBe('svg');
      expect(svg.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
      expect(page).toContain(text.trim());
    }
    expect(r.stdout).toMatch(/Pictures written to pictures\/:\n {2}index\.html/);
  });

  test("edge-input.svg and edge-input-transposed.svg: the chapter's X and Xᵀ, 1 white and 0 black", async () => {
    for (const [file, X] of [
      ['edge-input.svg', rowsOf(edges.X)],
      ['edge-input-transposed.svg', rowsOf(transposed.X)],
    ] as const) {
      const grid = cellGrid(svgFile(file));
      expect(grid.map((row) => row.map((c) => c.value))).toEqual(X);
      for (const [i, row] of grid.entries())
        for (const [j, c] of row.entries())
          expect(rgbOf(c.fill), `${file} [${i}][${j}]`).toEqual(X[i][j] ? [255, 255, 255] : [0, 0, 0]);
    }
  });

  test("edge-output.svg and edge-output-transposed.svg: the chapter's Y, +1 red, −1 blue, 0 white", async () => {
    for (const [file, Y] of [
      ['edge-output.svg', rowsOf(edges.Y)],
      ['edge-output-transposed.svg', rowsOf(transposed.Y)],
    ] as const) {
      const grid = cellGrid(svgFile(file));
      expect(grid.map((row) => row.map((c) => c.value))).toEqual(Y);
      for (const [i, row] of grid.entries()) {
        for (const [j, c] of row.entries()) {
          const [red, green, blue] = rgbOf(c.fill);
          const where = `${file} [${i}][${j}] = ${Y[i][j]}`;
          if (Y[i][j] > 0) expect(red, where).toBeGreaterThan(Math.max(green, blue));
          else if (Y[i][j] < 0) expect(blue, where).toBeGreaterThan(Math.max(red, green));
          else expect([red, green, blue], where).toEqual([255, 255, 255]);
        }
      }
    }
    // The chapter's edge map has both signs; the transposed one has none.
    expect(rowsOf(edges.Y).flat()).toEqual(expect.arrayContaining([1, -1]));
  });

  test('loss.svg: ten points (the chapter trains ten steps) at the height the log-scale axis gives their loss', async () => {
    const svg = svgFile('loss.svg');
    const points = descendants(svg, 'circle').map((c) => {
      const m = /^step (\d+): loss (\S+)$/.exec(titleOf(c));
      expect(m, titleOf(c)).not.toBeNull();
      return { step: Number(m![1]), loss: Number(m![2]), x: num(c, 'cx'), y: num(c, 'cy') };
    });
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The losses are those the terminal printed (every second step, to 3 decimals).
    for (const m of r.stdout.matchAll(/step\s+(\d+), loss (\d+\.\d+)/g))
      expect(points[Number(m[1]) - 1].loss.toFixed(3)).toBe(m[2]);
    // One curve through the points, in step order.
    const curves = descendants(svg, 'path').filter((p) => (p.attributes.d.match(/[ML]/g) ?? []).length === 10);
    expect(curves).toHaveLength(1);
    const vertices = [...curves[0].attributes.d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(vertices).toEqual(points.map((p) => [p.x, p.y]));
    // Each y-axis label names the grid line beside it; reading a point's height off two of those
    // labels (log scale) must give its loss back.
    const texts = descendants(svg, 'text');
    const lines = descendants(svg, 'line');
    const ticks = texts
      .filter((t) => t.attributes['text-anchor'] === 'end' && Number.isFinite(Number(t.text)))
      .map((t) => {
        const line = lines.find((l) => Math.abs(num(l, 'y1') - num(t, 'y')) < 8);
        expect(line, `a grid line beside the label ${t.text}`).toBeDefined();
        return { value: Number(t.text), y: num(line!, 'y1') };
      });
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    const [lo, hi] = [ticks[0], ticks.at(-1)!];
    const perDecade = (hi.y - lo.y) / Math.log10(hi.value / lo.value);
    for (const t of ticks) expect(t.y).toBeCloseTo(lo.y + perDecade * Math.log10(t.value / lo.value), 0);
    for (const p of points) {
      const read = lo.value * 10 ** ((p.y - lo.y) / perDecade);
      expect(Math.abs(Math.log10(read / p.loss)), `step ${p.step}`).toBeLessThan(0.005);
    }
    // Step labels stand under their points.
    for (const p of points) {
      const label = texts.find((t) => t.text === String(p.step) && t.attributes['text-anchor'] === 'middle');
      expect(num(label!, 'x'), `step ${p.step}`).toBeCloseTo(p.x, 0);
    }
  });

  test('a reader that stops early (convproof demo | head) ends the run quietly, exit 0', async () => {
    const child = spawn(process.execPath, [cli, 'demo', '--out', 'pictures'], { cwd: ctx.work, timeout: 60_000 });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  test('an --out path that is a file is refused in one line, exit 2', async () => {
    writeFileSync(join(ctx.work, 'a-file'), 'x');
    expectUsageError(await run(['demo', '--out', 'a-file']), /cannot write the pictures/);
  });
});
