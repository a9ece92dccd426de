/**
 * Small matrices as pictures: scaled-up PNG images with a grid, and the same
 * picture drawn with block characters in the terminal.
 */
import { fillRect, rgbImage, type RgbImage } from './png.js';
import type { Paint } from './style.js';

/** A matrix of numbers, row-major (`rows[i][j]`). */
export type Matrix = readonly (readonly number[])[];

/** Maps a value to an RGB colour. */
export type Colormap = (v: number) => [number, number, number];

function lerp(a: number, b: number, t: number): number {
  return Math.round(a + (b - a) * t);
}

/**
 * Grey levels: `lo` → black, `hi` → white, clamped.
 * @example greyscale(0, 1)(1) // [255, 255, 255]
 */
export function greyscale(lo: number, hi: number): Colormap {
  return (v) => {
    const t = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0;
    const g = lerp(0, 255, t);
    return [g, g, g];
  };
}

const RED: [number, number, number] = [178, 24, 43];
const BLUE: [number, number, number] = [33, 102, 172];

/**
 * A diverging map for signed data: 0 → white, +`scale` → red, −`scale` → blue,
 * so the sign of an edge response is visible at a glance.
 * @example signed(1)(-1) // [33, 102, 172]
 */
export function signed(scale: number): Colormap {
  return (v) => {
    const t = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
    const end = v >= 0 ? RED : BLUE;
    return [lerp(255, end[0], t), lerp(255, end[1], t), lerp(255, end[2], t)];
  };
}

/**
 * Draws `m` with `cell`×`cell` pixels per entry and 1-pixel grey grid lines,
 * so a 6×8 matrix becomes a picture a person can see.
 * @example encodePng(matrixImage([[0, 1], [1, 0]], greyscale(0, 1), 32))
 */
export function matrixImage(m: Matrix, colormap: Colormap, cell = 32): RgbImage {
  const rows = m.length;
  const cols = rows > 0 ? m[0].length : 0;
  const img = rgbImage(cols * (cell + 1) + 1, rows * (cell + 1) + 1, [160, 160, 160]);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) fillRect(img, 1 + j * (cell + 1), 1 + i * (cell + 1), cell, cell, colormap(m[i][j]));
  }
  return img;
}

const SHADES = ['··', '░░', '▒▒', '▓▓', '██'];

/**
 * The terminal version of a grey picture: two characters per entry, from
 * `··` (lo) to `██` (hi).
 * @example terminalGrey([[0, 1]], 0, 1) // ['····██']
 */
export function terminalGrey(m: Matrix, lo: number, hi: number): string[] {
  return m.map((row) =>
    row
      .map((v) => {
        const t = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0;
        return SHADES[Math.round(t * (SHADES.length - 1))];
      })
      .join(''),
  );
}

/**
 * The terminal version of a signed picture: positive `██` (red with colour),
 * negative `░░` (blue with colour), zero `··`.
 * @example terminalSigned([[1, 0, -1]], paint(false)) // ['██··░░']
 */
export function terminalSigned(m: Matrix, p: Paint): string[] {
  return m.map((row) =>
    row.map((v) => (v > 0 ? p.red('██') : v < 0 ? (p.enabled ? p.blue('██') : '░░') : p.dim('··'))).join(''),
  );
}

/**
 * A matrix as right-aligned numbers (integers plainly, others to 3 decimals).
 * @example numberGrid([[1, -1], [0, 0]]) // [' 1 -1', ' 0  0']
 */
export function numberGrid(m: Matrix): string[] {
  const cells = m.map((row) => row.map((v) => (Number.isInteger(v) ? String(v === 0 ? 0 : v) : v.toFixed(3))));
  const width = Math.max(1, ...cells.flat().map((c) => c.length));
  return cells.map((row) => row.map((c) => c.padStart(width)).join(' '));
}
