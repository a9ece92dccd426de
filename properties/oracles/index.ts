/**
 * The TensorFlow.js oracles: `cpu` and `wasm` (optional peer dependencies of
 * convproof, dev dependencies of its suite) and `node` (`@tensorflow/tfjs-node`,
 * used only when someone has installed it). Every tfjs import is dynamic, so
 * importing this module costs nothing and works without tfjs installed.
 *
 * | oracle      | forward | gradInput | gradWeight                      |
 * |-------------|---------|-----------|---------------------------------|
 * | `tfjs-cpu`  | yes     | yes       | yes                             |
 * | `tfjs-wasm` | yes     | yes       | no kernel (tfjs #8474)          |
 * | `tfjs-node` | yes     | yes       | yes (when installed)            |
 *
 * Every case is mapped (NHWC, explicit pads, groups split, padding modes
 * applied in JS, stride with dilation by subsampling, dilation in gradients
 * by a zero-dilated filter) or skipped with the reason `unsupported(case, op)`
 * returns.
 */
import type { Oracle } from '../types.js';
import type { BackendTraits } from './plan.js';
import { tfjsOracle, type TfjsApi, type TfjsBackendSpec } from './tfjs.js';

export { tfjsOracle, type TfjsApi, type TfjsBackendSpec, type TfjsTensor } from './tfjs.js';
export {
  planFor,
  resolveCase,
  wasmSameZerosCondition,
  type BackendTraits,
  type ResolvedCase,
  type TfjsPlan,
} from './plan.js';

/** The oracles `loadOracles` knows. */
export type OracleName = 'cpu' | 'wasm' | 'node';

const FAITHFUL: BackendTraits = {
  explicitPadsForward: true,
  explicitPadsBackward: true,
  sameZerosDefect: false,
  nonFiniteUnreliable: false,
  nativeDilation: true,
};

/** Awaits an import of the optional peer `pkg`, turning "not found" into an install hint. */
async function peer<T>(pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const why = String((e as Error).message ?? e).split('\n')[0];
    throw new Error(`${pkg} could not be loaded (${why}); it is an optional peer of convproof: npm i -D ${pkg}`);
  }
}

async function loadCore(): Promise<TfjsApi> {
  const tf = await peer('@tensorflow/tfjs-core', () => import('@tensorflow/tfjs-core'));
  // tfjs's typings are rank-generic; TfjsApi is the untyped-rank subset the oracle calls.
  return tf as unknown as TfjsApi;
}

/** Runs `fn` with tfjs's "install tfjs-node" banner filtered out of console.warn. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('running TensorFlow.js in Node.js')) warn(...args);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

/** tfjs `cpu`: plain JS loops; the forward rounds to float32 after every add. */
export const cpuSpec: TfjsBackendSpec = {
  name: 'tfjs-cpu',
  backend: 'cpu',
  traits: FAITHFUL,
  load: async () => {
    await peer('@tensorflow/tfjs-backend-cpu', () => import('@tensorflow/tfjs-backend-cpu'));
    const tf = await loadCore();
    // The banner is printed on the backend's first write.
    await quietly(async () => tf.tidy(() => tf.tensor(new Float32Array(1), [1], 'float32')));
    return tf;
  },
};

/**
 * Points the wasm backend at the `.wasm` files inside its package, resolved
 * as the module system sees them: a `file:` URL in Node (which has no page
 * URL to fetch from), an import map's URL in a page that has one. Where the
 * package cannot be resolved (a bundled page: the bundler owns the files),
 * tfjs's own default stands, or whatever the page set with `setWasmPaths`.
 * No Node built-in is imported, so the suite bundles for a browser.
 */
function locateWasm(setWasmPaths: (prefix: string) => void): void {
  const meta = import.meta as { resolve?: (specifier: string) => string };
  let url: string;
  try {
    if (typeof meta.resolve !== 'function') return;
    url = meta.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  } catch {
    return;
  }
  setWasmPaths(url.slice(0, url.lastIndexOf('/') + 1));
}

/** tfjs `wasm` (XNNPACK): forward and dX; see the traits for its defects. */
export const wasmSpec: TfjsBackendSpec = {
  name: 'tfjs-wasm',
  backend: 'wasm',
  traits: { ...FAITHFUL, sameZerosDefect: true, nonFiniteUnreliable: true },
  load: async () => {
    const wasm = await peer('@tensorflow/tfjs-backend-wasm', () => import('@tensorflow/tfjs-backend-wasm'));
    const tf = await loadCore();
    // Only before the backend's first initialisation (it throws afterwards).
    if (tf.findBackend('wasm') == null) locateWasm(wasm.setWasmPaths);
    return tf;
  },
};

/**
 * `@tensorflow/tfjs-node` (TensorFlow's C++ kernels). Its backprop kernels
 * accept only VALID/SAME padding, so explicit pads are materialised in JS;
 * TensorFlow's CPU kernels have refused dilation > 1 in places, so dilation
 * is always baked into the filter. Both choices are conservative: they
 * avoid every kernel restriction at the cost of skipping NaN/±Inf cases.
 */
export const nodeSpec: TfjsBackendSpec = {
  name: 'tfjs-node',
  backend: 'tensorflow',
  traits: { ...FAITHFUL, explicitPadsBackward: false, explicitPadsForward: false, nativeDilation: false },
  load: async () => {
    // A variable specifier: tfjs-node is an optional peer, absent at compile time.
    const specifier = '@tensorflow/tfjs-node';
    const mod: unknown = await peer(specifier, () => import(specifier));
    const tf = ((mod as { default?: unknown }).default ?? mod) as TfjsApi;
    if (typeof tf.conv2d !== 'function' || typeof tf.engine !== 'function') {
      throw new Error('@tensorflow/tfjs-node loaded but does not export the tfjs API');
    }
    return tf;
  },
};

const SPECS: Record<OracleName, TfjsBackendSpec> = { cpu: cpuSpec, wasm: wasmSpec, node: nodeSpec };

/**
 * Builds and readies the requested oracles (default: all three). Every
 * requested oracle is returned; one that cannot load here reports
 * `ready() === false` and says why in `whyUnavailable`, and its
 * `unsupported()` names that reason for every case.
 *
 * @example
 * const oracles = await loadOracles(['cpu', 'wasm']);
 * for (const o of oracles.filter((o) => !o.whyUnavailable)) o.conv2d(c);
 */
export async function loadOracles(names: readonly OracleName[] = ['cpu', 'wasm', 'node']): Promise<Oracle[]> {
  const oracles = names.map((n) => tfjsOracle(SPECS[n]));
  // One at a time: they share tfjs's global engine.
  for (const o of oracles) await o.ready();
  return oracles;
}
