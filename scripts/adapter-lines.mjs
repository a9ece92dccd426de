#!/usr/bin/env node
/**
 * Counts each adapter's own lines (docs/adapters.md, "Adapter lines"): the
 * lines of its file after Biome's formatting, without blank lines, comment
 * lines, import statements, and the declarations the counting rule leaves
 * out — `supports`, `conventions` and the known-defect list (a top-level
 * `const` typed `Supports`, `Conventions` or `KnownDefect[]`, and an adapter
 * object's one-line `supports:`, `conventions:` and `knownDefects:` entries).
 *
 * Usage: node scripts/adapter-lines.mjs [file …]   (default: the five adapters)
 */
import { readFileSync } from 'node:fs';

const ADAPTERS = [
  ['TensorFlow.js', 'adapters/tfjs.ts'],
  ['onnxruntime-web', 'adapters/onnxruntime.ts'],
  ['ConvNetJS', 'examples/adapters/convnetjs.ts'],
  ['OpenCV.js', 'examples/adapters/opencv.ts'],
  ['ndarray-convolve', 'examples/adapters/ndarray-convolve.ts'],
];

const DECLARATION =
  /^(export )?const \w+: (Supports|Conventions|(readonly )?KnownDefect\[\]|readonly KnownDefect\[\])\b/;

/** The same declarations handed on by an adapter object: `supports: tfjsSupports,` and the like. */
const ATTACHED = /^(supports|conventions|knownDefects): [^{[]*,$/;

/** The counted lines of one file's text. */
export function ownLines(text) {
  let counted = 0;
  let skipping = null; // 'statement' (an import or a left-out declaration) or 'comment' while inside one
  for (const raw of text.split('\n')) {
    const code = raw.replace(/\s*\/\/.*$/, ''); // a trailing comment is not code
    const line = code.trim();
    if (skipping === 'comment') {
      if (line.includes('*/')) skipping = null;
    } else if (skipping === 'statement') {
      if (/^\S.*;$/.test(code)) skipping = null; // a top-level statement ends unindented, with ';'
    } else if (line.startsWith('/*')) {
      if (!line.includes('*/')) skipping = 'comment';
    } else if (/^import\b/.test(code) || DECLARATION.test(code)) {
      if (!line.endsWith(';')) skipping = 'statement';
    } else if (line !== '' && !ATTACHED.test(line)) counted++;
  }
  return counted;
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => [f, f]) : ADAPTERS;
for (const [name, file] of files)
  console.log(`${String(ownLines(readFileSync(file, 'utf8'))).padStart(4)}  ${name} (${file})`);
