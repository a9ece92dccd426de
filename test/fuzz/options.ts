/**
 * Option edits derived from src/options.ts's table of option rules: the
 * bad values of each option (and the code refusing them) follow from the
 * option's form and range, the misspelled names from the option names, and
 * the equivalent rewrites from the forms and defaults. Nothing here lists
 * what the validator accepts a second time.
 */
import type fc from 'fast-check';
import type { ConvErrorCode } from '../../src/index.js';
import {
  OPTION_MAX,
  OPTION_RULES,
  optionNames,
  type OptionForm,
  type OptionName,
  type OptionSet,
} from '../../src/options.js';
import { choose, edit, hostile, showLiteral, type Edit } from './engine.js';

/** Values that are no integer at all. */
const NOT_INTEGERS: readonly unknown[] = [1.5, Number.NaN, Infinity, -Infinity, '2', null, true, {}, 1n];

/** Values every integer in `[min, OPTION_MAX]` form refuses: out of range, or no integer. */
export function badIntegers(min: number): unknown[] {
  return [...new Set([min - 1, -1, OPTION_MAX + 1, 2 ** 31]), ...NOT_INTEGERS];
}

/** A string's near misses: upper case, lower case, capitalised, shortened, two letters swapped (never the name itself). */
function nearMisses(name: string): string[] {
  const swapped = name.length > 2 ? name[0] + name[2] + name[1] + name.slice(3) : `${name}${name}`;
  const misses = [name.toUpperCase(), name.toLowerCase(), name[0].toUpperCase() + name.slice(1).toLowerCase()];
  return [...new Set([...misses, name.slice(0, -1), swapped])].filter((m) => m !== name);
}

/** Two-element arrays with one bad element, on either side of a good one. */
const withOneBad = (bad: readonly unknown[], ok: unknown): unknown[][] =>
  bad.flatMap((b) => [
    [b, ok],
    [ok, b],
  ]);

/** Padding arrays that are not `[ph, pw]` or `[[top, bottom], [left, right]]` of integers. */
function badPadArrays(min: number): unknown[] {
  const bad = badIntegers(min);
  const explicit = (at: number, b: unknown): unknown[][] => {
    const flat: unknown[] = [min, min, min, min];
    flat[at] = b;
    return [flat.slice(0, 2), flat.slice(2)];
  };
  const row = [min, min];
  return [
    ...withOneBad(bad, min),
    ...[0, 1, 2, 3].flatMap((at) => bad.map((b) => explicit(at, b))),
    [row],
    [row, [min]],
    [row, row, row],
    [min, row],
    [[min, min, min], row],
    [{ 0: min, 1: min, length: 2 }, row],
    [min],
    [min, min, min],
  ];
}

/**
 * Every value the table's rule for `name` refuses in option set `set`, with
 * the rule's code: its form decides which values those are.
 * @example badValues('stride', 'conv2d') // [0, -1, 1073741825, …, [0, 1], [1, 0], …]
 */
export function badValues(name: OptionName, set: OptionSet): unknown[] {
  const form: OptionForm = OPTION_RULES[name].form;
  switch (form.kind) {
    case 'integer':
      return [...badIntegers(form.min), [form.min]];
    case 'pair': {
      const ok = form.min;
      return [...badIntegers(ok), ...withOneBad(badIntegers(ok), ok), [ok], [ok, ok, ok], [[ok, ok]], { 0: ok }];
    }
    case 'size': {
      // A size is an array only: a single number, even a valid one, is refused (no [N, C, H, W] either).
      const ok = form.min;
      const arrays = [[ok], [ok, ok, ok], [ok, ok, ok, ok], [[ok, ok]], { 0: ok, 1: ok, length: 2 }];
      // null spells the default (no size asked), as a bias's null does.
      return [ok, ...badIntegers(ok).filter((v) => v !== null), ...withOneBad(badIntegers(ok), ok), ...arrays];
    }
    case 'padding': {
      const own: readonly string[] = form.names[set];
      const others = Object.values(form.names)
        .flat()
        .filter((n) => !own.includes(n));
      const strings = [
        ...own.flatMap(nearMisses).filter((m) => !own.includes(m)),
        ...others,
        '',
        'full',
        String(form.min),
      ];
      return [...badIntegers(form.min), ...badPadArrays(form.min), ...strings];
    }
    case 'name': {
      const misses = form.names.flatMap(nearMisses).filter((m) => !form.names.includes(m));
      return [...misses, '', 1, null, true, {}, [form.names[0]]];
    }
    case 'tensor':
      return [];
  }
}

/** Equivalent spellings of a valid value by its form: `n` ↔ `[n, n]`, padding `p` → `[p, p]` → `[[p, p], [p, p]]`. */
function equivalents(form: OptionForm, v: unknown): unknown[] {
  const twin = (a: unknown): boolean => Array.isArray(a) && a.length === 2 && a[0] === a[1];
  if (form.kind === 'pair') {
    if (typeof v === 'number') return [[v, v]];
    return twin(v) ? [(v as unknown[])[0]] : [];
  }
  if (form.kind !== 'padding') return [];
  if (typeof v === 'number')
    return [
      [v, v],
      [
        [v, v],
        [v, v],
      ],
    ];
  if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') {
    return [
      [
        [v[0], v[0]],
        [v[1], v[1]],
      ],
    ];
  }
  return Array.isArray(v) && twin(v[0]) && twin(v[1]) && v[0][0] === v[1][0] ? [v[0][0]] : [];
}

/** A draft whose options an edit may change. */
export interface OptionsDraft {
  options: unknown;
}

/** Sets one option, when the options are still an object. */
export function setOption(d: OptionsDraft, key: string, value: unknown): void {
  if (typeof d.options === 'object' && d.options !== null && !Array.isArray(d.options))
    d.options = { ...d.options, [key]: value };
}

function optionOf(d: OptionsDraft, key: string): unknown {
  return typeof d.options === 'object' && d.options !== null ? (d.options as Record<string, unknown>)[key] : undefined;
}

/** Memoised per option set: the edits do not depend on the case, and building them per case costs more than the calls. */
function perSet<T>(build: (set: OptionSet) => T): (set: OptionSet) => T {
  const made = new Map<OptionSet, T>();
  return (set) => made.get(set) ?? made.set(set, build(set)).get(set)!;
}

const valueEditsOf = perSet((set) =>
  optionNames(set)
    .filter((name) => OPTION_RULES[name].form.kind !== 'tensor')
    .map((name) =>
      choose(
        badValues(name, set).map((v) =>
          edit<OptionsDraft>(name, 1, `${name}: ${showLiteral(v)}`, [OPTION_RULES[name].code], (d) =>
            setOption(d, name, v),
          ),
        ),
      ),
    ),
);

/**
 * For each option of `set` but the bias, an edit setting one of its bad
 * values, answered by its rule's code (each option its own family).
 * @example optionValueEdits<ConvDraft>('conv2d')
 */
export function optionValueEdits<D extends OptionsDraft>(set: OptionSet): fc.Arbitrary<Edit<D>>[] {
  return valueEditsOf(set) as fc.Arbitrary<Edit<D>>[];
}

const camelToSnake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Names no option of `set` has: other sets' options, and near misses of its own (plural, snake_case, shortened, capitalised). */
export function unknownNames(set: OptionSet): string[] {
  const own: readonly string[] = optionNames(set);
  const others = (Object.keys(OPTION_RULES) as OptionName[]).filter((n) => !own.includes(n));
  const near = own.flatMap((n) => [`${n}s`, camelToSnake(n), n.slice(0, 3), n[0].toUpperCase() + n.slice(1)]);
  return [...new Set([...others, ...near, 'constructor'])].filter((n) => !own.includes(n));
}

/** Options that are not a plain object. */
const NOT_OBJECTS: readonly unknown[] = ['same', 5, true, [1, 2], () => 0, Symbol('options')];

/**
 * The edits of the options object itself: an unknown name, not an object,
 * a hostile getter on one option.
 */
export function optionsObjectEdits<D extends OptionsDraft>(set: OptionSet): fc.Arbitrary<Edit<D>>[] {
  return objectEditsOf(set) as fc.Arbitrary<Edit<D>>[];
}

const objectEditsOf = perSet((set): fc.Arbitrary<Edit<OptionsDraft>>[] => {
  type D = OptionsDraft;
  const code: ConvErrorCode[] = ['option'];
  const getter = (k: string) => (d: D) => {
    if (typeof d.options === 'object' && d.options !== null)
      d.options = hostile(d.options as Record<string, unknown>, k);
  };
  const replace = (v: unknown) => (d: D) => {
    d.options = v;
  };
  return [
    choose(
      unknownNames(set).map((k) => edit<D>('option-name', 1, `unknown option ${k}`, code, (d) => setOption(d, k, 1))),
    ),
    choose(NOT_OBJECTS.map((v) => edit<D>('options', 3, `options is ${showLiteral(v)}`, code, replace(v)))),
    choose(
      optionNames(set).map((k) => edit<D>('options', 4, `options.${k} is a throwing getter`, [], getter(k), true)),
    ),
  ];
});

/**
 * Rewrites that keep the call valid and its result the same: options frozen,
 * absent options spelled `undefined` or given their default, and each given
 * option in an equivalent spelling (only while it still holds the case's value).
 */
export function optionForms<D extends OptionsDraft>(set: OptionSet, original: object): Edit<D>[] {
  const given = original as Readonly<Record<string, unknown>>;
  const names = optionNames(set).filter((n) => OPTION_RULES[n].form.kind !== 'tensor');
  const absent = (d: D): OptionName[] => names.filter((n) => optionOf(d, n) === undefined);
  const forms: Edit<D>[] = [
    edit('form', 2, 'options frozen', [], (d) => {
      if (typeof d.options === 'object' && d.options !== null) d.options = Object.freeze({ ...d.options });
    }),
    edit('form', 2, 'absent options spelled as undefined', [], (d) => {
      for (const n of absent(d)) setOption(d, n, undefined);
    }),
    edit('form', 2, 'absent options given their default', [], (d) => {
      for (const n of absent(d)) setOption(d, n, OPTION_RULES[n].default);
    }),
  ];
  for (const n of names) {
    for (const v of equivalents(OPTION_RULES[n].form, given[n])) {
      forms.push(
        edit('form', 2, `${n} spelled ${showLiteral(v)}`, [], (d) => {
          if (optionOf(d, n) === given[n]) setOption(d, n, v);
        }),
      );
    }
  }
  return forms;
}
