/** The part of the onnxruntime-web API the onnxruntime adapter calls (1.x offers it). */

/**
 * The part of the `onnxruntime-web` module the adapter calls.
 * @example import * as ort from 'onnxruntime-web'; onnxruntimeAdapter(ort) // ort: an OrtModule
 */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}
/** An onnxruntime tensor, as far as the adapter reads it. */
export interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
/** An inference session: `run` maps named inputs to named outputs. */
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
/** An execution provider of onnxruntime-web the adapter can name. */
export type OrtProvider = 'wasm' | 'webgpu';
/** The session options the adapter sets. */
export interface OrtSessionOptions {
  logSeverityLevel: number;
  executionProviders?: OrtProvider[];
  extra?: { session: Record<string, string> };
}
