/**
 * Timing several implementations of one call, interleaved: each round runs
 * every contender once, so load from other processes falls on all of them
 * alike, and the reported time is the median of the rounds.
 */

/** Something to time: `enter` switches to it (e.g. a tfjs backend), `run` makes one call. */
export interface Contender {
  readonly name: string;
  enter(): Promise<void>;
  run(): void;
}

/**
 * What a time is: `'wall'`, elapsed time (what a user waits), or `'cpu'`, this
 * process's CPU time, which leaves out the time other processes take the
 * cores away (steadier on a busy machine; every contender here runs on one
 * thread).
 */
export type Clock = 'wall' | 'cpu';

/** How long and how often to measure. */
export interface TimingPlan {
  readonly clock: Clock;
  /** Rounds after the warm-up (the median is taken over them). */
  readonly samples: number;
  /** A contender stops sampling once its samples add up to this (it keeps at least one). */
  readonly budgetMs: number;
  /** Calls are repeated within a sample until the sample lasts about this long. */
  readonly minSampleMs: number;
  /** Calls are repeated during the warm-up until it lasts this long (so the JIT has optimised them). */
  readonly warmupMs: number;
  /** A first call longer than this is kept as the only sample (no second run). */
  readonly oneShotMs: number;
}

/** The median time of one call of a contender. */
export interface Measured {
  readonly ms: number;
  readonly samples: number;
  readonly callsPerSample: number;
  /** True when the single warm-up call was so long it was kept as the only sample. */
  readonly oneShot: boolean;
}

/** The current time in ms on a clock. */
function reading(clock: Clock): number {
  if (clock === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

interface State {
  readonly c: Contender;
  calls: number;
  spent: number;
  readonly times: number[];
  oneShot: boolean;
}

/** Calls per sample so that one sample lasts about `minSampleMs`, found by doubling. */
function callsPerSample(run: () => void, plan: TimingPlan): number {
  for (let calls = 1; ; calls *= 2) {
    const t0 = reading(plan.clock);
    for (let i = 0; i < calls; i++) run();
    if (reading(plan.clock) - t0 >= plan.minSampleMs || calls >= 1 << 20) return calls;
  }
}

/** Warms a contender up; returns its state, with the first call as the only sample when that took seconds. */
async function warmUp(c: Contender, plan: TimingPlan): Promise<State> {
  await c.enter();
  const t0 = reading(plan.clock);
  c.run();
  const first = reading(plan.clock) - t0;
  if (first > plan.oneShotMs) return { c, calls: 1, spent: first, times: [first], oneShot: true };
  while (reading(plan.clock) - t0 < plan.warmupMs) c.run();
  return { c, calls: callsPerSample(() => c.run(), plan), spent: 0, times: [], oneShot: false };
}

/**
 * Times every contender: a warm-up (which also sizes the number of calls
 * per sample), then interleaved rounds.
 * @example const t = await timeInterleaved([ours, tfjsCpu], { clock: 'wall', samples: 7, budgetMs: 3000, minSampleMs: 20, warmupMs: 200, oneShotMs: 3000 });
 */
export async function timeInterleaved(
  contenders: readonly Contender[],
  plan: TimingPlan,
): Promise<Map<string, Measured>> {
  const states: State[] = [];
  for (const c of contenders) states.push(await warmUp(c, plan));
  for (let round = 0; round < plan.samples; round++) {
    for (const s of states) {
      if (s.oneShot || (s.times.length > 0 && s.spent >= plan.budgetMs)) continue;
      await s.c.enter();
      const t0 = reading(plan.clock);
      for (let i = 0; i < s.calls; i++) s.c.run();
      const t = reading(plan.clock) - t0;
      s.spent += t;
      s.times.push(t / s.calls);
    }
  }
  return new Map(
    states.map((s) => [
      s.c.name,
      { ms: median(s.times), samples: s.times.length, callsPerSample: s.calls, oneShot: s.oneShot },
    ]),
  );
}
