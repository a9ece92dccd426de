/**
 * Properties of convTranspose2d, checked against its scatter definition:
 * input pixel (i, j) of channel c adds `x·w[c, o, kh, kw]` into output
 * `(i·sh − top + kh·dh, j·sw − left + kw·dw)` of every channel o of its
 * group; outputs cropped away by the padding are dropped, and outputPadding
 * adds rows/columns at the bottom/right (ONNX's rule for asymmetric pads).
 *
 * Cases come from `transposeCase`, valid by construction: sizes, pads and
 * output padding are drawn as offsets inside their limits.
 */
import fc from 'fast-check';
import type { ConvTranspose2dOptions, DType, Tensor } from '../src/index.js';
import { tensorData, type TensorDataConstraints } from './arbitraries/tensorData.js';
import { printable, showTensor } from './arbitraries/convCase.js';
import { expectBounded, type Expectation } from './compare.js';
import { QUICK_LIMITS } from './profile.js';
import { count, dtypeOfTensor, sameShape, showShape } from './tensors.js';
import type { ConvDims, DTypeChoice, PropertyContext, PropertyDefinition, SizeLimits } from './types.js';

/** One convTranspose2d problem with data. */
export interface TransposeCase {
  /** `[N, C, H, W]` or `[C, H, W]`. */
  readonly input: Tensor;
  /** `[C, O/groups, KH, KW]`. */
  readonly weight: Tensor;
  /** May include `bias` (`[O]`). */
  readonly options: ConvTranspose2dOptions;
}

/** A transposed problem resolved to numbers (N = 1 when unbatched). */
export interface ResolvedTranspose extends ConvDims {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** `[[top, bottom], [left, right]]` cropped from the full output. */
  readonly pads: readonly [readonly [number, number], readonly [number, number]];
  readonly outputPadding: readonly [number, number];
  readonly OH: number;
  readonly OW: number;
  readonly outputShape: readonly number[];
}

type Two = readonly [number, number];

function pairOf(v: number | Two | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function padsOf(p: ConvTranspose2dOptions['padding']): [[number, number], [number, number]] {
  if (p === undefined)
    return [
      [0, 0],
      [0, 0],
    ];
  if (typeof p === 'number')
    return [
      [p, p],
      [p, p],
    ];
  const [a, b] = p;
  if (typeof a === 'number' && typeof b === 'number')
    return [
      [a, a],
      [b, b],
    ];
  return [[...(a as Two)], [...(b as Two)]];
}

/** `(n−1)·s − before − after + d·(k−1) + op + 1`. */
export function transposedSize(n: number, k: number, s: number, d: number, pads: Two, op: number): number {
  return (n - 1) * s - pads[0] - pads[1] + d * (k - 1) + op + 1;
}

/**
 * Resolves a (valid) transposed case with the formulas of the design.
 * @example resolveTranspose([1, 1, 3, 3], [1, 1, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }).OH // 6
 */
export function resolveTranspose(
  inputShape: readonly number[],
  weightShape: readonly number[],
  o: ConvTranspose2dOptions = {},
): ResolvedTranspose {
  const batched = inputShape.length === 4;
  const [N, C, H, W] = batched ? inputShape : [1, ...inputShape];
  const [, Og, KH, KW] = weightShape;
  const groups = o.groups ?? 1;
  const stride = pairOf(o.stride, 1);
  const dilation = pairOf(o.dilation, 1);
  const pads = padsOf(o.padding);
  const outputPadding = pairOf(o.outputPadding, 0);
  const OH = transposedSize(H, KH, stride[0], dilation[0], pads[0], outputPadding[0]);
  const OW = transposedSize(W, KW, stride[1], dilation[1], pads[1], outputPadding[1]);
  const O = Og * groups;
  const outputShape = batched ? [N, O, OH, OW] : [O, OH, OW];
  return { batched, N, C, H, W, O, groups, KH, KW, stride, dilation, pads, outputPadding, OH, OW, outputShape };
}

/**
 * The scatter definition in float64 (`absolute`: on |x|, |w|, |b|, the
 * magnitudes of the error bound), with the number of terms per element.
 * @example
 * const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
 * const { value, terms } = scatterTranspose(r, c.input, c.weight, c.options.bias ?? null);
 */
export function scatterTranspose(
  r: ResolvedTranspose,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  absolute = false,
): { value: Float64Array; terms: Float64Array } {
  const f = absolute ? Math.abs : (v: number) => v;
  const value = new Float64Array(r.N * r.O * r.OH * r.OW);
  const terms = new Float64Array(value.length);
  const [Cg, Og] = [r.C / r.groups, r.O / r.groups];
  const [[top], [left]] = r.pads;
  for (let n = 0; n < r.N; n++) {
    for (let c = 0; c < r.C; c++) {
      const o0 = Math.floor(c / Cg) * Og;
      for (let i = 0; i < r.H; i++) {
        for (let j = 0; j < r.W; j++) {
          const v = f(x.data[((n * r.C + c) * r.H + i) * r.W + j]);
          for (let ol = 0; ol < Og; ol++) {
            for (let kh = 0; kh < r.KH; kh++) {
              const y = i * r.stride[0] - top + kh * r.dilation[0];
              if (y < 0 || y >= r.OH) continue;
              for (let kw = 0; kw < r.KW; kw++) {
                const z = j * r.stride[1] - left + kw * r.dilation[1];
                if (z < 0 || z >= r.OW) continue;
                const at = ((n * r.O + o0 + ol) * r.OH + y) * r.OW + z;
                value[at] += v * f(w.data[((c * Og + ol) * r.KH + kh) * r.KW + kw]);
                terms[at]++;
              }
            }
          }
        }
      }
    }
  }
  if (bias) {
    const plane = r.OH * r.OW;
    for (let p = 0; p < value.length; p++) {
      value[p] += f(bias.data[Math.floor(p / plane) % r.O]);
      terms[p]++;
    }
  }
  return { value, terms };
}

/**
 * What `convTranspose2d(c.input, c.weight, c.options)` must return, with its error bound.
 * @example expectBounded(impl.convTranspose2d(c.input, c.weight, c.options), transposeExpectation(c))
 */
export function transposeExpectation(c: TransposeCase): Expectation {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const bias = c.options.bias ?? null;
  const { value, terms } = scatterTranspose(r, c.input, c.weight, bias);
  return {
    label: 'convTranspose2d output',
    shape: r.outputShape,
    dtype: dtypeOfTensor(c.input),
    value,
    magnitude: scatterTranspose(r, c.input, c.weight, bias, true).value,
    terms,
  };
}

// ---------------------------------------------------------------- arbitrary

/** Constraints of `transposeCase`; every field is optional. */
export interface TransposeCaseConstraints extends Partial<SizeLimits>, TensorDataConstraints {
  /** Default `'float32'`; `'both'` draws one per case. */
  readonly dtype?: DTypeChoice;
  /** Default `'either'`. */
  readonly bias?: 'always' | 'never' | 'either';
}

type PadKind = 'omitted' | 'number' | 'pair' | 'explicit';

interface TransposeDraws {
  groups: number;
  cg: number;
  og: number;
  n: number;
  batched: boolean;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  h: number;
  w: number;
  oph: number;
  opw: number;
  kind: PadKind;
  pads: [number, number, number, number];
  bias: boolean;
  dtype: DType;
}

function drawsOf(c: TransposeCaseConstraints): fc.Arbitrary<TransposeDraws> {
  const L = { ...QUICK_LIMITS, ...c };
  const int = (min: number, max: number) => fc.integer({ min, max });
  const g = Math.max(1, Math.min(L.maxGroups, L.maxChannels));
  const bias = c.bias ?? 'either';
  const dtype = c.dtype ?? 'float32';
  return fc.record({
    groups: int(1, g),
    cg: int(1, L.maxChannels),
    og: int(1, L.maxChannels),
    n: fc.oneof({ arbitrary: int(1, L.maxBatch), weight: 5 }, { arbitrary: fc.constant(0), weight: 1 }),
    batched: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
    kh: int(1, L.maxKernel),
    kw: int(1, L.maxKernel),
    sh: int(1, L.maxStride),
    sw: int(1, L.maxStride),
    dh: int(1, L.maxDilation),
    dw: int(1, L.maxDilation),
    h: int(1, 1 + L.maxExtra),
    w: int(1, 1 + L.maxExtra),
    oph: int(0, L.maxStride + L.maxDilation),
    opw: int(0, L.maxStride + L.maxDilation),
    kind: fc.constantFrom<PadKind>('omitted', 'number', 'pair', 'explicit', 'explicit'),
    pads: fc.tuple(int(0, L.maxPad), int(0, L.maxPad), int(0, L.maxPad), int(0, L.maxPad)),
    bias: bias === 'either' ? fc.boolean() : fc.constant(bias === 'always'),
    dtype: dtype === 'both' ? fc.constantFrom<DType>('float32', 'float64') : fc.constant(dtype),
  });
}

/** Pads of the drawn kind, clamped so that at least one output row/column survives the crop. */
function validPads(d: TransposeDraws, fullH: number, fullW: number): ConvTranspose2dOptions['padding'] {
  const [a, b, l, r] = d.pads;
  const keep = (room: number, first: number, second: number): [number, number] => {
    const x = Math.min(first, room);
    return [x, Math.min(second, room - x)];
  };
  const roomH = fullH - 1;
  const roomW = fullW - 1;
  if (d.kind === 'omitted') return undefined;
  if (d.kind === 'number') return Math.min(a, Math.floor(Math.min(roomH, roomW) / 2));
  if (d.kind === 'pair') return [Math.min(a, Math.floor(roomH / 2)), Math.min(l, Math.floor(roomW / 2))];
  return [keep(roomH, a, b), keep(roomW, l, r)];
}

function buildCase(
  d: TransposeDraws,
  L: SizeLimits,
): { inputShape: number[]; weightShape: number[]; options: ConvTranspose2dOptions; O: number } {
  const cg = Math.min(d.cg, Math.floor(L.maxChannels / d.groups));
  const og = Math.min(d.og, Math.floor(L.maxChannels / d.groups));
  const C = cg * d.groups;
  const oph = d.oph % Math.max(d.sh, d.dh);
  const opw = d.opw % Math.max(d.sw, d.dw);
  const fullH = transposedSize(d.h, d.kh, d.sh, d.dh, [0, 0], oph);
  const fullW = transposedSize(d.w, d.kw, d.sw, d.dw, [0, 0], opw);
  const padding = validPads(d, fullH, fullW);
  const options: ConvTranspose2dOptions = {
    stride: [d.sh, d.sw],
    dilation: [d.dh, d.dw],
    groups: d.groups,
    outputPadding: [oph, opw],
    ...(padding === undefined ? {} : { padding }),
  };
  const N = d.batched ? d.n : 1;
  return {
    inputShape: d.batched ? [N, C, d.h, d.w] : [C, d.h, d.w],
    weightShape: [C, og, d.kh, d.kw],
    options,
    O: og * d.groups,
  };
}

function showTransposeCase(c: TransposeCase): string {
  const parts = Object.entries(c.options).map(
    ([k, v]) => `${k}: ${k === 'bias' ? showTensor(v as Tensor) : JSON.stringify(v)}`,
  );
  return `convTranspose2d(input ${showTensor(c.input)}, weight ${showTensor(c.weight)}, { ${parts.join(', ')} })`;
}

/**
 * Valid convTranspose2d cases with data: asymmetric pads, output padding up
 * to its limit `max(stride, dilation) − 1`, groups, N = 0 and unbatched inputs.
 * @example fc.sample(transposeCase({ dtype: 'float64', kind: 'integer' }), 1)[0].options
 */
export function transposeCase(constraints: TransposeCaseConstraints = {}): fc.Arbitrary<TransposeCase> {
  const L: SizeLimits = { ...QUICK_LIMITS, ...constraints };
  return drawsOf(constraints).chain((d) => {
    const b = buildCase(d, L);
    return fc
      .record({
        input: tensorData(d.dtype, b.inputShape, constraints),
        weight: tensorData(d.dtype, b.weightShape, constraints),
        bias: d.bias ? tensorData(d.dtype, [b.O], constraints) : fc.constant(null),
      })
      .map(({ input, weight, bias }) =>
        printable<TransposeCase>(
          { input, weight, options: bias ? { ...b.options, bias } : b.options },
          showTransposeCase,
        ),
      );
  });
}

// ---------------------------------------------------------------- properties

const fail = (message: string): never => {
  throw new Error(message);
};

function run(ctx: PropertyContext, c: TransposeCase): Tensor {
  return ctx.impl.convTranspose2d!(c.input, c.weight, c.options);
}

function checkShape(ctx: PropertyContext, c: TransposeCase): void {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const y = run(ctx, c);
  if (!sameShape(y.shape, r.outputShape))
    fail(
      `output shape ${showShape(y.shape)}, the formula (H−1)·s − top − bottom + d·(K−1) + op + 1 gives ${showShape(r.outputShape)}`,
    );
  if (y.data.length !== count(r.outputShape))
    fail(`output shape ${showShape(y.shape)} but ${y.data.length} data elements`);
  if (dtypeOfTensor(y) !== dtypeOfTensor(c.input))
    fail(`output dtype ${dtypeOfTensor(y)}, input dtype ${dtypeOfTensor(c.input)}`);
}

function checkAccuracy(ctx: PropertyContext, c: TransposeCase): void {
  ctx.observe(expectBounded(run(ctx, c), transposeExpectation(c)));
}

/** Σ over the first H×W pixels of each plane of `y` (planes yH×yW) times the pixels of the transposed input `x`. */
function croppedDot(y: Tensor, yH: number, yW: number, x: Tensor, r: ResolvedTranspose): number {
  let s = 0;
  for (let p = 0; p < r.N * r.C; p++) {
    for (let i = 0; i < r.H; i++) {
      for (let j = 0; j < r.W; j++) s += y.data[(p * yH + i) * yW + j] * x.data[(p * r.H + i) * r.W + j];
    }
  }
  return s;
}

/** Extra draws of the adjoint property: the conv2d input, of the transposed output's shape. */
interface AdjointScenario {
  readonly c: TransposeCase;
  readonly x: Tensor;
}

function adjointScenario(ctx: PropertyContext): fc.Arbitrary<AdjointScenario> {
  return transposeCase({ ...ctx.limits, dtype: ctx.dtype, kind: 'integer' }).chain((c) => {
    const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
    return tensorData(dtypeOfTensor(c.input), r.outputShape, { kind: 'integer' }).map((x) =>
      printable<AdjointScenario>({ c, x }, (s) => `${showTransposeCase(s.c)} against conv2d of ${showTensor(s.x)}`),
    );
  });
}

function checkAdjoint(ctx: PropertyContext, { c, x }: AdjointScenario): void {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const y = run(ctx, c);
  if (!sameShape(y.shape, r.outputShape))
    fail(`output shape ${showShape(y.shape)}, expected ${showShape(r.outputShape)}`);
  const bias = c.options.bias;
  const conv = ctx.impl.conv2d(x, c.weight, {
    stride: r.stride,
    dilation: r.dilation,
    groups: r.groups,
    padding: [
      [r.pads[0][0], r.pads[0][1]],
      [r.pads[1][0], r.pads[1][1]],
    ],
  });
  const [yH, yW] = conv.shape.slice(-2);
  if (yH < r.H || yW < r.W)
    fail(`conv2d of the transposed output has ${yH}×${yW} positions, fewer than the ${r.H}×${r.W} input`);
  let lhs = 0;
  for (let i = 0; i < y.data.length; i++) lhs += y.data[i] * x.data[i];
  let viaBias = 0;
  const plane = r.OH * r.OW;
  if (bias) for (let i = 0; i < x.data.length; i++) viaBias += bias.data[Math.floor(i / plane) % r.O] * x.data[i];
  const rhs = croppedDot(conv, yH, yW, c.input, r) + viaBias;
  if (lhs !== rhs)
    fail(
      `⟨convTranspose2d(y, w), x⟩ = ${lhs} but ⟨y, conv2d(x, w)⟩${bias ? ' + ⟨b, Σx⟩' : ''} = ${rhs} (exact on integer data)`,
    );
}

function bytes(t: Tensor): string {
  return `${showShape(t.shape)}:${Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).join(',')}`;
}

function checkPurity(ctx: PropertyContext, c: TransposeCase): void {
  const { bias, ...rest } = c.options;
  const snap = (): string => [c.input, c.weight, ...(bias ? [bias] : [])].map(bytes).join('|') + JSON.stringify(rest);
  const before = snap();
  const y = run(ctx, c);
  if (snap() !== before) fail('convTranspose2d changed its arguments (input, weight, bias or options)');
  if ([c.input.data.buffer, c.weight.data.buffer, bias?.data.buffer].includes(y.data.buffer))
    fail('convTranspose2d returned storage shared with an argument');
}

function transposeProperty(
  name: string,
  constraints: TransposeCaseConstraints,
  check: (ctx: PropertyContext, c: TransposeCase) => void,
): PropertyDefinition {
  return {
    name,
    group: 'transpose',
    requires: ['convTranspose2d'],
    property: (ctx) =>
      fc.property(transposeCase({ ...ctx.limits, dtype: ctx.dtype, ...constraints }), (c) => check(ctx, c)),
  };
}

/**
 * The transposed-conv properties, in report order.
 * @example for (const p of transposeProperties) console.log(p.name)
 */
export const transposeProperties: readonly PropertyDefinition[] = [
  transposeProperty(
    "for any transposed case, the output has the input's dtype and the shape (H−1)·s − top − bottom + d·(K−1) + op + 1",
    {},
    checkShape,
  ),
  transposeProperty(
    'for any transposed case, every output is within the error bound of the scatter definition',
    {},
    checkAccuracy,
  ),
  {
    name: 'for any transposed case, ⟨convTranspose2d(y, w), x⟩ = ⟨y, conv2d(x, w)⟩ (it is the adjoint of conv2d)',
    group: 'transpose',
    requires: ['conv2d', 'convTranspose2d'],
    property: (ctx) => fc.property(adjointScenario(ctx), (s) => checkAdjoint(ctx, s)),
  },
  transposeProperty(
    'for any transposed case, convTranspose2d leaves its arguments unchanged and returns fresh storage',
    {},
    checkPurity,
  ),
];
