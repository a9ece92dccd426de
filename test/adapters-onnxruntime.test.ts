/**
 * The onnxruntime-web adapter against the real package (wasm provider, in
 * Node): in-memory models, random cases compared with the suite's float64
 * model, the pinned defects re-checked, and the suite shown to catch the
 * pinned 'same' defect when it is not pinned.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, test } from 'vitest';
import { pinDefects, recheckDefects } from '../adapters/defects.js';
import { onnxruntimeAdapter } from '../adapters/onnxruntime.js';
import { suiteEnv } from '../properties/profile.js';
import { compareBounded, forwardExpectation } from '../properties/spec/index.js';
import { conv2d, tensor } from '../src/index.js';
import { checkAdapter } from './adapters/check.js';

ort.env.wasm.numThreads = 1; // no worker threads: the 2-core test machine runs vitest's workers already
const raw = onnxruntimeAdapter(ort);
const impl = pinDefects(raw);
const env = suiteEnv();
const runs = Math.max(env.runs, 100);

describe('onnxruntime-web', () => {
  test.each(['conv2d', 'convTranspose2d'] as const)(
    '%s agrees with the model on random cases',
    async (op) => {
      const r = await checkAdapter(impl, op, { runs, seed: env.seed });
      console.log(`onnxruntime-web ${op}: ${r.held} held, not applicable ${JSON.stringify(r.notApplicable)}`);
      expect(r.failure).toBeNull();
      expect(r.held).toBeGreaterThanOrEqual(runs / 2);
    },
    60_000,
  );

  test('every pinned defect still reproduces (a fixed one fails here and names its issue)', async () => {
    const checks = await recheckDefects(raw);
    expect(checks.map((c) => c.issue)).toEqual(raw.knownDefects.map((d) => d.issue));
    for (const c of checks) expect(c.reproduces, `${c.issue}: ${c.detail}`).toBe(true);
  });

  test("#10086 by hand: x = 1,2,3,4 (4×1), 1×1 weight 1, stride 4, 'same' gives 1 (SAME_UPPER pads nothing: the window is row 0)", async () => {
    const y = await raw.conv2d(tensor([1, 2, 3, 4], [1, 1, 4, 1]), tensor([1], [1, 1, 1, 1]), {
      padding: 'same',
      stride: [4, 1],
    });
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expect(Array.from(y.data)).toEqual([2]); // still wrong: it reads row 1
  });

  test.each(['same', 'same-lower'] as const)(
    "#10086's pin is exact: on a grid of '%s' cases, the adapter disagrees with the model exactly where when() says",
    async (padding) => {
      const [pin] = raw.knownDefects;
      let hits = 0;
      for (let H = 1; H <= 12; H++)
        for (let K = 1; K <= 3; K++)
          for (let s = 1; s <= 6; s++) {
            const input = tensor(
              Array.from({ length: 2 * H }, (_, i) => i + 1),
              [1, 1, H, 2],
            );
            const weight = tensor(
              Array.from({ length: K }, (_, i) => i + 1),
              [1, 1, K, 1],
            );
            const options = { padding, stride: [s, 1] as [number, number] };
            const wrong = !compareBounded(
              await raw.conv2d(input, weight, options),
              forwardExpectation({ input, weight, options }),
            ).ok;
            expect(wrong, `H=${H} K=${K} s=${s}`).toBe(pin.when({ op: 'conv2d', input, weight, options }));
            if (wrong) hits++;
          }
      expect(hits).toBeGreaterThan(5);
    },
    60_000,
  );

  // onnxruntime's SAME_LOWER (auto_pad, its own pad arithmetic) as an independent oracle of 'same-lower'.
  test("'same-lower' agrees with onnxruntime's auto_pad SAME_LOWER on a grid of shapes (stride ≤ kernel + 2)", async () => {
    let checked = 0;
    for (const [H, W] of [
      [5, 4],
      [6, 7],
      [1, 3],
    ])
      for (const [KH, KW] of [
        [2, 3],
        [4, 1],
        [3, 3],
      ])
        for (const stride of [1, 2, 3] as const) {
          const x = tensor(
            Array.from({ length: 2 * H * W }, (_, i) => ((i * 7) % 11) - 5),
            [1, 2, H, W],
          );
          const w = tensor(
            Array.from({ length: 3 * 2 * KH * KW }, (_, i) => ((i * 5) % 7) - 3),
            [3, 2, KH, KW],
          );
          const options = { padding: 'same-lower' as const, stride };
          const theirs = await raw.conv2d(x, w, options);
          if (pin(raw).when({ op: 'conv2d', input: x, weight: w, options })) continue;
          expect(theirs.shape, `H=${H} W=${W} K=${KH}x${KW} s=${stride}`).toEqual(conv2d(x, w, options).shape);
          expect(Array.from(theirs.data), `H=${H} W=${W} K=${KH}x${KW} s=${stride}`).toEqual(
            Array.from(conv2d(x, w, options).data),
          );
          checked++;
        }
    expect(checked).toBe(27);
  }, 60_000);
});

const pin = (a: typeof raw) => a.knownDefects[0];

test('close() releases the sessions; a later call builds a new one and still computes', async () => {
  const adapter = onnxruntimeAdapter(ort);
  const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
  const w = tensor([1, 10], [1, 1, 1, 2]);
  expect(Array.from((await adapter.conv2d(x, w)).data)).toEqual([21, 43]);
  await adapter.close?.();
  await adapter.close?.(); // twice is harmless
  expect(Array.from((await adapter.conv2d(x, w)).data)).toEqual([21, 43]);
});
