/**
 * Bundled into the browser test's page: which kernels convproof's default
 * backend runs there, and how many calls have taken them so far.
 */
import { defaultBackend } from '../../src/index.js';

export default function probe(): { kernels: string; fast: number } {
  return { kernels: defaultBackend.kernels, fast: defaultBackend.stats().fast };
}
