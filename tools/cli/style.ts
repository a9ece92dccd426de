/**
 * Terminal output helpers: colour that switches itself off when it would
 * garble a file or a pipe, and aligned tables.
 */
import { stripVTControlCharacters, styleText } from 'node:util';

/** The bits of a stream the CLI looks at (process.stdout/stderr fit). */
export interface OutStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Colours only on a terminal, never when `NO_COLOR` is set to anything
 * non-empty (no-color.org), and not for `TERM=dumb`. `FORCE_COLOR` (non-empty,
 * not `0`) turns them on for a pipe, e.g. `FORCE_COLOR=1 convproof … | less -R`.
 *
 * @example useColour(process.stdout, process.env) // false when piped
 */
export function useColour(stream: OutStream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Text styles; identity functions when colour is off. */
export interface Paint {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  cyan(s: string): string;
}

/**
 * Node's `util.styleText` does the escape codes; whether to colour at all is
 * `useColour`'s decision (from our streams and environment), so Node's own
 * check of `process.stdout` is switched off.
 * @example const p = paint(true); p.green('held') // '\x1b[32mheld\x1b[39m'
 */
export function paint(enabled: boolean): Paint {
  const style = (format: Parameters<typeof styleText>[0]) => (s: string) =>
    enabled ? styleText(format, s, { validateStream: false }) : s;
  return {
    enabled,
    bold: style('bold'),
    dim: style('dim'),
    red: style('red'),
    green: style('green'),
    yellow: style('yellow'),
    blue: style('blue'),
    cyan: style('cyan'),
  };
}

/** The number of terminal columns `s` occupies (escape codes take none). */
export function visibleWidth(s: string): number {
  return [...stripVTControlCharacters(s)].length;
}

function pad(s: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(s)));
  return align === 'right' ? fill + s : s + fill;
}

/**
 * Formats rows under a header as aligned columns, two spaces apart, with a
 * rule under the header. `align[i]` defaults to left.
 *
 * @example
 * table(['ms', 'property'], [['0.12', 'a long sentence']], ['right', 'left'])
 * // '  ms  property\n────  ────────\n0.12  a long sentence'
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ('left' | 'right')[] = [],
): string {
  const widths = header.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i], align[i] ?? 'left'))
      .join('  ')
      .trimEnd();
  // The last column, when left-aligned, holds free text (e.g. a sentence): rule only its header,
  // so a long entry does not make the rule wrap on a narrow terminal.
  const last = widths.length - 1;
  const ruled = widths.map((w, i) => (i === last && (align[i] ?? 'left') === 'left' ? visibleWidth(header[i]) : w));
  const rule = ruled.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
