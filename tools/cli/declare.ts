/**
 * The `convproof verify` flags that declare support and conventions on the
 * command line; they override the module's own `supports`/`conventions`
 * field by field.
 */
import type { Conventions, PaddingForm, Supports } from '../../properties/support.js';
import { choiceFlag, integerFlag } from './usage.js';

/** The parseArgs options of the declaration flags. */
export const DECLARATION_OPTIONS = {
  'no-dilation': { type: 'boolean' },
  'no-bias': { type: 'boolean' },
  'no-unbatched': { type: 'boolean' },
  'no-empty-batch': { type: 'boolean' },
  'no-output-padding': { type: 'boolean' },
  'no-output-size': { type: 'boolean' },
  'no-groups': { type: 'boolean' },
  'padding-modes': { type: 'string' },
  'padding-forms': { type: 'string' },
  'data-formats': { type: 'string' },
  'filter-formats': { type: 'string' },
  groups: { type: 'string' },
  stride: { type: 'string' },
  'max-channels': { type: 'string' },
  'max-batch': { type: 'string' },
  'max-kernel': { type: 'string' },
  'max-spatial': { type: 'string' },
  padded: { type: 'string' },
  same: { type: 'string' },
  precision: { type: 'string' },
} as const;

/** The help lines of the declaration flags. */
export const DECLARATION_HELP = `Declared support and conventions (override the module's exported
supports / conventions; cases outside are never drawn):
  --no-dilation --no-bias --no-unbatched --no-empty-batch --no-output-padding --no-output-size
  --no-groups         same as --groups none
  --groups g          any, depthwise or none
  --stride s          any, equal or none
  --padding-modes m   comma-separated: zeros, reflect, replicate, circular
  --padding-forms f   comma-separated: valid, same, same-upper, same-lower, number, pair, explicit
  --data-formats f    comma-separated: NCHW, NHWC (the dataFormat values it takes)
  --filter-formats f  comma-separated: OIHW, HWIO (the filterFormat values it takes)
  --max-channels N --max-batch N --max-kernel N --max-spatial N
  --padded p          skip (default) or multiply (0·Inf = NaN on padded taps)
  --same s            where a bare 'same' puts the odd pad: upper (default) or lower (SAME_LOWER)
  --precision p       float32 (default), normwise, or u=<unit roundoff>`;

type Values = { readonly [K in keyof typeof DECLARATION_OPTIONS]?: string | boolean };

function list<T extends string>(flag: string, v: string, choices: readonly T[]): T[] {
  return v.split(',').map((s) => choiceFlag('verify', flag, s.trim(), choices));
}

function caps(values: Values): Partial<Supports> {
  const out: Record<string, number> = {};
  const pairs = [
    ['max-channels', 'maxChannels'],
    ['max-batch', 'maxBatch'],
    ['max-kernel', 'maxKernel'],
    ['max-spatial', 'maxSpatial'],
  ] as const;
  for (const [flag, key] of pairs) {
    const v = values[flag];
    if (typeof v === 'string') out[key] = integerFlag('verify', `--${flag}`, v, 1, 1_000_000);
  }
  return out;
}

/**
 * The support the flags declare (only the fields they set).
 * @example supportsFromFlags({ 'no-dilation': true, 'padding-modes': 'zeros' }) // { dilation: false, paddingModes: ['zeros'] }
 */
export function supportsFromFlags(values: Values): Supports {
  const s: Record<string, unknown> = { ...caps(values) };
  for (const [flag, key] of [
    ['no-dilation', 'dilation'],
    ['no-bias', 'bias'],
    ['no-unbatched', 'unbatched'],
    ['no-empty-batch', 'emptyBatch'],
    ['no-output-padding', 'outputPadding'],
    ['no-output-size', 'outputSize'],
  ] as const)
    if (values[flag] === true) s[key] = false;
  if (values['no-groups'] === true) s.groups = 'none';
  const str = (k: keyof Values): string | undefined =>
    typeof values[k] === 'string' ? (values[k] as string) : undefined;
  const modes = str('padding-modes');
  if (modes) s.paddingModes = list('--padding-modes', modes, ['zeros', 'reflect', 'replicate', 'circular'] as const);
  const forms = str('padding-forms');
  if (forms)
    s.padding = list<PaddingForm>('--padding-forms', forms, [
      'valid',
      'same',
      'same-upper',
      'same-lower',
      'number',
      'pair',
      'explicit',
    ] as const);
  const data = str('data-formats');
  if (data) s.dataFormats = list('--data-formats', data, ['NCHW', 'NHWC'] as const);
  const filter = str('filter-formats');
  if (filter) s.filterFormats = list('--filter-formats', filter, ['OIHW', 'HWIO'] as const);
  const groups = str('groups');
  if (groups) s.groups = choiceFlag('verify', '--groups', groups, ['any', 'depthwise', 'none'] as const);
  const stride = str('stride');
  if (stride) s.stride = choiceFlag('verify', '--stride', stride, ['any', 'equal', 'none'] as const);
  return s as Supports;
}

/**
 * The conventions the flags declare (only the fields they set).
 * @example conventionsFromFlags({ precision: 'u=0.00048828125' }) // { precision: { unitRoundoff: 2 ** -11 } }
 */
export function conventionsFromFlags(values: Values): Conventions {
  const c: Record<string, unknown> = {};
  if (typeof values.padded === 'string')
    c.padded = choiceFlag('verify', '--padded', values.padded, ['skip', 'multiply'] as const);
  if (typeof values.same === 'string')
    c.same = choiceFlag('verify', '--same', values.same, ['upper', 'lower'] as const);
  const p = values.precision;
  if (typeof p === 'string') {
    const u = /^u=(.+)$/.exec(p);
    if (u) {
      const v = Number(u[1]);
      if (!(v > 0 && v < 1)) choiceFlag('verify', '--precision', p, ['float32', 'normwise', 'u=<number in (0, 1)>']);
      c.precision = { unitRoundoff: v };
    } else c.precision = choiceFlag('verify', '--precision', p, ['float32', 'normwise', 'u=<unit roundoff>'] as const);
  }
  return c as Conventions;
}
