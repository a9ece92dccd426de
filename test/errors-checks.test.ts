/**
 * One "throws ConvError(code) when …" test per check and per public function
 * (the cases are in ./errors-cases.ts). Each asserts the class, the stable
 * code, and that the message names the function and the offending values.
 * Refusals must come before any work, and a last test reads the list of codes
 * from src/errors.ts and checks that every one of them is exercised.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Conv2d, sgd } from '../src/index.js';
import { expectConvError, full, snapshot } from './helpers.js';
import { bad, config, dy, params } from './errors-fixtures.js';
import { cases } from './errors-cases.js';

describe('every check throws ConvError with its code, naming the function and the values', () => {
  for (const { fn, label, code, when, run, parts } of cases) {
    test(`${label} throws ConvError(${code}) when ${when}`, () => {
      expectConvError(run, code, [`${fn}: `, ...parts]);
    });
  }
});

describe('refusals happen before any work', () => {
  test('sgd with one bad parameter changes none of the others', () => {
    const good = params();
    const before = good.map(snapshot);
    good[0].grad.fill(1);
    expectConvError(() => sgd([...good, bad({ shape: [1], data: new Float32Array(1) })], 0.1), 'type');
    expect(good.map(snapshot)).toEqual(before);
  });

  test('a failed Conv2d.forward leaves backward refusing (no half-saved state)', () => {
    const l = new Conv2d(config({}));
    expectConvError(() => l.forward(full([1, 3, 5, 5], 1)), 'channels');
    expectConvError(() => l.backward(dy()), 'state');
  });
});
describe('coverage of the error codes', () => {
  test('every code declared in src/errors.ts is exercised above', () => {
    const source = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');
    const union = /export type ConvErrorCode =([\s\S]*?);/.exec(source);
    expect(union).not.toBeNull();
    const declared = [...union![1].matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThanOrEqual(18);
    const used = new Set(cases.map((c) => c.code));
    expect(declared.filter((code) => !used.has(code))).toEqual([]);
  });
});
