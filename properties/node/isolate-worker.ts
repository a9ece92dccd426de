/**
 * The program of an isolation worker, as source text (run with
 * `new Worker(source, { eval: true })`): a fixed script, so it needs no
 * file of its own next to the compiled suite and no transform of ours.
 *
 * It imports the module under test (`workerData.url`), reports which of the
 * five functions it exports (FUNCTIONS of ../isolate-protocol.ts, whose messages it speaks) and its `supports`/`conventions`, then answers
 * `{ id, fn, args }` with `{ id, ok: true, value }` or `{ id, ok: false, error }`.
 * Arguments arrive as structured clones (the caller's arrays are never
 * touched), so an implementation that writes into its inputs or returns one
 * of them could no longer be seen doing it from the main thread: the worker
 * checks both itself and answers with the error the purity properties expect.
 */
import { ALLOCATION_FAILED, FUNCTIONS } from '../isolate-protocol.js';

export const WORKER_SOURCE = `
'use strict';
const ALLOCATION_FAILED = ${String(ALLOCATION_FAILED)};
const { parentPort, workerData } = require('node:worker_threads');
const FUNCTIONS = ${JSON.stringify(FUNCTIONS)};

function exportsOf(mod) {
  if (typeof mod.conv2d !== 'function' && mod.default !== null && typeof mod.default === 'object') return mod.default;
  return mod;
}

function errorOf(e) {
  if (e instanceof Error) {
    const out = { name: e.name, message: e.message };
    if (typeof e.code === 'string') out.code = e.code;
    return out;
  }
  return { name: 'Error', message: 'threw ' + String(e) };
}

/** The typed arrays among the arguments (tensors, bias in options), by position. */
function arraysOf(value, out, depth) {
  if (depth > 3 || value === null || typeof value !== 'object') return out;
  if (ArrayBuffer.isView(value)) out.push(value);
  else for (const v of Object.values(value)) arraysOf(v, out, depth + 1);
  return out;
}

function purityError(fn, before, after, value) {
  for (let k = 0; k < after.length; k++) {
    for (let i = 0; i < after[k].length; i++) {
      if (!Object.is(before[k][i], after[k][i]))
        return fn + ' changed an argument in place (array ' + k + ', index ' + i + ': ' + before[k][i] + ' became ' + after[k][i] + ')';
    }
  }
  const out = arraysOf(value, [], 0);
  if (out.some((o) => after.some((a) => a.buffer === o.buffer)))
    return fn + ' returned the storage of one of its arguments (outputs must be fresh)';
  return null;
}

async function main() {
  let impl;
  try {
    impl = exportsOf(await import(workerData.url));
  } catch (e) {
    parentPort.postMessage({ type: 'load-error', error: errorOf(e) });
    return;
  }
  const functions = FUNCTIONS.filter((f) => typeof impl[f] === 'function');
  const plain = (v) => (v !== null && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : undefined);
  parentPort.postMessage({ type: 'ready', functions, supports: plain(impl.supports), conventions: plain(impl.conventions) });
  parentPort.on('message', async ({ id, fn, args }) => {
    let reply;
    try {
      const inputs = arraysOf(args, [], 0);
      const before = inputs.map((a) => a.slice());
      const value = await impl[fn](...args);
      const impure = purityError(fn, before, inputs, value);
      reply = impure ? { id, ok: false, error: { name: 'Error', message: impure } } : { id, ok: true, value };
    } catch (e) {
      const error = errorOf(e);
      // An ArrayBuffer lives outside the capped heap: the engine refusing one is this worker running out of memory.
      reply = ALLOCATION_FAILED.test(error.name + ': ' + error.message) ? { id, ok: false, error, fault: 'memory' } : { id, ok: false, error };
    }
    try {
      parentPort.postMessage(reply);
    } catch (e) {
      const message = fn + ' returned a value that cannot be copied to the main thread: ' + errorOf(e).message;
      parentPort.postMessage({ id, ok: false, error: { name: 'Error', message } });
    }
  });
}
main();
`;
