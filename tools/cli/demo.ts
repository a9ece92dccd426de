/**
 * `convproof demo`: the chapter walked through in the terminal, with the
 * pictures written as SVG files and one HTML page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { corr2d, tensor, toNested, type Tensor } from '../../src/index.js';
import {
  CORR2D_EXAMPLE,
  EDGE_KERNEL,
  SHAPE_EXAMPLES,
  chapterFormula,
  edgeImage,
  learnKernel,
  shapeOf,
} from '../demo/chapter.js';
import {
  greyscale,
  htmlPage,
  lossPlotSvg,
  matrixSvg,
  signed,
  type Colormap,
  type Figure,
  type Matrix,
} from '../demo/svg.js';
import { numberGrid, sideBySide, terminalGrey, terminalSigned } from '../demo/terminal.js';
import { println, type CliContext } from './context.js';
import { paint, table, useColour, type Paint } from './style.js';
import { UsageError, parseOrUsage } from './usage.js';

/** The text of `convproof demo --help`. */
export const DEMO_HELP = `Usage: convproof demo [--out dir]

Walks through the "convolutional layers" and "padding and stride" chapter of
Dive into Deep Learning: corr2d's example, edge detection on a 6×8 image,
learning the edge kernel in 10 steps, and the padding/stride output shapes.

Options:
  --out dir    where to write the pictures (default ./convproof-demo)
  -h, --help   show this help

Files written: index.html (every picture on one page), edge-input.svg,
edge-output.svg, edge-input-transposed.svg, edge-output-transposed.svg
(one square per pixel; outputs red = +1, blue = −1, white = 0) and loss.svg
(the training loss per step, log scale).`;

function indent(lines: readonly string[], by = '  '): string {
  return lines.map((l) => by + l).join('\n');
}

function matrix(t: Tensor): number[][] {
  return toNested(t) as number[][];
}

function transpose(m: Matrix): number[][] {
  return m[0].map((_, j) => m.map((row) => row[j]));
}

function showCorr2d(out: CliContext['stdout'], p: Paint): void {
  const { X, K, Y } = CORR2D_EXAMPLE;
  const result = matrix(corr2d(tensor(X), tensor(K)));
  const agrees = JSON.stringify(result) === JSON.stringify(Y);
  println(out, p.bold('1. Cross-correlation: corr2d(X, K)'));
  println(
    out,
    indent(
      sideBySide([
        ['X', ...numberGrid(X)],
        ['K', ...numberGrid(K)],
        ['corr2d(X, K)', ...numberGrid(result)],
      ]),
    ),
  );
  println(
    out,
    `  top-left: 0·0 + 1·1 + 3·2 + 4·3 = 19; the chapter's answer [[19, 25], [37, 43]] ${agrees ? p.green('✓') : p.red('✗')}`,
  );
  println(out);
}

interface EdgePictures {
  readonly input: Matrix;
  readonly output: Matrix;
  readonly inputT: Matrix;
  readonly outputT: Matrix;
}

function showEdges(out: CliContext['stdout'], p: Paint): EdgePictures {
  const X = edgeImage();
  const K = tensor(EDGE_KERNEL);
  const input = matrix(X);
  const output = matrix(corr2d(X, K));
  const inputT = transpose(input);
  const outputT = matrix(corr2d(tensor(inputT), K));
  println(out, p.bold('2. Edge detection: a 6×8 image X and the kernel K = [[1, −1]]'));
  println(
    out,
    indent(
      sideBySide([
        ['X', ...numberGrid(input)],
        ['picture (██ = 1, ·· = 0)', ...terminalGrey(input, 0, 1)],
      ]),
    ),
  );
  println(out);
  const legend = p.enabled ? `${p.red('██')} = +1, ${p.blue('██')} = −1` : '██ = +1, ░░ = −1';
  println(
    out,
    indent(
      sideBySide([
        ['Y = corr2d(X, K)  6×7', ...numberGrid(output)],
        [`picture (${legend})`, ...terminalSigned(output, p)],
      ]),
    ),
  );
  println(out, '  +1 where white turns black (left to right), −1 where black turns white, 0 elsewhere.');
  println(out);
  const allZero = outputT.every((row) => row.every((v) => v === 0));
  println(
    out,
    indent(
      sideBySide([
        ['Xᵀ  8×6', ...terminalGrey(inputT, 0, 1)],
        ['corr2d(Xᵀ, K)  8×5', ...terminalSigned(outputT, p)],
      ]),
    ),
  );
  println(
    out,
    `  On the transposed image the edges are horizontal and K sees none: all ${allZero ? 'zeros' : p.red('NOT zero')}.`,
  );
  println(out);
  return { input, output, inputT, outputT };
}

function showLearning(out: CliContext['stdout'], p: Paint): number[] {
  const { steps, kernel } = learnKernel();
  println(out, p.bold('3. Learning the kernel from X and Y'));
  println(
    out,
    '  Conv2d 1→1, kernel (1, 2), no bias (seed 0); loss = Σ(ŷ − y)²; 10 steps of gradient descent, lr 0.03',
  );
  for (const s of steps)
    if (s.step % 2 === 0) println(out, `  step ${String(s.step).padStart(2)}, loss ${s.loss.toFixed(3)}`);
  println(out, `  learned kernel [[${kernel.map((v) => v.toFixed(4)).join(', ')}]]  (the edge detector is [[1, −1]])`);
  println(out);
  return steps.map((s) => s.loss);
}

function showShapes(out: CliContext['stdout'], p: Paint): void {
  println(out, p.bold('4. Padding and stride on an 8×8 input'));
  println(out, '  per axis: output = ⌊(n − k + p + s) / s⌋, with p the total padding (both sides)');
  const dims = (v: readonly [number, number] | number[]) => `${v[0]}×${v[1]}`;
  const tuple = ([a, b]: readonly [number, number]) => (a === b ? String(a) : `(${a}, ${b})`);
  const rows = SHAPE_EXAMPLES.map((e) => {
    const [k, pad, s] = [e.kernel, e.padding, e.stride];
    const axis = (a: 0 | 1) => `⌊(8−${k[a]}+${2 * pad[a]}+${s[a]})/${s[a]}⌋`;
    const formula: [number, number] = [chapterFormula(8, k[0], pad[0], s[0]), chapterFormula(8, k[1], pad[1], s[1])];
    const got = shapeOf(e);
    const ok = got[0] === e.expected[0] && got[1] === e.expected[1] && formula[0] === got[0] && formula[1] === got[1];
    return [
      dims(k),
      tuple(pad),
      tuple(s),
      `${axis(0)} × ${axis(1)} = ${dims(formula)}`,
      dims(got),
      `${dims(e.expected)} ${ok ? p.green('✓') : p.red('✗')}`,
    ];
  });
  const text = table(['kernel', 'padding', 'stride', 'formula', 'conv2d', 'chapter'], rows);
  println(out, indent(text.split('\n')));
  println(out);
}

const TITLE = 'convproof demo: the convolutional layers chapter of Dive into Deep Learning';

/** Each picture: its file name and its figure on the page. */
function pictures(edges: EdgePictures, losses: readonly number[]): [string, Figure][] {
  const [grey, edge] = [greyscale(0, 1), signed(1)];
  const maps: [file: string, heading: string, name: string, m: Matrix, map: Colormap, caption: string][] = [
    ['edge-input', 'X', 'X', edges.input, grey, 'The 6×8 image: white (1) with a black (0) band.'],
    ['edge-output', 'corr2d(X, K)', 'Y', edges.output, edge, 'K = [[1, −1]]: red = +1, blue = −1, white = 0.'],
    ['edge-input-transposed', 'Xᵀ', 'Xᵀ', edges.inputT, grey, 'The transposed image: its edges lie flat.'],
    ['edge-output-transposed', 'corr2d(Xᵀ, K)', 'Yᵀ', edges.outputT, edge, 'K sees vertical edges only: all zero.'],
  ];
  const title = (heading: string, m: Matrix) => `${heading} (${m.length}×${m[0].length})`;
  return [
    ...maps.map(([file, heading, name, m, map, caption]): [string, Figure] => [
      `${file}.svg`,
      { heading, caption, svg: matrixSvg(m, map, { title: title(heading, m), name }) },
    ]),
    [
      'loss.svg',
      { heading: 'Learning K', caption: 'Σ(ŷ − y)² per step of gradient descent.', svg: lossPlotSvg(losses) },
    ],
  ];
}

/** Writes each picture as an SVG file and all of them on one page; returns the names written. */
function writePictures(dir: string, edges: EdgePictures, losses: readonly number[]): string[] {
  const files = pictures(edges, losses);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.html'),
    htmlPage(
      TITLE,
      files.map(([, f]) => f),
    ),
  );
  for (const [name, f] of files) writeFileSync(join(dir, name), `${f.svg}\n`);
  return ['index.html (every picture on one page)', ...files.map(([name, f]) => `${name} (${f.heading})`)];
}

/**
 * `convproof demo [--out dir]`: prints the chapter's examples and writes the pictures; 0 on success.
 * @example await demo(['--out', 'pictures'], ctx);
 */
export async function demo(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseOrUsage('demo', () =>
    parseArgs({
      args: [...args],
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }),
  );
  if (values.help) {
    println(ctx.stdout, DEMO_HELP);
    return 0;
  }
  if (values.out === '') throw new UsageError('demo', '--out needs a directory');
  const dir = resolve(ctx.cwd, values.out ?? 'convproof-demo');
  const p = paint(useColour(ctx.stdout, ctx.env));
  println(ctx.stdout, p.bold(TITLE));
  println(ctx.stdout);
  showCorr2d(ctx.stdout, p);
  const edges = showEdges(ctx.stdout, p);
  const losses = showLearning(ctx.stdout, p);
  showShapes(ctx.stdout, p);
  let written: string[];
  try {
    written = writePictures(dir, edges, losses);
  } catch (e) {
    throw new UsageError('demo', `cannot write the pictures to ${dir}: ${(e as Error).message}`);
  }
  const shown = relative(ctx.cwd, dir) || '.';
  println(ctx.stdout, `Pictures written to ${shown.startsWith('..') ? dir : shown}/:`);
  for (const f of written) println(ctx.stdout, `  ${f}`);
  return 0;
}
