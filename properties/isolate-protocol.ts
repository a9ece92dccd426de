/**
 * Isolation's protocol and its calling side, shared by the Node worker thread
 * (properties/node/isolate.ts) and the browser's Web Worker
 * (properties/browser/isolate.ts). Free of Node built-ins and of DOM types:
 * each side hands a `Session` its worker as a `WorkerPort` and feeds it the
 * worker's messages and deaths.
 *
 * The worker posts `{ type: 'ready', functions, supports, conventions }` (or
 * `{ type: 'load-error', error }`), then answers each `{ id, fn, args }` with
 * `{ id, ok: true, value }` or `{ id, ok: false, error }`; `fault: 'memory'`
 * marks an error that was the engine refusing an allocation (the browser
 * worker's only sign of memory running out).
 */
import { ImplementationFault, type FaultKind } from './fault.js';
import type { Conventions, Supports } from './support.js';
import type { ConvExtras, ConvImplementation } from './types.js';

/** The functions a worker may offer, in the order it reports them. */
export const FUNCTIONS = [
  'conv2d',
  'conv2dBackward',
  'convTranspose2d',
  'convTranspose2dBackward',
  'corr2d',
  'conv2dOutputShape',
] as const;

/** An error as it crosses between threads: its name, message and `code` kept. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** One call, page (or main thread) to worker. */
export interface IsolateCall {
  readonly id: number;
  readonly fn: string;
  readonly args: readonly unknown[];
}

/** What the worker offers once its module is loaded. */
export interface Ready {
  readonly functions: readonly string[];
  readonly supports?: Supports;
  readonly conventions?: Conventions;
}

/** The answer to one call. */
export type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError; readonly fault?: 'memory' };

/** Everything a worker posts. */
export type WorkerMessage =
  | ({ readonly type: 'ready' } & Ready)
  | { readonly type: 'load-error'; readonly error: WireError }
  | Reply;

/** The calling side's handle on one worker. */
export interface WorkerPort {
  post(call: IsolateCall): void;
  terminate(): unknown;
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

/**
 * An engine's refusal to allocate, as `name: message` of the error a worker
 * sees thrown: V8's "RangeError: Array buffer allocation failed",
 * SpiderMonkey's "InternalError: out of memory", WebKit's "RangeError: Out of
 * memory". Not "Invalid typed array length: -1": a length the engine can never
 * give is the implementation's bug (a wrong output size), an ordinary error.
 */
export const ALLOCATION_FAILED = /^(RangeError|InternalError): (array buffer allocation failed|out of memory)/i;

/**
 * Whether `e` is an engine refusing an allocation (see `ALLOCATION_FAILED`).
 * @example isAllocationFailure(new RangeError('Array buffer allocation failed')) // true
 */
export function isAllocationFailure(e: { readonly name: string; readonly message: string }): boolean {
  return ALLOCATION_FAILED.test(`${e.name}: ${e.message}`);
}

/** The error the implementation threw, rebuilt on this side (its name and `code` kept). */
function rebuilt(e: WireError): Error {
  const out = new Error(e.message) as Error & { code?: string };
  out.name = e.name;
  if (e.code !== undefined) out.code = e.code;
  return out;
}

const LOAD_TIMEOUT_MS = 60_000;

/** One worker: its start, its calls, and how it ended. */
export class Session {
  readonly ready: Promise<Ready>;
  private readonly pending = new Map<number, (r: Reply | ImplementationFault) => void>();
  private next = 0;
  ended: ImplementationFault | null = null;

  constructor(private readonly port: WorkerPort) {
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
  }

  /** A message from the worker. */
  receive(m: WorkerMessage): void {
    if ('type' in m)
      this.settle(-1, m.type === 'ready' ? { id: -1, ok: true, value: m } : { id: -1, ok: false, error: m.error });
    else if (!m.ok && m.fault === 'memory')
      this.end('memory', `ran out of memory (${m.error.name}: ${m.error.message})`);
    else this.settle(m.id, m);
  }

  private settle(id: number, r: Reply | ImplementationFault): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(r);
  }

  /** The worker is finished (stopped here, or dead): every pending call learns why. */
  end(kind: FaultKind, why: string): void {
    if (this.ended) return;
    this.ended = new ImplementationFault(kind, why);
    void this.port.terminate();
    for (const id of [...this.pending.keys()]) this.settle(id, this.ended);
  }

  /** Stops the worker, whatever it is doing. */
  async terminate(): Promise<void> {
    this.end('died', 'its worker was stopped');
    await this.port.terminate();
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
        this.port.post({ id, fn, args });
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
 * The implementation a series of sessions offers: each call goes to the
 * current worker, and a new one (`open()`) replaces a worker that ended.
 * Rejects, the first worker stopped, when it fails to load or offers no
 * `conv2d` (`name` names the module in that message).
 * @example const impl = await isolated(() => openSession(url), 2000, url); await impl.conv2d(x, w);
 */
export async function isolated(open: () => Session, timeoutMs: number, name: string): Promise<IsolatedImplementation> {
  let session: Session | null = open();
  const first = await session.ready.catch(async (e: unknown) => {
    await session?.terminate();
    throw e;
  });
  if (!first.functions.includes('conv2d')) {
    await session.terminate();
    throw new TypeError(`verify: ${name} does not export a conv2d function`);
  }
  const current = (): Session => {
    if (session === null || session.ended) session = open();
    return session;
  };
  const call = async (fn: string, args: unknown[]): Promise<unknown> => {
    const s = current();
    await s.ready;
    return s.call(fn, args, timeoutMs);
  };
  const stop = async (): Promise<void> => {
    const s = session;
    session = null;
    await s?.terminate();
  };
  const impl: Record<string, unknown> = { restart: stop, close: stop };
  for (const fn of first.functions) impl[fn] = (...args: unknown[]) => call(fn, args);
  if (first.supports) impl.supports = first.supports;
  if (first.conventions) impl.conventions = first.conventions;
  return impl as unknown as IsolatedImplementation;
}
