/**
 * Declared support and conventions as `convproof verify` flags, so a replay
 * command carries exactly the declaration its run used (the module's, with
 * any flags over it), whatever the module declares by the time it is replayed.
 */
import type { Conventions, Supports } from './support.js';

const BOOLEAN_FLAGS = [
  ['dilation', '--no-dilation'],
  ['bias', '--no-bias'],
  ['unbatched', '--no-unbatched'],
  ['emptyBatch', '--no-empty-batch'],
  ['outputPadding', '--no-output-padding'],
  ['outputSize', '--no-output-size'],
] as const;

const CAP_FLAGS = [
  ['maxChannels', '--max-channels'],
  ['maxBatch', '--max-batch'],
  ['maxKernel', '--max-kernel'],
  ['maxSpatial', '--max-spatial'],
] as const;

/**
 * The flags stating `supports` and `conventions` (dtypes excepted: `--dtype` carries them).
 * @example declarationFlags({ dilation: false, paddingModes: ['zeros'] }, { same: 'lower' }) // ['--no-dilation', '--padding-modes zeros', '--same lower']
 */
export function declarationFlags(s: Supports, c: Conventions): string[] {
  const flags: string[] = [];
  for (const [key, flag] of BOOLEAN_FLAGS) if (s[key] === false) flags.push(flag);
  if (s.paddingModes) flags.push(`--padding-modes ${s.paddingModes.join(',')}`);
  if (s.padding) flags.push(`--padding-forms ${s.padding.join(',')}`);
  if (s.dataFormats) flags.push(`--data-formats ${s.dataFormats.join(',')}`);
  if (s.filterFormats) flags.push(`--filter-formats ${s.filterFormats.join(',')}`);
  if (s.groups && s.groups !== 'any') flags.push(`--groups ${s.groups}`);
  if (s.stride && s.stride !== 'any') flags.push(`--stride ${s.stride}`);
  for (const [key, flag] of CAP_FLAGS) if (s[key] !== undefined) flags.push(`${flag} ${s[key]}`);
  if (c.padded) flags.push(`--padded ${c.padded}`);
  if (c.same) flags.push(`--same ${c.same}`);
  const p = c.precision;
  if (p !== undefined) flags.push(`--precision ${typeof p === 'object' ? `u=${p.unitRoundoff}` : p}`);
  return flags;
}

/**
 * The declared support overridden field by field (the later wins; an
 * absent field leaves the earlier one).
 * @example mergeSupports(module.supports, { dilation: false }) // the CLI's --no-dilation over the module's
 */
export function mergeSupports(...layers: readonly (Supports | undefined)[]): Supports {
  const out: Record<string, unknown> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) out[k] = v;
  return out as Supports;
}
