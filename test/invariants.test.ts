/**
 * Invariants, each a property: arguments are never mutated (options, bias
 * and layer parameters outside backward/sgd included), results are fresh and
 * bit-for-bit deterministic even when other calls run in between, NaN/±Inf
 * follow the DESIGN.md rule (zero-padding taps skipped, real taps by IEEE),
 * and float32 overflow gives ±Inf exactly where the float64 model leaves
 * the float32 range. conv2d's own purity, determinism and planted-specials
 * accuracy are properties of the suite (properties/forward.ts); here they
 * are extended to every other export and checked a second, independent way.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  Conv2d,
  conv2d,
  conv2dBackward,
  conv2dOutputShape,
  convTranspose2d,
  corr2d,
  reference,
  sgd,
  tensor,
  toNested,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type DType,
  type Tensor,
} from '../src/index.js';
import {
  caseData,
  convConfig,
  count,
  expectBounded,
  forEachTap,
  forwardExpectation,
  gradientExpectations,
  resolveConv,
  suiteEnv,
  tensorData,
  transposeCase,
  transposeExpectation,
  type ConvConfig,
  type Expectation,
  type GeneratedCase,
  type TransposeCase,
} from './fuzz/suite.js';
import { FUZZ_BIG_LIMITS, FUZZ_LIMITS } from './fuzz/conv.js';

const env = suiteEnv();
const scale = { quick: 1, ci: 3, deep: 10 }[env.profile.name];
const runs = (quick: number): number => (process.env.CONVPROOF_RUNS ? env.runs : quick * scale);
const assertProp = <T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void, quick: number): void =>
  fc.assert(fc.property(arb, predicate), { numRuns: runs(quick), seed: env.seed, path: env.path });

/** Small and large configurations, half and half (about 2 in 5 large ones reach the fast kernels). */
const configs = (extra: object = {}): fc.Arbitrary<ConvConfig> =>
  fc.oneof(
    convConfig({ ...FUZZ_LIMITS, dtype: 'both', ...extra }),
    convConfig({ ...FUZZ_BIG_LIMITS, dtype: 'both', emptyBatch: false, ...extra }),
  );
const cases = (extra: object = {}): fc.Arbitrary<GeneratedCase> => configs(extra).chain((cfg) => caseData(cfg));
const outShape = (cfg: ConvConfig): number[] =>
  cfg.batched ? [cfg.N, cfg.O, cfg.OH, cfg.OW] : [cfg.O, cfg.OH, cfg.OW];

// ------------------------------------------------------------------ helpers

/** Everything reachable from a value, as text: typed arrays by their bytes, −0 and NaN payloads included. */
function fingerprint(v: unknown): string {
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
 */
function expectPure(args: readonly unknown[], call: (...a: unknown[]) => unknown): unknown {
  const before = fingerprint(args);
  const result = call(...args.map(deepFreeze));
  expect(fingerprint(args)).toBe(before);
  const given = buffers(args);
  for (const b of buffers(result)) expect(given.has(b), 'the result shares storage with an argument').toBe(false);
  return result;
}

function bitsEqual(a: unknown, b: unknown): void {
  expect(fingerprint(a).replace(/@\d+/g, '')).toBe(fingerprint(b).replace(/@\d+/g, ''));
}

/** Transposed cases of the suite's arbitrary, small and large half and half (`values`: constraints of the data). */
const transposeCases = (values: object = {}, dtype: DType | 'both' = 'both'): fc.Arbitrary<TransposeCase> =>
  fc.oneof(
    transposeCase({ ...FUZZ_LIMITS, dtype, ...values }),
    transposeCase({ ...FUZZ_BIG_LIMITS, dtype, ...values }),
  );

// ------------------------------------------------------------------ never mutated, fresh results

describe('arguments are never mutated and results are fresh', () => {
  test('for any case, conv2d, conv2dBackward (public and reference) and conv2dOutputShape leave deep-frozen options, bias and tensors unchanged', () => {
    assertProp(
      cases().chain((c) => fc.tuple(fc.constant(c), tensorData(c.config.dtype, outShape(c.config)))),
      ([c, dy]) => {
        for (const impl of [{ conv2d, conv2dBackward }, reference]) {
          expectPure([c.input, c.weight, { ...c.options }], (x, w, o) =>
            impl.conv2d(x as Tensor, w as Tensor, o as Conv2dOptions),
          );
          expectPure([dy, c.input, c.weight, { ...c.options }], (g, x, w, o) =>
            impl.conv2dBackward(g as Tensor, x as Tensor, w as Tensor, o as Conv2dOptions),
          );
        }
        expectPure([[...c.input.shape], [...c.weight.shape], { ...c.options }], (i, w, o) =>
          conv2dOutputShape(i as number[], w as number[], o as Conv2dOptions),
        );
      },
      150,
    );
  });

  test('for any transposed case, convTranspose2d (public and reference) leaves its arguments unchanged and returns fresh storage', () => {
    assertProp(
      transposeCases(),
      (t) => {
        for (const impl of [convTranspose2d, reference.convTranspose2d]) {
          expectPure([t.input, t.weight, { ...t.options }], (x, w, o) =>
            impl(x as Tensor, w as Tensor, o as ConvTranspose2dOptions),
          );
        }
      },
      150,
    );
  });

  test('for any 2-D input and kernel, corr2d (public and reference) leaves them unchanged', () => {
    const planes = fc
      .record({
        H: fc.integer({ min: 1, max: 40 }),
        W: fc.integer({ min: 1, max: 40 }),
        dtype: fc.constantFrom<DType>('float32', 'float64'),
      })
      .chain(({ H, W, dtype }) =>
        fc
          .tuple(tensorData(dtype, [H, W]), fc.integer({ min: 1, max: H }), fc.integer({ min: 1, max: W }))
          .chain(([X, kh, kw]) => fc.tuple(fc.constant(X), tensorData(dtype, [kh, kw]))),
      );
    assertProp(
      planes,
      ([X, K]) => {
        for (const impl of [corr2d, reference.corr2d]) expectPure([X, K], (x, k) => impl(x as Tensor, k as Tensor));
      },
      100,
    );
  });

  test('for any values, tensor copies them (later changes to the values do not leak in) and toNested leaves the tensor unchanged', () => {
    const flat = fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 1, maxLength: 24 });
    assertProp(
      fc.tuple(flat, fc.constantFrom('array', 'Float32Array', 'Float64Array')),
      ([values, form]) => {
        const given =
          form === 'array'
            ? [...values]
            : form === 'Float32Array'
              ? Float32Array.from(values)
              : Float64Array.from(values);
        const shape = [values.length];
        expectPure([given, shape], (v, s) => tensor(v as number[], s as number[]));
        // The frozen array above cannot be written; a fresh one shows the copy.
        const later = form === 'array' ? [...values] : given.slice();
        const t = tensor(later, [values.length]);
        later[0] = 1000;
        expect(t.data[0]).toBe(values[0]);
        const nested = expectPure([t], (x) => toNested(x as Tensor));
        expect(nested).toEqual(values);
      },
      100,
    );
  });

  test('a Conv2d layer does not mutate its config, and mutating the config afterwards does not change the layer', () => {
    assertProp(
      fc
        .tuple(configs({ emptyBatch: false }), fc.nat())
        .chain(([cfg, seed]) => fc.tuple(fc.constant(cfg), fc.constant(seed), tensorData(cfg.dtype, cfg.inputShape))),
      ([cfg, seed, x]) => {
        expectPure([layerConfig(cfg, seed)], (c) => new Conv2d(c as ConstructorParameters<typeof Conv2d>[0]));
        const config = layerConfig(cfg, seed);
        const layer = newLayer(config);
        const before = fingerprint(layer.forward(x));
        scramble(config);
        expect(fingerprint(layer.forward(x))).toBe(before);
      },
      100,
    );
  });
});

test('regression: a Conv2d built from padding [[1, 1], [1, 1]] keeps it when the caller then overwrites that array (it once aliased it)', () => {
  const padding = [
    [1, 1],
    [1, 1],
  ];
  const layer = new Conv2d({
    inChannels: 1,
    outChannels: 1,
    kernelSize: 3,
    padding: padding as [[number, number], [number, number]],
    bias: false,
    seed: 1,
  });
  padding[0][0] = 99;
  expect(
    layer.forward(
      tensor([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]),
    ).shape,
  ).toEqual([1, 1, 2, 2]);
});

const newLayer = (config: Record<string, unknown>): Conv2d =>
  new Conv2d(config as unknown as ConstructorParameters<typeof Conv2d>[0]);

function layerConfig(cfg: ConvConfig, seed: number): Record<string, unknown> {
  const o = cfg.options;
  // Pairs as fresh arrays, so that the test owns (and may later scramble) them.
  const copy = (v: unknown): unknown => (Array.isArray(v) ? v.map(copy) : v);
  return {
    inChannels: cfg.C,
    outChannels: cfg.O,
    kernelSize: [cfg.KH, cfg.KW],
    stride: copy(o.stride) ?? [1, 1],
    padding: copy(o.padding) ?? [
      [0, 0],
      [0, 0],
    ],
    dilation: copy(o.dilation) ?? [1, 1],
    groups: cfg.groups,
    paddingMode: cfg.paddingMode,
    bias: cfg.bias,
    dtype: cfg.dtype,
    seed,
  };
}

/** Overwrites every number inside the config's arrays (the layer must hold its own copies). */
function scramble(config: Record<string, unknown>): void {
  const walk = (v: unknown): void => {
    if (!Array.isArray(v)) return;
    v.forEach((x, i) => {
      if (Array.isArray(x)) walk(x);
      else v[i] = 99;
    });
  };
  Object.values(config).forEach(walk);
}

// ------------------------------------------------------------------ layer parameters

type Op = 'forward' | 'backward' | 'zeroGrad' | 'parameters' | 'sgd';

describe('layer parameters change only where they should', () => {
  test('for any layer and any sequence of calls, forward and parameters() change nothing, backward and zeroGrad only .grad, sgd only .data', () => {
    const session = fc.tuple(configs(), fc.nat()).chain(([cfg, seed]) =>
      fc
        .record({
          x: tensorData(cfg.dtype, cfg.inputShape),
          dy: tensorData(cfg.dtype, outShape(cfg)),
          ops: fc.array(fc.constantFrom<Op>('forward', 'backward', 'zeroGrad', 'parameters', 'sgd'), {
            minLength: 1,
            maxLength: 8,
          }),
        })
        .map((r) => ({ ...r, cfg, seed })),
    );
    assertProp(
      session,
      ({ cfg, seed, x, dy, ops }) => {
        const layer = newLayer(layerConfig(cfg, seed));
        const state = (): { data: string; grad: string } => ({
          data: fingerprint(layer.parameters().map((p) => p.data)),
          grad: fingerprint(layer.parameters().map((p) => p.grad)),
        });
        let forwarded = false;
        for (const op of ops) {
          const before = state();
          const args = fingerprint([x, dy]);
          if (op === 'forward') {
            layer.forward(x);
            forwarded = true;
          } else if (op === 'backward') {
            if (!forwarded) continue;
            layer.backward(dy);
          } else if (op === 'zeroGrad') layer.zeroGrad();
          else if (op === 'parameters') layer.parameters();
          else sgd(layer.parameters(), 0.125);
          const after = state();
          expect(fingerprint([x, dy]), `${op} changed its argument`).toBe(args);
          if (op !== 'sgd') expect(after.data, `${op} changed the parameters' data`).toBe(before.data);
          if (op === 'forward' || op === 'parameters' || op === 'sgd')
            expect(after.grad, `${op} changed a gradient`).toBe(before.grad);
          if (op === 'zeroGrad')
            expect(
              layer.parameters().every((p) => p.grad.every((g) => Object.is(g, 0))),
              'zeroGrad left a gradient',
            ).toBe(true);
        }
      },
      120,
    );
  });

  test('for any layer, changing the input after forward does not change what backward computes', () => {
    const arb = fc
      .tuple(configs(), fc.nat())
      .chain(([cfg, seed]) =>
        fc.tuple(
          fc.constant(cfg),
          fc.constant(seed),
          tensorData(cfg.dtype, cfg.inputShape),
          tensorData(cfg.dtype, outShape(cfg)),
        ),
      );
    assertProp(
      arb,
      ([cfg, seed, x, dy]) => {
        const make = (): Conv2d => newLayer(layerConfig(cfg, seed));
        const [a, b] = [make(), make()];
        const xa = { shape: [...x.shape], data: x.data.slice() };
        a.forward(xa);
        xa.data.fill(7);
        b.forward(x);
        bitsEqual(a.backward(dy), b.backward(dy));
        bitsEqual(a.weight.grad, b.weight.grad);
      },
      80,
    );
  });
});

// ------------------------------------------------------------------ determinism

describe('results are bit-for-bit deterministic', () => {
  test('for any two cases A and B, A, then B, then A again gives A bit for bit (conv2d, conv2dBackward, convTranspose2d)', () => {
    const two = fc
      .tuple(cases(), cases())
      .chain(([a, b]) =>
        fc.tuple(
          fc.constant(a),
          fc.constant(b),
          tensorData(a.config.dtype, outShape(a.config)),
          tensorData(b.config.dtype, outShape(b.config)),
        ),
      );
    assertProp(
      two,
      ([a, b, dya, dyb]) => {
        const first = [conv2d(a.input, a.weight, a.options), conv2dBackward(dya, a.input, a.weight, a.options)];
        conv2d(b.input, b.weight, b.options);
        conv2dBackward(dyb, b.input, b.weight, b.options);
        bitsEqual([conv2d(a.input, a.weight, a.options), conv2dBackward(dya, a.input, a.weight, a.options)], first);
      },
      120,
    );
    assertProp(
      fc.tuple(transposeCases(), transposeCases()),
      ([a, b]) => {
        const first = convTranspose2d(a.input, a.weight, a.options);
        convTranspose2d(b.input, b.weight, b.options);
        bitsEqual(convTranspose2d(a.input, a.weight, a.options), first);
      },
      80,
    );
  });

  test('for any config and seed, two Conv2d layers have identical parameters and give identical forward and backward results', () => {
    const arb = fc
      .tuple(configs(), fc.nat())
      .chain(([cfg, seed]) =>
        fc.tuple(
          fc.constant(cfg),
          fc.constant(seed),
          tensorData(cfg.dtype, cfg.inputShape),
          tensorData(cfg.dtype, outShape(cfg)),
        ),
      );
    assertProp(
      arb,
      ([cfg, seed, x, dy]) => {
        const run = (): unknown => {
          const layer = newLayer(layerConfig(cfg, seed));
          const init = layer.parameters().map((p) => p.data.slice());
          const y = layer.forward(x);
          const gx = layer.backward(dy);
          return [init, y, gx, layer.parameters().map((p) => p.grad)];
        };
        bitsEqual(run(), run());
      },
      80,
    );
  });
});

// ------------------------------------------------------------------ NaN and ±Inf

type Cls = 'finite' | 'NaN' | '+Inf' | '-Inf';

const clsOf = (v: number): Cls =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : 'finite';

/** The IEEE class of a sum of terms: NaN if any term is NaN or +Inf meets −Inf, else the infinity present, else finite. */
function sumClass(classes: readonly Cls[]): Cls {
  if (classes.includes('NaN') || (classes.includes('+Inf') && classes.includes('-Inf'))) return 'NaN';
  return classes.includes('+Inf') ? '+Inf' : classes.includes('-Inf') ? '-Inf' : 'finite';
}

interface Planting {
  readonly target: 'input' | 'weight' | 'bias';
  readonly at: number;
  readonly value: number;
}

const plantings = fc.array(
  fc.record({
    target: fc.constantFrom<Planting['target']>('input', 'weight', 'weight', 'bias'),
    at: fc.nat(),
    value: fc.constantFrom(Number.NaN, Infinity, -Infinity),
  }),
  { minLength: 1, maxLength: 4 },
);

function planted(c: GeneratedCase, ps: readonly Planting[]): GeneratedCase {
  const edit = (t: Tensor, target: Planting['target']): Tensor => {
    const data = t.data.slice();
    for (const p of ps) if (p.target === target && data.length) data[p.at % data.length] = p.value;
    return { shape: t.shape, data };
  };
  const bias = c.options.bias ? edit(c.options.bias, 'bias') : undefined;
  return {
    ...c,
    input: edit(c.input, 'input'),
    weight: edit(c.weight, 'weight'),
    options: bias ? { ...c.options, bias } : c.options,
  };
}

/**
 * Predicts each output's class from its terms: the bias and every product
 * x·w over the real taps (properties/model.ts enumerates them; zero-padding
 * taps are not among them), each product by IEEE (Inf·0 = NaN).
 */
function predictedClasses(c: GeneratedCase): Cls[] {
  const r = resolveConv(c.input.shape, c.weight.shape, c.options);
  const plane = r.OH * r.OW;
  const terms: Cls[][] = Array.from({ length: r.N * r.O * plane }, (_, p) =>
    c.options.bias ? [clsOf(c.options.bias.data[Math.floor(p / plane) % r.O])] : [],
  );
  forEachTap(r, (o, i, k) => terms[o].push(clsOf(c.input.data[i] * c.weight.data[k])));
  return terms.map(sumClass);
}

describe('NaN and ±Inf follow the rule: zero-padding taps skipped, real taps by IEEE', () => {
  test('for any case with NaN/±Inf planted, each conv2d output (public and reference) has the class its terms predict', () => {
    let skippedSpecialTaps = 0;
    let infTimesZero = 0;
    assertProp(
      fc.tuple(cases(), plantings),
      ([c0, ps]) => {
        const c = planted(c0, ps);
        const want = predictedClasses(c);
        for (const impl of [conv2d, reference.conv2d]) {
          const got = Array.from(impl(c.input, c.weight, c.options).data, clsOf);
          expect(got).toEqual(want);
        }
        // Coverage: an output whose filter holds a special yet stays finite had that tap on padding.
        const r = resolveConv(c.input.shape, c.weight.shape, c.options);
        const filterSize = count(c.weight.shape.slice(1));
        want.forEach((cls, p) => {
          const o = Math.floor(p / (r.OH * r.OW)) % r.O;
          const filter = c.weight.data.subarray(o * filterSize, (o + 1) * filterSize);
          if (cls === 'finite' && filter.some((v) => !Number.isFinite(v))) skippedSpecialTaps++;
        });
        forEachTap(r, (_, i, k) => {
          if (c.input.data[i] === 0 && !Number.isFinite(c.weight.data[k]) && !Number.isNaN(c.weight.data[k]))
            infTimesZero++;
        });
      },
      300,
    );
    expect(skippedSpecialTaps, 'no case put a special weight tap on zero padding').toBeGreaterThan(0);
    expect(infTimesZero, 'no case met Inf·0 on a real tap').toBeGreaterThan(0);
  });

  test('for any case with NaN/±Inf planted in input, weight, bias or gradOutput, conv2dBackward matches the model (specials exactly)', () => {
    const arb = fc
      .tuple(
        cases(),
        plantings,
        fc.array(fc.record({ at: fc.nat(), value: fc.constantFrom(Number.NaN, Infinity, -Infinity) }), {
          maxLength: 2,
        }),
      )
      .chain(([c, ps, dps]) =>
        fc.tuple(
          fc.constant(planted(c, ps)),
          tensorData(c.config.dtype, outShape(c.config)).map((dy) => {
            const data = dy.data.slice();
            for (const p of dps) if (data.length) data[p.at % data.length] = p.value;
            return { shape: dy.shape, data };
          }),
        ),
      );
    assertProp(
      arb,
      ([c, dy]) => {
        const e = gradientExpectations(c, dy);
        for (const impl of [conv2dBackward, reference.conv2dBackward]) {
          const g = impl(dy, c.input, c.weight, c.options);
          expectBounded(g.gradInput, e.gradInput);
          expectBounded(g.gradWeight, e.gradWeight);
          expectBounded(g.gradBias, e.gradBias);
        }
      },
      200,
    );
  });

  test('for any transposed case with NaN/±Inf planted, convTranspose2d matches the scatter model (specials exactly)', () => {
    const arb = fc.tuple(transposeCases(), plantings).map(([t, ps]) => {
      const edit = (x: Tensor, target: Planting['target']): Tensor => {
        const data = x.data.slice();
        for (const p of ps) if (p.target === target && data.length) data[p.at % data.length] = p.value;
        return { shape: x.shape, data };
      };
      const bias = t.options.bias ? edit(t.options.bias, 'bias') : null;
      return {
        input: edit(t.input, 'input'),
        weight: edit(t.weight, 'weight'),
        options: bias ? { ...t.options, bias } : t.options,
      };
    });
    assertProp(
      arb,
      (t) => {
        for (const impl of [convTranspose2d, reference.convTranspose2d])
          expectBounded(impl(t.input, t.weight, t.options), transposeExpectation(t));
      },
      200,
    );
  });
});

// ------------------------------------------------------------------ float32 overflow

/** float32 values of magnitude 2^60–2^63: products reach 2^126, sums of a few dozen pass 2^128. */
const HUGE = { kind: 'integer' as const, maxInt: 8 };
const scaled = (t: Tensor): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data, (v) => v * 2 ** 60) });
const F32_OVERFLOW = (2 - 2 ** -24) * 2 ** 127;

/** Counts elements the model puts clearly beyond the float32 range, and checks each is ±Inf with the model's sign. */
function expectInfWhereOverflow(got: Tensor, want: Expectation): number {
  let beyond = 0;
  want.value.forEach((e, i) => {
    if (Math.abs(e) <= F32_OVERFLOW * (1 + 2 ** -10)) return;
    beyond++;
    expect(got.data[i], `element ${i}: the model gives ${e}`).toBe(Math.sign(e) * Infinity);
  });
  return beyond;
}

describe('float32 overflow gives ±Inf where the float64 model leaves the range, and nothing else changes', () => {
  test('for any float32 case with values near 2^60, conv2d, conv2dBackward and convTranspose2d match the model: ±Inf beyond the range, within the bound inside it', () => {
    let overflowed = 0;
    let inRange = 0;
    const arb = configs({ dtype: 'float32' }).chain((cfg) =>
      fc.tuple(caseData(cfg, HUGE), tensorData('float32', outShape(cfg), HUGE)),
    );
    assertProp(
      arb,
      ([c0, dy0]) => {
        const bias = c0.options.bias ? scaled(c0.options.bias) : undefined;
        const c: GeneratedCase = {
          ...c0,
          input: scaled(c0.input),
          weight: scaled(c0.weight),
          options: bias ? { ...c0.options, bias } : c0.options,
        };
        const dy = scaled(dy0);
        const fwd = forwardExpectation(c);
        const y = conv2d(c.input, c.weight, c.options);
        expectBounded(y, fwd);
        overflowed += expectInfWhereOverflow(y, fwd);
        inRange += fwd.value.filter((v) => Math.abs(v) < F32_OVERFLOW && Math.abs(v) > 2 ** 120).length;
        const e = gradientExpectations(c, dy);
        const g = conv2dBackward(dy, c.input, c.weight, c.options);
        for (const [got, want] of [
          [g.gradInput, e.gradInput],
          [g.gradWeight, e.gradWeight],
          [g.gradBias, e.gradBias],
        ] as const) {
          expectBounded(got, want);
          overflowed += expectInfWhereOverflow(got, want);
        }
      },
      150,
    );
    assertProp(
      transposeCases(HUGE, 'float32'),
      (t0) => {
        const bias = t0.options.bias ? scaled(t0.options.bias) : null;
        const t = {
          input: scaled(t0.input),
          weight: scaled(t0.weight),
          options: bias ? { ...t0.options, bias } : t0.options,
        };
        const want = transposeExpectation(t);
        const y = convTranspose2d(t.input, t.weight, t.options);
        expectBounded(y, want);
        overflowed += expectInfWhereOverflow(y, want);
      },
      100,
    );
    expect(overflowed, 'no output overflowed: the property was not exercised').toBeGreaterThan(0);
    expect(inRange, 'no output came near the top of the range without overflowing').toBeGreaterThan(0);
  });
});
