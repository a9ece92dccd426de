/**
 * `verify`'s side of isolation, free of Node APIs (the worker itself lives in
 * properties/node/): re-running a shrunk counterexample alone in a fresh
 * worker, which tells a defect of the case from state an earlier call left
 * behind (tfjs-wasm corrupts its heap so).
 */
import type fc from 'fast-check';
/** What an isolated implementation adds (see properties/node/isolate.ts). */
interface Restartable {
  /** Stops the current worker; the next call starts a fresh one. */
  restart(): Promise<void>;
}

function isIsolated(impl: object): impl is Restartable {
  return typeof (impl as Partial<Restartable>).restart === 'function';
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
