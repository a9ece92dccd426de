/**
 * One backend's kernels and the memory they work in, with a resting bound.
 *
 * A WebAssembly memory can grow but never shrink, so a single large call
 * would otherwise keep its peak workspace (up to 2 GiB) for as long as the
 * kernels live. Here the kernels are made on first use; after each call,
 * if their workspace grew past the bound, they are dropped whole (the
 * instance with its memory, or the JavaScript buffer) so the engine can
 * collect them, and the next call starts again from one 64 KiB page.
 * Workloads that stay under the bound keep one workspace and never pay
 * for it twice. Those that do not pay for it on every call (a fresh memory
 * to grow and touch), and until the engine collects a dropped memory the
 * process may briefly hold it beside the next one; for a run of large calls,
 * a larger bound (or `Infinity` and a `trim()` at the end) avoids both.
 */
import { createKernels, type KernelName, type Kernels } from './kernels.js';

/**
 * The default resting bound, in bytes (32 MiB): more than the forward or
 * backward of a 64-channel 56×56 3×3 layer needs (~5.3 MiB), so ordinary
 * layers reuse one workspace, while a browser tab never keeps more than this
 * between calls.
 * @example createBackend({ workspaceBytes: 2 * DEFAULT_WORKSPACE_BYTES })
 */
export const DEFAULT_WORKSPACE_BYTES = 32 * 2 ** 20;

/**
 * Lazily made kernels of one implementation, dropped when they outgrow `bound`.
 * @example const ws = new Workspace('wasm', DEFAULT_WORKSPACE_BYTES); ws.acquire(); ws.settle();
 */
export class Workspace {
  private current: Kernels | null = null;
  /** The last dropped kernels, while the engine has not collected them. */
  private dropped: WeakRef<Kernels> | null = null;
  /** How many times grown kernels were dropped (by `settle` or `trim`). */
  releases = 0;

  /**
   * @param name which implementation to make
   * @param bound the bytes the workspace may keep between calls (Infinity: keep any size)
   */
  constructor(
    readonly name: KernelName,
    readonly bound: number,
  ) {}

  /**
   * The kernels, made now if there are none.
   * @returns null when they cannot be made (the caller uses the reference)
   * @example const k = workspace.acquire(); if (k && forwardFast(k, g, x, w, b, out)) …; workspace.settle();
   */
  acquire(): Kernels | null {
    if (this.current === null) {
      this.current = this.dropped?.deref() ?? createKernels(this.name);
      this.dropped = null;
    }
    return this.current;
  }

  /** Ends a call: drops the kernels if their workspace grew past the bound. */
  settle(): void {
    if (this.current !== null && this.current.bytes > this.bound) this.release();
  }

  /** Drops the kernels, whatever their size (the next call makes new ones). */
  trim(): void {
    if (this.current !== null) this.release();
  }

  /** Bytes held between calls now (0 before the first fast call and after a release). */
  get bytes(): number {
    return this.current === null ? 0 : this.current.bytes;
  }

  private release(): void {
    if (this.current !== null) this.dropped = new WeakRef(this.current);
    this.current = null;
    this.releases++;
  }
}
