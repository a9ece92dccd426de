/**
 * A line plot drawn straight into an RGB buffer: axes, tick marks with
 * numbers in a 3×5 pixel font, light grid lines, the curve and its points.
 * Enough to see a loss curve without any plotting library.
 */
import { fillRect, rgbImage, type RgbImage } from './png.js';

type Rgb = readonly [number, number, number];

// 3×5 glyphs, one string per row, '#' = ink. Only what tick labels and titles need.
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '.': ['...', '...', '...', '...', '.#.'],
  '-': ['...', '...', '###', '...', '...'],
  e: ['...', '###', '###', '#..', '###'],
  l: ['#..', '#..', '#..', '#..', '.##'],
  o: ['...', '###', '#.#', '#.#', '###'],
  s: ['...', '.##', '##.', '.##', '##.'],
  t: ['.#.', '###', '.#.', '.#.', '.##'],
  p: ['...', '###', '#.#', '###', '#..'],
  g: ['...', '###', '#.#', '.##', '###'],
  '(': ['.#.', '#..', '#..', '#..', '.#.'],
  ')': ['.#.', '..#', '..#', '..#', '.#.'],
  ' ': ['...', '...', '...', '...', '...'],
};

const SCALE = 2; // each font pixel is 2×2 image pixels
const ADVANCE = 4 * SCALE;

/** Width in pixels of `text` in the plot font. */
function textWidth(text: string): number {
  return text.length * ADVANCE - SCALE;
}

/** Draws `text` with its top-left corner at (x, y); unknown characters are skipped. */
function drawText(img: RgbImage, text: string, x: number, y: number, rgb: Rgb): void {
  [...text].forEach((ch, k) => {
    const glyph = GLYPHS[ch];
    if (!glyph) return;
    glyph.forEach((row, gy) => {
      [...row].forEach((cell, gx) => {
        if (cell === '#') fillRect(img, x + k * ADVANCE + gx * SCALE, y + gy * SCALE, SCALE, SCALE, rgb);
      });
    });
  });
}

/** A 2-pixel-thick straight line (Bresenham). */
function drawLine(img: RgbImage, x0: number, y0: number, x1: number, y1: number, rgb: Rgb): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (let x = x0, y = y0; ; ) {
    fillRect(img, x, y, 2, 2, rgb);
    if (x === x1 && y === y1) break;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/** Tick label of a power of ten: plain decimals near 1, `1e-5` style beyond. */
function powerLabel(e: number): string {
  if (e >= 0 && e <= 3) return String(10 ** e);
  if (e < 0 && e >= -3) return (10 ** e).toFixed(-e);
  return `1e${e}`;
}

/** The y axis: a value → pixel row map and its ticks. */
interface YAxis {
  readonly toRow: (v: number) => number;
  readonly ticks: readonly { readonly value: number; readonly label: string }[];
  readonly title: string;
}

/** Log scale (decades) when the values span more than 20×, else linear from 0. */
function yAxis(values: readonly number[], top: number, bottom: number): YAxis {
  const finite = values.filter((v) => Number.isFinite(v));
  const hi = Math.max(...finite, Number.MIN_VALUE);
  const lo = Math.min(...finite);
  if (lo > 0 && hi / lo > 20) {
    const e0 = Math.floor(Math.log10(lo));
    const e1 = Math.ceil(Math.log10(hi));
    const toRow = (v: number) => Math.round(bottom - ((Math.log10(v) - e0) / (e1 - e0)) * (bottom - top));
    const ticks = [];
    for (let e = e0; e <= e1; e++) ticks.push({ value: 10 ** e, label: powerLabel(e) });
    return { toRow, ticks, title: 'loss (log)' };
  }
  const step = niceStep(hi / 4);
  const top0 = Math.ceil(hi / step) * step;
  const toRow = (v: number) => Math.round(bottom - (v / top0) * (bottom - top));
  const ticks = [];
  for (let v = 0; v <= top0 + step / 2; v += step) ticks.push({ value: v, label: String(Number(v.toPrecision(6))) });
  return { toRow, ticks, title: 'loss' };
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [225, 225, 225];
const LINE: Rgb = [33, 102, 172];

/**
 * Plots `values[i]` against step `i + 1`: the loss curve of a training run.
 * Non-finite values are left out of the curve.
 * @example encodePng(linePlot([4.1, 1.2, 0.4, 0.12], { width: 640, height: 400 }))
 */
export function linePlot(
  values: readonly number[],
  size: { width: number; height: number } = { width: 640, height: 400 },
): RgbImage {
  const { width, height } = size;
  const img = rgbImage(width, height, [255, 255, 255]);
  const [left, right, top, bottom] = [70, width - 24, 24, height - 56];
  const y = yAxis(values, top, bottom);
  const n = values.length;
  const toCol = (i: number) => Math.round(left + (n > 1 ? (i / (n - 1)) * (right - left) : (right - left) / 2));
  for (const t of y.ticks) {
    const row = y.toRow(t.value);
    fillRect(img, left, row, right - left + 1, 1, GRID);
    fillRect(img, left - 6, row, 6, 1, INK);
    drawText(img, t.label, left - 10 - textWidth(t.label), row - 5, INK);
  }
  for (let i = 0; i < n; i++) {
    fillRect(img, toCol(i), bottom + 1, 1, 6, INK);
    drawText(img, String(i + 1), toCol(i) - Math.floor(textWidth(String(i + 1)) / 2), bottom + 12, INK);
  }
  fillRect(img, left, top, 1, bottom - top + 1, INK);
  fillRect(img, left, bottom, right - left + 1, 1, INK);
  drawText(img, 'step', Math.round((left + right - textWidth('step')) / 2), height - 20, INK);
  drawText(img, y.title, 8, 4, INK);
  const points = values.map((v, i) => [toCol(i), Number.isFinite(v) ? y.toRow(v) : Number.NaN] as const);
  for (let i = 1; i < n; i++) {
    const [[x0, y0], [x1, y1]] = [points[i - 1], points[i]];
    if (Number.isFinite(y0) && Number.isFinite(y1)) drawLine(img, x0, y0, x1, y1, LINE);
  }
  for (const [x, row] of points) if (Number.isFinite(row)) fillRect(img, x - 3, row - 3, 7, 7, LINE);
  return img;
}
