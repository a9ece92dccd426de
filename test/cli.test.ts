/**
 * The convproof CLI, run as a user runs it: a built `cli.js` spawned in a
 * child process, judged by exit code, stdout/stderr and the files it writes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadGoldenFile } from '../golden/fixtures.js';

const root = fileURLToPath(new URL('..', import.meta.url));
// A private build inside the project (so bare imports resolve through its node_modules):
// other engineers rebuild dist/ concurrently, and a half-written dist/ must not flake these tests.
const build = join(root, 'node_modules', '.cache', 'convproof-cli-test');
const cli = join(build, 'tools', 'cli.js');
let work: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in the work directory; asynchronous so that independent runs can overlap. */
function run(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...inherited } = process.env;
  const child = spawn(process.execPath, [cli, ...args], { cwd: work, env: { ...inherited, ...env }, timeout: 60_000 });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) =>
      done({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/**
 * Runs the built CLI's `main` in this process, with captured streams: for the
 * many flag-validation cases, where a process per case would only add start-up time.
 */
async function runInProcess(args: readonly string[]): Promise<Run> {
  const { main } = (await import(
    pathToFileURL(join(build, 'tools', 'cli', 'main.js')).href
  )) as typeof import('../tools/cli/main.js');
  let [stdout, stderr] = ['', ''];
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: work,
  });
  return { code, stdout, stderr };
}

/** Bad usage: exit 2, exactly one line on stderr, nothing that looks like a stack trace. */
function expectUsageError(r: Run, mentions: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

beforeAll(() => {
  rmSync(build, { recursive: true, force: true });
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', build],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
  } catch (e) {
    // Type errors elsewhere still emit JavaScript (typecheck reports them); only a missing CLI is fatal here.
    if (!existsSync(cli)) throw e;
  }
  work = mkdtempSync(join(tmpdir(), 'convproof-cli-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// Help texts, the version and most flag checks run in process (see runInProcess); the exit codes,
// the one-line errors without a stack trace and everything that imports a user's module run spawned.
describe.concurrent('help and version', () => {
  test('--help lists the commands and the exit codes, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['verify', 'demo', 'bench', 'Exit codes']) expect(r.stdout).toContain(word);
  });

  test.each(['verify', 'demo', 'bench'])('%s --help shows the usage of that command, exit 0', async (command) => {
    const r = await runInProcess([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: convproof ${command}`));
  });

  test('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = await runInProcess(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe.concurrent('bad usage: one line on stderr, exit 2', () => {
  test('no command', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: convproof');
  });

  test('unknown command', async () => expectUsageError(await run(['frobnicate']), /unknown command "frobnicate"/));

  test('unknown global flag', async () =>
    expectUsageError(await runInProcess(['--frobnicate']), /unknown option --frobnicate/));

  test('unknown flag of a command', async () =>
    expectUsageError(await runInProcess(['demo', '--frobnicate']), /unknown option '--frobnicate'/));

  test('a flag without its value', async () => expectUsageError(await runInProcess(['demo', '--out']), /--out/));
});

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
  const out = () => join(work, 'pictures');
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
    const child = spawn(process.execPath, [cli, 'demo', '--out', 'pictures'], { cwd: work, timeout: 60_000 });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  test('an --out path that is a file is refused in one line, exit 2', async () => {
    writeFileSync(join(work, 'a-file'), 'x');
    expectUsageError(await run(['demo', '--out', 'a-file']), /cannot write the pictures/);
  });
});

/** Writes a module into the work directory; `{{build}}` becomes the private build's URL. */
function module(name: string, source: string): string {
  writeFileSync(join(work, name), source.replaceAll('{{build}}', pathToFileURL(build).href));
  return name;
}

/** Splits a replay command printed by the CLI into words (it quotes with '…' only). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replaceAll(`'\\''`, `'`) : m[2],
  );
}

interface JsonReport {
  implementation: string;
  ok: boolean;
  seed: number;
  runs: number;
  oracles: { name: string; ready: boolean }[];
  properties: {
    name: string;
    status: string;
    runs: number;
    timeMs: number;
    worstRatio: number | null;
    failure?: { seed: number; path: string; replay: string; counterexample: string };
  }[];
}

describe('verify', () => {
  test('our implementation: every property held, exit 0; the table, the summary and the JSON report agree', async () => {
    const r = await run(['verify', '--runs', '3', '--seed', '7', '--oracle', 'cpu', '--json', 'ours.json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/runs\s+result\s+worst err\/\(u·M\)\s+time\s+property/);
    expect(r.stdout).toContain('every property held');
    expect(r.stdout).toContain('seed 7');
    const report = JSON.parse(readFileSync(join(work, 'ours.json'), 'utf8')) as JsonReport;
    expect(report.ok).toBe(true);
    expect(report.seed).toBe(7);
    expect(report.oracles).toEqual([{ name: 'tfjs-cpu', ready: true }]);
    expect(report.properties.length).toBeGreaterThan(10);
    for (const p of report.properties) {
      expect(p.status, p.name).toBe('passed');
      expect(p.runs).toBeGreaterThanOrEqual(1);
      expect(p.runs).toBeLessThanOrEqual(3);
      expect(typeof p.timeMs).toBe('number');
      // one table row per property, ending with its name
      expect(r.stdout.split('\n').filter((l) => l.endsWith(p.name) && /\bheld\b/.test(l))).toHaveLength(1);
    }
    // The tfjs oracles were consulted and the worst ratio of a compared property is a number.
    expect(report.properties.some((p) => typeof p.worstRatio === 'number')).toBe(true);
  });

  test('progress goes to stderr as plain lines when stderr is not a terminal', async () => {
    const r = await run(['verify', '--runs', '2', '--seed', '3', '--oracle', 'none']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l).toMatch(/^\[\s*\d+\/\d+\] (held|not run|FAILED): /);
    expect(r.stderr).not.toContain('\r');
  });

  test('a correct conv2d given with --impl passes; what it does not export is skipped with the reason', async () => {
    const impl = module('only-conv2d.mjs', "export { conv2d } from '{{build}}/src/reference/index.js';\n");
    const r = await run(['verify', '--impl', impl, '--runs', '3', '--seed', '11', '--oracle', 'none']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/not run \d+ propert(y|ies): the implementation exports no conv2dBackward/);
    expect(r.stdout).toContain(`implementation: ${impl}`);
  });

  test('a conv2d that flips the kernel (true convolution) fails, exit 1, with a counterexample and a replay that reproduces it', async () => {
    const impl = module(
      'flipped.mjs',
      `import { conv2d as correlate } from '{{build}}/src/reference/index.js';
export function conv2d(input, weight, options) {
  const [O, C, KH, KW] = weight.shape;
  const data = weight.data.slice();
  for (let p = 0; p < O * C; p++)
    for (let i = 0; i < KH; i++)
      for (let j = 0; j < KW; j++) data[(p * KH + i) * KW + j] = weight.data[(p * KH + KH - 1 - i) * KW + KW - 1 - j];
  return correlate(input, { shape: weight.shape, data }, options);
}
`,
    );
    const r = await run([
      'verify',
      '--impl',
      impl,
      '--runs',
      '20',
      '--seed',
      '5',
      '--oracle',
      'none',
      '--json',
      'flipped.json',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/\bFAILED\b/);
    expect(r.stdout).toMatch(/\d+ failed: /);
    expect(r.stdout).toContain('counterexample');
    const report = JSON.parse(readFileSync(join(work, 'flipped.json'), 'utf8')) as JsonReport;
    expect(report.ok).toBe(false);
    expect(report.implementation).toBe(impl);
    const failed = report.properties.filter((p) => p.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    // The impulse property names the bug exactly: the response must be the kernel rotated by 180°.
    expect(failed.map((p) => p.name).some((n) => /impulse/.test(n))).toBe(true);
    for (const p of failed) {
      expect(p.failure?.seed).toBe(5);
      expect(p.failure?.path).toMatch(/^\d+(:\d+)*$/);
      expect(r.stdout).toContain(`replay: ${p.failure?.replay}`);
    }
    const replay = shellWords(failed[0].failure!.replay);
    expect(replay.slice(0, 2)).toEqual(['convproof', 'verify']);
    const again = await run(replay.slice(1));
    expect(again.code, again.stdout + again.stderr).toBe(1);
    expect(again.stdout.split('\n').filter((l) => /\bFAILED\b/.test(l))).toHaveLength(1);
    expect(again.stdout).toContain(failed[0].failure!.counterexample);
  });
});

describe('verify --json', () => {
  const ACCURACY = 'for any case, every output is within the error bound of the float64 model';
  const ORACLE = 'for any valid case, conv2d agrees with every ready TensorFlow.js oracle within c·γ_n·M (float32)';
  const versionOf = (dir: string): string =>
    (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

  test('carries the counterexample as data and the versions, and names no absolute path of this machine', async () => {
    mkdirSync(join(work, 'pkg'), { recursive: true });
    writeFileSync(join(work, 'pkg', 'package.json'), JSON.stringify({ name: 'my-conv', version: '1.2.3' }));
    // A planted bug that needs only a stride: its message names the module's own absolute URL.
    const impl = module(
      'pkg/no-stride.mjs',
      `import { conv2d as ours } from '{{build}}/src/reference/index.js';
export function conv2d(input, weight, options = {}) {
  const s = options.stride ?? 1;
  if (s !== 1 && String(s) !== '1,1') throw new Error('no stride in ' + import.meta.url);
  return ours(input, weight, options);
}
`,
    );
    const args = ['verify', '--impl', join(work, impl), '--runs', '30', '--seed', '3', '--oracle', 'cpu'];
    const r = await run([...args, '--property', ACCURACY, '--property', ORACLE, '--json', 'paths.json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const text = readFileSync(join(work, 'paths.json'), 'utf8');
    for (const dir of [tmpdir(), process.cwd(), homedir(), work].filter((d) => d.length > 1))
      expect(text.includes(dir), `${dir} in the JSON report`).toBe(false);
    const report = JSON.parse(text) as JsonReport & { versions: Record<string, unknown> };
    expect(report.implementation).toBe('pkg/no-stride.mjs');
    expect(report.versions).toEqual({
      convproof: versionOf(root),
      'fast-check': versionOf(join(root, 'node_modules', 'fast-check')),
      node: process.versions.node,
      oracles: {
        '@tensorflow/tfjs-core': versionOf(join(root, 'node_modules', '@tensorflow', 'tfjs-core')),
        '@tensorflow/tfjs-backend-cpu': versionOf(join(root, 'node_modules', '@tensorflow', 'tfjs-backend-cpu')),
      },
      implementation: 'my-conv@1.2.3',
    });
    const failure = report.properties.find((p) => p.name === ACCURACY)?.failure as unknown as {
      message: string;
      case: {
        routine: string;
        options: Record<string, unknown>;
        tensors: Record<string, { shape: number[]; data: unknown[] }>;
      };
    };
    expect(failure.message).toBe('no stride in file://./pkg/no-stride.mjs');
    expect(failure.case.routine).toBe('conv2d');
    expect(Object.keys(failure.case.options)).toEqual(['stride']);
    const { input, weight } = failure.case.tensors;
    expect(input.data).toHaveLength(input.shape.reduce((a, b) => a * b, 1));
    expect(weight.data).toHaveLength(weight.shape.reduce((a, b) => a * b, 1));
  });
});

describe('verify: declared support and conventions', () => {
  const pytorchLike = (): string =>
    module('pytorch-like.mjs', readFileSync(join(root, 'test', 'fixtures', 'pytorch-like.mjs'), 'utf8'));

  test("a module's own supports and conventions are used: an async PyTorch-convention conv passes, exit 0", async () => {
    const r = await run([
      'verify',
      '--impl',
      pytorchLike(),
      '--runs',
      '15',
      '--seed',
      '4',
      '--oracle',
      'none',
      '--json',
      'pt.json',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(work, 'pt.json'), 'utf8')) as JsonReport & {
      supports: unknown;
      conventions: unknown;
    };
    expect(report.supports).toEqual({ dtypes: ['float32'], paddingModes: ['zeros'] });
    expect(report.conventions).toEqual({ padded: 'multiply' });
  });

  test("flags override the module's declaration, and a failure's replay carries the declaration", async () => {
    const r = await run([
      'verify',
      '--impl',
      pytorchLike(),
      '--runs',
      '200',
      '--seed',
      '6',
      '--oracle',
      'none',
      '--padded',
      'skip',
      '--no-dilation',
      '--property',
      'for any case with NaN or ±Inf planted, they reach exactly the outputs whose real taps read them',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const replay = /replay: (.*)/.exec(r.stdout)?.[1] ?? '';
    expect(replay).toContain('--no-dilation');
    expect(replay).toContain('--padding-modes zeros');
    expect(replay).toContain('--padded skip');
    const again = await run(shellWords(replay).slice(1));
    expect(again.code, again.stdout + again.stderr).toBe(1);
  });

  test('a bad declaration flag is one line, exit 2', async () =>
    expectUsageError(await runInProcess(['verify', '--groups', 'some']), /--groups/));
});

describe.concurrent('verify: bad usage is one line on stderr, exit 2, no stack trace', () => {
  test('--impl of a missing file', async () =>
    expectUsageError(await runInProcess(['verify', '--impl', 'nowhere.mjs']), /no such file nowhere\.mjs/));

  test('--impl of a module without conv2d', async () => {
    const impl = module('no-conv.mjs', 'export function conv(x) { return x; }\n');
    expectUsageError(await run(['verify', '--impl', impl]), /does not export a conv2d function \(its exports: conv\)/);
  });

  test('--impl of a module whose conv2d is not a function', async () => {
    const impl = module('number-conv.mjs', 'export const conv2d = 3;\n');
    expectUsageError(await run(['verify', '--impl', impl]), /does not export a conv2d function/);
  });

  test('--impl of a module that throws on import', async () => {
    const impl = module('throws.mjs', "throw new Error('broken at load time');\n");
    expectUsageError(await run(['verify', '--impl', impl]), /importing throws\.mjs failed: broken at load time/);
  });

  test('--impl of a module with a syntax error', async () => {
    const impl = module('syntax.mjs', 'export function conv2d( {\n');
    expectUsageError(await run(['verify', '--impl', impl]), /importing syntax\.mjs failed: SyntaxError/);
  });

  test('--impl of a TypeScript file', async () =>
    expectUsageError(await runInProcess(['verify', '--impl', 'conv.ts']), /\.js, \.mjs or \.cjs/));

  test.each([
    [['--runs', 'abc'], /--runs must be an integer/],
    [['--runs', '0'], /--runs must be an integer/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--profile', 'huge'], /--profile must be one of quick, ci, deep/],
    [['--dtype', 'float16'], /--dtype must be one of float32, float64, both/],
    [['--oracle', 'cpu,tpu'], /--oracle must be one of cpu, wasm, node, none, got "tpu"/],
    [['--property', 'no such property'], /no property named "no such property"/],
    [['--path', '0:1'], /--path replays one counterexample/],
    [['--json', 'missing-dir/r.json'], /--json: no directory/],
    [['--json', '.'], /--json: \. is a directory/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['extra'], /unexpected argument 'extra'/],
  ])('verify %j (in process)', async (args, message) =>
    expectUsageError(await runInProcess(['verify', ...args]), message),
  );
});

describe.concurrent('bench: bad usage', () => {
  test.each([
    [['--kernels', 'gpu'], /--kernels must be one of auto, wasm, js/],
    [['--clock', 'tsc'], /--clock must be one of wall, cpu/],
    [['--only', 'latency', '--only', 'speed'], /--only must be one of forward, backward, latency/],
    [['--json', 'missing-dir/b.json'], /--json: no directory/],
    [['--quick', 'now'], /unexpected argument 'now'/],
  ])('bench %j (in process)', async (args, message) =>
    expectUsageError(await runInProcess(['bench', ...args]), message),
  );
});

describe('verify: an --impl that hangs', () => {
  const BOUND = 'for any case, every output is within the error bound of the float64 model';
  const ONE_BY_ONE = 'for any 1×1 kernel, the conv is a matrix product over channels at strided pixels';

  test('is stopped after --timeout, reported with its case, and the run goes on; progress is in the log as it happens', async () => {
    module('pytorch-like.mjs', readFileSync(join(root, 'test', 'fixtures', 'pytorch-like.mjs'), 'utf8'));
    const impl = module('faulty-hang.mjs', readFileSync(join(root, 'test', 'fixtures', 'faulty-hang.mjs'), 'utf8'));
    const args = ['verify', '--impl', impl, '--timeout', '1', '--runs', '20', '--seed', '1', '--oracle', 'none'];
    const r = await run([...args, '--log', 'hang.log', '--property', BOUND, '--property', ONE_BY_ONE]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`✗ ${BOUND}\n  conv2d did not return within 1 s`);
    expect(r.stdout).toMatch(/counterexample \(shrunk in 0 steps\):\n {4}conv2d\(input \[/);
    expect(r.stdout).toContain('re-run alone in a fresh worker: it fails again');
    expect(r.stdout).toMatch(/2 properties, 1 held, 1 failed/);
    expect(/replay: (.*)/.exec(r.stdout)?.[1]).toContain('--timeout 1');
    const log = readFileSync(join(work, 'hang.log'), 'utf8').trim().split('\n');
    expect(log.map((l) => l.replace(/^\s*[\d.]+ s /, ''))).toEqual([
      `[1/2] start: ${BOUND}`,
      `[1/2] FAILED: ${BOUND}`,
      `[2/2] start: ${ONE_BY_ONE}`,
      `[2/2] held: ${ONE_BY_ONE}`,
    ]);
  });
});
