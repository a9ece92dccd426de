/**
 * convproof: 2-D convolution (forward and backward) you can trust.
 *
 * @example
 * import { tensor, corr2d, toNested } from 'convproof';
 * toNested(corr2d(tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), tensor([[0, 1], [2, 3]])));
 * // [[19, 25], [37, 43]]
 */
export { ConvError, type ConvErrorCode } from './errors.js';
export type { DataFormat, FilterFormat } from './options.js';
export { tensor, toNested, MAX_ELEMENTS, type DType, type Nested, type Tensor, type TensorData } from './tensor.js';
export {
  conv2dOutputShape,
  samePadding,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type Pair,
  type Padding,
  type PaddingMode,
  type TransposePadding,
} from './geometry.js';
export {
  conv2d,
  conv2dBackward,
  convTranspose2d,
  convTranspose2dBackward,
  corr2d,
  type Conv2dGradients,
} from './conv.js';
export {
  createBackend,
  defaultBackend,
  DEFAULT_WORKSPACE_BYTES,
  type Backend,
  type BackendOptions,
  type BackendStats,
  type KernelChoice,
  type KernelName,
} from './backend.js';
export { Conv2d, sgd, type Conv2dConfig, type Parameter } from './layer.js';
export { ConvTranspose2d, type ConvTranspose2dConfig } from './layer-transpose.js';
export * as reference from './reference/index.js';
