/**
 * The demo's pictures as SVG: a matrix as a grid of coloured cells, the
 * training loss as a line plot, and one HTML page that holds them all.
 * SVG is text a browser lays out (fonts, lines, scaling), so a few template
 * strings replace an image encoder, a pixel font and a line rasteriser; each
 * cell and each point carries its value as a tooltip (`<title>`).
 */

/** A matrix of numbers, row-major (`rows[i][j]`). */
export type Matrix = readonly (readonly number[])[];

/** Maps a value to a CSS colour. */
export type Colormap = (v: number) => string;

type Attributes = Readonly<Record<string, string | number>>;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text made safe for XML content and attribute values. */
function xmlText(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c]);
}

/** One element; `content` is markup (escape text with `xmlText`); numbers are rounded to 0.1 px. */
function el(name: string, attributes: Attributes, content = ''): string {
  const attrs = Object.entries(attributes)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? Math.round(v * 10) / 10 : xmlText(v)}"`)
    .join('');
  return content ? `<${name}${attrs}>${content}</${name}>` : `<${name}${attrs}/>`;
}

function svg(width: number, height: number, title: string, body: readonly string[]): string {
  const size = { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}` };
  return el('svg', { ...size, role: 'img' }, [el('title', {}, xmlText(title)), ...body].join('\n'));
}

function rgb(r: number, g: number, b: number): string {
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

const clamp01 = (t: number) => Math.min(1, Math.max(0, t));

/**
 * Grey levels: `lo` → black, `hi` → white, clamped.
 * @example greyscale(0, 1)(1) // 'rgb(255,255,255)'
 */
export function greyscale(lo: number, hi: number): Colormap {
  return (v) => {
    const g = 255 * (hi > lo ? clamp01((v - lo) / (hi - lo)) : 0);
    return rgb(g, g, g);
  };
}

const RED = [178, 24, 43] as const;
const BLUE = [33, 102, 172] as const;

/**
 * A diverging map for signed data: 0 → white, +`scale` → red, −`scale` → blue,
 * so the sign of an edge response is visible at a glance.
 * @example signed(1)(-1) // 'rgb(33,102,172)'
 */
export function signed(scale: number): Colormap {
  return (v) => {
    const t = scale > 0 ? clamp01(Math.abs(v) / scale) : 0;
    const [r, g, b] = v >= 0 ? RED : BLUE;
    return rgb(255 + (r - 255) * t, 255 + (g - 255) * t, 255 + (b - 255) * t);
  };
}

/**
 * `m` as `cell`-pixel squares with thin grey borders; hovering a square shows
 * `name[i][j] = value`.
 * @example writeFileSync('x.svg', matrixSvg([[0, 1], [1, 0]], greyscale(0, 1), { title: 'X', name: 'X' }));
 */
export function matrixSvg(
  m: Matrix,
  colormap: Colormap,
  { title, name, cell = 40 }: { title: string; name: string; cell?: number },
): string {
  const cells = m.flatMap((row, i) =>
    row.map((v, j) =>
      el(
        'rect',
        { x: j * cell + 0.5, y: i * cell + 0.5, width: cell, height: cell, fill: colormap(v) },
        el('title', {}, xmlText(`${name}[${i}][${j}] = ${v}`)),
      ),
    ),
  );
  const [width, height] = [(m[0]?.length ?? 0) * cell + 1, m.length * cell + 1];
  return svg(width, height, title, [`<g stroke="rgb(160,160,160)" stroke-width="1">`, ...cells, '</g>']);
}

const INK = 'rgb(30,30,30)';
const LINE = 'rgb(33,102,172)';
const GRID = 'rgb(225,225,225)';
const TEXT = { 'font-family': 'sans-serif', 'font-size': 13, fill: INK };

/**
 * Plots `values[i]` against step `i + 1` on a log scale in whole decades (a
 * training loss falls by orders of magnitude): axes, grid, the curve and its
 * points. Values that are not positive and finite are left out.
 * @example writeFileSync('loss.svg', lossPlotSvg([4.1, 1.2, 0.4, 0.12]));
 */
export function lossPlotSvg(values: readonly number[], { width = 640, height = 400 } = {}): string {
  const [left, right, top, bottom] = [70, width - 24, 40, height - 56];
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  const e0 = logs.length ? Math.floor(Math.min(...logs)) : 0;
  const e1 = Math.max(e0 + 1, Math.ceil(Math.max(...logs)));
  const decades = Array.from({ length: e1 - e0 + 1 }, (_, k) => e0 + k);
  const y = (log: number) => bottom - ((log - e0) / (e1 - e0)) * (bottom - top);
  const n = values.length;
  const x = (i: number) => left + (n > 1 ? (i / (n - 1)) * (right - left) : (right - left) / 2);
  const labels = [
    ...decades.map((e) => el('text', { x: left - 8, y: y(e) + 4, 'text-anchor': 'end' }, String(10 ** e))),
    ...values.map((_, i) => el('text', { x: x(i), y: bottom + 20, 'text-anchor': 'middle' }, String(i + 1))),
    el('text', { x: (left + right) / 2, y: height - 14, 'text-anchor': 'middle' }, 'step'),
    el('text', { x: 8, y: 16 }, 'loss (log scale)'),
  ];
  const shown = values.flatMap((v, i) => (v > 0 && Number.isFinite(v) ? [{ x: x(i), y: y(Math.log10(v)), v, i }] : []));
  const curve = shown.map((p, k) => `${k ? 'L' : 'M'}${Math.round(p.x * 10) / 10} ${Math.round(p.y * 10) / 10}`);
  const points = shown.map((p) =>
    el('circle', { cx: p.x, cy: p.y, r: 4 }, el('title', {}, `step ${p.i + 1}: loss ${p.v}`)),
  );
  return svg(width, height, 'training loss per step', [
    el('rect', { width, height, fill: 'white' }),
    ...decades.map((e) => el('line', { x1: left, x2: right, y1: y(e), y2: y(e), stroke: GRID })),
    el('path', { d: `M${left} ${top}V${bottom}H${right}`, fill: 'none', stroke: INK }),
    el('g', TEXT, labels.join('\n')),
    el('path', { d: curve.join(' '), fill: 'none', stroke: LINE, 'stroke-width': 2 }),
    el('g', { fill: LINE }, points.join('\n')),
  ]);
}

/** One picture of the page: a heading, the SVG and a sentence under it. */
export interface Figure {
  readonly heading: string;
  readonly svg: string;
  readonly caption: string;
}

/**
 * One self-contained HTML page holding the figures (the SVGs inline), written
 * as well-formed XML so that XML tools read it too.
 * @example writeFileSync('index.html', htmlPage('demo', [{ heading: 'X', svg: matrixSvg(…), caption: '…' }]));
 */
export function htmlPage(title: string, figures: readonly Figure[]): string {
  const style =
    'body{font-family:sans-serif;margin:2em;color:rgb(30,30,30)}' +
    'figure{display:inline-block;vertical-align:top;margin:0 2em 2em 0}figcaption{max-width:40em}';
  const body = figures.map((f) =>
    el('figure', {}, [el('h2', {}, xmlText(f.heading)), f.svg, el('figcaption', {}, xmlText(f.caption))].join('\n')),
  );
  return [
    '<!DOCTYPE html>',
    el(
      'html',
      { lang: 'en' },
      [
        el(
          'head',
          {},
          [el('meta', { charset: 'utf-8' }), el('title', {}, xmlText(title)), el('style', {}, style)].join(''),
        ),
        el('body', {}, [el('h1', {}, xmlText(title)), ...body].join('\n')),
      ].join('\n'),
    ),
    '',
  ].join('\n');
}
