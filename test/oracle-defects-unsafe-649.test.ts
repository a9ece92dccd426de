/**
 * A pinned TensorFlow.js wasm defect that writes or reads outside wasm's
 * buffers: it can corrupt the heap for every later call in the process, so it
 * has a file (a fresh module graph, a fresh wasm instance) of its own and no
 * other test depends on running before or after it. See oracle-defects.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { on, pad649 } from './oracle-defects/tfjs.js';

describe('tfjs wasm, memory-unsafe', () => {
  test('#649: a numeric pad with a non-square filter writes a 5×7 answer into a 5×5 output (x=[1,5,5,1] f=[3,1,1,1] pad=1)', () => {
    const numeric = on('wasm', pad649.numeric, true);
    expect(numeric.shape).toEqual([1, 5, 5, 1]); // still wrong
    // The buffer holds the first 25 values of the row-major 5×7 answer: the other 10 went past its end.
    expect(numeric.data).toEqual(pad649.rows.flat().slice(0, 25));
    expect(on('wasm', pad649.explicit).data).toEqual(pad649.rows.flat());
  });
});
