#!/usr/bin/env node
/**
 * The layer rule (CONTRIBUTING.md): imports point one way only.
 *
 *   src/         the library: imports only src/, no packages, no Node built-ins
 *   properties/  the suite: src/ only through `import type` or the helper modules
 *                below (tensors, errors, the seeded generator), never a kernel
 *                or the geometry; packages allowed, Node built-ins not (it runs
 *                in browsers), not even by dynamic import; never tools/ or test/
 *   properties/node/  the suite's Node-only entry (`convproof/properties/node`):
 *                may use Node built-ins; the rest of properties/ reaches it only
 *                through `import type`, so the browser-safe entry never loads it
 *   adapters/    ready adapters of real libraries (convproof/adapters): src/ and
 *                properties/ (the spec states their pads), never tools/ or test/
 *   tools/       the CLI, benchmark and demo: src/, properties/ and adapters/, never test/
 *   test/, golden/, examples/, scripts/: anything
 *
 * Usage: node scripts/check-layers.mjs [root]   (exit 1 and one line per breach)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** src/ modules the suite may import at run time: data helpers, not conv rules. */
const SUITE_MAY_USE = new Set(['src/tensor.ts', 'src/errors.ts', 'src/random.ts']);

const IMPORT =
  /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[\w*{}\s,$]*?\bfrom\s*)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

const NODE_BUILT_INS = new Set(builtinModules);

function layerOf(file) {
  const top = file.split('/')[0];
  return ['src', 'properties', 'adapters', 'tools'].includes(top) ? top : 'free';
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** Imports of one file: [{ spec, typeOnly, line }]. Comments are blanked first. */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
  const found = [];
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    const typeOnly = Boolean(m[2]);
    found.push({ spec, typeOnly, line: code.slice(0, m.index + m[0].lastIndexOf(spec)).split('\n').length });
  }
  return found;
}

/** The suite's Node-only folder: its own package entry, never reached by the browser-safe one. */
const NODE_ONLY = 'properties/node/';

/** The breaches of the layer rule in one file (`file` relative to the root, with '/'). */
export function breaches(file, text) {
  const layer = layerOf(file);
  if (layer === 'free') return [];
  const out = [];
  for (const { spec, typeOnly, line } of importsOf(text)) {
    const where = `${file}:${line}`;
    if (!spec.startsWith('.')) {
      if (layer === 'src' && !file.endsWith('.mjs'))
        out.push(`${where} src/ imports the package '${spec}' (the library has no dependencies and no Node built-ins)`);
      else if (
        layer === 'properties' &&
        !file.startsWith(NODE_ONLY) &&
        (spec.startsWith('node:') || NODE_BUILT_INS.has(spec.split('/')[0]))
      )
        out.push(
          `${where} properties/ imports the Node built-in '${spec}' (the suite bundles for browsers: Node-only code belongs in ${NODE_ONLY} or tools/)`,
        );
      continue;
    }
    const target = relative('.', join(dirname(file), spec))
      .split(sep)
      .join('/')
      .replace(/\.js$/, '.ts');
    const to = layerOf(target);
    const top = target.split('/')[0];
    if (top === 'test' || top === 'golden' || top === 'examples') {
      out.push(`${where} ${layer}/ imports ${target} (nothing shipped imports the tests)`);
    } else if (layer === 'src' && to !== 'src') {
      out.push(`${where} src/ imports ${target} (the library imports only src/)`);
    } else if (layer === 'properties' && target.startsWith(NODE_ONLY) && !file.startsWith(NODE_ONLY) && !typeOnly) {
      out.push(
        `${where} properties/ imports ${target} (Node-only: reach it through \`import type\` or the convproof/properties/node entry)`,
      );
    } else if (layer === 'properties' && (to === 'tools' || to === 'adapters')) {
      out.push(`${where} properties/ imports ${target} (the suite never imports ${to}/)`);
    } else if (layer === 'adapters' && to === 'tools') {
      out.push(`${where} adapters/ imports ${target} (adapters never import tools/)`);
    } else if (layer === 'properties' && to === 'src' && !typeOnly && !SUITE_MAY_USE.has(target)) {
      out.push(
        `${where} properties/ imports ${target} at run time (the suite states its own rules; use \`import type\` or one of ${[...SUITE_MAY_USE].join(', ')})`,
      );
    }
  }
  return out;
}

function main() {
  const root = resolve(process.argv[2] ?? '.');
  process.chdir(root);
  const all = [];
  for (const dir of ['src', 'properties', 'adapters', 'tools']) {
    let ok = true;
    try {
      statSync(dir);
    } catch {
      ok = false;
    }
    if (!ok) continue;
    for (const path of sourceFiles(dir)) {
      const file = relative('.', path).split(sep).join('/');
      all.push(...breaches(file, readFileSync(path, 'utf8')));
    }
  }
  if (all.length > 0) {
    console.error(`layer rule: ${all.length} upward import${all.length === 1 ? '' : 's'}\n${all.join('\n')}`);
    process.exit(1);
  }
  console.log('layer rule: every import points down (src ← properties ← adapters ← tools)');
}

if (import.meta.url === `file://${process.argv[1]}`) main();
