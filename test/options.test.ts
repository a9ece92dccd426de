/**
 * The option table (src/options.ts) and its documentation agree: docs/errors.md
 * lists each option with the option sets that take it, its default and its
 * code, in the table's order. (What the validator does with each rule is
 * checked by test/errors-checks.test.ts, one example per check, and by the fuzzer.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { OPTION_RULES, type OptionName } from '../src/options.js';

/** The rows of the "Option rules" table of docs/errors.md, as cells. */
function documentedRows(): string[][] {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Option rules'), doc.indexOf('## Limits'));
  return section
    .split('\n')
    .filter((line) => /^\| `\w+`/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('docs/errors.md documents the option table', () => {
  const rows = documentedRows();
  const names = Object.keys(OPTION_RULES) as OptionName[];

  test('every option, in the table order', () => {
    expect(rows.map(([name]) => name)).toEqual(names.map((n) => `\`${n}\``));
  });

  test.each(names)('%s: the option sets that take it, its default and its code', (name) => {
    const [, takenBy, , fallback, code] = rows.find(([n]) => n === `\`${name}\``) ?? [];
    const rule = OPTION_RULES[name];
    expect(takenBy).toBe(rule.sets.length === 2 ? 'both' : `\`${rule.sets[0]}\``);
    expect(code).toBe(`\`${rule.code}\``);
    const shown = typeof rule.default === 'string' ? `\`'${rule.default}'\`` : String(rule.default ?? 'none');
    expect(fallback).toBe(shown);
  });
});
