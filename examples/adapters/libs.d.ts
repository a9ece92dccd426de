// Minimal typings of the untyped libraries the adapter examples use.
declare module 'convnetjs' {
  interface Vol {
    sx: number;
    sy: number;
    depth: number;
    w: Float64Array;
    dw: Float64Array;
  }
  const convnetjs: {
    Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
    ConvLayer: new (
      opt: Record<string, number>,
    ) => {
      filters: Vol[];
      biases: Vol;
      out_act: Vol;
      out_sx: number;
      out_sy: number;
      out_depth: number;
      forward(v: Vol): Vol;
      backward(): void;
    };
  };
  export default convnetjs;
}
declare module 'ndarray' {
  export interface NdArray {
    data: Float64Array;
    shape: number[];
  }
  export default function ndarray(data: Float64Array, shape: number[]): NdArray;
}
declare module 'ndarray-convolve' {
  import type { NdArray } from 'ndarray';
  const convolve: { correlate(out: NdArray, a: NdArray, b: NdArray): NdArray };
  export default convolve;
}
