/**
 * Properties of convTranspose2d, checked against the spec's scatter model
 * (`spec/model.ts`: each input pixel adds `x·w` into the full output, which
 * the pads then crop, ONNX's rule for asymmetric pads) and against the
 * spec's conv2d through the adjoint identity.
 *
 * Cases come from `transposeCase`, valid by construction: sizes, pads and
 * output padding are drawn as offsets inside their limits.
 */
import fc from 'fast-check';
import type { Conv2dOptions, ConvTranspose2dOptions, DType, Tensor } from '../src/index.js';
import { tensorData, type TensorDataConstraints } from './arbitraries/tensorData.js';
import { printable, showTensor } from './arbitraries/convCase.js';
import { compactArbitrary, pairOption } from './arbitraries/convConfig.js';
import { QUICK_LIMITS } from './profile.js';
import { checkResult, fail } from './scenario.js';
import { narrowTranspose } from './support-filter.js';
import { UnsupportedCase } from './support.js';
import {
  expectBounded,
  modelConv2d,
  modelConvTranspose2d,
  resolveConv,
  resolveTranspose,
  transposedSize,
  transposeExpectation,
} from './spec/index.js';
import { count, dtypeOfTensor, fromFunction, sameShape, showShape } from './tensors.js';
import type { ResolvedTranspose } from './spec/index.js';
import type { DTypeChoice, PropertyContext, PropertyDefinition, SizeLimits, TransposeCase } from './types.js';

// ---------------------------------------------------------------- arbitrary

/** Constraints of `transposeCase`; every field is optional. */
export interface TransposeCaseConstraints extends Partial<SizeLimits>, TensorDataConstraints {
  /** Default `'float32'`; `'both'` draws one per case. */
  readonly dtype?: DTypeChoice;
  /** Default `'either'`. */
  readonly bias?: 'always' | 'never' | 'either';
  /** Whether `[C,H,W]` inputs are drawn. Default true. */
  readonly unbatched?: boolean;
  /** Whether N = 0 is drawn. Default true. */
  readonly emptyBatch?: boolean;
  /** Whether `outputPadding` other than 0 is drawn. Default true. */
  readonly outputPadding?: boolean;
  /** Whether `outputSize` is drawn (about 1 case in 3). Default true. */
  readonly outputSize?: boolean;
  /** Padding forms to draw from (left out is always drawn). Default all. */
  readonly paddings?: readonly TransposePadKind[];
  /** Equal strides on both axes only. Default false. */
  readonly equalStride?: boolean;
  /** One input channel per group only (groups = C). Default false. */
  readonly depthwise?: boolean;
}

/** The written forms of a transposed conv's padding: explicit crops, or the names. */
export type TransposePadKind = 'number' | 'pair' | 'explicit' | 'valid' | 'same' | 'same-upper' | 'same-lower';

type PadKind = 'omitted' | TransposePadKind;

const SAME_NAMES: readonly PadKind[] = ['same', 'same-upper', 'same-lower'];

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
  /** Whether the case asks for its output size (then without outputPadding). */
  bySize: boolean;
  /** Where in its reachable range a SAME case's asked size lies (taken modulo the range). */
  sizeAt: [number, number];
  bias: boolean;
  dtype: DType;
  compact: boolean;
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
    n:
      c.emptyBatch === false
        ? int(1, L.maxBatch)
        : fc.oneof({ arbitrary: int(1, L.maxBatch), weight: 5 }, { arbitrary: fc.constant(0), weight: 1 }),
    batched:
      c.unbatched === false
        ? fc.constant(true)
        : fc.oneof(
            { withCrossShrink: true },
            { arbitrary: fc.constant(true), weight: 5 },
            { arbitrary: fc.constant(false), weight: 1 },
          ),
    kh: int(1, L.maxKernel),
    kw: int(1, L.maxKernel),
    sh: int(1, L.maxStride),
    sw: int(1, L.maxStride),
    dh: int(1, L.maxDilation),
    dw: int(1, L.maxDilation),
    h: int(1, 1 + L.maxExtra),
    w: int(1, 1 + L.maxExtra),
    oph: c.outputPadding === false ? fc.constant(0) : int(0, L.maxStride + L.maxDilation),
    opw: c.outputPadding === false ? fc.constant(0) : int(0, L.maxStride + L.maxDilation),
    kind: fc.constantFrom<PadKind>(
      'omitted',
      ...(['number', 'pair', 'explicit', 'explicit', 'valid', 'same', 'same-upper', 'same-lower'] as const).filter(
        (k) => !c.paddings || c.paddings.includes(k),
      ),
    ),
    pads: fc.tuple(int(0, L.maxPad), int(0, L.maxPad), int(0, L.maxPad), int(0, L.maxPad)),
    bySize:
      c.outputSize === false
        ? fc.constant(false)
        : fc.oneof({ arbitrary: fc.constant(false), weight: 2 }, { arbitrary: fc.constant(true), weight: 1 }),
    sizeAt: fc.tuple(int(0, 63), int(0, 63)),
    bias: bias === 'either' ? fc.boolean() : fc.constant(bias === 'always'),
    dtype: dtype === 'both' ? fc.constantFrom<DType>('float32', 'float64') : fc.constant(dtype),
    compact: compactArbitrary,
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
  if (d.kind === 'valid' || SAME_NAMES.includes(d.kind)) return d.kind as 'valid';
  if (d.kind === 'number') return Math.min(a, Math.floor(Math.min(roomH, roomW) / 2));
  if (d.kind === 'pair') return [Math.min(a, Math.floor(roomH / 2)), Math.min(l, Math.floor(roomW / 2))];
  return [keep(roomH, a, b), keep(roomW, l, r)];
}

/**
 * The output size a case asks for. Explicit pads: the size the drawn output
 * padding gives (so every output padding in range is asked for). A SAME name:
 * a size in `[(n−1)·s + 1, full + max(s, d) − 1]` (tfjs's range of 'same'
 * sizes, up to the largest an output padding reaches), where `sizeAt` says.
 */
function askedSize(d: TransposeDraws, o: ConvTranspose2dOptions, op: readonly [number, number]): [number, number] {
  if (!SAME_NAMES.includes(d.kind)) {
    const r = resolveTranspose([1, 1, d.h, d.w], [1, 1, d.kh, d.kw], { ...o, outputPadding: [op[0], op[1]] });
    return [r.OH, r.OW];
  }
  const axis = (n: number, k: number, s: number, dl: number, at: number): number => {
    const least = (n - 1) * s + 1;
    const most = transposedSize(n, k, s, dl, [0, 0], 0) + Math.max(s, dl) - 1;
    return least + (at % (most - least + 1));
  };
  return [axis(d.h, d.kh, d.sh, d.dh, d.sizeAt[0]), axis(d.w, d.kw, d.sw, d.dw, d.sizeAt[1])];
}

function buildCase(
  drawn: TransposeDraws,
  L: SizeLimits,
  c: TransposeCaseConstraints,
): { inputShape: number[]; weightShape: number[]; options: ConvTranspose2dOptions; O: number } {
  const d = c.equalStride ? { ...drawn, sw: drawn.sh } : drawn;
  const cg = c.depthwise ? 1 : Math.min(d.cg, Math.floor(L.maxChannels / d.groups));
  const og = Math.min(d.og, Math.floor(L.maxChannels / d.groups));
  const C = cg * d.groups;
  const oph = d.oph % Math.max(d.sh, d.dh);
  const opw = d.opw % Math.max(d.sw, d.dw);
  const fullH = transposedSize(d.h, d.kh, d.sh, d.dh, [0, 0], oph);
  const fullW = transposedSize(d.w, d.kw, d.sw, d.dw, [0, 0], opw);
  const padding = validPads(d, fullH, fullW);
  // Written out in full, or compactly (defaults left out): a counterexample shrinks to the compact form.
  const entries: [string, unknown][] = [
    ['stride', pairOption([d.sh, d.sw], d.compact, 1)],
    ['dilation', pairOption([d.dh, d.dw], d.compact, 1)],
    ['groups', d.compact && d.groups === 1 ? undefined : d.groups],
    ['padding', padding],
  ];
  const withPadding = Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as ConvTranspose2dOptions;
  const outputPadding = pairOption([oph, opw], d.compact, 0);
  const options: ConvTranspose2dOptions = d.bySize
    ? { ...withPadding, outputSize: askedSize(d, withPadding, [oph, opw]) }
    : { ...withPadding, ...(outputPadding === undefined ? {} : { outputPadding }) };
  const N = d.batched ? d.n : 1;
  return {
    inputShape: d.batched ? [N, C, d.h, d.w] : [C, d.h, d.w],
    weightShape: [C, og, d.kh, d.kw],
    options,
    O: og * d.groups,
  };
}

/**
 * A transposed case in one line (shapes, options, dtype), as reports print it.
 * @example showTransposeCase(c) // 'convTranspose2d(input [1,2,3,3]: …, weight [2,1,3,3]: …, { stride: 2 })'
 */
export function showTransposeCase(c: TransposeCase): string {
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
    const b = buildCase(d, L, constraints);
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

/** The context's limits and dtype with a property's constraints, narrowed by the declared support. */
export function transposeConstraints(
  ctx: PropertyContext,
  constraints: TransposeCaseConstraints,
): TransposeCaseConstraints {
  const narrowed = narrowTranspose({ ...ctx.limits, dtype: ctx.dtype, ...constraints }, ctx.supports);
  // Thrown while the property is built: verify reports the property as not run, with the reason.
  if (!narrowed.ok) throw new UnsupportedCase(narrowed.reason);
  return narrowed.constraints;
}

async function run(ctx: PropertyContext, c: TransposeCase): Promise<Tensor> {
  return checkResult('convTranspose2d', await ctx.impl.convTranspose2d!(c.input, c.weight, c.options));
}

async function checkShape(ctx: PropertyContext, c: TransposeCase): Promise<void> {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const y = await run(ctx, c);
  if (!sameShape(y.shape, r.outputShape))
    fail(
      `output shape ${showShape(y.shape)}, the formula (H−1)·s − top − bottom + d·(K−1) + op + 1 gives ${showShape(r.outputShape)}`,
    );
  if (y.data.length !== count(r.outputShape))
    fail(`output shape ${showShape(y.shape)} but ${y.data.length} data elements`);
  if (dtypeOfTensor(y) !== dtypeOfTensor(c.input))
    fail(`output dtype ${dtypeOfTensor(y)}, input dtype ${dtypeOfTensor(c.input)}`);
}

async function checkAccuracy(ctx: PropertyContext, c: TransposeCase): Promise<void> {
  ctx.observe(expectBounded(await run(ctx, c), transposeExpectation(c)));
}

/** Σ over the first H×W pixels of each plane of `y` (planes yH×yW) times the pixels of the transposed input `x`. */
function croppedDot(y: ArrayLike<number>, yH: number, yW: number, x: Tensor, r: ResolvedTranspose): number {
  let s = 0;
  for (let p = 0; p < r.N * r.C; p++) {
    for (let i = 0; i < r.H; i++) {
      for (let j = 0; j < r.W; j++) s += y[(p * yH + i) * yW + j] * x.data[(p * r.H + i) * r.W + j];
    }
  }
  return s;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Extra draws of the adjoint property: the conv2d input, of the transposed output's shape. */
interface AdjointScenario {
  readonly c: TransposeCase;
  readonly x: Tensor;
}

function adjointScenario(ctx: PropertyContext): fc.Arbitrary<AdjointScenario> {
  return transposeCase(transposeConstraints(ctx, { kind: 'integer' })).chain((c) => {
    const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
    return tensorData(dtypeOfTensor(c.input), r.outputShape, { kind: 'integer' }).map((x) =>
      printable<AdjointScenario>({ c, x }, (s) => `${showTransposeCase(s.c)} against conv2d of ${showTensor(s.x)}`),
    );
  });
}

/** The conv2d whose adjoint the transposed case is: same stride, dilation, groups and pads. */
function adjointConv(r: ResolvedTranspose): Conv2dOptions {
  const [[t, b], [l, rr]] = r.pads;
  return {
    stride: r.stride,
    dilation: r.dilation,
    groups: r.groups,
    padding: [
      [t, b],
      [l, rr],
    ],
  };
}

/**
 * ⟨convT(y, w), x⟩ = ⟨y, conv2d(x, w)⟩, each side once by the implementation
 * and once by the spec's model: convTranspose2d against the model's conv2d,
 * conv2d against the model's transposed conv (so neither passes by agreeing
 * with a sibling routine that shares its bug).
 */
async function checkAdjoint(ctx: PropertyContext, { c, x }: AdjointScenario): Promise<void> {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const y = await run(ctx, c);
  if (!sameShape(y.shape, r.outputShape))
    fail(`output shape ${showShape(y.shape)}, expected ${showShape(r.outputShape)}`);
  const bias = c.options.bias;
  const plane = r.OH * r.OW;
  const viaBias = bias
    ? dot(fromFunction('float64', x.shape, (i) => bias.data[Math.floor(i / plane) % r.O]).data, x.data)
    : 0;
  const options = adjointConv(r);
  const rc = resolveConv(x.shape, c.weight.shape, options);
  const modelConv = modelConv2d(rc, x, c.weight, null);
  const lhs = dot(y.data, x.data);
  const rhs = croppedDot(modelConv, rc.OH, rc.OW, c.input, r) + viaBias;
  if (lhs !== rhs)
    fail(
      `⟨convTranspose2d(y, w), x⟩ = ${lhs} but ⟨y, conv2d(x, w)⟩${bias ? ' + ⟨b, Σx⟩' : ''} = ${rhs} by the spec's conv2d (exact on integer data)`,
    );
  const conv = checkResult('conv2d', await ctx.impl.conv2d(x, c.weight, options));
  if (!sameShape(conv.shape, rc.outputShape))
    fail(
      `conv2d of the transposed output has shape ${showShape(conv.shape)}, the size formula ${showShape(rc.outputShape)}`,
    );
  const viaImpl = croppedDot(conv.data, rc.OH, rc.OW, c.input, r);
  const viaModel = dot(modelConvTranspose2d(r, c.input, c.weight, null).value, x.data);
  if (viaImpl !== viaModel)
    fail(
      `⟨y, conv2d(x, w)⟩ = ${viaImpl} but ⟨convTranspose2d(y, w), x⟩ = ${viaModel} by the spec's scatter (exact on integer data)`,
    );
}

function bytes(t: Tensor): string {
  return `${showShape(t.shape)}:${Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).join(',')}`;
}

async function checkPurity(ctx: PropertyContext, c: TransposeCase): Promise<void> {
  const { bias, ...rest } = c.options;
  const snap = (): string => [c.input, c.weight, ...(bias ? [bias] : [])].map(bytes).join('|') + JSON.stringify(rest);
  const before = snap();
  const y = await run(ctx, c);
  if (snap() !== before) fail('convTranspose2d changed its arguments (input, weight, bias or options)');
  if ([c.input.data.buffer, c.weight.data.buffer, bias?.data.buffer].includes(y.data.buffer))
    fail('convTranspose2d returned storage shared with an argument');
}

function transposeProperty(
  name: string,
  constraints: TransposeCaseConstraints,
  check: (ctx: PropertyContext, c: TransposeCase) => Promise<void>,
): PropertyDefinition {
  return {
    name,
    group: 'transpose',
    requires: ['convTranspose2d'],
    property: (ctx) => fc.asyncProperty(transposeCase(transposeConstraints(ctx, constraints)), (c) => check(ctx, c)),
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
    property: (ctx) => fc.asyncProperty(adjointScenario(ctx), (s) => checkAdjoint(ctx, s)),
  },
  transposeProperty(
    'for any transposed case, convTranspose2d leaves its arguments unchanged and returns fresh storage',
    {},
    checkPurity,
  ),
];
