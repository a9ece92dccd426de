/** The part of the TensorFlow.js API the tfjs adapter calls (tfjs-core ≥ 4 offers it). */

/** A tfjs tensor, as far as the adapter uses it. */
export interface TfTensor {
  readonly shape: number[];
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}

type Pair = readonly [number, number];
type Explicit = readonly [Pair, Pair, Pair, Pair];
type Conv = (
  x: TfTensor,
  filter: TfTensor,
  strides: Pair,
  pad: 'valid' | 'same' | Explicit,
  dataFormat: 'NHWC',
  dilations: Pair,
) => TfTensor;

/**
 * The tfjs module (`import * as tf from '@tensorflow/tfjs-core'` with a backend registered).
 * @example import * as tf from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-backend-cpu'; tfjsAdapter(tf as unknown as TfjsModule)
 */
export interface TfjsModule {
  tensor(values: ArrayLike<number>, shape: number[], dtype: 'float32'): TfTensor;
  add(a: TfTensor, b: TfTensor): TfTensor;
  sum(x: TfTensor, axis: number[]): TfTensor;
  conv2d: Conv;
  depthwiseConv2d: Conv;
  conv2dTranspose(x: TfTensor, filter: TfTensor, outputShape: number[], strides: Pair, pad: Explicit): TfTensor;
  engine(): { runKernel(name: string, inputs: Record<string, TfTensor>, attrs: Record<string, unknown>): TfTensor };
  tidy(fn: () => TfTensor): TfTensor;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  getKernel(kernelName: string, backendName: string): unknown;
}
