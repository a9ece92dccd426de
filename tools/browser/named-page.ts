/**
 * The page side of a named implementation (`tfjs:webgpu`, `onnxruntime-web:wasm`,
 * …; see ./named.ts): given the library's module, already imported by the
 * generated page module, it readies the backend, refuses to go on when
 * WebGPU is asked for and absent, and returns the shipped adapter with its
 * known defects pinned.
 *
 * Browser code only: no Node built-in, no library import (the generated
 * module imports the libraries, so only the chosen one is bundled).
 */
import { onnxruntimeAdapter, pinDefects, tfjsAdapter, type Adapter } from '../../adapters/index.js';

/**
 * What the page's GPU adapter says of itself (absent without WebGPU).
 * @example { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true }
 */
export interface GpuAdapterFacts {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** True for a software adapter (SwiftShader where the machine has no GPU). */
  readonly isFallbackAdapter: boolean;
}

interface GpuAdapterLike {
  readonly info?: Partial<GpuAdapterFacts>;
  readonly isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/** The first words of every "no WebGPU" error, so a host can recognise it. */
export const NO_WEBGPU = 'WebGPU is unavailable in this Chromium';

const HOW =
  'start Chromium with --enable-unsafe-webgpu (convproof verify --browser passes it; with playwright: ' +
  "chromium.launch({ args: ['--enable-unsafe-webgpu'] })), on Linux with its Vulkan/SwiftShader libraries installed " +
  '(Debian: apt-get install -y chromium)';

/**
 * Asks the page for a WebGPU adapter; throws `NO_WEBGPU …`, saying which
 * step failed and how to fix it, when there is none.
 * @example const gpu = await requireWebGpu(); gpu.architecture // 'swiftshader' on a machine without a GPU
 */
export async function requireWebGpu(): Promise<GpuAdapterFacts> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) throw new Error(`${NO_WEBGPU}: navigator.gpu is undefined; ${HOW}`);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error(`${NO_WEBGPU}: navigator.gpu.requestAdapter() gave no adapter; ${HOW}`);
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
  };
}

/** The folder the page was served from, as an absolute URL ending in '/'. */
function pageFolder(): string {
  const href = (globalThis as { location?: { href?: string } }).location?.href ?? '/';
  return new URL('./', href).href;
}

interface TfjsBackendApi {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
}

/**
 * The tfjs adapter on `backend`, ready, with its known defects pinned.
 * `setWasmPaths` (from `@tensorflow/tfjs-backend-wasm`) points the wasm
 * backend at the page's folder, where the runner put its `.wasm` files.
 * @example const impl = await tfjsInPage(tf, 'webgpu'); await impl.conv2d(x, w)
 */
export async function tfjsInPage(
  tf: object,
  backend: string,
  setWasmPaths?: (prefix: string) => void,
): Promise<Adapter> {
  if (backend === 'webgpu') await requireWebGpu();
  setWasmPaths?.(pageFolder());
  const api = tf as TfjsBackendApi;
  const ready = await api.setBackend(backend).catch((e: unknown) => {
    throw new Error(`tfjs: the ${backend} backend failed to start in this browser: ${String(e)}`);
  });
  if (!ready || api.getBackend() !== backend)
    throw new Error(
      `tfjs: the ${backend} backend did not start in this browser (tf.getBackend() is ${api.getBackend()})`,
    );
  await api.ready();
  return pinDefects(tfjsAdapter(tf, { backend }));
}

interface OrtEnv {
  env: { wasm: { numThreads?: number; wasmPaths?: string } };
}

/**
 * The onnxruntime-web adapter on the execution provider `provider`, with its
 * known defects pinned. One thread: a page served without cross-origin
 * isolation has no SharedArrayBuffer.
 * @example const impl = await onnxruntimeInPage(ort, 'webgpu');
 */
export async function onnxruntimeInPage(ort: object, provider: 'wasm' | 'webgpu'): Promise<Adapter> {
  if (provider === 'webgpu') await requireWebGpu();
  const { env } = ort as OrtEnv;
  env.wasm.numThreads = 1;
  env.wasm.wasmPaths = pageFolder();
  return pinDefects(onnxruntimeAdapter(ort, { executionProvider: provider }));
}

/**
 * The page's GPU adapter, or null when it has no WebGPU (the page module's
 * probe reports it beside the backend that ran).
 * @example await gpuFacts() // { vendor: 'google', architecture: 'swiftshader', …, isFallbackAdapter: true }
 */
export function gpuFacts(): Promise<GpuAdapterFacts | null> {
  return requireWebGpu().catch(() => null);
}
