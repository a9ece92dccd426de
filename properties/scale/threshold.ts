/**
 * Shrinking that names the threshold. A failing scale case is shrunk one
 * size at a time (batch, channels, plane, kernel, strides…), each towards
 * its minimum by halving the distance, keeping every change that still
 * fails, until no size can go lower. At that smallest failing case every
 * size above its minimum is a threshold: one less holds. The search checks
 * that (and, for sizes up to 24 above their minimum, every smaller value)
 * and says it plainly: "holds for C ≤ 16, fails from C = 17".
 */
import { describeParams, normalise, shapeOf, type ScaleOp, type ScaleParams } from './params.js';

/** The sizes the search shrinks, in order (the costly ones first), with their minimum. */
const SIZES = [
  ['N', 1],
  ['O', 1],
  ['C', 1],
  ['groups', 1],
  ['OH', 1],
  ['OW', 1],
  ['KH', 1],
  ['KW', 1],
  ['sh', 1],
  ['sw', 1],
  ['dh', 1],
  ['dw', 1],
  ['pad', 0],
  ['extraH', 0],
  ['extraW', 0],
] as const;

type SizeKey = (typeof SIZES)[number][0];

/**
 * Options tried at their plain value first (a failure that needs none of
 * them says so), and positive values, under which a missing term cannot
 * hide in cancellation.
 */
const PLAIN: readonly Partial<ScaleParams>[] = [
  { padding: 'valid' },
  { mode: 'zeros' },
  { bias: false },
  { values: 'positive' },
];

/**
 * Reshapes that keep the work and move it into one size, so that a
 * threshold on a product (an output plane, the N·OH·OW or C/g·KH·KW
 * reduction) is named on one size: a 1×1 conv of the same input, one group
 * of all the channels, batch and plane into one row, the plane into one
 * row, the kernel into the channels. Kept only if the case still fails.
 */
const FOLDS: readonly ((p: ScaleParams) => Partial<ScaleParams>)[] = [
  (p) => {
    const { H, W } = shapeOf(p);
    const plain = { KH: 1, KW: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: 'valid', pad: 0, extraH: 0, extraW: 0 } as const;
    return { ...plain, OH: H, OW: W };
  },
  (p) => ({ groups: 1, C: p.C * p.groups, O: p.O * p.groups }),
  (p) => ({ N: 1, OH: 1, OW: p.N * p.OH * p.OW }),
  (p) => ({ OH: 1, OW: p.OH * p.OW }),
  (p) => ({ C: p.C * p.KH * p.KW, KH: 1, KW: 1 }),
];

/** Most cases run to confirm the thresholds of the smallest failing case. */
const CONFIRMATIONS = 8192;

/** How one size behaves at the smallest failing case. */
export interface SizeThreshold {
  readonly size: SizeKey;
  /** The smallest failing value. */
  readonly failsFrom: number;
  /** The smallest value of the run `holdsFrom … failsFrom − 1` that was checked and held (null: none held). */
  readonly holdsFrom: number | null;
  /** True when that run reaches the size's minimum. */
  readonly allBelow: boolean;
  /** A smaller value that fails too (the search ran out of budget before reaching it). */
  readonly alsoFails?: number;
}

/** What the search found. */
export interface ThresholdSearch {
  readonly smallest: ScaleParams;
  readonly thresholds: readonly SizeThreshold[];
  readonly evaluations: number;
  readonly seconds: number;
  /** True when the time or evaluation budget ended the search early. */
  readonly exhausted: boolean;
}

/** Candidates below v, nearest last: the minimum, then halving the distance (v − d/2, v − d/4, …, v − 1). */
function candidates(v: number, min: number): number[] {
  const out: number[] = [min];
  for (let d = Math.floor((v - min) / 2); d >= 1; d = Math.floor(d / 2)) out.push(v - d);
  return [...new Set(out)].filter((c) => c < v);
}

/** The values below `v` to confirm, nearest first: all of them (the budget may end the list early). */
function confirmations(v: number, min: number): number[] {
  return Array.from({ length: v - min }, (_, i) => v - 1 - i);
}

/**
 * Shrinks a failing case towards the smallest one that still fails and
 * confirms each remaining size's threshold.
 * @param fails runs the check on a case: true when it fails
 * @param canon makes each candidate a case that can be checked (default: valid; the group also moves it into the declared support)
 * @example await searchThreshold(failing, async (p) => !(await holds(p)), { seconds: 30, evaluations: 400 })
 */
export async function searchThreshold(
  start: ScaleParams,
  fails: (p: ScaleParams) => boolean | Promise<boolean>,
  budget: { readonly seconds: number; readonly evaluations: number },
  canon: (p: ScaleParams) => ScaleParams = normalise,
): Promise<ThresholdSearch> {
  const begin = performance.now();
  const seen = new Map<string, boolean>();
  let exhausted = false;
  let limit = budget.evaluations;
  const test = async (p: ScaleParams): Promise<boolean | null> => {
    const key = JSON.stringify(p);
    const known = seen.get(key);
    if (known !== undefined) return known;
    if (seen.size >= limit || performance.now() - begin > budget.seconds * 1000) {
      exhausted = true;
      return null;
    }
    const result = await fails(p);
    seen.set(key, result);
    return result;
  };
  let current = canon(start);
  const tryAll = async (edits: readonly ((p: ScaleParams) => Partial<ScaleParams>)[]) => {
    for (const edit of edits) {
      const q = canon({ ...current, ...edit(current) });
      if (JSON.stringify(q) !== JSON.stringify(current) && (await test(q))) current = q;
    }
  };
  await tryAll(PLAIN.map((plain) => () => plain));
  for (let round = 0; round < 2 && !exhausted; round++) {
    await tryAll(FOLDS);
    current = await descend(current, test, () => exhausted, canon);
  }
  // Confirming is cheap (the case is small by now): up to CONFIRMATIONS more cases, within the time budget.
  limit = seen.size + CONFIRMATIONS;
  const thresholds: SizeThreshold[] = [];
  for (const [key, min] of SIZES)
    if (current[key] > min) thresholds.push(await confirm(current, key, min, test, canon));
  return {
    smallest: current,
    thresholds,
    evaluations: seen.size,
    seconds: (performance.now() - begin) / 1000,
    exhausted,
  };
}

/**
 * Lowers each size in turn while the case keeps failing: first every size
 * straight to its minimum (cheap cases, and most sizes get there), then
 * halving the distance to the minimum.
 */
type Test = (p: ScaleParams) => Promise<boolean | null>;

/** Makes a candidate a case that can be checked (valid, and inside the declared support). */
type Canon = (p: ScaleParams) => ScaleParams;

async function descend(start: ScaleParams, test: Test, stop: () => boolean, canon: Canon): Promise<ScaleParams> {
  let current = start;
  for (const [key, min] of SIZES) {
    const q = canon({ ...current, [key]: min });
    if (q[key] < current[key] && (await test(q))) current = q;
  }
  let moved = true;
  while (moved && !stop()) {
    moved = false;
    for (const [key, min] of SIZES) {
      for (let step = true; step && current[key] > min; ) {
        step = false;
        for (const v of candidates(current[key], min)) {
          const q = canon({ ...current, [key]: v });
          if (q[key] >= current[key] || !(await test(q))) continue;
          [current, step, moved] = [q, true, true];
          break;
        }
      }
    }
  }
  return current;
}

async function confirm(p: ScaleParams, key: SizeKey, min: number, test: Test, canon: Canon): Promise<SizeThreshold> {
  let holdsFrom: number | null = null;
  for (const v of confirmations(p[key], min)) {
    const q = canon({ ...p, [key]: v });
    const result = q[key] === v ? await test(q) : null;
    if (result === true) return { size: key, failsFrom: p[key], holdsFrom, allBelow: false, alsoFails: v };
    if (result !== false) break;
    holdsFrom = v;
  }
  return { size: key, failsFrom: p[key], holdsFrom, allBelow: holdsFrom === min };
}

/** What each size is called for an operation (the transposed conv reads the conv's sizes the other way). */
function nameOf(key: SizeKey, p: ScaleParams, op: ScaleOp): string {
  const perGroup = p.groups > 1 ? '/g' : '';
  const transposed: Partial<Record<SizeKey, string>> = {
    C: `output channels${perGroup ? ' per group' : ''}`,
    O: `input channels${perGroup ? ' per group' : ''}`,
    OH: 'input height',
    OW: 'input width',
  };
  const plain: Record<SizeKey, string> = {
    N: 'N',
    C: `C${perGroup}`,
    O: `O${perGroup}`,
    groups: 'groups',
    OH: 'OH',
    OW: 'OW',
    KH: 'KH',
    KW: 'KW',
    sh: 'stride (rows)',
    sw: 'stride (columns)',
    dh: 'dilation (rows)',
    dw: 'dilation (columns)',
    pad: 'padding',
    extraH: 'rows past the last window',
    extraW: 'columns past the last window',
  };
  return (op === 'transpose' ? transposed[key] : undefined) ?? plain[key];
}

/** Sizes derived from the case that blocked kernels tile or reduce over. */
function derived(p: ScaleParams, op: ScaleOp): [string, number][] {
  const s = shapeOf(p);
  const common: [string, number][] = [
    ['output plane OH·OW', s.OH * s.OW],
    ['input row W', s.W],
    ['input plane H·W', s.H * s.W],
  ];
  if (op === 'forward') return [['reduction C/g·KH·KW', p.C * p.KH * p.KW], ...common];
  if (op === 'backward')
    return [['reduction N·OH·OW', p.N * s.OH * s.OW], ['reduction O/g·KH·KW', p.O * p.KH * p.KW], ...common];
  return [
    ['reduction C_in/g·KH·KW', p.O * p.KH * p.KW],
    ['output plane H·W', s.H * s.W],
    ['output row W', s.W],
    ['input plane OH·OW', s.OH * s.OW],
  ];
}

/** The derived sizes that change between one below the threshold and the threshold. */
function crossing(p: ScaleParams, t: SizeThreshold, op: ScaleOp): string {
  const below = derived(normalise({ ...p, [t.size]: t.failsFrom - 1 }), op);
  const at = derived(p, op);
  const changed = at.flatMap(([name, v], i) => (v !== below[i][1] ? [`${name} ${below[i][1]} → ${v}`] : []));
  return changed.length ? ` (${changed.join(', ')})` : '';
}

function sentence(p: ScaleParams, t: SizeThreshold, op: ScaleOp): string {
  const name = nameOf(t.size, p, op);
  const top = t.failsFrom - 1;
  const holds =
    t.holdsFrom === null
      ? `no smaller ${name} was checked`
      : t.allBelow
        ? `holds for ${name} ≤ ${top}`
        : `holds for ${t.holdsFrom} ≤ ${name} ≤ ${top} (smaller values ${t.alsoFails !== undefined ? 'not all checked' : 'not checked'})`;
  const also = t.alsoFails !== undefined ? `; ${name} = ${t.alsoFails} fails too (the search ran out of budget)` : '';
  return `${holds}, fails from ${name} = ${t.failsFrom}${crossing(p, t, op)}${also}`;
}

/**
 * The search as plain text: one threshold per line, then the smallest failing case.
 * @example describeThreshold(searchThreshold(p, fails, budget), 'forward') // 'holds for C ≤ 16, fails from C = 17 (…)\n…'
 */
export function describeThreshold(s: ThresholdSearch, op: ScaleOp): string {
  const lines = s.thresholds.map((t) => sentence(s.smallest, t, op));
  if (lines.length === 0) lines.push('fails at the smallest case the search reached (no size above its minimum)');
  const budget = s.exhausted ? ', stopped by its budget' : '';
  lines.push(`smallest failing case: ${describeParams(s.smallest, op)}`);
  lines.push(`(threshold search: ${s.evaluations} cases in ${s.seconds.toFixed(1)} s${budget})`);
  return lines.join('\n');
}
