/**
 * TensorFlow.js as the benchmark's peer: its `cpu` and `wasm` backends (and
 * `tensorflow`, from tfjs-node, when installed), all loaded dynamically so
 * that convproof never needs them. Each call is timed the way a user sees
 * it: from tensors already made to values readable in JavaScript
 * (`dataSync`), then disposed.
 */
import type * as Tf from '@tensorflow/tfjs-core';
import type { BenchProblem } from './problems.js';
import { outputShape } from './problems.js';

/** One tfjs backend the benchmark can time. */
export interface Peer {
  /** `'tfjs-cpu'`, `'tfjs-wasm'` or `'tfjs-node'`. */
  readonly name: string;
  /** The tfjs backend name. */
  readonly backend: string;
  /** What this backend lacks for the backward pass (null: it has both gradients). */
  readonly noWeightGradient: string | null;
}

/** tfjs and the peers that loaded, with the reasons the others did not. */
export interface LoadedPeers {
  readonly tf: typeof Tf | null;
  readonly version: string | null;
  readonly peers: readonly Peer[];
  readonly unavailable: readonly string[];
}

const BANNER = /running TensorFlow\.js in Node\.js/;

/**
 * Drops tfjs-cpu's "install tfjs-node" banner (printed once, on first use);
 * other warnings pass. Returns the function that restores console.warn.
 */
export function muteBanner(): () => void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!args.some((a) => typeof a === 'string' && BANNER.test(a))) warn(...args);
  };
  return () => {
    console.warn = warn;
  };
}

/** Imports a module whose name TypeScript must not resolve (an optional peer that may be absent). */
async function optionalImport(name: string): Promise<unknown> {
  return import(name);
}

/**
 * Loads tfjs-core with the cpu and wasm backends, and tfjs-node if present.
 * @example const { tf, peers } = await loadPeers();
 */
export async function loadPeers(): Promise<LoadedPeers> {
  let tf: typeof Tf;
  try {
    tf = await import('@tensorflow/tfjs-core');
  } catch {
    return {
      tf: null,
      version: null,
      peers: [],
      unavailable: [
        'TensorFlow.js is not installed (npm i -D @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-backend-wasm)',
      ],
    };
  }
  const peers: Peer[] = [];
  const unavailable: string[] = [];
  const candidates: ReadonlyArray<[string, string, string, string | null]> = [
    ['tfjs-cpu', 'cpu', '@tensorflow/tfjs-backend-cpu', null],
    ['tfjs-wasm', 'wasm', '@tensorflow/tfjs-backend-wasm', 'no Conv2DBackpropFilter kernel (tfjs issue #8474)'],
    ['tfjs-node', 'tensorflow', '@tensorflow/tfjs-node', null],
  ];
  for (const [name, backend, pkg, noWeightGradient] of candidates) {
    try {
      await optionalImport(pkg);
      if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
      peers.push({ name, backend, noWeightGradient });
    } catch (e) {
      const why =
        name === 'tfjs-node' ? 'not installed (optional; its install downloads libtensorflow)' : (e as Error).message;
      unavailable.push(`${name}: ${why}`);
    }
  }
  return { tf, version: tf.version_core, peers, unavailable };
}

/** NCHW data as an NHWC tfjs tensor. */
function nhwc(tf: typeof Tf, data: Float32Array, [N, C, H, W]: readonly number[]): Tf.Tensor4D {
  const out = new Float32Array(data.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H * W; i++) out[(n * H * W + i) * C + c] = data[(n * C + c) * H * W + i];
  return tf.tensor4d(out, [N, H, W, C]);
}

/** OIHW weights as tfjs's HWIO filter (or, for depthwise, `[KH, KW, C, multiplier]`). */
function filter(tf: typeof Tf, data: Float32Array, p: BenchProblem): Tf.Tensor4D {
  const [O, Cg, KH, KW] = p.weight;
  const depthwise = p.groups > 1;
  const inner = depthwise ? p.input[1] : Cg;
  const outer = depthwise ? O / p.input[1] : O;
  const out = new Float32Array(data.length);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < Cg; c++) {
      for (let k = 0; k < KH * KW; k++) {
        const [ci, oi] = depthwise ? [Math.floor(o / outer), o % outer] : [c, o];
        out[(k * inner + ci) * outer + oi] = data[(o * Cg + c) * KH * KW + k];
      }
    }
  }
  return tf.tensor4d(out, [KH, KW, inner, outer]);
}

/** Explicit pads: numeric pads are wrong in tfjs for non-square filters (its issue #649). */
function pads(p: BenchProblem): Tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [p.padding, p.padding],
    [p.padding, p.padding],
    [0, 0],
  ];
}

/** A prepared call and the tensors to dispose afterwards. */
export interface PreparedCall {
  run(): void;
  dispose(): void;
}

/**
 * One forward call on the current backend: conv2d (depthwiseConv2d when
 * grouped), then `dataSync`, then dispose.
 * @example const call = forwardCall(tf, problem, x, w); call.run(); call.dispose();
 */
export function forwardCall(tf: typeof Tf, p: BenchProblem, x: Float32Array, w: Float32Array): PreparedCall {
  if (p.groups > 1 && p.groups !== p.input[1]) throw new Error('tfjs has no grouped conv2d besides depthwise');
  const xt = nhwc(tf, x, p.input);
  const ft = filter(tf, w, p);
  const s: [number, number] = [p.stride, p.stride];
  return {
    run() {
      const y = p.groups > 1 ? tf.depthwiseConv2d(xt, ft, s, pads(p)) : tf.conv2d(xt, ft, s, pads(p));
      y.dataSync();
      y.dispose();
    },
    dispose() {
      tf.dispose([xt, ft]);
    },
  };
}

/**
 * One backward call on the current backend, through the gradient kernels
 * (tfjs-core registers no gradients by itself): Conv2DBackpropInput and,
 * when the backend has it, Conv2DBackpropFilter.
 */
export function backwardCall(
  tf: typeof Tf,
  p: BenchProblem,
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  withFilter: boolean,
): PreparedCall {
  const xt = nhwc(tf, x, p.input);
  const ft = filter(tf, w, p);
  const dyt = nhwc(tf, dy, outputShape(p));
  const [N, C, H, W] = p.input;
  const [O, , KH, KW] = p.weight;
  const attrs = { strides: [p.stride, p.stride], pad: pads(p), dataFormat: 'NHWC' };
  return {
    run() {
      const dx = tf
        .engine()
        .runKernel('Conv2DBackpropInput', { dy: dyt, filter: ft }, { ...attrs, inputShape: [N, H, W, C] }) as Tf.Tensor;
      dx.dataSync();
      dx.dispose();
      if (!withFilter) return;
      const dw = tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape: [KH, KW, C, O] }) as Tf.Tensor;
      dw.dataSync();
      dw.dispose();
    },
    dispose() {
      tf.dispose([xt, ft, dyt]);
    },
  };
}

/** The chapter's corr2d as tfjs does it: conv2d of a [1, H, W, 1] image with a [KH, KW, 1, 1] filter. */
export function latencyCall(
  tf: typeof Tf,
  X: Float32Array,
  xShape: readonly number[],
  K: Float32Array,
  kShape: readonly number[],
): PreparedCall {
  const xt = tf.tensor4d(X, [1, xShape[0], xShape[1], 1]);
  const kt = tf.tensor4d(K, [kShape[0], kShape[1], 1, 1]);
  return {
    run() {
      const y = tf.conv2d(xt, kt, 1, 'valid');
      y.dataSync();
      y.dispose();
    },
    dispose() {
      tf.dispose([xt, kt]);
    },
  };
}
