// Assembles src/fast/wasm/kernels.wat into src/fast/wasm/kernels.generated.ts
// (the module's bytes as base64), so the library loads its kernels
// synchronously, in Node and in browsers, without reading files. A build
// script, not library code: it reads files and uses wabt. `npm run build`
// runs it first; `--check` only verifies that the committed file matches the
// WAT source.
import { readFileSync, writeFileSync } from 'node:fs';
import wabtInit from 'wabt';

const here = new URL('../src/fast/wasm/', import.meta.url);
const source = new URL('kernels.wat', here);
const target = new URL('kernels.generated.ts', here);

async function assemble() {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('kernels.wat', readFileSync(source, 'utf8'), { simd: true });
  try {
    parsed.validate();
    return parsed.toBinary({ canonicalize_lebs: true }).buffer;
  } finally {
    parsed.destroy();
  }
}

function generated(bytes) {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64
    .match(/.{1,100}/g)
    .map((line) => `  '${line}'`)
    .join(' +\n');
  return (
    '// Generated from kernels.wat by scripts/assemble-wasm.mjs (npm run build). Do not edit.\n\n' +
    `/** The assembled kernels.wat (${bytes.length} bytes), base64. */\n` +
    `export const KERNELS_WASM_BASE64 =\n${lines};\n`
  );
}

const text = generated(await assemble());
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error('kernels.generated.ts is stale: run `node scripts/assemble-wasm.mjs`');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
