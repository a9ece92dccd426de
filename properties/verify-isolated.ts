/**
 * `verify`'s side of isolation: loading a module into a worker for the run
 * (lazily, so the suite still bundles for a browser), and re-running a shrunk
 * counterexample alone in a fresh worker, which tells a defect of the case
 * from state an earlier call left behind (tfjs-wasm corrupts its heap so).
 */
import type fc from 'fast-check';
import type { IsolatedImplementation, IsolatedModule } from './isolate.js';
import type { ConvImplementation } from './types.js';

export type { IsolatedModule } from './isolate.js';

function isModuleSpec(v: unknown): v is IsolatedModule {
  return typeof v === 'object' && v !== null && 'module' in v && !('conv2d' in v);
}

function isIsolated(impl: object): impl is IsolatedImplementation {
  return typeof (impl as Partial<IsolatedImplementation>).restart === 'function';
}

/**
 * Runs `body` with `impl`, or with the worker-backed implementation of a
 * module spec, closing the worker afterwards.
 * @example const report = await withIsolation({ module: './m.mjs' }, (impl) => verifyLoaded(impl, options));
 */
export async function withIsolation<T>(
  impl: ConvImplementation | IsolatedModule,
  body: (impl: ConvImplementation) => Promise<T>,
): Promise<T> {
  if (!isModuleSpec(impl)) return body(impl);
  const { isolate } = await import('./isolate.js');
  const loaded = await isolate(impl);
  try {
    return await body(loaded);
  } finally {
    await loaded.close();
  }
}

/**
 * For an isolated implementation: whether `counterexample` fails again when
 * run alone in a fresh worker. Undefined when `impl` is not isolated.
 * @example const alone = await rerunAlone(impl, property, details.counterexample); // true: it reproduced
 */
export async function rerunAlone(
  impl: object,
  property: fc.IRawProperty<unknown>,
  counterexample: unknown,
): Promise<boolean | undefined> {
  if (!isIsolated(impl) || counterexample === null) return undefined;
  await impl.restart();
  await property.runBeforeEach();
  try {
    const out = await property.run(counterexample);
    return out !== null && 'error' in out;
  } finally {
    await property.runAfterEach();
  }
}

/**
 * What re-running the shrunk case alone in a fresh worker showed, in one line.
 * @example aloneText(false) // 're-run alone in a fresh worker: it passes, so …'
 */
export function aloneText(reproduced: boolean): string {
  return reproduced
    ? 're-run alone in a fresh worker: it fails again'
    : 're-run alone in a fresh worker: it passes, so the failure needs the calls before it (state the implementation kept)';
}
