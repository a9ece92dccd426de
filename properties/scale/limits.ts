/**
 * How large the scale group's cases get in each profile, and the run
 * settings it shares between its properties (the work cap, measured once
 * per `verify` run, and the notes that say what was scaled).
 */
import type { ProfileName } from '../profile.js';

/**
 * Size limits of the scale group (per profile). Every value is an upper
 * end of a remainder-class table (see `classes.ts`), not a typical size:
 * most cases are small in everything but one or two blocked dimensions.
 * @example SCALE_LIMITS.quick.maxChannels // 65
 */
export interface ScaleLimits {
  /** Largest C/g and O/g (and number of groups of a depthwise case). */
  readonly maxChannels: number;
  /** Largest batch N. */
  readonly maxBatch: number;
  /** Largest output row OW. */
  readonly maxRow: number;
  /** Largest output plane OH·OW. */
  readonly maxPlane: number;
  /** Largest kernel side. */
  readonly maxKernel: number;
  /** Largest reduction C/g·KH·KW of one output. */
  readonly maxReduction: number;
  /**
   * log2 of the most multiply-adds one case may take (N·O·OH·OW·C/g·KH·KW).
   * Each property lowers it to fit its seconds below at the measured speeds
   * (and says so); `VerifyOptions.scaleWork` pins it.
   */
  readonly maxWork: number;
  /** Seconds the catalog of real layers should take; with the measured speeds it sets the catalog's work cap. */
  readonly catalogSeconds: number;
  /** Seconds each property of random cases should take; it sets their work cap the same way. */
  readonly caseSeconds: number;
  /** Seconds the threshold search after a failure may take. */
  readonly searchSeconds: number;
  /** Random cases per scale property, relative to the profile's runs. */
  readonly runsFactor: number;
}

/**
 * The scale limits of each profile.
 * @example SCALE_LIMITS.deep.maxPlane // 16641: 129×129 output positions
 */
export const SCALE_LIMITS: Readonly<Record<ProfileName, ScaleLimits>> = {
  quick: {
    maxChannels: 65,
    maxBatch: 65,
    maxRow: 130,
    maxPlane: 4225,
    maxKernel: 13,
    maxReduction: 4608,
    maxWork: 25,
    catalogSeconds: 5,
    caseSeconds: 2,
    searchSeconds: 30,
    runsFactor: 1,
  },
  ci: {
    maxChannels: 129,
    maxBatch: 129,
    maxRow: 260,
    maxPlane: 16641,
    maxKernel: 15,
    maxReduction: 9216,
    maxWork: 27,
    catalogSeconds: 30,
    caseSeconds: 20,
    searchSeconds: 60,
    runsFactor: 0.5,
  },
  deep: {
    maxChannels: 257,
    maxBatch: 257,
    maxRow: 520,
    maxPlane: 66049,
    maxKernel: 17,
    maxReduction: 18432,
    maxWork: 29,
    catalogSeconds: 120,
    caseSeconds: 60,
    searchSeconds: 120,
    runsFactor: 0.25,
  },
};

/**
 * The scale settings of one `verify` run, shared by its properties: the
 * limits, a pinned work cap (or null: measure it) and the measurement
 * once made.
 * @example const s: ScaleSettings = scaleSettings(SCALE_LIMITS.quick, 22, 100); s.calibration.size // 0 until measured
 */
export interface ScaleSettings {
  readonly limits: ScaleLimits;
  /** log2 work cap given by the caller (a replay), or null to measure. */
  readonly pinnedWork: number | null;
  /** Runs per property of this run, before a property's factor. */
  readonly runs: number;
  /** Seconds per multiply-add of each routine's check, measured once per run (the first property that needs one starts it). */
  readonly calibration: Map<string, Promise<number>>;
}

/**
 * Fresh scale settings for one run.
 * @example runSettings(...) // uses scaleSettings(profile.scale ?? SCALE_LIMITS[profile.name], options.scaleWork ?? null, runs)
 */
export function scaleSettings(limits: ScaleLimits, pinnedWork: number | null, runs = 100): ScaleSettings {
  if (pinnedWork !== null && !(Number.isInteger(pinnedWork) && pinnedWork >= 8 && pinnedWork <= 40)) {
    throw new Error(`verify: scaleWork must be an integer from 8 to 40 (log2 of multiply-adds), got ${pinnedWork}`);
  }
  return { limits, pinnedWork, runs, calibration: new Map() };
}
