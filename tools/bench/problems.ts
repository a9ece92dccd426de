/**
 * The benchmark's problems: the shapes the issue names, one list per group,
 * so the table, the JSON and the ratios always describe the same calls.
 */
import { conv2dOutputShape } from '../../src/index.js';

/**
 * One conv2d problem, symmetric padding. `input` and `weight` are given as NCHW and OIHW;
 * `layout` says how ours is called: `'NCHW'` (those tensors) or `'NHWC'` (the same values
 * laid out as NHWC and HWIO, with `dataFormat`/`filterFormat`). tfjs always gets NHWC/HWIO,
 * its native layout, made before timing.
 */
export interface BenchProblem {
  /** A short name for the table, e.g. `'ResNet 3×3'`. */
  readonly name: string;
  readonly input: readonly [number, number, number, number];
  readonly weight: readonly [number, number, number, number];
  readonly stride: number;
  readonly padding: number;
  readonly groups: number;
  readonly layout: 'NCHW' | 'NHWC';
}

function problem(
  name: string,
  input: BenchProblem['input'],
  weight: BenchProblem['weight'],
  more: Partial<BenchProblem> = {},
): BenchProblem {
  return { name, input, weight, stride: 1, padding: 0, groups: 1, layout: 'NCHW', ...more };
}

/** Forward problems (the issue's list). */
export const FORWARD_PROBLEMS: readonly BenchProblem[] = [
  problem('LeNet', [1, 1, 28, 28], [6, 1, 5, 5], { padding: 2 }),
  problem('CIFAR batch', [16, 3, 32, 32], [16, 3, 3, 3]),
  problem('ResNet 3×3', [1, 64, 56, 56], [64, 64, 3, 3], { padding: 1 }),
  problem('batch of 4', [4, 32, 32, 32], [32, 32, 3, 3], { padding: 1 }),
  problem('depthwise', [1, 32, 56, 56], [32, 1, 3, 3], { padding: 1, groups: 32 }),
  problem('strided', [1, 32, 56, 56], [64, 32, 3, 3], { stride: 2, padding: 1 }),
];

/** Backward problems: input and weight gradients (and the bias gradient, ours only). */
export const BACKWARD_PROBLEMS: readonly BenchProblem[] = [
  FORWARD_PROBLEMS[0],
  FORWARD_PROBLEMS[1],
  FORWARD_PROBLEMS[2],
  problem('16 channels', [1, 16, 32, 32], [16, 16, 3, 3], { padding: 1 }),
];

/** One problem in both layouts, NCHW first (its name gains the layout). */
function bothLayouts(p: BenchProblem): BenchProblem[] {
  return (['NCHW', 'NHWC'] as const).map((layout) => ({ ...p, name: `${p.name} ${layout}`, layout }));
}

/**
 * The layouts group: forward problems where channels-last matters (a pointwise conv, which
 * has an NHWC fast path of its own; a depthwise one; a plain 3×3), and one backward problem,
 * each in NCHW and in NHWC.
 * @example LAYOUT_PROBLEMS.forward.map((p) => p.name) // ['pointwise 1×1 NCHW', 'pointwise 1×1 NHWC', 'depthwise NCHW', …]
 */
export const LAYOUT_PROBLEMS: {
  readonly forward: readonly BenchProblem[];
  readonly backward: readonly BenchProblem[];
} = {
  forward: [
    problem('pointwise 1×1', [1, 64, 56, 56], [128, 64, 1, 1]),
    FORWARD_PROBLEMS[4],
    FORWARD_PROBLEMS[2],
  ].flatMap(bothLayouts),
  backward: [BACKWARD_PROBLEMS[3]].flatMap(bothLayouts),
};

/** The chapter's corr2d: a 6×8 image with a vertical edge, and the kernel [1, −1]. */
export const LATENCY_PROBLEM = { name: 'chapter corr2d', X: [6, 8] as const, K: [1, 2] as const };

/** The output shape `[N, O, OH, OW]`, from the library's geometry (the formula lives there only). */
export function outputShape(p: BenchProblem): [number, number, number, number] {
  const [N, O, OH, OW] = conv2dOutputShape(p.input, p.weight, {
    padding: p.padding,
    stride: p.stride,
    groups: p.groups,
  });
  return [N, O, OH, OW];
}

/** Floating-point operations of one pass: `2·N·O·OH·OW·(C/g)·KH·KW`. */
export function passFlops(p: BenchProblem): number {
  const [N, O, OH, OW] = outputShape(p);
  return 2 * N * O * OH * OW * (p.input[1] / p.groups) * p.weight[2] * p.weight[3];
}

/** e.g. `1×64×56×56 ∗ 64×64×3×3 p1 s2 g32`. */
export function describeProblem(p: BenchProblem): string {
  const extra = [
    p.padding ? `p${p.padding}` : '',
    p.stride > 1 ? `s${p.stride}` : '',
    p.groups > 1 ? `g${p.groups}` : '',
  ].filter(Boolean);
  return `${p.input.join('×')} ∗ ${p.weight.join('×')}${extra.length ? ` ${extra.join(' ')}` : ''}`;
}

/**
 * What is timed: `forward` and `backward` over the problem shapes; `layouts`, a few of them
 * in NCHW and in NHWC side by side; `latency`, one call of the chapter's corr2d.
 */
export type BenchGroup = 'forward' | 'backward' | 'layouts' | 'latency';

/** The groups, in the order they run and print. */
export const GROUPS: readonly BenchGroup[] = ['forward', 'backward', 'layouts', 'latency'];
