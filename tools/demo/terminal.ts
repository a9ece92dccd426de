/**
 * Small matrices drawn in the terminal: numbers, and pictures made of block
 * characters (two per entry, so a cell is roughly square).
 */
import { visibleWidth, type Paint } from '../cli/style.js';
import type { Matrix } from './svg.js';

const SHADES = ['··', '░░', '▒▒', '▓▓', '██'];

/**
 * A grey picture: from `··` (lo) to `██` (hi).
 * @example terminalGrey([[0, 1]], 0, 1) // ['····██']
 */
export function terminalGrey(m: Matrix, lo: number, hi: number): string[] {
  const shade = (v: number) => {
    const t = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0;
    return SHADES[Math.round(t * (SHADES.length - 1))];
  };
  return m.map((row) => row.map(shade).join(''));
}

/**
 * A signed picture: positive `██` (red with colour), negative `░░` (blue
 * `██` with colour), zero `··`.
 * @example terminalSigned([[1, 0, -1]], paint(false)) // ['██··░░']
 */
export function terminalSigned(m: Matrix, p: Paint): string[] {
  const cell = (v: number) => (v > 0 ? p.red('██') : v < 0 ? (p.enabled ? p.blue('██') : '░░') : p.dim('··'));
  return m.map((row) => row.map(cell).join(''));
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

/**
 * Blocks of lines printed next to each other, each padded to its widest line.
 * @example sideBySide([['X', '1'], ['K', '2']]) // ['X    K', '1    2']
 */
export function sideBySide(blocks: readonly (readonly string[])[], gap = 4): string[] {
  const widths = blocks.map((b) => Math.max(0, ...b.map(visibleWidth)));
  const height = Math.max(...blocks.map((b) => b.length));
  return Array.from({ length: height }, (_, i) =>
    blocks
      .map((b, k) => (b[i] ?? '') + ' '.repeat(widths[k] - visibleWidth(b[i] ?? '')))
      .join(' '.repeat(gap))
      .trimEnd(),
  );
}
