/**
 * `convproof/properties/browser`: running the implementation under test
 * isolated in a Web Worker, with a deadline per call, from a page. The
 * worker script serves the implementation (`serveIsolated`); the page
 * `isolate`s it and hands the result to `verify`. Browser globals only.
 *
 * @example
 * // conv-worker.ts: import { serveIsolated } from 'convproof/properties/browser'; import * as mine from './my-conv.js'; serveIsolated(mine);
 * import { verify } from 'convproof/properties';
 * import { isolate } from 'convproof/properties/browser';
 * const impl = await isolate({ worker: new URL('./conv-worker.js', import.meta.url), timeoutMs: 2000 });
 * const report = await verify(impl, { seed: 42 }); await impl.close();
 */
export type { IsolatedImplementation } from '../isolate-protocol.js';
export { isolate, type BrowserWorker, type IsolatedWorker, type WorkerEventLike } from './isolate.js';
export { serveIsolated, type WorkerScope } from './serve.js';
