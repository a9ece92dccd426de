/**
 * The bug zoo: conv implementations with exactly one realistic bug each,
 * which `verify` must reject, and correct ones written differently from
 * convproof's, which it must accept.
 */
import type { Supports } from '../../properties/support.js';
import type { ConvImplementation } from '../../properties/types.js';
import { blocked, SCALE_BLOCKS, type ScaleBug } from './blocked.js';
import { im2colConv } from './im2col.js';
import { naive, type Bugs } from './naive.js';
import { scatterConv } from './scatter.js';

/** The zoo's loop nests take the default layouts only (NCHW data, OIHW weights): what `verify` is told. */
export const ZOO_SUPPORTS: Supports = { dataFormats: ['NCHW'], filterFormats: ['OIHW'] };

/** One implementation of the zoo. */
export interface ZooEntry {
  /** Short kebab-case name, used in test names and the table. */
  readonly name: string;
  /** The bug (or, for a correct entry, the method) in one sentence. */
  readonly description: string;
  /** The real upstream bug it re-creates in spirit, e.g. 'PyTorch #51430'. */
  readonly upstream?: string;
  readonly impl: ConvImplementation;
}

function bug(name: string, description: string, bugs: Bugs, upstream?: string): ZooEntry {
  return { name, description, upstream, impl: naive(bugs) };
}

/** Correct implementations: `verify` must pass every one. */
export const correct: readonly ZooEntry[] = [
  { name: 'naive-gather', description: 'gather loop nest, padding-mode taps through a source map', impl: naive() },
  {
    name: 'im2col-matmul',
    description: 'explicit index padding + im2col + matrix products; col2im transposed conv',
    impl: im2colConv,
  },
  {
    name: 'direct-scatter',
    description: 'each padded pixel scatters into the outputs that read it; gather transposed conv',
    impl: scatterConv,
  },
  {
    name: 'blocked-tiles',
    description: 'blocked loop nest: channel, batch and output-channel blocks, position and row tiles, aligned copies',
    impl: blocked(),
  },
];

/** Buggy implementations: `verify` must reject every one. */
export const buggy: readonly ZooEntry[] = [
  // geometry
  bug('same-split-top-left', "'same' puts the odd padded pixel top/left (SAME_LOWER)", { sameSplitBefore: true }),
  bug('same-ignores-dilation', "'same' padding computed from the undilated kernel", { sameIgnoresDilation: true }),
  bug('stride-first-axis', 'stride[0] used for both axes', { strideFirstAxis: true }, 'Paddle #21225'),
  bug('dilation-ignored', 'taps walked with dilation 1 (output shape still right)', { dilationIgnored: true }),
  bug('dilation-height-only', 'dilation applied to the height taps only', { dilationHeightOnly: true }),
  bug('output-size-ceil', 'output size rounds up instead of down', { outputCeil: true }),
  bug(
    'numeric-pad-width-from-height',
    "numeric padding: the width's output size uses KH and sh",
    { numericPadWidthFromHeight: true },
    'tfjs #649',
  ),
  bug(
    'same-zeros-kernel-short',
    "'same' returns zeros when (ceil(in/s)−1)·s + effK < in",
    { sameZerosWhenKernelShort: true },
    'tfjs #8405',
  ),
  // indexing
  bug('group-modulo', 'output channel o reads group o % g instead of floor(o/(O/g))', { groupModulo: true }),
  bug('true-convolution', 'kernel flipped: convolution instead of cross-correlation', { trueConvolution: true }),
  bug('batch-stride-without-channels', 'image n starts at n·H·W (channels left out of the batch stride)', {
    batchStrideWithoutChannels: true,
  }),
  bug('row-stride-is-height', 'row stride H instead of W (a layout mix-up invisible on square images)', {
    rowStrideIsHeight: true,
  }),
  // padding modes and specials
  bug('reflect-symmetric', "'reflect' repeats the edge pixel", { reflectSymmetric: true }),
  bug('circular-wrong-side', "'circular' pads the top with the top rows", { circularWrongSide: true }),
  bug('replicate-as-zeros', "'replicate' pads with zeros", { replicateAsZeros: true }),
  bug('nan-swallowed', 'acc += x·w || 0 swallows NaN products', { nanSwallowed: true }),
  bug('padding-taps-multiplied', 'zero-padding taps multiplied: 0·Inf = NaN leaks into padded outputs', {
    paddingTapsMultiplied: true,
  }),
  // state and precision
  bug('weight-flipped-in-place', 'flips the caller’s weight in place and never flips it back', {
    weightFlippedInPlace: true,
  }),
  bug('input-normalised-in-place', 'scales the caller’s input into [−1, 1] in place (and the output back)', {
    inputNormalisedInPlace: true,
  }),
  bug('unbatched-shape-mutated', 'unshift(1) on the caller’s [C,H,W] shape array', { unbatchedShapeMutated: true }),
  bug('bfloat16-accumulator', 'running sum rounded to bfloat16 after every add', { accumulator: 'bfloat16' }),
  bug('tf32-products', 'operands rounded to TF32 (11 significant bits) before multiplying', { accumulator: 'tf32' }),
  bug('float32-accumulator-for-float64', 'float64 data accumulated in float32', { accumulator: 'float32' }),
  // bias
  bug('bias-twice', 'bias added twice', { biasTwice: true }),
  bug('bias-ignored', 'bias ignored', { biasIgnored: true }),
  bug('bias-group-local', 'bias of the channel index within its group, b[o % (O/g)]', { biasGroupLocal: true }),
  // gradients
  bug(
    'grad-weight-ignores-group',
    'gradWeight reads input channels without the group offset',
    { gradWeightIgnoresGroup: true },
    'PyTorch #51430',
  ),
  bug(
    'grad-input-first-group',
    "gradInput of every group lands in the first group's channels",
    { gradInputIntoFirstGroup: true },
    'PyTorch #50042',
  ),
  bug(
    'grad-input-ignores-dilation',
    'gradInput scattered with dilation 1',
    { gradInputIgnoresDilation: true },
    'Theano #4729',
  ),
  bug(
    'grad-input-drops-output-padding',
    'gradInput = transposed conv without the output padding that restores H',
    { gradInputDropsOutputPadding: true },
    'PyTorch #63314',
  ),
  bug('grad-input-drops-padded-taps', 'gradInput drops padding-mode taps instead of folding them back', {
    gradInputDropsPaddedTaps: true,
  }),
  bug('grad-bias-first-image', 'gradBias sums only the first image of the batch', { gradBiasFirstImage: true }),
  bug('grad-weight-last-image', 'gradWeight overwritten per image instead of summed over the batch', {
    gradWeightLastImage: true,
  }),
  bug('grad-weight-flipped', 'gradWeight computed with the taps flipped', { gradWeightFlipped: true }),
  // transposed conv
  bug(
    'transpose-pads-swapped',
    'convTranspose2d crops top by the bottom pad and left by the right pad',
    { transposePadsSwapped: true },
    'TensorFlow #45999',
  ),
  bug('transpose-output-padding-ignored', 'convTranspose2d ignores outputPadding', {
    transposeIgnoresOutputPadding: true,
  }),
  bug(
    'transpose-stride-dilation-swapped',
    'convTranspose2d scatters to i·d + k·s',
    { transposeStrideDilationSwapped: true },
    'PyTorch #63314',
  ),
];

/** A scale bug: wrong only above its block size, so only cases of real size can see it. */
export interface ScaleZooEntry extends ZooEntry {
  readonly bug: ScaleBug;
  /** The size above which it is wrong. */
  readonly block: number;
  /** The routine the bug is in: the scale property that must reject it. */
  readonly op: 'forward' | 'backward' | 'transpose';
  /** What the threshold search must say, e.g. 'holds for C ≤ 12, fails from C = 13'. */
  readonly threshold: string;
}

function scaleBug(bug: ScaleBug, op: ScaleZooEntry['op'], description: string, size: string): ScaleZooEntry {
  const block = SCALE_BLOCKS[bug];
  const threshold = `holds for ${size} ≤ ${block}, fails from ${size} = ${block + 1}`;
  return { name: bug, description, impl: blocked(bug), bug, block, op, threshold };
}

/** Scale bugs: the default `verify` must reject each and name its block size as the threshold. */
export const scaleBuggy: readonly ScaleZooEntry[] = [
  scaleBug('channelTail', 'forward', 'input channels in blocks of 12: the tail block skips its first channel', 'C'),
  scaleBug(
    'outputTail',
    'forward',
    'output channels in blocks of 16: the tail reads the previous block’s weights',
    'O',
  ),
  scaleBug('batchTail', 'forward', 'images in blocks of 4: the tail reads the input of the image 4 before', 'N'),
  scaleBug(
    'depthwiseTail',
    'forward',
    'depthwise channels in blocks of 9: the tail uses the kernel 9 channels before',
    'groups',
  ),
  scaleBug('planeTail', 'forward', 'output positions in tiles of 1536: the last partial tile is never written', 'OW'),
  scaleBug('rowTile', 'forward', 'columns in row tiles of 48: later tiles read one input column to the left', 'OW'),
  scaleBug('kernelUnroll', 'forward', 'kernel rows unrolled to 7 taps: wider kernels drop the taps past the 7th', 'KW'),
  scaleBug('splitK', 'forward', 'reductions over 2048 terms take a split-K path with bfloat16 running sums', 'C'),
  scaleBug(
    'alignedPitch',
    'forward',
    'rows wider than 24 copied with a pitch rounded to 8, read with the unrounded one',
    'OW',
  ),
  scaleBug(
    'gradWeightChunks',
    'backward',
    'gradWeight reduces N·OH·OW in chunks of 640 and drops the last partial chunk',
    'OW',
  ),
  scaleBug(
    'gradWeightOutputTail',
    'backward',
    'gradWeight output channels in blocks of 6: the tail reads the previous channel’s gradOutput',
    'O',
  ),
  scaleBug(
    'gradInputChannelTail',
    'backward',
    'gradInput input channels in blocks of 32: the tail channels get zeros',
    'C',
  ),
  scaleBug(
    'gradInputBatchTail',
    'backward',
    'gradInput images in blocks of 3: the tail takes the gradOutput of the image 3 before',
    'N',
  ),
  scaleBug(
    'transposeTileTail',
    'transpose',
    'convTranspose2d output in tiles of 1024 positions: the last partial tile is never written',
    'input width',
  ),
  scaleBug(
    'transposeOutputTail',
    'transpose',
    'convTranspose2d output channels in blocks of 8: the tail misses the last input channel',
    'output channels',
  ),
];
