/**
 * The help lines of `convproof verify --browser` (light: verify.ts loads it
 * with the command; the browser run itself loads only when asked for).
 */
import { IMPL_NAMES } from '../browser/named.js';

/** The help lines of the browser flags. */
export const BROWSER_HELP = `  --browser           run the suite in headless Chromium (found at
                      /usr/bin/chromium, or --chromium PATH); --impl may
                      then also name a shipped adapter: ${IMPL_NAMES.slice(0, 4).join(', ')},
                      ${IMPL_NAMES.slice(4).join(', ')} (WebGPU is switched on for :webgpu)
  --chromium PATH     the Chromium executable for --browser`;
