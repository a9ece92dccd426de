/**
 * Sessions of `convTranspose2d`: valid calls are checked against the
 * suite's scatter model of the transposed convolution (not against
 * convproof's own reference); invalid ones break a tensor, an option (bad
 * values derived from the option table), the channels or the geometry.
 */
import type fc from 'fast-check';
import type { Conv2dGradients, ConvTranspose2dOptions, Tensor } from '../../src/index.js';
import { OPTION_RULES } from '../../src/options.js';
import { biasEdits, biasSlot, gradSlot, inputSlot, sized, weightRank, weightSlot, type ConvDraft } from './conv.js';
import { asTensor, callSessions, choose, edit, type Edit, type FuzzSession } from './engine.js';
import { optionForms, optionsObjectEdits, optionValueEdits, setOption } from './options.js';
import {
  dtypeOfTensor,
  expectBounded,
  resolveTranspose,
  showTensor,
  transposeCase,
  tensorData,
  transposeExpectation,
  transposeGradientExpectations,
  type TransposeCase,
} from './suite.js';
import { activationRank, dtypeEdits, tensorForms, tensorSlotEdits, zeros } from './tensorArgs.js';

/** Edits of the geometry: a crop of everything, outputPadding at its bound, an output too large; and the channels. */
function geometryEdits(c: TransposeCase): fc.Arbitrary<Edit<ConvDraft>>[] {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const dtype = dtypeOfTensor(c.input);
  // outputPadding's range from the table: per axis below the largest of these options' values.
  const bound = Math.max(...OPTION_RULES.outputPadding.below.map((name) => r[name][0]));
  const [C, Og, KH, KW] = c.weight.shape;
  return [
    choose<ConvDraft>([
      edit('geometry', 0, 'padding that crops the whole output', ['padding'], (d) =>
        setOption(d, 'padding', [
          [2 ** 30, 2 ** 30],
          [0, 0],
        ]),
      ),
      // In the geometry family: a stride edit could otherwise make this outputPadding legal again.
      // outputSize chooses the output padding itself: these edits take it out, or it would answer first.
      edit('geometry', 0, 'outputPadding at its bound on the rows', [OPTION_RULES.outputPadding.code], (d) => {
        setOption(d, 'outputSize', undefined);
        setOption(d, 'outputPadding', [bound, 0]);
      }),
      edit('geometry', 0, 'stride 2^30 with outputPadding 2^30−1 (output too large)', ['too-large'], (d) => {
        setOption(d, 'outputSize', undefined);
        setOption(d, 'stride', 2 ** 30);
        setOption(d, 'outputPadding', 2 ** 30 - 1);
      }),
      // The uncropped output plus the largest output padding, plus one: beyond every rule's reach.
      edit('geometry', 0, 'outputSize one row beyond the reachable sizes', [OPTION_RULES.outputSize.code], (d) => {
        setOption(d, 'outputPadding', undefined);
        setOption(d, 'outputSize', [r.OH + r.pads[0][0] + r.pads[0][1] - r.outputPadding[0] + bound, r.OW]);
      }),
    ]),
    choose<ConvDraft>([
      edit('channels', 0, 'weight for one more input channel', ['channels'], (d) => {
        d.weight = zeros(dtype, [C + 1, Og, KH, KW]);
      }),
      edit('channels', 0, 'groups not dividing the input channels', ['groups', 'channels'], (d) =>
        setOption(d, 'groups', r.C + 1),
      ),
    ]),
  ];
}

function editChoices(c: TransposeCase, withGrad = false): fc.Arbitrary<Edit<ConvDraft>>[] {
  const r = resolveTranspose(c.input.shape, c.weight.shape, c.options);
  const hasBias = !!c.options.bias;
  const taller = [...r.outputShape];
  taller[taller.length - 2]++;
  const gradEdits = [
    tensorSlotEdits(gradSlot, { rank: activationRank('grad-output') }),
    choose([
      edit<ConvDraft>('gradOutput-shape', 0, 'gradOutput one row taller', ['grad-output'], (d) => {
        d.gradOutput = zeros(dtypeOfTensor(c.input), taller);
      }),
    ]),
  ];
  return [
    tensorSlotEdits(inputSlot, {
      rank: activationRank('rank'),
      zeroDim: { index: (s) => s.length - 3, code: 'shape' },
    }),
    tensorSlotEdits(weightSlot, { rank: weightRank, zeroDim: { index: () => 1, code: 'shape' } }),
    ...biasEdits(dtypeOfTensor(c.input), r.O, hasBias),
    ...optionValueEdits<ConvDraft>('convTranspose2d'),
    ...optionsObjectEdits<ConvDraft>('convTranspose2d'),
    ...geometryEdits(c),
    ...(withGrad ? gradEdits : []),
    dtypeEdits([inputSlot, weightSlot, ...(hasBias ? [biasSlot] : []), ...(withGrad ? [gradSlot] : [])]),
    choose([
      ...tensorForms(inputSlot),
      ...tensorForms(weightSlot),
      ...optionForms<ConvDraft>('convTranspose2d', c.options),
    ]),
  ];
}

/** `convTranspose2d(input, weight, options)` sessions: valid calls within the bound of the scatter model. */
export function convTranspose2dSessions(): fc.Arbitrary<FuzzSession> {
  return callSessions(
    sized((limits) => transposeCase({ ...limits, dtype: 'both' })),
    editChoices,
    (c) => ({
      target: 'convTranspose2d',
      label: `convTranspose2d(input ${showTensor(c.input)}, weight ${showTensor(c.weight)}, ${JSON.stringify({ ...c.options, bias: c.options.bias && showTensor(c.options.bias) })})`,
      draft: (): ConvDraft => ({ input: c.input, weight: c.weight, options: { ...c.options } }),
      run: (s, d) => s.convTranspose2d!(d.input as Tensor, d.weight as Tensor, d.options as ConvTranspose2dOptions),
      check: (y) => expectBounded(asTensor(y, 'convTranspose2d'), transposeExpectation(c)),
    }),
  );
}

/** `convTranspose2dBackward(gradOutput, input, weight, options)` sessions, against the scatter model's chain rule. */
export function convTranspose2dBackwardSessions(): fc.Arbitrary<FuzzSession> {
  const cases = sized((limits) => transposeCase({ ...limits, dtype: 'both' })).chain((c) =>
    tensorData(dtypeOfTensor(c.input), resolveTranspose(c.input.shape, c.weight.shape, c.options).outputShape).map(
      (dy) => ({ c, dy }),
    ),
  );
  return callSessions(
    cases,
    ({ c }) => editChoices(c, true),
    ({ c, dy }) => ({
      target: 'convTranspose2dBackward',
      label: `convTranspose2dBackward(gradOutput ${showTensor(dy)}, input ${showTensor(c.input)}, weight ${showTensor(c.weight)}, ${JSON.stringify({ ...c.options, bias: c.options.bias && showTensor(c.options.bias) })})`,
      draft: (): ConvDraft => ({ input: c.input, weight: c.weight, options: { ...c.options }, gradOutput: dy }),
      run: (s, d) =>
        s.convTranspose2dBackward!(
          d.gradOutput as Tensor,
          d.input as Tensor,
          d.weight as Tensor,
          d.options as ConvTranspose2dOptions,
        ),
      check: (r) => {
        const g = r as Conv2dGradients;
        const e = transposeGradientExpectations(c, dy);
        expectBounded(asTensor(g.gradInput, 'gradInput'), e.gradInput);
        expectBounded(asTensor(g.gradWeight, 'gradWeight'), e.gradWeight);
        expectBounded(asTensor(g.gradBias, 'gradBias'), e.gradBias);
      },
    }),
  );
}
