/**
 * The suite's layout properties: convproof's own kernels hold; planted
 * layout bugs (each a plausible slip in a channels-last port) are rejected;
 * an implementation that declares NCHW/OIHW only is not asked, and says why.
 */
import { describe, expect, test } from 'vitest';
import {
  conv2d,
  conv2dBackward,
  convTranspose2d,
  convTranspose2dBackward,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type Tensor,
} from '../src/index.js';
import { verify, type ConvImplementation } from '../properties/index.js';
import { layoutProperties } from '../properties/layout.js';
import { permute } from '../properties/spec/layout.js';

const names = layoutProperties.map((p) => p.name);
const ours: ConvImplementation = { conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward };

async function statuses(impl: ConvImplementation, seed = 3) {
  const report = await verify(impl, { properties: names, seed, runs: 40 });
  return report.properties.map((p) => [p.status, p.reason ?? ''] as const);
}

/** Reads an NHWC call as if it were NCHW: the options lose their dataFormat (a port that ignores it). */
const ignoringDataFormat: ConvImplementation = {
  ...ours,
  conv2d: (x: Tensor, w: Tensor, o: Conv2dOptions = {}) => {
    if (o.dataFormat !== 'NHWC') return conv2d(x, w, o);
    const nchw = permute(x, x.shape.length === 4 ? [0, 3, 1, 2] : [2, 0, 1]);
    const y = conv2d(nchw, w, { ...o, dataFormat: 'NCHW' });
    return { shape: y.shape, data: y.data }; // left in NCHW: the output's layout is wrong
  },
};

/** Takes an HWIO weight's last two axes the other way round ([KH, KW, O, I] for a conv2d). */
const swappedHwio: ConvImplementation = {
  ...ours,
  conv2d: (x: Tensor, w: Tensor, o: Conv2dOptions = {}) => {
    if (o.filterFormat !== 'HWIO') return conv2d(x, w, o);
    const [KH, KW, I, O] = w.shape;
    const asIfSwapped = permute({ shape: [KH, KW, O, I], data: w.data }, [0, 1, 3, 2]);
    return conv2d(x, asIfSwapped, o);
  },
};

/** Returns the transposed conv's weight gradient in OIHW order even when the weight came in HWIO. */
const gradWeightLeftInOihw: ConvImplementation = {
  ...ours,
  convTranspose2dBackward: (dy: Tensor, x: Tensor, w: Tensor, o: ConvTranspose2dOptions = {}) => {
    const g = convTranspose2dBackward(dy, x, w, o);
    if (o.filterFormat !== 'HWIO') return g;
    const back = permute(g.gradWeight, [3, 2, 0, 1]);
    return { ...g, gradWeight: { shape: g.gradWeight.shape, data: back.data } };
  },
};

describe('the layout properties', () => {
  test('convproof holds all four', async () => {
    expect(await statuses(ours)).toEqual(names.map(() => ['passed', '']));
  });

  test.each([
    ['a conv2d that ignores dataFormat', ignoringDataFormat, 0],
    ['a conv2d that reads HWIO as [KH, KW, O, I]', swappedHwio, 0],
    ['a convTranspose2dBackward that returns gradWeight in OIHW for an HWIO weight', gradWeightLeftInOihw, 3],
  ] as const)('rejects %s', async (_, impl, property) => {
    const found = await statuses(impl);
    expect(found[property][0]).toBe('failed');
  });

  test('an implementation declaring NCHW/OIHW only is not asked, with the reason', async () => {
    const found = await statuses({ ...ours, supports: { dataFormats: ['NCHW'], filterFormats: ['OIHW'] } } as never);
    for (const [status, reason] of found) {
      expect(status).toBe('not run');
      expect(reason).toMatch(/NCHW and OIHW only/);
    }
  });
});
