/**
 * The declared-support check every part of the suite shares (the guard around
 * an implementation, the adapters' refusals): a left-out `padding` is no
 * padding, the `'valid'` form, so a declaration that does not list `'valid'`
 * does not take it.
 */
import { expect, test } from 'vitest';
import { refuseOutside } from '../adapters/helpers.js';
import { outsideSupport } from '../properties/support-filter.js';
import { isUnsupportedCase } from '../properties/support.js';
import { tensor } from '../src/index.js';

const x = tensor(new Array(9).fill(1), [1, 1, 3, 3]);
const w = tensor([1], [1, 1, 1, 1]);

test("a left-out padding is the 'valid' form: outside a declaration that lists only 'same'", () => {
  expect(outsideSupport({ padding: ['same'] }, x, w, {})).toBe('padding left out (valid)');
  expect(outsideSupport({ padding: ['same'] }, x, w, { padding: 'same' })).toBeNull();
  expect(outsideSupport({ padding: ['valid', 'number'] }, x, w, {})).toBeNull();
  expect(outsideSupport({ padding: ['valid'] }, x, w, { padding: 1 })).toBe('padding written as number');
  expect(outsideSupport({}, x, w, {})).toBeNull();
});

test('an adapter refuses the same call with an UnsupportedCase naming the library', () => {
  let thrown: unknown = null;
  try {
    refuseOutside('lib', { padding: ['same'] }, x, w, {});
  } catch (e) {
    thrown = e;
  }
  expect(isUnsupportedCase(thrown)).toBe(true);
  expect((thrown as Error).message).toBe('lib: padding left out (valid) is outside what it takes');
});
