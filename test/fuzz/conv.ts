/**
 * Sessions of `conv2d`, `conv2dBackward` and `conv2dOutputShape`: valid
 * calls are checked against the suite's float64 model (and its output-size
 * formula); invalid ones break a tensor, an option (bad values derived from
 * the option table), the channels or the geometry.
 */
import fc from 'fast-check';
import type { Conv2dGradients, Conv2dOptions, ConvErrorCode, DType, Tensor } from '../../src/index.js';
import { OPTION_RULES } from '../../src/options.js';
import {
  asTensor,
  callSessions,
  choose,
  edit,
  expectShape,
  hostileArray,
  showLiteral,
  type Edit,
  type FuzzSession,
  type Stage,
} from './engine.js';
import { optionForms, optionsObjectEdits, optionValueEdits, setOption, type OptionsDraft } from './options.js';
import {
  caseData,
  convConfig,
  expectBounded,
  forwardExpectation,
  gradientExpectations,
  resolveConv,
  showCase,
  showShape,
  showTensor,
  tensorData,
  type ConvConfig,
  type GeneratedCase,
  type SizeLimits,
} from './suite.js';
import {
  activationRank,
  SHAPE_BREAKS,
  dtypeEdits,
  NOT_TENSORS,
  slot,
  tensorForms,
  tensorSlotEdits,
  zeros,
  type RankSpec,
  type Slot,
} from './tensorArgs.js';

/** Size limits of generated calls: small, since the float64 model is a plain loop nest. */
export const FUZZ_LIMITS: SizeLimits = {
  maxBatch: 2,
  maxGroups: 3,
  maxChannels: 4,
  maxKernel: 3,
  maxStride: 3,
  maxDilation: 2,
  maxPad: 2,
  maxExtra: 3,
};

/** Larger cases, one in eight: problems of 4096 multiply-adds and more run on the fast kernels. */
export const FUZZ_BIG_LIMITS: SizeLimits = {
  maxBatch: 3,
  maxGroups: 2,
  maxChannels: 16,
  maxKernel: 4,
  maxStride: 2,
  maxDilation: 2,
  maxPad: 2,
  maxExtra: 16,
};

/** Small arbitraries seven times in eight, big ones (no empty batch) the eighth. */
export function sized<T>(make: (limits: SizeLimits & { emptyBatch?: boolean }) => fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: 7, arbitrary: make(FUZZ_LIMITS) },
    { weight: 1, arbitrary: make({ ...FUZZ_BIG_LIMITS, emptyBatch: false }) },
  );
}

const convCases = (): fc.Arbitrary<GeneratedCase> =>
  sized((limits) => convConfig({ ...limits, dtype: 'both' })).chain((cfg) => caseData(cfg));

const outputShapeOf = (c: GeneratedCase): readonly number[] =>
  resolveConv(c.input.shape, c.weight.shape, c.options).outputShape;

/** A 4-D weight as 2-D (the first three dimensions merged): never a valid rank. */
export const weightRank: RankSpec = { code: 'rank', reshape: (s) => [s[0] * s[1] * s[2], s[3]] };

/** A conv draft: tensors (conv2d, conv2dBackward) or plain shapes (conv2dOutputShape) as input and weight. */
export interface ConvDraft extends OptionsDraft {
  input: unknown;
  weight: unknown;
  gradOutput?: unknown;
}

export const inputSlot = slot<ConvDraft>('input');
export const weightSlot = slot<ConvDraft>('weight');
export const gradSlot = slot<ConvDraft>('gradOutput');
export const biasSlot: Slot<ConvDraft> = {
  name: 'bias',
  get: (d) => (typeof d.options === 'object' && d.options !== null ? (d.options as Conv2dOptions).bias : undefined),
  set: (d, v) => setOption(d, 'bias', v),
};

/**
 * Edits of the weight's or input's geometry and channels, shared by the
 * tensor and the shape-only functions: `make` turns a shape into the
 * argument (a tensor of zeros, or the shape itself).
 */
function geometryEdits<D extends ConvDraft>(cfg: ConvConfig, make: (s: readonly number[]) => unknown) {
  const { H, W, O, C, KH, KW, groups, pads } = cfg;
  const Cg = C / groups;
  const modeLimit = cfg.paddingMode === 'reflect' || cfg.paddingMode === 'circular';
  const withC = (c: number): number[] => {
    const s = [...cfg.inputShape];
    s[s.length - 3] = c;
    return s;
  };
  const padsWith = (axis: 0 | 1, side: 0 | 1, p: number): number[][] => {
    const out = pads.map((a) => [...a]);
    out[axis][side] = Math.max(out[axis][side], p);
    return out;
  };
  const modeEdit = (mode: string, name: string, axis: 0 | 1, side: 0 | 1, p: number): Edit<D> =>
    edit('geometry', 0, name, ['padding'], (d) => {
      setOption(d, 'paddingMode', mode);
      setOption(d, 'padding', padsWith(axis, side, p));
    });
  const geometry: Edit<D>[] = [
    edit('geometry', 0, 'kernel taller than the unpadded input', ['kernel-too-large'], (d) => {
      d.weight = make([O, Cg, H + 1, KW]);
      setOption(d, 'padding', 'valid');
    }),
    edit('geometry', 0, 'pads of 2^30 (output too large)', modeLimit ? ['too-large', 'padding'] : ['too-large'], (d) =>
      setOption(d, 'padding', 2 ** 30),
    ),
    modeEdit('reflect', 'reflect with a top pad equal to the height', 0, 0, H),
    modeEdit('reflect', 'reflect with a right pad equal to the width', 1, 1, W),
    modeEdit('circular', 'circular with a bottom pad beyond the height', 0, 1, H + 1),
    ...(KH > 1
      ? [
          edit<D>('geometry', 0, 'dilation spreading the kernel beyond the input', ['kernel-too-large'], (d) => {
            setOption(d, 'dilation', [H + 1, 1]);
            setOption(d, 'padding', 'valid');
          }),
        ]
      : []),
  ];
  const either: ConvErrorCode[] = ['groups', 'channels'];
  const channels: Edit<D>[] = [
    edit('channels', 0, 'weight expects one more input channel', ['channels'], (d) => {
      d.weight = make([O, Cg + 1, KH, KW]);
    }),
    edit('channels', 0, 'input has one more channel', ['channels'], (d) => {
      d.input = make(withC(C + 1));
    }),
    edit('channels', 0, 'groups not dividing the output channels', either, (d) => setOption(d, 'groups', O + 1)),
    edit('channels', 0, 'one group more', either, (d) => setOption(d, 'groups', groups + 1)),
  ];
  return [choose(geometry), choose(channels)];
}

/** Bias edits: a present bias broken like any tensor, any bias replaced by a non-tensor or given the wrong length. */
export function biasEdits(dtype: DType, O: number, present: boolean): fc.Arbitrary<Edit<ConvDraft>>[] {
  const code = [OPTION_RULES.bias.code];
  const wrongLength = choose([
    edit<ConvDraft>('bias-shape', 1, 'bias one longer than the output channels', code, (d) =>
      setOption(d, 'bias', zeros(dtype, [O + 1])),
    ),
    edit<ConvDraft>('bias-shape', 1, 'bias of shape [O, 1]', code, (d) => setOption(d, 'bias', zeros(dtype, [O, 1]))),
  ]);
  const replaced = choose(
    NOT_TENSORS.map(([label, make, c]) =>
      edit<ConvDraft>('bias-value', 3, `bias is ${label}`, [c], (d) => setOption(d, 'bias', make())),
    ),
  );
  const broken = tensorSlotEdits(biasSlot, { nullishValid: true, rank: { code: 'bias', reshape: (s) => [1, ...s] } });
  return present ? [broken, replaced, wrongLength] : [replaced, wrongLength];
}

/** Every edit of a conv2d or conv2dBackward call (with `withGrad`, of its gradOutput too). */
function tensorCallEdits(c: GeneratedCase, withGrad: boolean): fc.Arbitrary<Edit<ConvDraft>>[] {
  const cfg = c.config;
  const hasBias = !!c.options.bias;
  const out = [...outputShapeOf(c)];
  out[out.length - 2]++;
  const gradEdits = [
    tensorSlotEdits(gradSlot, { rank: activationRank('grad-output') }),
    choose([
      edit<ConvDraft>('gradOutput-shape', 0, 'gradOutput one row taller', ['grad-output'], (d) => {
        d.gradOutput = zeros(cfg.dtype, out);
      }),
    ]),
  ];
  return [
    tensorSlotEdits(inputSlot, {
      rank: activationRank('rank'),
      zeroDim: { index: (s) => s.length - 3, code: 'shape' },
    }),
    tensorSlotEdits(weightSlot, { rank: weightRank, zeroDim: { index: () => 0, code: 'shape' } }),
    ...biasEdits(cfg.dtype, cfg.O, hasBias),
    ...(withGrad ? gradEdits : []),
    ...optionValueEdits<ConvDraft>('conv2d'),
    ...optionsObjectEdits<ConvDraft>('conv2d'),
    ...geometryEdits<ConvDraft>(cfg, (s) => zeros(cfg.dtype, s)),
    dtypeEdits([inputSlot, weightSlot, ...(hasBias ? [biasSlot] : []), ...(withGrad ? [gradSlot] : [])]),
    choose([...tensorForms(inputSlot), ...tensorForms(weightSlot), ...optionForms<ConvDraft>('conv2d', c.options)]),
  ];
}

/**
 * `conv2d(input, weight, options)` sessions: valid calls must match the
 * float64 model within the comparator's bound, in the formula's shape, and
 * agree with `conv2dOutputShape`.
 */
export function conv2dSessions(): fc.Arbitrary<FuzzSession> {
  return callSessions(
    convCases(),
    (c) => tensorCallEdits(c, false),
    (c) => ({
      target: 'conv2d',
      label: showCase(c),
      draft: (): ConvDraft => ({ input: c.input, weight: c.weight, options: { ...c.options } }),
      run: (s, d) => s.conv2d!(d.input as Tensor, d.weight as Tensor, d.options as Conv2dOptions),
      check: (r, s) => {
        const y = asTensor(r, 'conv2d');
        expectBounded(y, forwardExpectation(c));
        if (s.conv2dOutputShape)
          expectShape(y.shape, s.conv2dOutputShape(c.input.shape, c.weight.shape, c.options), 'conv2dOutputShape');
      },
    }),
  );
}

/** `conv2dBackward(gradOutput, input, weight, options)` sessions, checked against the model's gradients. */
export function conv2dBackwardSessions(): fc.Arbitrary<FuzzSession> {
  const cases = convCases().chain((c) => tensorData(c.config.dtype, outputShapeOf(c)).map((dy) => ({ c, dy })));
  return callSessions(
    cases,
    ({ c }) => tensorCallEdits(c, true),
    ({ c, dy }) => ({
      target: 'conv2dBackward',
      label: `${showCase(c)} with gradOutput ${showTensor(dy)}`,
      draft: (): ConvDraft => ({ input: c.input, weight: c.weight, options: { ...c.options }, gradOutput: dy }),
      run: (s, d) =>
        s.conv2dBackward!(d.gradOutput as Tensor, d.input as Tensor, d.weight as Tensor, d.options as Conv2dOptions),
      check: (r) => {
        const g = r as Conv2dGradients;
        const e = gradientExpectations(c, dy);
        expectBounded(asTensor(g.gradInput, 'gradInput'), e.gradInput);
        expectBounded(asTensor(g.gradWeight, 'gradWeight'), e.gradWeight);
        expectBounded(asTensor(g.gradBias, 'gradBias'), e.gradBias);
      },
    }),
  );
}

/** Every way to break a plain shape argument of conv2dOutputShape. */
function shapeArgEdits(key: 'input' | 'weight', rank: (s: number[]) => number[], zeroAt: number) {
  const f = `${key}Shape`;
  const on = (g: (s: number[]) => unknown) => (d: ConvDraft) => {
    const v = d[key];
    if (Array.isArray(v)) d[key] = g([...v]);
  };
  const broken = (what: string, codes: ConvErrorCode[], g: (s: number[]) => unknown, stage: Stage = 1, h = false) =>
    edit<ConvDraft>(f, stage, `${f} ${what}`, codes, on(g), h);
  const notShapes: unknown[] = [5, 'abc', null, undefined, { length: 4 }, new Int32Array(4), {}];
  return choose<ConvDraft>([
    ...notShapes.map((v) => broken(`is ${showLiteral(v)}`, ['shape'], () => v, 3)),
    ...SHAPE_BREAKS.map(([what, codes, apply]) => broken(what, codes, apply)),
    broken('has the wrong rank', ['rank'], rank),
    broken('has a zero channel count', ['shape'], (s) => s.map((v, i) => (i === zeroAt ? 0 : v))),
    broken('is an array whose elements throw', [], hostileArray, 3, true),
  ]);
}

/** `conv2dOutputShape(inputShape, weightShape, options)` sessions, checked against the suite's formula. */
export function conv2dOutputShapeSessions(): fc.Arbitrary<FuzzSession> {
  return callSessions(
    convCases(),
    (c): fc.Arbitrary<Edit<ConvDraft>>[] => [
      shapeArgEdits('input', (s) => (s.length === 4 ? [1, ...s] : s.slice(1)), c.input.shape.length - 3),
      shapeArgEdits('weight', (s) => s.slice(1), 0),
      ...biasEdits(c.config.dtype, c.config.O, !!c.options.bias),
      ...optionValueEdits<ConvDraft>('conv2d'),
      ...optionsObjectEdits<ConvDraft>('conv2d'),
      ...geometryEdits<ConvDraft>(c.config, (s) => [...s]),
      choose(optionForms<ConvDraft>('conv2d', c.options)),
    ],
    (c) => ({
      target: 'conv2dOutputShape',
      label: `conv2dOutputShape(${showShape(c.input.shape)}, ${showShape(c.weight.shape)}, ${JSON.stringify(c.config.options)})`,
      draft: (): ConvDraft => ({ input: [...c.input.shape], weight: [...c.weight.shape], options: { ...c.options } }),
      run: (s, d) => s.conv2dOutputShape!(d.input as number[], d.weight as number[], d.options as Conv2dOptions),
      check: (r, _, d) => {
        expectShape(r as number[], outputShapeOf(c), 'conv2dOutputShape');
        if (r === d.input || r === d.weight) throw new Error('conv2dOutputShape returned one of its arguments');
      },
    }),
  );
}
