/**
 * Isolation: the implementation under test runs in a Node worker thread with
 * a memory cap, and every call has a deadline. A call that does not return in
 * time, runs out of memory or kills its thread rejects with an
 * `ImplementationFault`; the worker is then gone and the next call starts a
 * fresh one (the module loaded anew), so one bad case cannot stop a run.
 *
 * Node-only (`node:worker_threads`): reached through the `convproof/properties/node`
 * entry, never from the browser-safe `convproof/properties`.
 */
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isolated, Session, type IsolatedImplementation, type WorkerMessage } from '../isolate-protocol.js';
import { WORKER_SOURCE } from './isolate-worker.js';

export type { IsolatedImplementation } from '../isolate-protocol.js';

/**
 * An implementation given by its module, to be run isolated.
 * @example await verify({ module: './my-conv.mjs', timeoutMs: 2000, maxMemoryMb: 512 }, { seed: 42 })
 */
export interface IsolatedModule {
  /** A path (relative to the working directory) or a `file:` URL of an ES or CommonJS module exporting `conv2d`, …. */
  readonly module: string | URL;
  /** Deadline of one call, in ms. Default 5000. */
  readonly timeoutMs?: number;
  /** The worker's heap cap (V8 old generation), in MB. Default 1024. */
  readonly maxMemoryMb?: number;
}

/** A worker thread running the module at `url`, under a heap cap, as a session. */
function open(url: string, maxMemoryMb: number): Session {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { url },
    resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
    stdout: false,
    stderr: false,
  });
  worker.unref();
  const session = new Session({ post: (call) => worker.postMessage(call), terminate: () => worker.terminate() });
  worker.on('message', (m: WorkerMessage) => session.receive(m));
  worker.on('error', (e: Error & { code?: string }) => {
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') session.end('memory', 'ran out of memory');
    else session.end('died', `its thread died: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`);
  });
  worker.on('exit', (code) => session.end('died', `its thread died: it exited with code ${code}`));
  return session;
}

/**
 * Starts a worker running `spec.module` and returns its functions as an
 * implementation (every call async, arguments copied), with the module's own
 * `supports` and `conventions`. Call `close()` when done.
 *
 * @example
 * const impl = await isolate({ module: './my-conv.mjs', timeoutMs: 1000 });
 * try { await impl.conv2d(x, w); } finally { await impl.close(); } // x: [N,C,H,W], w: [O,C,KH,KW]
 */
export async function isolate(spec: IsolatedModule): Promise<IsolatedImplementation> {
  const url =
    spec.module instanceof URL
      ? spec.module.href
      : /^[a-z]+:/i.test(spec.module)
        ? spec.module
        : pathToFileURL(resolve(spec.module)).href;
  const maxMemoryMb = spec.maxMemoryMb ?? 1024;
  return isolated(() => open(url, maxMemoryMb), spec.timeoutMs ?? 5000, String(spec.module));
}
