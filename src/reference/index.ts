/**
 * The readable reference kernels (`convproof/reference`): plain loop nests
 * over the shared index maps, float64 accumulation, one rounding.
 * Fast kernels may stand behind the top-level `conv2d`; these never change.
 */
export { conv2d, conv2dBackward, corr2d, type Conv2dGradients } from './conv2d.js';
export { convTranspose2d, convTranspose2dBackward } from './convTranspose2d.js';
