/**
 * Browser isolation: the implementation under test runs in a Web Worker
 * (a module worker whose script calls `serveIsolated`, ./serve.ts), and every
 * call has a deadline. A call that does not return in time terminates the
 * worker and rejects with an `ImplementationFault` ('timeout'); a worker that
 * throws where nobody catches it, or whose reply cannot be read, gives
 * 'died'; an allocation the engine refuses gives 'memory'. The next call
 * starts a fresh worker, so one bad case cannot stop a run.
 *
 * There is no memory cap: a page cannot bound a worker's heap. What is caught
 * is an allocation that fails (a RangeError such as "Array buffer allocation
 * failed"); a heap that fills up with small objects is the browser's to
 * handle (see docs/browser.md).
 *
 * Globals only (`Worker`): no Node built-in, no DOM types needed to compile.
 */
import {
  ALLOCATION_FAILED,
  isolated,
  Session,
  type IsolatedImplementation,
  type WorkerMessage,
} from '../isolate-protocol.js';

/** What a worker's event carries, as far as isolation reads it (a MessageEvent or an ErrorEvent). */
export interface WorkerEventLike {
  readonly data?: unknown;
  readonly message?: string;
  preventDefault?(): void;
}

/**
 * The part of a DOM `Worker` isolation uses; a `Worker` has it.
 * @example const w: BrowserWorker = new Worker(new URL('./conv-worker.js', import.meta.url), { type: 'module' });
 */
export interface BrowserWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: WorkerEventLike) => void): void;
}

/**
 * A worker script to run isolated, and the deadline of one call.
 * @example { worker: new URL('./conv-worker.js', import.meta.url), timeoutMs: 2000 }
 */
export interface IsolatedWorker {
  /**
   * The worker script (it imports your implementation and calls
   * `serveIsolated`): its URL, started as a module worker, or a function that
   * starts it, as `() => new Worker(new URL('./conv-worker.ts', import.meta.url), { type: 'module' })`,
   * the form Vite and webpack recognise and bundle.
   */
  readonly worker: string | URL | (() => BrowserWorker);
  /** Deadline of one call, in ms. Default 5000. */
  readonly timeoutMs?: number;
}

type WorkerConstructor = new (url: string | URL, options: { type: 'module' }) => BrowserWorker;

/** `worker`'s starter: the function given, or a module worker on the URL given. */
function starter(worker: IsolatedWorker['worker']): () => BrowserWorker {
  if (typeof worker === 'function') return worker;
  const Worker = (globalThis as { Worker?: WorkerConstructor }).Worker;
  if (Worker === undefined) throw new TypeError('isolate: this runtime has no Worker (a browser page is needed)');
  return () => new Worker(worker, { type: 'module' });
}

/** The error event's text without the engine's "Uncaught " prefix: "RangeError: …". */
function uncaught(event: WorkerEventLike): string {
  return (event.message ?? '').replace(/^Uncaught /, '');
}

/** A fresh worker as a session: its replies, its uncaught errors and unreadable replies fed in. */
function open(start: () => BrowserWorker): Session {
  const worker = start();
  const session = new Session({ post: (call) => worker.postMessage(call), terminate: () => worker.terminate() });
  worker.addEventListener('message', (event) => session.receive(event.data as WorkerMessage));
  worker.addEventListener('messageerror', () =>
    session.end('died', 'a reply could not be read (messageerror): its worker was stopped'),
  );
  worker.addEventListener('error', (event) => {
    event.preventDefault?.(); // reported here, as the call's fault: not also as the page's uncaught error
    const message = uncaught(event);
    if (ALLOCATION_FAILED.test(message)) session.end('memory', `ran out of memory (${message})`);
    else
      session.end(
        'died',
        `its thread died: ${message || 'an error event with no message (the script did not load, or its import failed)'}`,
      );
  });
  return session;
}

/**
 * Starts the worker and returns its implementation's functions as an
 * implementation (every call async, arguments copied, results transferred),
 * with the worker's `supports` and `conventions`. Call `close()` when done.
 *
 * @example
 * const impl = await isolate({ worker: new URL('./conv-worker.js', import.meta.url), timeoutMs: 2000 });
 * const report = await verify(impl, { seed: 42 }); // from convproof/properties
 * await impl.close();
 */
export async function isolate(spec: IsolatedWorker): Promise<IsolatedImplementation> {
  const start = starter(spec.worker);
  const name = typeof spec.worker === 'function' ? 'the worker' : `the worker ${String(spec.worker)}`;
  return isolated(() => open(start), spec.timeoutMs ?? 5000, name);
}
