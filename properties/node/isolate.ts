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
import { ImplementationFault, type FaultKind } from '../fault.js';
import { WORKER_SOURCE } from './isolate-worker.js';
import type { Conventions, Supports } from '../support.js';
import type { ConvExtras, ConvImplementation } from '../types.js';

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

/** The implementation's functions, run in a worker, plus its lifecycle. */
export type IsolatedImplementation = ConvImplementation &
  ConvExtras & {
    readonly supports?: Supports;
    readonly conventions?: Conventions;
    /** Stops the current worker; the next call starts a fresh one. */
    restart(): Promise<void>;
    /** Stops the worker for good. */
    close(): Promise<void>;
  };

interface Ready {
  readonly functions: readonly string[];
  readonly supports?: Supports;
  readonly conventions?: Conventions;
}

interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/** The error the implementation threw, rebuilt on this side (its name and `code` kept). */
function rebuilt(e: WireError): Error {
  const out = new Error(e.message) as Error & { code?: string };
  out.name = e.name;
  if (e.code !== undefined) out.code = e.code;
  return out;
}

const LOAD_TIMEOUT_MS = 60_000;

/** One worker: its start, its calls, and how it ended. */
class Session {
  readonly worker: Worker;
  readonly ready: Promise<Ready>;
  private readonly pending = new Map<number, (r: Reply | ImplementationFault) => void>();
  private next = 0;
  ended: ImplementationFault | null = null;

  constructor(url: string, maxMemoryMb: number) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { url },
      resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.ready = new Promise<Ready>((ok, fail) => {
      const timer = setTimeout(
        () => this.end('timeout', `did not load within ${LOAD_TIMEOUT_MS / 1000} s`),
        LOAD_TIMEOUT_MS,
      );
      this.pending.set(-1, (r) => {
        clearTimeout(timer);
        if (r instanceof ImplementationFault) fail(r);
        else if (r.ok) ok(r.value as Ready);
        else fail(new Error(`loading the implementation failed: ${r.error.name}: ${r.error.message}`));
      });
    });
    this.worker.on('message', (m: Reply | ({ type: 'ready' } & Ready) | { type: 'load-error'; error: WireError }) => {
      if ('type' in m)
        this.settle(-1, m.type === 'ready' ? { id: -1, ok: true, value: m } : { id: -1, ok: false, error: m.error });
      else this.settle(m.id, m);
    });
    this.worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') this.end('memory', 'ran out of memory');
      else this.end('died', `its thread died: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`);
    });
    this.worker.on('exit', (code) => this.end('died', `its thread died: it exited with code ${code}`));
  }

  private settle(id: number, r: Reply | ImplementationFault): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(r);
  }

  /** The worker is finished: every pending call learns why. */
  end(kind: FaultKind, why: string): void {
    if (this.ended) return;
    this.ended = new ImplementationFault(kind, why);
    void this.worker.terminate();
    for (const id of [...this.pending.keys()]) this.settle(id, this.ended);
  }

  call(fn: string, args: readonly unknown[], timeoutMs: number): Promise<unknown> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.next++;
    return new Promise((ok, fail) => {
      const timer = setTimeout(
        () => this.end('timeout', `${fn} did not return within ${timeoutMs / 1000} s`),
        timeoutMs,
      );
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        if (r instanceof ImplementationFault) fail(r);
        else if (r.ok) ok(r.value);
        else fail(rebuilt(r.error));
      });
      try {
        this.worker.postMessage({ id, fn, args });
      } catch (e) {
        this.settle(id, {
          id,
          ok: false,
          error: { name: 'Error', message: `cannot send the arguments: ${String(e)}` },
        });
      }
    });
  }
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
  const timeoutMs = spec.timeoutMs ?? 5000;
  const maxMemoryMb = spec.maxMemoryMb ?? 1024;
  let session: Session | null = new Session(url, maxMemoryMb);
  const first = await session.ready.catch(async (e: unknown) => {
    await session?.worker.terminate();
    throw e;
  });
  if (!first.functions.includes('conv2d'))
    throw new TypeError(`verify: ${String(spec.module)} does not export a conv2d function`);
  const current = (): Session => {
    if (session === null || session.ended) session = new Session(url, maxMemoryMb);
    return session;
  };
  const call = async (fn: string, args: unknown[]): Promise<unknown> => {
    const s = current();
    await s.ready;
    return s.call(fn, args, timeoutMs);
  };
  const impl: Record<string, unknown> = {
    restart: async () => {
      await session?.worker.terminate();
      session = null;
    },
    close: async () => {
      await session?.worker.terminate();
      session = null;
    },
  };
  for (const fn of first.functions) impl[fn] = (...args: unknown[]) => call(fn, args);
  if (first.supports) impl.supports = first.supports;
  if (first.conventions) impl.conventions = first.conventions;
  return impl as unknown as IsolatedImplementation;
}
