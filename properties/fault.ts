/**
 * What an isolated implementation can do besides return or throw: not
 * return in time, run out of memory, or kill its thread. `verify` reports
 * such a case as the property's failure at once (no shrinking: every
 * candidate could cost the whole deadline again) and goes on.
 */

/** How an isolated call ended without an answer. */
export type FaultKind = 'timeout' | 'memory' | 'died';

/**
 * Rejects a call of an isolated implementation whose worker had to be
 * stopped or died; the next call starts a fresh worker.
 * @example try { await impl.conv2d(x, w) } catch (e) { if (isImplementationFault(e)) console.log(e.kind) } // 'timeout'
 */
export class ImplementationFault extends Error {
  constructor(
    readonly kind: FaultKind,
    message: string,
  ) {
    super(message);
    this.name = 'ImplementationFault';
  }
}

/**
 * Whether `e` is an `ImplementationFault`.
 * @example if (isImplementationFault(e) && e.kind === 'memory') console.log('ran out of memory')
 */
export function isImplementationFault(e: unknown): e is ImplementationFault {
  return e instanceof ImplementationFault;
}
