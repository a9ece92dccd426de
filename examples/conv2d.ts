import { conv2d, conv2dBackward, tensor } from 'convproof';

// Two 3-channel 32×32 images of ones (NCHW) and sixteen 3×3 filters of 0.5 (OIHW).
const x = tensor(new Float32Array(2 * 3 * 32 * 32).fill(1), [2, 3, 32, 32]);
const w = tensor(new Float32Array(16 * 3 * 3 * 3).fill(0.5), [16, 3, 3, 3]);
const options = { stride: 2, padding: 'same' } as const; // 'same': the odd pad goes bottom/right

const y = conv2d(x, w, options);
console.log('y', y.shape, 'first', y.data[0], 'last of plane 0', y.data[16 * 16 - 1]);

const dy = tensor(new Float32Array(y.data.length).fill(1), y.shape);
const { gradInput, gradWeight, gradBias } = conv2dBackward(dy, x, w, options);
console.log('gradInput', gradInput.shape, 'gradWeight', gradWeight.shape, 'gradBias[0]', gradBias.data[0]);
