/**
 * Declared support, applied to scale cases: a case is moved into what the
 * implementation declared it takes (its dtypes, padding modes and forms,
 * dilation, groups, strides, bias, size caps), so that no drawn case lies
 * outside it. Each change keeps the case as close as it can: a size cap
 * halves the size until it fits, an option it does not take goes to its
 * plain value. Deterministic, so a replay draws the same case.
 */
import type { Supports } from '../support.js';
import { normalise, shapeOf, type ScaleOp, type ScaleParams } from './params.js';

/** Halves `key` until `fits` holds or it reaches 1. */
function halve<K extends 'N' | 'C' | 'O' | 'groups' | 'OH' | 'OW' | 'KH' | 'KW'>(
  p: ScaleParams,
  key: K,
  fits: (q: ScaleParams) => boolean,
): ScaleParams {
  let q = p;
  while (!fits(q) && q[key] > 1) q = normalise({ ...q, [key]: Math.ceil(q[key] / 2) });
  return q;
}

function options(p: ScaleParams, s: Supports, op: ScaleOp): ScaleParams {
  let q = { ...p };
  if (s.dtypes?.length && !s.dtypes.includes(q.dtype)) q = { ...q, dtype: s.dtypes[0] };
  if (s.paddingModes && !s.paddingModes.includes(q.mode)) q = { ...q, mode: 'zeros' };
  // The transposed conv gets explicit pads from the spec whatever the case says; conv2d takes the case's form:
  // 'valid' (the option left out), 'same', or explicit pads as one number. One outside the declared forms
  // becomes the first declared one of 'same', 'number' and 'valid'.
  const forms = s.padding;
  const form = { valid: 'valid', same: 'same', explicit: 'number' } as const;
  if (forms && op !== 'transpose' && !forms.includes(form[q.padding])) {
    const to = (['same', 'number', 'valid'] as const).find((f) => forms.includes(f));
    if (to) q = { ...q, padding: to === 'number' ? 'explicit' : to, pad: to === 'number' ? Math.max(1, q.pad) : q.pad };
  }
  if (s.dilation === false) q = { ...q, dh: 1, dw: 1 };
  if (s.stride === 'none') q = { ...q, sh: 1, sw: 1 };
  if (s.stride === 'equal') q = { ...q, sw: q.sh };
  if (s.bias === false) q = { ...q, bias: false };
  if (s.groups === 'none') q = { ...q, C: q.C * q.groups, O: q.O * q.groups, groups: 1 };
  // 'depthwise' takes groups = 1 or groups = C: a grouped case of several channels a group becomes one group.
  if (s.groups === 'depthwise' && q.groups > 1 && q.C > 1)
    q = { ...q, C: q.C * q.groups, O: q.O * q.groups, groups: 1 };
  // Without outputPadding the transposed conv must restore its size exactly: no rows past the last window.
  if (op === 'transpose' && s.outputPadding === false) q = { ...q, extraH: 0, extraW: 0 };
  return normalise(q);
}

/**
 * The case moved into the declared support (unchanged when `s` is empty).
 * @example withinSupport({ ...MINIMAL_PARAMS, C: 65 }, { maxChannels: 32 }, 'forward').C // 33 (65 halved)
 */
export function withinSupport(p: ScaleParams, s: Supports, op: ScaleOp): ScaleParams {
  if (Object.keys(s).length === 0) return p;
  let q = options(p, s, op);
  const { maxChannels, maxBatch, maxKernel, maxSpatial } = s;
  if (maxChannels !== undefined) {
    q = halve(q, 'groups', (r) => Math.max(r.C, r.O) * r.groups <= maxChannels);
    q = halve(q, 'C', (r) => r.C * r.groups <= maxChannels);
    q = halve(q, 'O', (r) => r.O * r.groups <= maxChannels);
  }
  if (maxBatch !== undefined) q = halve(q, 'N', (r) => r.N <= maxBatch);
  if (maxKernel !== undefined) for (const key of ['KH', 'KW'] as const) q = halve(q, key, (r) => r[key] <= maxKernel);
  if (maxSpatial !== undefined) {
    for (const key of ['OH', 'KH'] as const) q = halve(q, key, (r) => shapeOf(r).H <= maxSpatial);
    for (const key of ['OW', 'KW'] as const) q = halve(q, key, (r) => shapeOf(r).W <= maxSpatial);
  }
  return q;
}
