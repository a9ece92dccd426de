/**
 * Backends: `createBackend` and its options, which path each public call
 * takes (read through `stats()`, the documented diagnostic), that the
 * top-level kernels and `Conv2d` run on the default backend unless given
 * another, and the workspace's resting bound as the backend reports it (the
 * memory itself is measured in a child process by test/workspace.test.ts).
 * Expected counts are worked out from the stated rule: a run takes the fast
 * kernels when it does at least SMALL_WORK = 4096 multiply-adds
 * (N·O·OH·OW·C/g·KH·KW) and its data allows.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  Conv2d,
  conv2d,
  conv2dBackward,
  convTranspose2d,
  corr2d,
  createBackend,
  DEFAULT_WORKSPACE_BYTES,
  defaultBackend,
  reference,
  type Backend,
  type BackendStats,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type Tensor,
} from '../src/index.js';
import { SMALL_WORK } from '../src/dispatch.js';
import { conv2dGeometry } from '../src/geometry.js';
import { forwardWorkspaceBytes } from '../src/fast/conv2d.js';
import { seededRandom } from '../src/random.js';
import { expectConvError } from './helpers.js';

const bad = <T>(value: unknown): T => value as T;
const PAGE = 65536;

/** Small integers (exact in float32), from a seed. */
function ints(shape: readonly number[], seed = 1): Tensor {
  const rand = seededRandom(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 7) - 3;
  return { shape: [...shape], data };
}

/** The change in a backend's run counts while `f` runs: [fast, reference]. */
function runsOf(backend: Backend, f: () => unknown): [number, number] {
  const before = backend.stats();
  f();
  const after = backend.stats();
  return [after.fast - before.fast, after.reference - before.reference];
}

const same = (a: Tensor, b: Tensor): void => {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.data)).toEqual(Array.from(b.data));
};

describe('createBackend', () => {
  test("resolves 'auto' to the WebAssembly kernels where SIMD runs (Node 20), and keeps the other names", () => {
    expect(createBackend().kernels).toBe('wasm');
    expect(createBackend({}).kernels).toBe('wasm');
    expect(createBackend({ kernels: 'auto' }).kernels).toBe('wasm');
    expect(createBackend({ kernels: 'wasm' }).kernels).toBe('wasm');
    expect(createBackend({ kernels: 'js' }).kernels).toBe('js');
    expect(createBackend({ kernels: 'reference' }).kernels).toBe('reference');
    expect(defaultBackend.kernels).toBe('wasm');
  });

  test('states its workspace bound: 32 MiB by default, else as given (0 and Infinity allowed)', () => {
    expect(DEFAULT_WORKSPACE_BYTES).toBe(32 * 2 ** 20);
    expect(createBackend().workspaceBytes).toBe(DEFAULT_WORKSPACE_BYTES);
    expect(defaultBackend.workspaceBytes).toBe(DEFAULT_WORKSPACE_BYTES);
    expect(createBackend({ workspaceBytes: 0 }).workspaceBytes).toBe(0);
    expect(createBackend({ workspaceBytes: 12345 }).workspaceBytes).toBe(12345);
    expect(createBackend({ workspaceBytes: Infinity }).workspaceBytes).toBe(Infinity);
  });

  test('is frozen: its functions and fields cannot be swapped', () => {
    const b = createBackend({ kernels: 'js' });
    expect(Object.isFrozen(b)).toBe(true);
    expect(() => {
      (b as { kernels: string }).kernels = 'wasm';
    }).toThrow(TypeError);
    expect(b.kernels).toBe('js');
  });

  test('starts with no runs and no memory', () => {
    const start: BackendStats = { fast: 0, reference: 0, workspaceBytes: 0, releases: 0 };
    for (const kernels of ['wasm', 'js', 'reference'] as const)
      expect(createBackend({ kernels }).stats()).toEqual(start);
  });

  test('refuses bad options with ConvError(option), naming the value and the choices', () => {
    const refused = (options: unknown, message: string): void => {
      expect(expectConvError(() => createBackend(bad(options)), 'option').message).toBe(`createBackend: ${message}`);
    };
    refused(null, "options must be an object such as { kernels: 'js' }, got null");
    refused('js', `options must be an object such as { kernels: 'js' }, got "js"`);
    refused([], "options must be an object such as { kernels: 'js' }, got []");
    refused({ kernel: 'js' }, 'unknown option "kernel"; the options are kernels, workspaceBytes');
    refused({ kernels: 'gpu' }, `kernels must be one of 'auto', 'wasm', 'js', 'reference', got "gpu"`);
    for (const [v, shown] of [
      [-1, '-1'],
      [1.5, '1.5'],
      [NaN, 'NaN'],
      [-Infinity, '-Infinity'],
      ['1024', '"1024"'],
      [null, 'null'],
    ] as const) {
      refused({ workspaceBytes: v }, `workspaceBytes must be a non-negative integer (or Infinity), got ${shown}`);
    }
  });

  test('backends share nothing: each counts only its own runs', () => {
    const a = createBackend({ kernels: 'js' });
    const b = createBackend({ kernels: 'js' });
    a.conv2d(ints([1, 1, 64, 64]), ints([1, 1, 1, 1]));
    expect(a.stats().fast).toBe(1);
    expect(b.stats()).toEqual({ fast: 0, reference: 0, workspaceBytes: 0, releases: 0 });
  });

  test('every backend gives the reference loops’ result (bit for bit on small-integer data)', () => {
    const x = ints([2, 3, 20, 21], 2);
    const w = ints([4, 3, 3, 3], 3);
    const options: Conv2dOptions = { padding: 1, stride: [1, 2] };
    const want = reference.conv2d(x, w, options);
    for (const kernels of ['wasm', 'js', 'reference'] as const)
      same(createBackend({ kernels }).conv2d(x, w, options), want);
  });
});

describe('which path each call takes (stats)', () => {
  const kernels = ['wasm', 'js'] as const;

  test.each(kernels)('conv2d (%s): 4096 multiply-adds take the fast kernels, 4095 the reference loops', (name) => {
    const b = createBackend({ kernels: name });
    expect(SMALL_WORK).toBe(4096);
    // 1·1·64·64 outputs × 1 tap = 4096; 63·65 = 4095.
    expect(runsOf(b, () => b.conv2d(ints([1, 1, 64, 64]), ints([1, 1, 1, 1])))).toEqual([1, 0]);
    expect(runsOf(b, () => b.conv2d(ints([1, 1, 63, 65]), ints([1, 1, 1, 1])))).toEqual([0, 1]);
    // Every factor counts: N·O·OH·OW·(C/g)·KH·KW = 2·4·8·16·(2/2)·2·2 = 4096 …
    expect(runsOf(b, () => b.conv2d(ints([2, 2, 9, 17]), ints([4, 1, 2, 2]), { groups: 2 }))).toEqual([1, 0]);
    // … and with one output row fewer, 2·4·7·16·1·2·2 = 3584.
    expect(runsOf(b, () => b.conv2d(ints([2, 2, 8, 17]), ints([4, 1, 2, 2]), { groups: 2 }))).toEqual([0, 1]);
  });

  test.each(kernels)(
    'conv2dBackward (%s): two runs (input, weight), both fast at 4096 and both reference at 4095',
    (name) => {
      const b = createBackend({ kernels: name });
      const big: [Tensor, Tensor] = [ints([1, 1, 64, 64]), ints([1, 1, 1, 1])];
      const small: [Tensor, Tensor] = [ints([1, 1, 63, 65]), ints([1, 1, 1, 1])];
      expect(runsOf(b, () => b.conv2dBackward(ints([1, 1, 64, 64], 5), ...big))).toEqual([2, 0]);
      expect(runsOf(b, () => b.conv2dBackward(ints([1, 1, 63, 65], 5), ...small))).toEqual([0, 2]);
    },
  );

  test.each(kernels)(
    'convTranspose2d (%s): the work counts the input positions, not those of the conv it inverts',
    (name) => {
      const b = createBackend({ kernels: name });
      // Dilation 2 with outputPadding 1 makes the inverted conv's output one row taller than the input:
      // by the input, 1·1·32·64·2 taps = 4096 (fast) and 1·1·23·89·2 = 4094 (reference);
      // by the conv's output it would be 1·1·24·89·2 = 4272.
      const options: ConvTranspose2dOptions = { dilation: 2, outputPadding: [1, 0] };
      expect(runsOf(b, () => b.convTranspose2d(ints([1, 1, 32, 64]), ints([1, 1, 2, 1]), options))).toEqual([1, 0]);
      expect(runsOf(b, () => b.convTranspose2d(ints([1, 1, 23, 89]), ints([1, 1, 2, 1]), options))).toEqual([0, 1]);
      same(
        b.convTranspose2d(ints([1, 1, 32, 64]), ints([1, 1, 2, 1]), options),
        reference.convTranspose2d(ints([1, 1, 32, 64]), ints([1, 1, 2, 1]), options),
      );
    },
  );

  test.each(kernels)('corr2d (%s): a one-plane conv2d, fast from 4096 multiply-adds', (name) => {
    const b = createBackend({ kernels: name });
    expect(runsOf(b, () => b.corr2d(ints([64, 64]), ints([1, 1])))).toEqual([1, 0]);
    expect(runsOf(b, () => b.corr2d(ints([63, 65]), ints([1, 1])))).toEqual([0, 1]);
    // (32 − 2 + 1)·(40 − 3 + 1)·2·3 = 7068 multiply-adds.
    expect(runsOf(b, () => b.corr2d(ints([32, 40]), ints([2, 3])))).toEqual([1, 0]);
  });

  test.each(kernels)('non-finite data goes to the reference only where zero padding would multiply it (%s)', (name) => {
    const b = createBackend({ kernels: name });
    const x = ints([1, 2, 32, 32]);
    const w = ints([2, 2, 3, 3]);
    const options: Conv2dOptions = { padding: 1 };
    const wInf = { shape: w.shape, data: w.data.slice() };
    wInf.data[4] = Infinity;
    const xNaN = { shape: x.shape, data: x.data.slice() };
    xNaN.data[0] = NaN;
    const dy = ints([1, 2, 32, 32], 9);
    const dyNaN = { shape: dy.shape, data: dy.data.slice() };
    dyNaN.data[7] = NaN;
    expect(
      runsOf(b, () => b.conv2d(x, wInf, options)),
      'an infinite weight',
    ).toEqual([0, 1]);
    expect(
      runsOf(b, () => b.conv2d(xNaN, w, options)),
      'a NaN pixel',
    ).toEqual([1, 0]);
    expect(
      runsOf(b, () => b.conv2dBackward(dyNaN, x, w, options)),
      'a NaN gradOutput: input fast, weight not',
    ).toEqual([1, 1]);
    expect(
      runsOf(b, () => b.conv2dBackward(dy, x, wInf, options)),
      'an infinite weight backward',
    ).toEqual([2, 0]);
    const K = ints([3, 3]);
    K.data[0] = -Infinity;
    expect(
      runsOf(b, () => b.corr2d(ints([40, 40]), K)),
      'corr2d with an infinite tap',
    ).toEqual([0, 1]);
  });

  test('a reference backend runs every call on the reference loops and holds no memory', () => {
    const b = createBackend({ kernels: 'reference' });
    const x = ints([1, 1, 64, 64]);
    const w = ints([1, 1, 1, 1]);
    expect(runsOf(b, () => b.conv2d(x, w))).toEqual([0, 1]);
    expect(runsOf(b, () => b.conv2dBackward(x, x, w))).toEqual([0, 2]);
    expect(runsOf(b, () => b.convTranspose2d(x, w))).toEqual([0, 1]);
    expect(runsOf(b, () => b.corr2d(ints([64, 64]), ints([1, 1])))).toEqual([0, 1]);
    b.trim();
    expect(b.stats()).toEqual({ fast: 0, reference: 5, workspaceBytes: 0, releases: 0 });
  });

  test('an invalid call counts no run at all: it throws before dispatch', () => {
    const b = createBackend({ kernels: 'js' });
    expectConvError(() => b.conv2d(ints([1, 2, 8, 8]), ints([1, 3, 3, 3])), 'channels');
    expectConvError(() => b.corr2d(ints([2, 2]), ints([3, 3])), 'kernel-too-large');
    expect(b.stats()).toEqual({ fast: 0, reference: 0, workspaceBytes: 0, releases: 0 });
  });

  test('the top-level kernels are the default backend’s: each large call is a fast run there', () => {
    const x = ints([1, 1, 64, 64]);
    const w = ints([1, 1, 1, 1]);
    expect(runsOf(defaultBackend, () => conv2d(x, w))).toEqual([1, 0]);
    expect(runsOf(defaultBackend, () => conv2dBackward(x, x, w))).toEqual([2, 0]);
    expect(runsOf(defaultBackend, () => convTranspose2d(x, w))).toEqual([1, 0]);
    expect(runsOf(defaultBackend, () => corr2d(ints([64, 64]), ints([1, 1])))).toEqual([1, 0]);
    expect(runsOf(defaultBackend, () => corr2d(ints([3, 3]), ints([2, 2])))).toEqual([0, 1]);
  });
});

describe('each public call gives a grown workspace back before it returns', () => {
  // workspaceBytes 0: whatever a fast run made is over the bound, so every call must end by releasing it.
  const calls: ReadonlyArray<[string, (b: Backend) => unknown, number]> = [
    ['conv2d', (b) => b.conv2d(ints([1, 1, 64, 64]), ints([1, 1, 1, 1])), 1],
    ['conv2dBackward', (b) => b.conv2dBackward(ints([1, 1, 64, 64]), ints([1, 1, 64, 64]), ints([1, 1, 1, 1])), 2],
    ['convTranspose2d', (b) => b.convTranspose2d(ints([1, 1, 64, 64]), ints([1, 1, 1, 1])), 1],
    ['corr2d', (b) => b.corr2d(ints([64, 64]), ints([1, 1])), 1],
  ];
  test.each(calls)('%s', (_, call, runs) => {
    for (const kernels of ['wasm', 'js'] as const) {
      const b = createBackend({ kernels, workspaceBytes: 0 });
      call(b);
      expect(b.stats(), kernels).toEqual({ fast: runs, reference: 0, workspaceBytes: 0, releases: 1 });
    }
  });
});

describe('runtimes without WebAssembly SIMD (a fresh module graph under a stubbed WebAssembly)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  /** The backend module loaded afresh while `WebAssembly` is `api`. */
  async function loadWith(api: unknown): Promise<typeof import('../src/backend.js')> {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', api);
    return import('../src/backend.js');
  }

  /** The ConvError a call throws (from the fresh graph, so not an instance of this file's ConvError). */
  function refusal(f: () => unknown): [string, string, string] {
    try {
      f();
    } catch (e) {
      const err = e as { name: string; code: string; message: string };
      return [err.name, err.code, err.message];
    }
    throw new Error('expected a ConvError');
  }

  const real = (globalThis as unknown as { WebAssembly: { validate: unknown; Module: unknown; Instance: unknown } })
    .WebAssembly;
  const x = ints([1, 1, 64, 64]);
  const w = ints([1, 1, 1, 1]);

  test("no WebAssembly at all: 'auto' runs the JavaScript kernels and 'wasm' is refused", async () => {
    const m = await loadWith(undefined);
    expect(m.defaultBackend.kernels).toBe('js');
    expect(m.createBackend().kernels).toBe('js');
    expect(refusal(() => m.createBackend({ kernels: 'wasm' }))).toEqual([
      'ConvError',
      'option',
      "createBackend: kernels 'wasm' need WebAssembly SIMD, which this runtime lacks; use 'auto' or 'js'",
    ]);
    expect(m.createBackend({ kernels: 'js' }).kernels).toBe('js');
    expect(m.createBackend({ kernels: 'reference' }).kernels).toBe('reference');
    const js = m.createBackend();
    same(js.conv2d(x, w), reference.conv2d(x, w));
    expect(js.stats().fast).toBe(1);
  });

  test('an engine that does not validate the SIMD module, or refuses to compile it, gets the JavaScript kernels', async () => {
    const noSimd = await loadWith({ validate: () => false, Module: real.Module, Instance: real.Instance });
    expect(noSimd.createBackend().kernels).toBe('js');
    const refusing = await loadWith({
      validate: () => true,
      Module: function Module() {
        throw new Error('compiling WebAssembly is forbidden here');
      },
      Instance: real.Instance,
    });
    expect(refusing.createBackend().kernels).toBe('js');
  });

  test('an engine that compiles the module but refuses an instance: the calls fall back to the reference loops', async () => {
    const m = await loadWith({
      validate: real.validate,
      Module: real.Module,
      Instance: function Instance() {
        throw new Error('out of memory');
      },
    });
    const b = m.createBackend({ kernels: 'wasm' });
    expect(b.kernels).toBe('wasm');
    same(b.conv2d(x, w), reference.conv2d(x, w));
    expect(b.stats()).toEqual({ fast: 0, reference: 1, workspaceBytes: 0, releases: 0 });
  });
});

describe('Conv2d on a backend', () => {
  const config = { inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1, seed: 7 } as const;

  test('runs forward and backward on the backend it is given, and on the default one otherwise', () => {
    const js = createBackend({ kernels: 'js' });
    const onJs = new Conv2d({ ...config, backend: js });
    expect(onJs.backend).toBe(js);
    expect(new Conv2d(config).backend).toBe(defaultBackend);
    const x = ints([1, 2, 16, 16]); // 4·16·16·2·9 = 18432 multiply-adds
    const before = defaultBackend.stats();
    const y = onJs.forward(x);
    onJs.backward(y);
    expect(js.stats().fast).toBe(3);
    expect(defaultBackend.stats().fast).toBe(before.fast);
    same(y, new Conv2d(config).forward(x));
  });

  test('refuses a backend that is not one', () => {
    for (const v of [null, 'js', {}, { conv2d: () => null }]) {
      expectConvError(() => new Conv2d({ ...config, backend: bad(v) }), 'option', [
        'Conv2d: backend must be a backend made by createBackend()',
      ]);
    }
  });
});

describe('the workspace bound, as the backend reports it', () => {
  // 1×8×40×40 ∗ 8×8×3×3, padding 1: a forward workspace of a little over 256 KiB.
  const x = ints([1, 8, 40, 40]);
  const w = ints([8, 8, 3, 3]);
  const options: Conv2dOptions = { padding: 1 };
  const need = forwardWorkspaceBytes(conv2dGeometry('conv2d', x.shape, w.shape, options));
  const held = Math.ceil(need / PAGE) * PAGE;

  test.each(['wasm', 'js'] as const)(
    '%s: the workspace grows to whole pages, is kept up to the bound and given back beyond it',
    (kernels) => {
      expect(need).toBeGreaterThan(4 * PAGE);
      const keep = createBackend({ kernels, workspaceBytes: held });
      const want = reference.conv2d(x, w, options);
      same(keep.conv2d(x, w, options), want);
      expect(keep.stats()).toMatchObject({ fast: 1, workspaceBytes: held, releases: 0 });
      const drop = createBackend({ kernels, workspaceBytes: held - 1 });
      same(drop.conv2d(x, w, options), want);
      expect(drop.stats()).toMatchObject({ fast: 1, workspaceBytes: 0, releases: 1 });
      // The next call starts from fresh kernels and gives the same bits.
      same(drop.conv2d(x, w, options), want);
      expect(drop.stats()).toMatchObject({ fast: 2, workspaceBytes: 0, releases: 2 });
    },
  );

  test.each(['wasm', 'js'] as const)(
    '%s: trim() gives the workspace back at once; with none held it does nothing',
    (kernels) => {
      const b = createBackend({ kernels, workspaceBytes: Infinity });
      b.trim();
      expect(b.stats().releases).toBe(0);
      b.conv2d(x, w, options);
      expect(b.stats().workspaceBytes).toBe(held);
      b.trim();
      expect(b.stats()).toMatchObject({ workspaceBytes: 0, releases: 1 });
      same(b.conv2d(x, w, options), reference.conv2d(x, w, options));
      expect(b.stats()).toMatchObject({ fast: 2, workspaceBytes: held, releases: 1 });
    },
  );

  test('a backward call settles once, after both gradients: the bound sees the larger of the two', () => {
    const b = createBackend({ kernels: 'js', workspaceBytes: Infinity });
    const dy = ints([1, 8, 40, 40], 4);
    b.conv2dBackward(dy, x, w, options);
    const both = b.stats().workspaceBytes;
    const tight = createBackend({ kernels: 'js', workspaceBytes: both });
    tight.conv2dBackward(dy, x, w, options);
    expect(tight.stats()).toMatchObject({ fast: 2, workspaceBytes: both, releases: 0 });
  });
});
