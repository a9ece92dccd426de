/**
 * Declared support and conventions: an async PyTorch-convention float32
 * conv with zero padding only passes once it declares so (and fails on the
 * very properties the declaration is about when it does not); UnsupportedCase
 * counts as not applicable; a run where nothing ran is not ok; the
 * conventions' expectations catch an implementation that breaks them.
 */
import { describe, expect, test } from 'vitest';
import { conv2d as ours } from '../src/index.js';
import { formatReport, suiteEnv, verify, type VerifyOptions } from '../properties/index.js';
import { UnsupportedCase } from '../properties/support.js';
import type { ConvImplementation } from '../properties/types.js';
// @ts-expect-error: a plain JavaScript fixture without types
import * as pytorchLike from './fixtures/pytorch-like.mjs';

const env = suiteEnv();
const base: VerifyOptions = { profile: env.profile, runs: Math.min(env.runs, 60), seed: env.seed, groups: ['forward'] };
const impl = pytorchLike as ConvImplementation;

const SPECIALS = 'for any case with NaN or ±Inf planted, they reach exactly the outputs whose real taps read them';

describe('an async PyTorch-convention float32 conv with zero padding only', () => {
  test('passes every forward property once its module declares supports and conventions', async () => {
    const report = await verify(impl, base);
    const failed = report.properties.filter((p) => p.status === 'failed');
    expect(
      failed.map((p) => p.name),
      formatReport(report),
    ).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.supports).toEqual({
      dtypes: ['float32'],
      paddingModes: ['zeros'],
      dataFormats: ['NCHW'],
      filterFormats: ['OIHW'],
    });
    // 'same' with a stride is refused by UnsupportedCase: counted, never a failure.
    const na = report.properties.reduce((a, p) => a + p.notApplicable, 0);
    expect(na).toBeGreaterThan(0);
    expect(JSON.stringify(report.properties.map((p) => p.skippedCases))).toContain('not supported for strided');
  });

  test('without the declaration it fails where the declaration matters (dtype, padding modes, padded specials)', async () => {
    const undeclared: ConvImplementation = { conv2d: impl.conv2d };
    const report = await verify(undeclared, { ...base, supports: {}, conventions: {} });
    expect(report.ok).toBe(false);
    const failed = report.properties.filter((p) => p.status === 'failed').map((p) => p.name);
    expect(failed).toContain("for any case, the output has the input's dtype and the shape of the size formula");
  });

  test("with 'skip' declared instead of 'multiply', the planted-specials property fails (0·Inf reaches padded outputs)", async () => {
    const report = await verify(impl, {
      ...base,
      runs: 200,
      conventions: { padded: 'skip' },
      properties: [SPECIALS],
    });
    expect(report.properties[0].status, formatReport(report)).toBe('failed');
    expect(report.properties[0].failure?.message).toMatch(/expected -?\d|expected -?Infinity|expected NaN|got NaN/);
  });
});

describe('not applicable and not run', () => {
  test('an implementation refusing every case runs nothing, and the run is not ok', async () => {
    const refuser: ConvImplementation = {
      conv2d: async () => {
        throw new UnsupportedCase('refuses everything');
      },
    };
    const report = await verify(refuser, { ...base, runs: 5 });
    expect(report.ok).toBe(false);
    expect(report.properties.every((p) => p.status === 'not run')).toBe(true);
    expect(report.properties[0].reason).toMatch(/refuses everything/);
  });

  test('a property whose cases lie outside the declared support is not run, with the reason', async () => {
    const report = await verify(
      { conv2d: ours },
      {
        ...base,
        runs: 5,
        supports: { padding: ['valid', 'number'] },
        properties: ["for any 'same' case, 'same' equals its explicit SAME_UPPER pads"],
      },
    );
    expect(report.properties[0]).toMatchObject({ status: 'not run' });
    expect(report.properties[0].reason).toMatch(/outside the declared support/);
  });

  test('no drawn case and no derived call lies outside the declared support', async () => {
    const seen: string[] = [];
    const watcher: ConvImplementation = {
      conv2d: (x, w, o = {}) => {
        const dilated = o.dilation !== undefined && o.dilation !== 1 && JSON.stringify(o.dilation) !== '[1,1]';
        if (
          dilated ||
          (o.groups ?? 1) !== 1 ||
          x.data instanceof Float64Array ||
          (o.paddingMode ?? 'zeros') !== 'zeros'
        )
          seen.push(JSON.stringify({ ...o, bias: undefined, dtype: x.data.constructor.name }));
        const channels = o.dataFormat === 'NHWC' ? x.shape[x.shape.length - 1] : x.shape[1];
        if (x.shape.length === 3 || channels > 3) seen.push(`shape ${x.shape}`);
        return ours(x, w, o);
      },
    };
    const report = await verify(watcher, {
      ...base,
      supports: {
        dtypes: ['float32'],
        dilation: false,
        groups: 'none',
        paddingModes: ['zeros'],
        unbatched: false,
        maxChannels: 3,
      },
    });
    expect(seen.slice(0, 5)).toEqual([]);
    expect(report.ok, formatReport(report)).toBe(true);
  });
});
