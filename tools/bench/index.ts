/**
 * `npm run bench` / `convproof bench`: times our kernels beside TensorFlow.js
 * (`cpu`, `wasm`, and tfjs-node when installed) in one process on the same
 * shapes, and checks our results against the float64 model first, so a
 * fast-but-wrong kernel cannot report a speed.
 *
 * Not part of the library's entry point: it imports tfjs (dynamically) and
 * the suite's comparator.
 *
 * @example
 * import { runBenchmark, formatBenchReport } from 'convproof/dist/tools/bench/index.js';
 * console.log(formatBenchReport(await runBenchmark({ quick: true })));
 */
import { compareBounded, forwardExpectation, gradientExpectations } from '../../properties/spec/index.js';
import {
  createBackend,
  reference,
  type Backend,
  type Conv2dOptions,
  type KernelChoice,
  type KernelName,
  type Tensor,
} from '../../src/index.js';
import { fromChannelsFirst, fromOIHW, toChannelsFirst, toOIHW } from '../../src/formats.js';
import { seededRandom } from '../../src/random.js';
import {
  BACKWARD_PROBLEMS,
  describeProblem,
  FORWARD_PROBLEMS,
  GROUPS,
  LATENCY_PROBLEM,
  LAYOUT_PROBLEMS,
  outputShape,
  passFlops,
  type BenchGroup,
  type BenchProblem,
} from './problems.js';
import {
  backwardCall,
  forwardCall,
  latencyCall,
  loadPeers,
  muteBanner,
  type LoadedPeers,
  type Peer,
  type PreparedCall,
} from './tfjs.js';
import { timeInterleaved, type Clock, type Contender, type Measured, type TimingPlan } from './timing.js';

export { formatBenchReport } from './format.js';
export { GROUPS, type BenchGroup } from './problems.js';

/** A part of the benchmark that can be run alone. */
export type BenchPart = 'forward' | 'backward' | 'layouts' | 'latency';

/** What to run. */
export interface BenchOptions {
  /** Fewer samples, and tfjs-cpu's backward only where it takes seconds rather than minutes. */
  readonly quick?: boolean;
  /** Also write the report as JSON to this file. */
  readonly json?: string;
  /** Called with a line of progress per measured problem. */
  readonly onProgress?: (line: string) => void;
  /** Which of our kernel implementations to time. Default `'auto'` (WebAssembly SIMD where available). */
  readonly kernels?: KernelChoice;
  /** `'wall'` (default) or `'cpu'`: this process's CPU time, steadier while other processes load the machine. */
  readonly clock?: Clock;
  /** Which parts to run: `'forward'`, `'backward'`, `'layouts'`, `'latency'`. Default: all. */
  readonly only?: readonly BenchPart[];
}

/** The median time of one call. */
export interface BenchTiming {
  readonly ms: number;
  /** FLOPs per second / 1e9 (null for the latency row). */
  readonly gflops: number | null;
  readonly samples: number;
  readonly callsPerSample: number;
  /** The first call took seconds, so it was the only one (no warm-up). */
  readonly oneShot: boolean;
}

/** One peer on one problem: a time and the ratio, or why it is missing. */
export interface PeerResult {
  readonly peer: string;
  readonly timing: BenchTiming | null;
  /** Peer time / our time: how many times faster ours is. */
  readonly ratio: number | null;
  /** Set when the peer did only part of the work (e.g. tfjs-wasm has no weight gradient). */
  readonly partial: string | null;
  /** Set when there is no time: why. */
  readonly missing: string | null;
}

/** Our result checked against the float64 model with the design's bound. */
export interface BenchCheck {
  readonly ok: boolean;
  /** Worst err/(u·M) over the outputs (and every gradient). */
  readonly worstRatio: number;
  readonly message: string;
}

/** One measured problem. */
export interface BenchCase {
  readonly group: BenchGroup;
  readonly name: string;
  readonly shape: string;
  /** FLOPs per call (a backward call counts two passes). */
  readonly flops: number;
  /** Null when our result failed its check (no speed is reported for a wrong result). */
  readonly ours: BenchTiming | null;
  readonly check: BenchCheck;
  readonly peers: readonly PeerResult[];
  /** Something the numbers alone do not say (e.g. the cost of allocating the output). */
  readonly note?: string;
}

/** The geometric mean of our speed-up over one peer in one group, against the target. */
export interface BenchSummary {
  readonly group: BenchCase['group'];
  readonly peer: string;
  readonly geomean: number | null;
  /** Problems in the mean (those with a full-work time from the peer). */
  readonly count: number;
  readonly of: number;
  readonly target: number | null;
  readonly met: boolean | null;
}

/** Everything the benchmark measured. */
export interface BenchReport {
  readonly date: string;
  readonly runtime: string;
  readonly cpu: string;
  readonly cores: number;
  readonly kernels: KernelName;
  readonly tfjs: string | null;
  readonly quick: boolean;
  readonly clock: Clock;
  readonly cases: readonly BenchCase[];
  readonly summaries: readonly BenchSummary[];
  readonly notes: readonly string[];
  /** False when one of our results failed its check. */
  readonly ok: boolean;
}

/** Speed-up targets over tfjs-cpu (issue #7): geometric means per group (null: no target; the latency one was withdrawn by issue 13). */
export const TARGETS: Readonly<Record<BenchGroup, number | null>> = {
  forward: 5,
  backward: 50,
  layouts: null,
  latency: null,
};

/** tfjs-cpu's weight gradient runs near 0.013 GFLOP/s: in quick mode it is timed only below this many FLOPs per pass. */
const QUICK_CPU_BACKWARD_LIMIT = 50e6;

function plan(quick: boolean, clock: Clock): TimingPlan {
  return quick
    ? { clock, samples: 5, budgetMs: 1500, minSampleMs: 10, warmupMs: 100, oneShotMs: 2000 }
    : { clock, samples: 11, budgetMs: 6000, minSampleMs: 25, warmupMs: 300, oneShotMs: 5000 };
}

function randomData(length: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length }, () => rand() * 2 - 1);
}

function optionsOf(p: BenchProblem): Conv2dOptions {
  return { stride: p.stride, padding: p.padding, groups: p.groups };
}

/** The tensors and options ours is called with: the problem's NCHW/OIHW ones, or the same values as NHWC/HWIO. */
function inLayout(p: BenchProblem, x: Tensor, w: Tensor, options: Conv2dOptions) {
  if (p.layout === 'NCHW') return { x, w, options, dy: (dy: Tensor) => dy };
  const nhwc = (t: Tensor) => fromChannelsFirst('NHWC', [t.shape[0], t.shape[2], t.shape[3], t.shape[1]], t.data);
  const [O, Cg, KH, KW] = w.shape;
  return {
    x: nhwc(x),
    w: fromOIHW('HWIO', [KH, KW, Cg, O], w.data),
    options: { ...options, dataFormat: 'NHWC', filterFormat: 'HWIO' } as const,
    dy: nhwc,
  };
}

/** A result of ours in the problem's layout, as NCHW (or OIHW) values to check against the model. */
function asChannelsFirst(p: BenchProblem, t: Tensor, shape: readonly number[], filter = false): Tensor {
  if (p.layout === 'NCHW') return t;
  return { shape, data: filter ? toOIHW('HWIO', t) : toChannelsFirst('NHWC', t) };
}

function timing(m: Measured, flops: number | null): BenchTiming {
  return {
    ms: m.ms,
    gflops: flops === null ? null : flops / m.ms / 1e6,
    samples: m.samples,
    callsPerSample: m.callsPerSample,
    oneShot: m.oneShot,
  };
}

/** Our contender plus one per peer, each with the prepared call it times. */
interface Lineup {
  readonly contenders: Contender[];
  readonly calls: PreparedCall[];
  readonly missing: Map<string, string>;
}

async function lineup(loaded: LoadedPeers, ours: () => void, prepare: Prepare): Promise<Lineup> {
  const contenders: Contender[] = [{ name: 'ours', enter: async () => {}, run: ours }];
  const calls: PreparedCall[] = [];
  const missing = new Map<string, string>();
  for (const peer of loaded.peers) {
    const tf = loaded.tf!;
    // Tensors live on the backend that made them, so each peer's are made under its own.
    await tf.setBackend(peer.backend);
    const call = prepare(tf, peer);
    if (typeof call === 'string') {
      missing.set(peer.name, call);
      continue;
    }
    calls.push(call);
    contenders.push({
      name: peer.name,
      enter: () => tf.setBackend(peer.backend).then(() => {}),
      run: () => call.run(),
    });
  }
  return { contenders, calls, missing };
}

/** Prepares a peer's call on its backend, or says why it is not timed. */
type Prepare = (tf: NonNullable<LoadedPeers['tf']>, peer: Peer) => PreparedCall | string;

/** What every measurement of one run shares. */
interface Run {
  /** Our kernels, as options.kernels asked. */
  readonly backend: Backend;
  readonly loaded: LoadedPeers;
  readonly quick: boolean;
  readonly plan: TimingPlan;
}

async function measure(
  run: Run,
  group: BenchCase['group'],
  name: string,
  shape: string,
  flops: number | null,
  check: BenchCheck,
  ours: () => void,
  prepare: Prepare,
  partialOf: (peer: Peer) => string | null,
): Promise<BenchCase> {
  const { loaded } = run;
  const l = await lineup(loaded, ours, prepare);
  const times = check.ok ? await timeInterleaved(l.contenders, run.plan) : new Map<string, Measured>();
  for (const call of l.calls) call.dispose();
  const mine = times.get('ours');
  const oursTiming = mine ? timing(mine, flops) : null;
  const peers = loaded.peers.map((peer): PeerResult => {
    const t = times.get(peer.name);
    if (!t || !oursTiming) {
      return {
        peer: peer.name,
        timing: null,
        ratio: null,
        partial: null,
        missing: l.missing.get(peer.name) ?? (check.ok ? 'not run' : 'ours failed its check'),
      };
    }
    const partial = partialOf(peer);
    return {
      peer: peer.name,
      timing: timing(t, partial ? null : flops),
      ratio: t.ms / oursTiming.ms,
      partial,
      missing: null,
    };
  });
  return { group, name, shape, flops: flops ?? 0, ours: oursTiming, check, peers };
}

function checked(worstRatio: number, ok: boolean, message: string): BenchCheck {
  return { ok, worstRatio, message };
}

async function forwardCase(run: Run, p: BenchProblem, seed: number, group: BenchGroup = 'forward'): Promise<BenchCase> {
  const x: Tensor = {
    shape: p.input,
    data: randomData(
      p.input.reduce((a, b) => a * b),
      seed,
    ),
  };
  const w: Tensor = {
    shape: p.weight,
    data: randomData(
      p.weight.reduce((a, b) => a * b),
      seed + 1,
    ),
  };
  const options = optionsOf(p);
  const ours = inLayout(p, x, w, options);
  const y = asChannelsFirst(p, run.backend.conv2d(ours.x, ours.w, ours.options), outputShape(p));
  const cmp = compareBounded(y, forwardExpectation({ input: x, weight: w, options }));
  return measure(
    run,
    group,
    p.name,
    describeProblem(p),
    passFlops(p),
    checked(cmp.worstRatio, cmp.ok, cmp.message),
    () => run.backend.conv2d(ours.x, ours.w, ours.options),
    (tf) => forwardCall(tf, p, x.data as Float32Array, w.data as Float32Array),
    () => null,
  );
}

async function backwardCase(
  run: Run,
  p: BenchProblem,
  seed: number,
  group: BenchGroup = 'backward',
): Promise<BenchCase> {
  const x: Tensor = {
    shape: p.input,
    data: randomData(
      p.input.reduce((a, b) => a * b),
      seed,
    ),
  };
  const w: Tensor = {
    shape: p.weight,
    data: randomData(
      p.weight.reduce((a, b) => a * b),
      seed + 1,
    ),
  };
  const dy: Tensor = {
    shape: outputShape(p),
    data: randomData(
      outputShape(p).reduce((a, b) => a * b),
      seed + 2,
    ),
  };
  const options = optionsOf(p);
  const ours = inLayout(p, x, w, options);
  const dyIn = ours.dy(dy);
  const got = run.backend.conv2dBackward(dyIn, ours.x, ours.w, ours.options);
  const e = gradientExpectations({ input: x, weight: w, options }, dy);
  const cmps = [
    compareBounded(asChannelsFirst(p, got.gradInput, p.input), e.gradInput),
    compareBounded(asChannelsFirst(p, got.gradWeight, p.weight, true), e.gradWeight),
    compareBounded(got.gradBias, e.gradBias),
  ];
  const check = checked(
    Math.max(...cmps.map((c) => c.worstRatio)),
    cmps.every((c) => c.ok),
    cmps
      .map((c) => c.message)
      .filter(Boolean)
      .join('\n'),
  );
  const flops = 2 * passFlops(p);
  return measure(
    run,
    group,
    p.name,
    describeProblem(p),
    flops,
    check,
    () => run.backend.conv2dBackward(dyIn, ours.x, ours.w, ours.options),
    (tf, peer) => {
      if (run.quick && peer.name === 'tfjs-cpu' && passFlops(p) > QUICK_CPU_BACKWARD_LIMIT) {
        return `skipped in --quick: its weight gradient would take ~${Math.round(passFlops(p) / 0.013e9)} s`;
      }
      return backwardCall(
        tf,
        p,
        x.data as Float32Array,
        w.data as Float32Array,
        dy.data as Float32Array,
        peer.noWeightGradient === null,
      );
    },
    (peer) => (peer.noWeightGradient ? `input gradient only: ${peer.noWeightGradient}` : null),
  );
}

/**
 * The chapter's X (ones with a band of zeros in columns 2–5) ∗ K = [1, −1]: per-call overhead,
 * checked exact against the reference. (No speed target since issue 13.)
 */
async function latencyCases(run: Run): Promise<BenchCase[]> {
  const [H, W] = LATENCY_PROBLEM.X;
  const X: Tensor = {
    shape: [H, W],
    data: Float32Array.from({ length: H * W }, (_, i) => (i % W >= 2 && i % W < 6 ? 0 : 1)),
  };
  const K: Tensor = { shape: [...LATENCY_PROBLEM.K], data: Float32Array.from([1, -1]) };
  const expected = Array.from(reference.corr2d(X, K).data);
  const exact = (data: ArrayLike<number>): boolean => Array.from(data).every((v, i) => Object.is(v, expected[i]));
  const shape = `${H}×${W} ∗ ${LATENCY_PROBLEM.K.join('×')}`;
  const tfjs: Prepare = (tf) => latencyCall(tf, X.data as Float32Array, X.shape, K.data as Float32Array, K.shape);
  const same = exact(run.backend.corr2d(X, K).data);
  const one = await measure(
    run,
    'latency',
    LATENCY_PROBLEM.name,
    shape,
    null,
    checked(0, same, same ? '' : 'corr2d(X, K) differs from the reference'),
    () => run.backend.corr2d(X, K),
    tfjs,
    () => null,
  );
  return [one];
}

function geomean(values: readonly number[]): number | null {
  return values.length ? Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length) : null;
}

function summarise(cases: readonly BenchCase[], peers: readonly Peer[]): BenchSummary[] {
  const out: BenchSummary[] = [];
  for (const group of GROUPS) {
    const inGroup = cases.filter((c) => c.group === group);
    if (!inGroup.length) continue;
    for (const peer of peers) {
      const results = inGroup.map((c) => c.peers.find((r) => r.peer === peer.name)!);
      const full = results.filter((r) => r.ratio !== null && r.partial === null).map((r) => r.ratio!);
      const partial = results.filter((r) => r.ratio !== null && r.partial !== null).map((r) => r.ratio!);
      const target = peer.name === 'tfjs-cpu' ? TARGETS[group] : null;
      const mean = geomean(full);
      // A peer that did only part of the work everywhere (tfjs-wasm's backward) gets only its partial line.
      if (full.length || !partial.length) {
        out.push({
          group,
          peer: peer.name,
          geomean: mean,
          count: full.length,
          of: inGroup.length,
          target,
          met: target === null || mean === null ? null : mean >= target,
        });
      }
      if (partial.length) {
        out.push({
          group,
          peer: `${peer.name} (its input gradient only)`,
          geomean: geomean(partial),
          count: partial.length,
          of: inGroup.length,
          target: null,
          met: null,
        });
      }
    }
  }
  return out;
}

async function machine(): Promise<{ runtime: string; cpu: string; cores: number }> {
  try {
    const os = await import('node:os');
    return { runtime: `Node ${process.version}`, cpu: os.cpus()[0]?.model ?? 'unknown CPU', cores: os.cpus().length };
  } catch {
    return { runtime: 'unknown runtime', cpu: 'unknown CPU', cores: 0 };
  }
}

/**
 * Runs the benchmark and returns the report (and writes it as JSON when asked).
 * @example const report = await runBenchmark({ quick: true, onProgress: (l) => console.error(l) });
 */
export async function runBenchmark(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick ?? false;
  const progress = options.onProgress ?? (() => {});
  const backend = createBackend({ kernels: options.kernels ?? 'auto' });
  const kernels = backend.kernels;
  const unmute = muteBanner();
  try {
    const loaded = await loadPeers();
    const clock = options.clock ?? 'wall';
    const run: Run = { backend, loaded, quick, plan: plan(quick, clock) };
    const cases: BenchCase[] = [];
    const step = async (c: () => Promise<BenchCase>, label: string): Promise<void> => {
      progress(`${label} …`);
      cases.push(await c());
    };
    const parts = new Set<BenchPart>(options.only ?? ['forward', 'backward', 'layouts', 'latency']);
    if (parts.has('forward')) {
      for (const [i, p] of FORWARD_PROBLEMS.entries())
        await step(() => forwardCase(run, p, 100 + 10 * i), `forward ${p.name}`);
    }
    if (parts.has('backward')) {
      for (const [i, p] of BACKWARD_PROBLEMS.entries())
        await step(() => backwardCase(run, p, 200 + 10 * i), `backward ${p.name}`);
    }
    if (parts.has('layouts')) {
      for (const [i, p] of LAYOUT_PROBLEMS.forward.entries())
        await step(() => forwardCase(run, p, 300 + 10 * i, 'layouts'), `layouts ${p.name}`);
      for (const [i, p] of LAYOUT_PROBLEMS.backward.entries())
        await step(() => backwardCase(run, p, 400 + 10 * i, 'layouts'), `layouts ${p.name} backward`);
    }
    if (parts.has('latency')) {
      progress('latency …');
      cases.push(...(await latencyCases(run)));
    }
    const notes = [...loaded.unavailable.map((u) => `peer unavailable: ${u}`), ...notesOf(cases, quick)];
    const report: BenchReport = {
      date: new Date().toISOString(),
      ...(await machine()),
      kernels,
      tfjs: loaded.version,
      quick,
      clock,
      cases,
      summaries: summarise(cases, loaded.peers),
      notes,
      ok: cases.every((c) => c.check.ok),
    };
    if (options.json) {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    }
    return report;
  } finally {
    unmute();
  }
}

function notesOf(cases: readonly BenchCase[], quick: boolean): string[] {
  const notes: string[] = cases.flatMap((c) => (c.note ? [`${c.group} ${c.name}: ${c.note}`] : []));
  const skipped = cases.flatMap((c) =>
    c.peers.filter((r) => r.missing?.startsWith('skipped')).map(() => `${c.group} ${c.name}`),
  );
  if (skipped.length)
    notes.push(
      `--quick: tfjs-cpu's backward not timed on ${skipped.join(', ')} (left out of its mean); run without --quick to time it`,
    );
  const oneShot = cases.flatMap((c) =>
    c.peers.filter((r) => r.timing?.oneShot).map((r) => `${r.peer} on ${c.group} ${c.name}`),
  );
  if (oneShot.length) notes.push(`one call only (it took seconds): ${oneShot.join(', ')}`);
  if (quick) notes.push('--quick: fewer samples; numbers are noisier');
  return notes;
}
