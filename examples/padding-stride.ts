import { conv2d, conv2dOutputShape, tensor } from 'convproof';

const x = tensor(new Float32Array(64), [1, 1, 8, 8]);
const cases = [
  { kernel: [3, 3], padding: 1, stride: 1 },
  { kernel: [5, 3], padding: [2, 1], stride: 1 },
  { kernel: [3, 3], padding: 1, stride: 2 },
  { kernel: [3, 5], padding: [0, 1], stride: [3, 4] },
] as const;
for (const { kernel, padding, stride } of cases) {
  const w = tensor(new Float32Array(kernel[0] * kernel[1]), [1, 1, ...kernel]);
  const y = conv2d(x, w, { padding, stride });
  const predicted = conv2dOutputShape(x.shape, w.shape, { padding, stride });
  console.log(
    `kernel ${kernel.join('×')}, padding ${padding}, stride ${stride} → ${y.shape.slice(2).join('×')}`,
    `(conv2dOutputShape: ${predicted.slice(2).join('×')})`,
  );
}
