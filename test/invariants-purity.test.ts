/**
 * Invariants, each a property: arguments are never mutated (options, bias
 * and layer parameters outside backward/sgd included), and results are fresh
 * and bit-for-bit deterministic even when other calls run in between.
 * conv2d's own purity and determinism are properties of the suite
 * (properties/forward.ts); here they are extended to every other export and
 * checked a second, independent way.
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
import { tensorData, type ConvConfig } from './fuzz/suite.js';
import {
  assertProp,
  configs,
  cases,
  outShape,
  fingerprint,
  expectPure,
  bitsEqual,
  transposeCases,
} from './invariants-helpers.js';

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
