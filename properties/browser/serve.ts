/**
 * The worker's side of browser isolation: a Web Worker script hands its
 * implementation to `serveIsolated`, which answers the page's calls
 * (properties/browser/isolate.ts) over the protocol of
 * properties/isolate-protocol.ts. Globals only (`postMessage`,
 * `addEventListener` of the worker's scope): it runs in any module worker.
 *
 * Arguments arrive as structured clones, so an implementation that writes
 * into its inputs or returns one of them could no longer be seen doing it
 * from the page: this side checks both and answers with the error the purity
 * properties expect. Results travel back with their buffers transferred (no
 * second copy); a buffer that cannot be transferred (a WebAssembly memory's)
 * is copied instead.
 */
import { FUNCTIONS, isAllocationFailure, type IsolateCall, type Reply, type WireError } from '../isolate-protocol.js';

/** What `serveIsolated` needs of a worker's global scope. */
export interface WorkerScope {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
}

type Functions = Record<string, ((...args: unknown[]) => unknown) | undefined>;

/** A module namespace, or its `default` when the functions are there (a CommonJS-style export). */
function exportsOf(mod: object): Functions & { supports?: unknown; conventions?: unknown } {
  const m = mod as Record<string, unknown>;
  if (typeof m.conv2d !== 'function' && m.default !== null && typeof m.default === 'object')
    return m.default as Functions;
  return m as Functions;
}

function errorOf(e: unknown): WireError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? { name: e.name, message: e.message, code } : { name: e.name, message: e.message };
  }
  return { name: 'Error', message: `threw ${String(e)}` };
}

type Numbers = ArrayLike<number> & { readonly buffer: ArrayBufferLike; slice(): Numbers };

/** The typed arrays in a value (tensors, a bias in the options), in order. */
function arraysOf(value: unknown, out: Numbers[] = [], depth = 0): Numbers[] {
  if (depth > 3 || value === null || typeof value !== 'object') return out;
  if (ArrayBuffer.isView(value)) out.push(value as unknown as Numbers);
  else for (const v of Object.values(value)) arraysOf(v, out, depth + 1);
  return out;
}

/** Why a call broke purity (wrote into an argument, or returned one's storage), or null. */
function purityError(fn: string, before: readonly Numbers[], after: readonly Numbers[], value: unknown): string | null {
  for (let k = 0; k < after.length; k++) {
    for (let i = 0; i < after[k].length; i++) {
      if (!Object.is(before[k][i], after[k][i]))
        return `${fn} changed an argument in place (array ${k}, index ${i}: ${before[k][i]} became ${after[k][i]})`;
    }
  }
  if (arraysOf(value).some((o) => after.some((a) => a.buffer === o.buffer)))
    return `${fn} returned the storage of one of its arguments (outputs must be fresh)`;
  return null;
}

/** JSON-plain copies of the declarations (functions and classes in them cannot cross). */
function plain(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : undefined;
}

async function answer(impl: Functions, { id, fn, args }: IsolateCall): Promise<Reply> {
  try {
    const inputs = arraysOf(args);
    const before = inputs.map((a) => a.slice());
    const value = await impl[fn]?.(...args);
    const impure = purityError(fn, before, inputs, value);
    return impure ? { id, ok: false, error: { name: 'Error', message: impure } } : { id, ok: true, value };
  } catch (e) {
    const error = errorOf(e);
    return isAllocationFailure(error) ? { id, ok: false, error, fault: 'memory' } : { id, ok: false, error };
  }
}

/** Posts `reply`, its result buffers transferred when they can be, copied when not. */
function post(scope: WorkerScope, fn: string, reply: Reply): void {
  const buffers = reply.ok ? arraysOf(reply.value).map((a) => a.buffer) : [];
  const transfer = [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  try {
    scope.postMessage(reply, transfer);
    return;
  } catch {
    // A buffer that cannot be detached (a WebAssembly memory's): copy everything instead.
  }
  try {
    scope.postMessage(reply, []);
  } catch (e) {
    const message = `${fn} returned a value that cannot be copied to the page: ${errorOf(e).message}`;
    scope.postMessage({ id: reply.id, ok: false, error: { name: 'Error', message } } satisfies Reply, []);
  }
}

/**
 * Serves `implementation` (a module namespace or an object with `conv2d`, …)
 * to the page that started this worker with `isolate` from
 * `convproof/properties/browser`. Call it once, at the top of the worker script.
 *
 * @example
 * // conv-worker.ts, started by the page as a module worker
 * import { serveIsolated } from 'convproof/properties/browser';
 * import * as mine from './my-conv.js'; // conv2d(x: [N,C,H,W], w: [O,C/groups,KH,KW], options?)
 * serveIsolated(mine);
 */
export function serveIsolated(implementation: object, scope?: WorkerScope): void {
  const self = scope ?? (globalThis as unknown as WorkerScope);
  const impl = exportsOf(implementation);
  self.addEventListener('message', (event) => {
    const call = event.data as IsolateCall;
    void answer(impl, call).then((reply) => post(self, call.fn, reply));
  });
  const functions = FUNCTIONS.filter((f) => typeof impl[f] === 'function');
  self.postMessage(
    {
      type: 'ready',
      functions,
      supports: plain(impl.supports),
      conventions: plain(impl.conventions),
    },
    [],
  );
}
