// The part of OpenCV.js (@techstark/opencv-js 4.12) the OpenCV example calls.
export interface Mat {
  data32F: Float32Array;
  delete(): void;
}
export interface Cv {
  CV_32F: number;
  BORDER_CONSTANT: number;
  BORDER_REFLECT_101: number;
  BORDER_REPLICATE: number;
  Mat: new () => Mat;
  Point: new (x: number, y: number) => object;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): Mat;
  filter2D(src: Mat, dst: Mat, depth: number, kernel: Mat, anchor: object, delta: number, border: number): void;
}
