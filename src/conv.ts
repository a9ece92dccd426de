/**
 * The public kernels. Each validates at the boundary and dispatches to the
 * fastest kernel that handles the case; the reference kernels
 * (`convproof/reference`) are the definition every path is checked against.
 */
export { conv2d, conv2dBackward, corr2d, type Conv2dGradients } from './reference/conv2d.js';
export { convTranspose2d } from './reference/convTranspose2d.js';
