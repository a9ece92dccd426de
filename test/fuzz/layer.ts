/**
 * Sessions of the `Conv2d` layer: `new Conv2d(config)` with valid or broken
 * configs (the conv options' bad values derived from the option table),
 * then, for a valid layer, a random sequence of forward/backward (valid or
 * broken arguments, backward before any forward), zeroGrad, parameters and
 * sgd. Forward and backward are checked against the suite's float64 model
 * with the layer's parameters at the time, gradients as added into `.grad`,
 * and a failed step must leave the layer untouched.
 */
import fc from 'fast-check';
import type { Conv2d, Conv2dConfig, ConvErrorCode, Parameter, Tensor } from '../../src/index.js';
import { FUZZ_LIMITS } from './conv.js';
import {
  applyEdits,
  asTensor,
  choose,
  edit,
  editedLabel,
  expectShape,
  hostile,
  pickEdits,
  sameBits,
  session,
  showLiteral,
  type Edit,
  type FuzzCall,
  type FuzzSession,
} from './engine.js';
import { optionForms, optionsObjectEdits, optionValueEdits, setOption, type OptionsDraft } from './options.js';
import { layerSgdCall } from './sgd.js';
import {
  convConfig,
  dtypeOfTensor,
  expectBounded,
  forwardExpectation,
  gradientExpectations,
  showTensor,
  tensorData,
  type ConvConfig,
  type GeneratedCase,
} from './suite.js';
import {
  activationRank,
  dtypeEdits,
  onTensor,
  tensorSlotEdits,
  zeros,
  type Slot,
  type TensorSlotSpec,
} from './tensorArgs.js';

/** The layer's config, in the drafts' `options` field (so the option table's edits apply to it). */
type LayerDraft = OptionsDraft;

function layerConfigOf(cfg: ConvConfig, seed: number, dtypeGiven: boolean): Record<string, unknown> {
  const entries = Object.entries({
    inChannels: cfg.C,
    outChannels: cfg.O,
    kernelSize: cfg.KH === cfg.KW ? cfg.KH : [cfg.KH, cfg.KW],
    ...cfg.options,
    bias: cfg.bias,
    dtype: dtypeGiven || cfg.dtype === 'float64' ? cfg.dtype : undefined,
    seed,
  });
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** The config edits only a layer has (its sizes, dtype, bias flag and seed), each key its own family. */
function layerOnlyEdits(cfg: ConvConfig): fc.Arbitrary<Edit<LayerDraft>> {
  const values = (key: string, bad: readonly unknown[], codes: readonly ConvErrorCode[]): Edit<LayerDraft>[] =>
    bad.map((v) => edit(key, 1, `${key}: ${showLiteral(v)}`, codes, (d) => setOption(d, key, v)));
  const counts: readonly unknown[] = [0, -1, 1.5, '3', Number.NaN, null, Infinity];
  const replace = (v: unknown, codes: ConvErrorCode[]) =>
    edit<LayerDraft>('config', 3, `config is ${showLiteral(v)}`, codes, (d) => {
      d.options = v;
    });
  return choose([
    ...values('inChannels', counts, ['shape']),
    ...values('outChannels', counts, ['shape']),
    ...values('inChannels', [2 ** 31], ['too-large', 'groups']),
    ...values('kernelSize', [...counts, [3], [3, 3, 3], [3, '3'], [0, 1]], ['shape']),
    ...values('groups', [cfg.C + 1], ['groups']),
    ...(cfg.groups > 1 ? values('inChannels', [cfg.C + 1], ['groups']) : []),
    ...values('dtype', ['float16', 5, 'Float32'], ['dtype']),
    ...values('bias', ['yes', 1, null], ['option']),
    ...values('seed', ['1', Number.NaN, Infinity, {}], ['option']),
    ...['in_channels', 'kernel'].map((k) =>
      edit<LayerDraft>('name', 1, `unknown key ${k}`, ['option'], (d) => setOption(d, k, 1)),
    ),
    ...[null, undefined].map((v) => replace(v, ['option'])),
    replace([], ['shape', 'option']),
    edit(
      'options',
      4,
      'config.kernelSize is a throwing getter',
      [],
      (d) => {
        if (typeof d.options === 'object' && d.options !== null)
          d.options = hostile(d.options as Record<string, unknown>, 'kernelSize');
      },
      true,
    ),
  ]);
}

/** A forward input or backward gradient, as a draft its edits change. */
interface ArgDraft {
  v: unknown;
}

/** Every way to break the argument of forward (`x`) or backward (`dy`): as any tensor, its dtype, its size. */
function argEdits(name: 'x' | 'dy'): fc.Arbitrary<Edit<ArgDraft>> {
  const s: Slot<ArgDraft> = {
    name,
    get: (d) => d.v,
    set: (d, v) => {
      d.v = v;
    },
  };
  const [axis, what, code] = name === 'x' ? [3, 'one more channel', 'channels'] : [2, 'one row more', 'grad-output'];
  const grown = onTensor(s, (t) => {
    const shape = [...t.shape];
    shape[shape.length - axis]++;
    return zeros(dtypeOfTensor(t as Tensor), shape);
  });
  // A zero-sized gradOutput is just of the wrong shape; a zero-channel input is refused as a shape.
  const spec: TensorSlotSpec =
    name === 'x'
      ? { rank: activationRank('rank'), zeroDim: { index: (sh) => sh.length - 3, code: 'shape' } }
      : { rank: activationRank('grad-output') };
  return fc.oneof(
    tensorSlotEdits(s, spec),
    dtypeEdits([s]),
    choose([edit(name, 0, `${name} with ${what}`, [code as ConvErrorCode], grown)]),
  );
}

type LayerOp =
  | { readonly op: 'forward' | 'backward'; readonly edit: Edit<ArgDraft> | null }
  | { readonly op: 'zeroGrad' | 'parameters' }
  | { readonly op: 'sgd'; readonly lr: number };

/** Forward and backward with a valid argument two times in three, else a broken one. */
const pass = (op: 'forward' | 'backward') =>
  fc
    .oneof(
      { weight: 2, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: argEdits(op === 'forward' ? 'x' : 'dy') },
    )
    .map((e): LayerOp => ({ op, edit: e }));

const layerOp: fc.Arbitrary<LayerOp> = fc.oneof(
  { weight: 4, arbitrary: pass('forward') },
  { weight: 4, arbitrary: pass('backward') },
  { weight: 1, arbitrary: fc.constantFrom({ op: 'zeroGrad' as const }, { op: 'parameters' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: -4, max: 4 }).map((m) => ({ op: 'sgd' as const, lr: m / 16 })) },
);

/** What the calls of one session share. */
export interface LayerState {
  layer: Conv2d | null;
  lastInput: Tensor | null;
  /** No sgd since the last forward: the model may check backward against the forward's weights. */
  weightsSinceForward: boolean;
  gradsZero: boolean;
}

const paramTensor = (p: Parameter): Tensor => ({ shape: [...p.shape], data: p.data.slice() });
const snapshot = (layer: Conv2d): number[][] =>
  layer.parameters().flatMap((p) => [Array.from(p.data), Array.from(p.grad)]);

function expectUnchanged(layer: Conv2d, before: number[][], what: string): void {
  const now = snapshot(layer);
  if (now.length !== before.length || now.some((a, i) => !sameBits(a, before[i])))
    throw new Error(`${what} changed the layer's parameters or gradients`);
}

/** The model case of the layer's conv with its current parameters. */
function layerCase(layer: Conv2d, cfg: ConvConfig, x: Tensor): GeneratedCase {
  const bias = layer.bias ? paramTensor(layer.bias) : null;
  const options = bias ? { ...cfg.options, bias } : { ...cfg.options };
  return { input: x, weight: paramTensor(layer.weight), options, config: cfg };
}

/**
 * `layer.forward(x)` or `layer.backward(dy)` with a valid or broken argument,
 * checked against the model with the layer's parameters at the time
 * (backward only when no sgd step came since the forward), and `.grad`
 * against the model's gradients when it was zero before.
 */
function passCall(
  cfg: ConvConfig,
  pass: 'forward' | 'backward',
  chosen: Edit<ArgDraft> | null,
  x: Tensor,
  dy: Tensor,
  st: LayerState,
): FuzzCall {
  const forward = pass === 'forward';
  const layer = (): Conv2d => st.layer!;
  const d: ArgDraft = { v: forward ? x : dy };
  chosen?.apply(d);
  // Whether backward comes before any successful forward is known only when the step runs.
  let noForward = false;
  let before: number[][] = [];
  let model: GeneratedCase | null = null;
  let checkGrads = false;
  return {
    target: 'Conv2d',
    edits: [`${pass}${chosen ? ` with ${chosen.name}` : ''}`],
    get codes(): ConvErrorCode[] {
      return noForward ? ['state'] : chosen ? [...chosen.codes] : [];
    },
    get hostile(): boolean {
      return !noForward && !!chosen?.hostile;
    },
    functions: forward ? ['conv2d', 'Conv2d.forward'] : ['Conv2d.backward', 'conv2dBackward'],
    run: () => {
      noForward = !forward && st.lastInput === null;
      before = snapshot(layer());
      checkGrads = st.gradsZero;
      if (forward) model = layerCase(layer(), cfg, x);
      else model = st.lastInput && st.weightsSinceForward ? layerCase(layer(), cfg, st.lastInput) : null;
      return forward ? layer().forward(d.v as Tensor) : layer().backward(d.v as Tensor);
    },
    check: (r) => {
      if (forward) {
        expectBounded(asTensor(r, 'Conv2d.forward'), forwardExpectation(model!));
        expectUnchanged(layer(), before, 'forward');
        st.lastInput = x;
        st.weightsSinceForward = true;
        return;
      }
      checkBackward(asTensor(r, 'Conv2d.backward'), layer(), before, model, checkGrads, x, dy);
      st.gradsZero = false;
    },
    unchanged: () => expectUnchanged(layer(), before, `a failed ${pass}`),
  };
}

function checkBackward(
  gx: Tensor,
  layer: Conv2d,
  before: number[][],
  model: GeneratedCase | null,
  checkGrads: boolean,
  x: Tensor,
  dy: Tensor,
): void {
  expectShape(gx.shape, x.shape, 'Conv2d.backward gradInput');
  const data = snapshot(layer).filter((_, i) => i % 2 === 0);
  if (data.some((a, i) => !sameBits(a, before[2 * i]))) throw new Error("backward changed the parameters' data");
  if (!model) return;
  const e = gradientExpectations(model, dy);
  expectBounded(gx, e.gradInput);
  if (!checkGrads) return;
  expectBounded({ shape: layer.weight.shape, data: layer.weight.grad }, e.gradWeight);
  if (layer.bias) expectBounded({ shape: layer.bias.shape, data: layer.bias.grad }, e.gradBias);
}

function methodCall(name: 'zeroGrad' | 'parameters', st: LayerState): FuzzCall {
  return {
    target: 'Conv2d',
    edits: [name],
    codes: [],
    hostile: false,
    functions: [],
    run: () => (name === 'zeroGrad' ? st.layer!.zeroGrad() : st.layer!.parameters()),
    check: (r) => {
      const { weight, bias } = st.layer!;
      if (name === 'zeroGrad') {
        if ([weight, ...(bias ? [bias] : [])].some((p) => p.grad.some((g) => !Object.is(g, 0))))
          throw new Error('zeroGrad left a non-zero (or −0) gradient');
        st.gradsZero = true;
        return;
      }
      const want = bias ? [weight, bias] : [weight];
      if (!Array.isArray(r) || r.length !== want.length || r.some((p, i) => p !== want[i]))
        throw new Error('parameters() is not [weight, bias?]');
    },
  };
}

function checkNewLayer(layer: Conv2d, cfg: ConvConfig): void {
  expectShape(layer.weight.shape, cfg.weightShape, 'Conv2d weight');
  if (dtypeOfTensor(layer.weight) !== cfg.dtype)
    throw new Error(`Conv2d weight dtype ${dtypeOfTensor(layer.weight)}, expected ${cfg.dtype}`);
  const [, Cg, KH, KW] = cfg.weightShape;
  const bound = 1 / Math.sqrt(Cg * KH * KW);
  for (const p of layer.parameters()) {
    if (p.grad.length !== p.data.length || p.grad.some((g) => g !== 0))
      throw new Error("a new layer must have zero gradients of its data's length");
    if (p.data.some((v) => !(Math.abs(v) <= Math.fround(bound) * (1 + 2 ** -20))))
      throw new Error(`Conv2d init outside ±1/√fan_in = ±${bound}`);
  }
  if ((layer.bias !== null) !== cfg.bias)
    throw new Error(`Conv2d bias ${layer.bias ? 'present' : 'absent'}, config says ${cfg.bias}`);
  if (layer.bias) expectShape(layer.bias.shape, [cfg.O], 'Conv2d bias');
}

/** `new Conv2d(config)` sessions, and method sequences on the valid layers. */
export function conv2dLayerSessions(): fc.Arbitrary<FuzzSession> {
  return convConfig({ ...FUZZ_LIMITS, dtype: 'both' }).chain((cfg) =>
    fc
      .record({
        seed: fc.nat(),
        dtypeGiven: fc.boolean(),
        x: tensorData(cfg.dtype, cfg.inputShape),
        dy: tensorData(cfg.dtype, cfg.batched ? [cfg.N, cfg.O, cfg.OH, cfg.OW] : [cfg.O, cfg.OH, cfg.OW]),
        // Half the layers are valid, so that method sequences get exercised too.
        edits: pickEdits(
          [
            layerOnlyEdits(cfg),
            ...optionValueEdits<LayerDraft>('conv2d'),
            ...optionsObjectEdits<LayerDraft>('conv2d'),
            choose(optionForms<LayerDraft>('conv2d', cfg.options)),
          ],
          2,
        ),
        ops: fc.array(layerOp, { minLength: 1, maxLength: 8 }),
      })
      .map(({ seed, dtypeGiven, x, dy, edits, ops }) => {
        const config = layerConfigOf(cfg, seed, dtypeGiven);
        const steps = ops.map((o) => ('edit' in o ? `${o.op}(${o.edit?.name ?? 'valid'})` : o.op));
        const names = edits.map((e) => e.name);
        const label = `${editedLabel(`new Conv2d(${JSON.stringify(config)})`, names)} then ${steps.join(', ')} with x ${showTensor(x)}, dy ${showTensor(dy)}`;
        return session('Conv2d', label, () => {
          const { draft, codes, hostile: h } = applyEdits<LayerDraft>({ options: { ...config } }, edits);
          const st: LayerState = { layer: null, lastInput: null, weightsSinceForward: false, gradsZero: true };
          const construct: FuzzCall = {
            target: 'Conv2d',
            edits: names,
            codes,
            hostile: h,
            functions: ['Conv2d'],
            run: (s) => new s.Conv2d!(draft.options as Conv2dConfig),
            check: (r) => {
              checkNewLayer(r as Conv2d, cfg);
              st.layer = r as Conv2d;
            },
          };
          if (codes.length > 0 || h) return [construct];
          const call = (op: LayerOp): FuzzCall => {
            if (op.op === 'sgd') return layerSgdCall(op.lr, st);
            if (op.op === 'forward' || op.op === 'backward') return passCall(cfg, op.op, op.edit, x, dy, st);
            return methodCall(op.op, st);
          };
          return [construct, ...ops.map(call)];
        });
      }),
  );
}
