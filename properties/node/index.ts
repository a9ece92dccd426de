/**
 * `convproof/properties/node`: the parts of the suite that need Node, kept
 * apart so that `convproof/properties` bundles for a browser. Today: running
 * the implementation under test isolated in a worker thread.
 *
 * @example
 * import { verify, formatReport } from 'convproof/properties';
 * import { verifyIsolated } from 'convproof/properties/node';
 * const report = await verifyIsolated({ module: './my-conv.js', timeoutMs: 2000 }, { seed: 42 });
 * console.log(formatReport(report));
 */
import { verify, type VerifyOptions, type VerifyReport } from '../verify.js';
import { isolate, type IsolatedModule } from './isolate.js';

export { isolate, type IsolatedImplementation, type IsolatedModule } from './isolate.js';

/**
 * `verify` of a module run in a worker thread (a heap cap and a deadline per
 * call), closing the worker afterwards.
 * @example await verifyIsolated({ module: './my-conv.mjs', maxMemoryMb: 512 }, { profile: 'ci' })
 */
export async function verifyIsolated(spec: IsolatedModule, options: VerifyOptions = {}): Promise<VerifyReport> {
  const impl = await isolate(spec);
  try {
    return await verify(impl, options);
  } finally {
    await impl.close();
  }
}
