/**
 * What the invariants-*.test.ts files share: the property runner with its run
 * counts, the suite's case arbitraries (small and large half and half), and
 * the fingerprints that check purity and bit-for-bit equality.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { DType } from '../src/index.js';
import {
  caseData,
  convConfig,
  suiteEnv,
  transposeCase,
  type ConvConfig,
  type GeneratedCase,
  type TransposeCase,
} from './fuzz/suite.js';
import { FUZZ_BIG_LIMITS, FUZZ_LIMITS } from './fuzz/conv.js';

const env = suiteEnv();
const scale = { quick: 1, ci: 3, deep: 10 }[env.profile.name];
const runs = (quick: number): number => (process.env.CONVPROOF_RUNS ? env.runs : quick * scale);
/**
 * Asserts `predicate` for `quick` runs of `arb` (times 3 in the ci profile, 10 in deep;
 * CONVPROOF_RUNS overrides), with the suite's seed and replay path.
 *
 * @example assertProp(cases(), (c) => expect(c.cfg.O).toBeGreaterThan(0), 20);
 */
export const assertProp = <T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void, quick: number): void =>
  fc.assert(fc.property(arb, predicate), { numRuns: runs(quick), seed: env.seed, path: env.path });

/**
 * Small and large configurations, half and half (about 2 in 5 large ones reach the fast kernels).
 *
 * @example configs({ dtype: 'float64' }).chain((cfg) => caseData(cfg))
 */
export const configs = (extra: object = {}): fc.Arbitrary<ConvConfig> =>
  fc.oneof(
    convConfig({ ...FUZZ_LIMITS, dtype: 'both', ...extra }),
    convConfig({ ...FUZZ_BIG_LIMITS, dtype: 'both', emptyBatch: false, ...extra }),
  );
/**
 * Cases (config and data) of the suite's arbitrary, small and large half and half.
 *
 * @example assertProp(cases({ dtype: 'float32' }), (c) => conv2d(c.x, c.w, c.options), 10);
 */
export const cases = (extra: object = {}): fc.Arbitrary<GeneratedCase> => configs(extra).chain((cfg) => caseData(cfg));
/**
 * The output shape a config declares: [N, O, OH, OW], or [O, OH, OW] unbatched.
 *
 * @example expect(y.shape).toEqual(outShape(c.cfg));
 */
export const outShape = (cfg: ConvConfig): number[] =>
  cfg.batched ? [cfg.N, cfg.O, cfg.OH, cfg.OW] : [cfg.O, cfg.OH, cfg.OW];

/**
 * Everything reachable from a value, as text: typed arrays by their bytes, −0 and NaN payloads included.
 *
 * @example expect(fingerprint(args)).toBe(before);
 */
export function fingerprint(v: unknown): string {
  if (ArrayBuffer.isView(v)) {
    return `${v.constructor.name}@${v.byteOffset}<${Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).join(',')}>`;
  }
  if (Array.isArray(v)) return `[${v.map(fingerprint).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}:${fingerprint(x)}`)
      .join(',')}}`;
  return Object.is(v, -0) ? '-0' : String(v);
}

/** Freezes objects and arrays (typed arrays cannot be frozen; their bytes are fingerprinted instead). */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Every typed-array buffer reachable from a value. */
function buffers(v: unknown, out: Set<ArrayBufferLike> = new Set()): Set<ArrayBufferLike> {
  if (ArrayBuffer.isView(v)) out.add(v.buffer);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) buffers(x, out);
  return out;
}

/**
 * Runs `call` on deep-frozen arguments (a write to options, shapes or tensor
 * objects throws) and checks the typed arrays' bytes did not change and the
 * result shares no storage with them.
 *
 * @example const y = expectPure([x, w, options], (a, b, o) => conv2d(a as Tensor, b as Tensor, o as Conv2dOptions));
 */
export function expectPure(args: readonly unknown[], call: (...a: unknown[]) => unknown): unknown {
  const before = fingerprint(args);
  const result = call(...args.map(deepFreeze));
  expect(fingerprint(args)).toBe(before);
  const given = buffers(args);
  for (const b of buffers(result)) expect(given.has(b), 'the result shares storage with an argument').toBe(false);
  return result;
}

/**
 * Expects two values to be the same bit for bit (storage offsets aside).
 *
 * @example bitsEqual(conv2d(x, w), conv2d(x, w));
 */
export function bitsEqual(a: unknown, b: unknown): void {
  expect(fingerprint(a).replace(/@\d+/g, '')).toBe(fingerprint(b).replace(/@\d+/g, ''));
}

/**
 * Transposed cases of the suite's arbitrary, small and large half and half (`values`: constraints of the data).
 *
 * @example assertProp(transposeCases({}, 'float64'), (c) => convTranspose2d(c.x, c.w, c.options), 10);
 */
export const transposeCases = (values: object = {}, dtype: DType | 'both' = 'both'): fc.Arbitrary<TransposeCase> =>
  fc.oneof(
    transposeCase({ ...FUZZ_LIMITS, dtype, ...values }),
    transposeCase({ ...FUZZ_BIG_LIMITS, dtype, ...values }),
  );
