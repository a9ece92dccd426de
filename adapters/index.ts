/**
 * `convproof/adapters`: ready adapters that turn a real conv library into a
 * convproof implementation (possibly async) with its declared `supports`,
 * `conventions` and `knownDefects`, plus the tools to pin and re-check
 * defects — for these libraries or your own.
 *
 * @example
 * import * as ort from 'onnxruntime-web';
 * import { onnxruntimeAdapter, pinDefects } from 'convproof/adapters';
 * const impl = pinDefects(onnxruntimeAdapter(ort)); // known upstream defects → not applicable, named by issue
 * await impl.conv2d(x, w, { stride: 2, padding: 'same' }); // x [N,C,H,W], w [O,C,KH,KW]
 */
export { tfjsAdapter, tfjsConventions, tfjsSupports } from './tfjs.js';
export { tfjsDefects } from './tfjs-defects.js';
export type { TfjsModule, TfTensor } from './tfjs-types.js';
export { onnxruntimeAdapter, onnxruntimeConventions, onnxruntimeSupports } from './onnxruntime.js';
export type { OrtModule, OrtProvider } from './onnxruntime-types.js';
export { onnxruntimeDefects, onnxruntimeProviderDefects } from './onnxruntime-defects.js';
export { onnxConvModel, type Attribute } from './onnx-model.js';
export {
  KnownDefectCase,
  pinDefects,
  recheckDefects,
  type DefectCall,
  type DefectCheck,
  type KnownDefect,
} from './defects.js';
export type { Adapter, Awaitable } from './types.js';
export {
  addBias,
  batched,
  channelSum,
  convNumbers,
  hwioToOihw,
  inDtypeOf,
  nchwToNhwc,
  nhwcToNchw,
  oihwToHwio,
  permute,
  refuse,
  refuseOutside,
  transposeNumbers,
  unbatched,
  type ConvNumbers,
  type TransposeNumbers,
} from './helpers.js';
