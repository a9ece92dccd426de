/**
 * Progress of a long run on stderr: a redrawn bar on a terminal, plain
 * lines (one per finished step) when stderr is a file or a pipe, so logs
 * stay readable and CI output is not full of carriage returns.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { paint, useColour, visibleWidth, type OutStream, type Paint } from './style.js';

/** Reports progress of `total` named steps, each with optional inner work. */
export interface Progress {
  /** Step `index` (0-based) named `label` starts. */
  start(index: number, label: string): void;
  /** Inner progress of the current step, e.g. runs done of runs planned. */
  advance(done: number, planned: number): void;
  /** The current step finished; `summary` is a short word or phrase such as "held". */
  finish(index: number, label: string, summary: string): void;
  /** Removes the bar (TTY) so the final output starts on a clean line. */
  close(): void;
}

const BAR = 24;
const REDRAW_MS = 80;

function bar(fraction: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * BAR);
  return '█'.repeat(full) + '░'.repeat(BAR - full);
}

function fitWidth(text: string, width: number): string {
  return visibleWidth(text) <= width ? text : `${[...text].slice(0, Math.max(0, width - 1)).join('')}…`;
}

class TtyProgress implements Progress {
  private index = 0;
  private label = '';
  private inner = 0;
  private last = 0;
  private readonly p: Paint;

  constructor(
    private readonly stream: OutStream,
    private readonly total: number,
    colour: boolean,
  ) {
    this.p = paint(colour);
  }

  start(index: number, label: string): void {
    [this.index, this.label, this.inner] = [index, label, 0];
    this.draw(true);
  }

  advance(done: number, planned: number): void {
    this.inner = planned > 0 ? done / planned : 0;
    this.draw(false);
  }

  finish(index: number, _label: string, _summary: string): void {
    // The counter keeps naming this step until the next one starts; only the bar moves on.
    [this.index, this.inner] = [index, 1];
    this.draw(true);
  }

  close(): void {
    this.stream.write('\r\x1b[2K');
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.last < REDRAW_MS) return;
    this.last = now;
    const fraction = this.total > 0 ? (this.index + this.inner) / this.total : 1;
    const head = `${this.p.cyan(bar(fraction))} ${this.index + 1}/${this.total} `;
    const width = (this.stream.columns || 80) - 1;
    this.stream.write(`\r\x1b[2K${head}${fitWidth(this.label, Math.max(10, width - visibleWidth(head)))}`);
  }
}

class LineProgress implements Progress {
  constructor(
    private readonly stream: OutStream,
    private readonly total: number,
  ) {}

  start(): void {}

  advance(): void {}

  finish(index: number, label: string, summary: string): void {
    const n = String(this.total).length;
    this.stream.write(`[${String(index + 1).padStart(n)}/${this.total}] ${summary}: ${label}\n`);
  }

  close(): void {}
}

/**
 * A bar when `stream` is a terminal, else plain lines.
 * `quiet` gives a progress that prints nothing.
 *
 * @example
 * const progress = createProgress(process.stderr, process.env, 40);
 * progress.start(0, 'for any case, …'); progress.finish(0, 'for any case, …', 'held'); progress.close();
 */
export function createProgress(
  stream: OutStream,
  env: Readonly<Record<string, string | undefined>>,
  total: number,
  quiet = false,
): Progress {
  if (quiet) return { start() {}, advance() {}, finish() {}, close() {} };
  return stream.isTTY ? new TtyProgress(stream, total, useColour(stream, env)) : new LineProgress(stream, total);
}

/**
 * Progress lines appended to `file` as they happen, each property's start
 * and end with the time since the run began: written synchronously, so a run
 * that hangs or is killed still shows which property it was in.
 * @example const log = logProgress('convproof-verify.log', 40); log.start(0, 'for any case, …');
 */
export function logProgress(file: string, total: number): Progress {
  const began = Date.now();
  const width = String(total).length;
  const line = (index: number, text: string) =>
    appendFileSync(
      file,
      `${((Date.now() - began) / 1000).toFixed(1).padStart(7)} s [${String(index + 1).padStart(width)}/${total}] ${text}\n`,
    );
  writeFileSync(file, '');
  return {
    start: (index, label) => line(index, `start: ${label}`),
    advance() {},
    finish: (index, label, summary) => line(index, `${summary}: ${label}`),
    close() {},
  };
}

/**
 * Every notification to each of `parts`.
 * @example const progress = teeProgress(createProgress(process.stderr, process.env, 40), logProgress('run.log', 40));
 */
export function teeProgress(...parts: readonly Progress[]): Progress {
  return {
    start: (i, l) => {
      for (const p of parts) p.start(i, l);
    },
    advance: (d, n) => {
      for (const p of parts) p.advance(d, n);
    },
    finish: (i, l, s) => {
      for (const p of parts) p.finish(i, l, s);
    },
    close: () => {
      for (const p of parts) p.close();
    },
  };
}
