/**
 * Profiles: how many runs and how large the cases, and the environment
 * variables that steer a run (`CONVPROOF_PROFILE`, `CONVPROOF_RUNS`,
 * `CONVPROOF_SEED`, `CONVPROOF_PATH`, `CONVPROOF_DTYPE`).
 *
 * quick (the default for `npm test`) keeps most shapes small because the
 * float64 model is a plain loop nest: H, W ≤ 9, C, O ≤ 4, N ≤ 3. The
 * configuration arbitrary's large arm adds 15% of cases of 4096 to about
 * 8192 multiply-adds in every profile, so that fast kernels are reached.
 */
import type { LargeArmConstraints } from './arbitraries/convConfig.js';
import type { ScaleLimits } from './scale/limits.js';
import type { DTypeChoice, SizeLimits } from './types.js';

/**
 * A profile's case sizes: the size limits, and the large arm of the
 * configuration arbitrary (cases big enough for a conv's fast kernels).
 * They travel together into every property's arbitrary.
 */
export interface ProfileLimits extends SizeLimits {
  /** The large arm (see `LargeArmConstraints`); left out, its defaults. */
  readonly large?: LargeArmConstraints;
}

/** A profile's name. */
export type ProfileName = 'quick' | 'ci' | 'deep';

/**
 * Runs and case sizes of one profile.
 * @example await verify(mine, { profile: { ...PROFILES.quick, runs: 20 } })
 */
export interface Profile {
  readonly name: ProfileName;
  /** fast-check runs per property (before a property's `runsFactor`). */
  readonly runs: number;
  readonly limits: ProfileLimits;
  /** Shrink steps allowed after a failure before the smallest counterexample so far is reported. */
  readonly maxShrinks: number;
  /** The scale group's sizes; default `SCALE_LIMITS[name]` (properties/scale/limits.ts). */
  readonly scale?: ScaleLimits;
}

/**
 * Case sizes of the quick profile (also the arbitraries' defaults).
 * @example convConfig({ ...QUICK_LIMITS, maxKernel: 1 })
 */
export const QUICK_LIMITS: SizeLimits = {
  maxBatch: 3,
  maxGroups: 3,
  maxChannels: 4,
  maxKernel: 3,
  maxStride: 3,
  maxDilation: 2,
  maxPad: 2,
  maxExtra: 3,
};

/**
 * The three profiles.
 * @example PROFILES.deep.runs // 2000
 */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  quick: { name: 'quick', runs: 100, limits: QUICK_LIMITS, maxShrinks: 200 },
  ci: {
    name: 'ci',
    runs: 400,
    limits: {
      maxBatch: 3,
      maxGroups: 3,
      maxChannels: 6,
      maxKernel: 4,
      maxStride: 3,
      maxDilation: 3,
      maxPad: 3,
      maxExtra: 5,
    },
    maxShrinks: 500,
  },
  deep: {
    name: 'deep',
    runs: 2000,
    limits: {
      maxBatch: 4,
      maxGroups: 4,
      maxChannels: 8,
      maxKernel: 5,
      maxStride: 4,
      maxDilation: 3,
      maxPad: 4,
      maxExtra: 9,
    },
    maxShrinks: 2000,
  },
};

/** What the environment asks of a run. */
export interface SuiteEnv {
  readonly profile: Profile;
  /** Runs per property: `CONVPROOF_RUNS`, else the profile's. */
  readonly runs: number;
  /** `CONVPROOF_SEED`, else a fresh random seed (print it: it replays the run). */
  readonly seed: number;
  /** Whether the seed came from `CONVPROOF_SEED`. */
  readonly seedFixed: boolean;
  /** `CONVPROOF_PATH`: replays one counterexample (with the seed and `-t` naming the property). */
  readonly path: string | undefined;
  /** `CONVPROOF_DTYPE` (float32, float64 or both), else both. */
  readonly dtype: DTypeChoice;
  /** `CONVPROOF_SCALE_WORK`: pins the scale group's work cap (log2 multiply-adds), as a replay does. */
  readonly scaleWork: number | undefined;
}

/** An environment-variable map (process.env in Node). */
export type EnvMap = Readonly<Record<string, string | undefined>>;

function processEnv(): EnvMap {
  const g = globalThis as { process?: { env?: EnvMap } };
  return g.process?.env ?? {};
}

function integerVar(env: EnvMap, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

/**
 * Reads the suite's environment variables; throws on a malformed value
 * rather than silently running something else.
 * @example const { profile, runs, seed } = suiteEnv(); // CONVPROOF_PROFILE=ci → 400 runs
 */
export function suiteEnv(env: EnvMap = processEnv()): SuiteEnv {
  const name = env.CONVPROOF_PROFILE || 'quick';
  if (!(name in PROFILES)) throw new Error(`CONVPROOF_PROFILE must be quick, ci or deep, got ${JSON.stringify(name)}`);
  const profile = PROFILES[name as ProfileName];
  const fixed = integerVar(env, 'CONVPROOF_SEED', -0x80000000);
  const dtype = env.CONVPROOF_DTYPE || 'both';
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'both') {
    throw new Error(`CONVPROOF_DTYPE must be float32, float64 or both, got ${JSON.stringify(dtype)}`);
  }
  return {
    profile,
    runs: integerVar(env, 'CONVPROOF_RUNS', 1) ?? profile.runs,
    seed: fixed ?? Math.floor(Math.random() * 0x7fffffff),
    seedFixed: fixed !== undefined,
    path: env.CONVPROOF_PATH || undefined,
    dtype,
    scaleWork: integerVar(env, 'CONVPROOF_SCALE_WORK', 8),
  };
}
