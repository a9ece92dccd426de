/**
 * Bundled into the browser test's page: which of convproof's kernels are
 * active there. (Reads the fast kernels' selector until the library's
 * backend reports its kernels itself.)
 */
import { kernels, wasmAvailable } from '../../src/fast/kernels.js';

export default function probe(): { kernels: string; wasmAvailable: boolean } {
  return { kernels: kernels().name, wasmAvailable: wasmAvailable() };
}
