/**
 * Child process of test/workspace.test.ts: does one call whose working memory
 * exceeds the backend's bound, and reports what the process holds before,
 * during and after it, so the test can see the workspace given back.
 * Run with `node --expose-gc` (after compiling); prints one JSON line.
 *
 * Usage: node --expose-gc measure.js wasm|js bounded|unbounded|trimmed
 *
 * What is measured: `process.memoryUsage().external`, which counts the
 * memory behind every ArrayBuffer and every WebAssembly.Memory (a wasm
 * memory is not in `arrayBuffers`, only in `external`), after a full gc.
 */
import { conv2dGeometry } from '../../src/geometry.js';
import { forwardWorkspaceBytes } from '../../src/fast/conv2d.js';
import { createBackend, type KernelName } from '../../src/index.js';

/** What one run reports, in bytes. */
export interface WorkspaceMeasurement {
  readonly kernels: KernelName;
  readonly mode: string;
  /** The bytes the call's forward needs (its layout's top). */
  readonly need: number;
  /** The backend's resting bound. */
  readonly bound: number;
  /** The bytes of the output tensor (alive at the last reading). */
  readonly outputBytes: number;
  /** `external` after gc, before the call (input and weight alive). */
  readonly before: number;
  /** `external` after the call and gc (output alive too). */
  readonly after: number;
  /** What the backend says it holds after the call (and after trim, when trimmed). */
  readonly held: number;
  readonly releases: number;
  readonly ms: number;
  /** Resident set size at the two readings (for the log; the OS may return pages late). */
  readonly rssBefore: number;
  readonly rssAfter: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function external(): number {
  gc!();
  gc!();
  return process.memoryUsage().external;
}

// 4 channels of 768×1024, 3×3, padding 1: ~75 MiB of forward workspace for 12 MiB of input.
const inputShape = [1, 4, 768, 1024];
const weightShape = [4, 4, 3, 3];
const options = { padding: 1 };

const [kernels, mode] = process.argv.slice(2) as [KernelName, string];
const bound = mode === 'bounded' ? 32 * 2 ** 20 : Infinity;
const backend = createBackend({ kernels, workspaceBytes: bound });
const need = forwardWorkspaceBytes(conv2dGeometry('conv2d', inputShape, weightShape, options));
const x = { shape: inputShape, data: new Float32Array(inputShape.reduce((a, b) => a * b, 1)).fill(1) };
const w = { shape: weightShape, data: new Float32Array(weightShape.reduce((a, b) => a * b, 1)).fill(1) };
// The first performance.now() allocates its own buffers (~57 KB of external): before the baseline.
let t0 = performance.now();
const before = external();
const rssBefore = process.memoryUsage().rss;
t0 = performance.now();
const y = backend.conv2d(x, w, options);
const ms = performance.now() - t0;
if (mode === 'trimmed') backend.trim();
const { workspaceBytes: held, releases } = backend.stats();
// Dropped kernels stay weakly reachable for the rest of this task (a WeakRef keeps its target for the
// job that made or read it); they are collectable once it ends, as in any program between two events.
await new Promise((done) => setTimeout(done, 0));
const after = external();
const rssAfter = process.memoryUsage().rss;
const m: WorkspaceMeasurement = {
  kernels,
  mode,
  need,
  bound,
  outputBytes: y.data.byteLength,
  before,
  after,
  held,
  releases,
  ms,
  rssBefore,
  rssAfter,
};
console.log(JSON.stringify(m));
