/**
 * The two micro-kernels every fast conv path is built from, and the
 * workspace they run in. There are two implementations with one contract:
 * WebAssembly SIMD (`wasm/kernels.wat`, f64x2) and plain JavaScript. Both
 * multiply then add in float64, in the same k order, so they return
 * bit-identical results; the suite checks both against the reference.
 *
 * Contract (all addresses are byte offsets into the workspace, f64 data
 * 8-byte aligned; row k of B starts at `b + off[k]`):
 * - `gemm4`: `C[4·rb + r][p] (+)= Σ_k A[rb][k][r] · B[k][p]` for `rb < blocks`,
 *   `r < 4`, `p < cols` (a multiple of 4); A block rb sits at `a + rb·K·32`.
 * - `gemm1`: `C[p] (+)= Σ_k A[k] · B[k][p]` for `p < cols` (a multiple of 8).
 * - `pack`: copies `rows` rows of `len` float64s (strides in bytes) out of a
 *   tile, as float32 (rounded once) when `narrow` = 1, else as float64.
 * - `gather`, `im2col`, `col2im`: the index-map walks (see kernels.wat):
 *   tables of int32 element offsets, −1 for a zero-padding tap; `shift` is
 *   log2 of the source element size (2 for float32, 3 for float64).
 * `init` = 1 adds into the C already there (used to start from the bias, or
 * to accumulate over tiles); 0 starts from +0.
 */
import { KERNELS_WASM_BASE64 } from './wasm/kernels.generated.js';

/** A typed array read as numbers (either source dtype). */
type TensorLike = Float32Array | Float64Array;

/** Which implementation runs the micro-kernels. */
export type KernelName = 'wasm' | 'js';

/** A workspace with the two micro-kernels (see the module comment). */
export interface Kernels {
  /** Views of the whole workspace; replaced whenever it grows. */
  readonly f64: Float64Array;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  /** Bytes the workspace holds now. */
  readonly bytes: number;
  /** Grows the workspace to at least `bytes` (never shrinks); false if it cannot. */
  reserve(bytes: number): boolean;
  gemm4(
    a: number,
    b: number,
    off: number,
    c: number,
    blocks: number,
    K: number,
    cols: number,
    ldc: number,
    init: number,
  ): void;
  gemm1(a: number, b: number, off: number, c: number, K: number, cols: number, init: number): void;
  pack(src: number, srcStride: number, dst: number, dstStride: number, rows: number, len: number, narrow: number): void;
  gather(dst: number, src: number, shift: number, rows: number, nr: number, cols: number, nc: number): void;
  im2col(
    a: number,
    src: number,
    plane: number,
    shift: number,
    C: number,
    KH: number,
    KW: number,
    count: number,
    outW: number,
    rows: number,
    cols: number,
  ): void;
  col2im(
    gx: number,
    plane: number,
    dcol: number,
    ld: number,
    C: number,
    KH: number,
    KW: number,
    count: number,
    outW: number,
    rows: number,
    cols: number,
  ): void;
}

/**
 * The largest workspace, in bytes. Offsets are int32 in both kernels, so
 * addresses stay below 2^31; a problem needing more uses the reference.
 */
export const MAX_WORKSPACE_BYTES = 2 ** 31 - 2 ** 16;

const PAGE = 65536;

function pagesFor(bytes: number): number {
  return Math.ceil(bytes / PAGE);
}

/** The JavaScript kernels over a plain ArrayBuffer. */
class JsKernels implements Kernels {
  f64 = new Float64Array(PAGE / 8);
  f32 = new Float32Array(this.f64.buffer);
  i32 = new Int32Array(this.f64.buffer);

  get bytes(): number {
    return this.f64.byteLength;
  }

  reserve(bytes: number): boolean {
    if (bytes <= this.f64.byteLength) return true;
    if (bytes > MAX_WORKSPACE_BYTES) return false;
    const grown = new Float64Array((pagesFor(bytes) * PAGE) / 8);
    grown.set(this.f64);
    this.f64 = grown;
    this.f32 = new Float32Array(grown.buffer);
    this.i32 = new Int32Array(grown.buffer);
    return true;
  }

  pack(
    src: number,
    srcStride: number,
    dst: number,
    dstStride: number,
    rows: number,
    len: number,
    narrow: number,
  ): void {
    const to = narrow ? this.f32 : this.f64;
    const shift = narrow ? 2 : 3;
    for (let r = 0; r < rows; r++) {
      const s = (src + r * srcStride) >>> 3;
      const d = (dst + r * dstStride) >>> shift;
      for (let j = 0; j < len; j++) to[d + j] = this.f64[s + j];
    }
  }

  /** The source array and base index of an address holding elements of size 2^shift. */
  private source(src: number, shift: number): [TensorLike, number] {
    return shift === 2 ? [this.f32, src >>> 2] : [this.f64, src >>> 3];
  }

  gather(dst: number, src: number, shift: number, rows: number, nr: number, cols: number, nc: number): void {
    const [x, base] = this.source(src, shift);
    const { f64, i32 } = this;
    let d = dst >>> 3;
    for (let r = 0; r < nr; r++, d += nc) {
      const ro = i32[(rows >>> 2) + r];
      for (let q = 0; q < nc; q++) {
        const co = i32[(cols >>> 2) + q];
        f64[d + q] = ro < 0 || co < 0 ? 0 : x[base + ro + co];
      }
    }
  }

  im2col(
    a: number,
    src: number,
    plane: number,
    shift: number,
    C: number,
    KH: number,
    KW: number,
    count: number,
    outW: number,
    rows: number,
    cols: number,
  ): void {
    const { f64, i32 } = this;
    const cnt4 = count * outW * 4;
    let t = 0;
    for (let c = 0; c < C; c++) {
      const [x, base] = this.source(src + c * plane, shift);
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, t++) {
          let at = (a >>> 3) + (t >> 2) * cnt4 + (t & 3);
          for (let i = 0; i < count; i++) {
            const ro = i32[(rows >>> 2) + i * KH + kh];
            for (let j = 0; j < outW; j++, at += 4) {
              const co = i32[(cols >>> 2) + kw * outW + j];
              f64[at] = ro < 0 || co < 0 ? 0 : x[base + ro + co];
            }
          }
        }
      }
    }
  }

  col2im(
    gx: number,
    plane: number,
    dcol: number,
    ld: number,
    C: number,
    KH: number,
    KW: number,
    count: number,
    outW: number,
    rows: number,
    cols: number,
  ): void {
    const { f64, i32 } = this;
    let t = 0;
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, t++) {
          for (let i = 0; i < count; i++) {
            const ro = i32[(rows >>> 2) + i * KH + kh];
            if (ro < 0) continue;
            const dst = ((gx + c * plane) >>> 3) + ro;
            const src = ((dcol + t * ld) >>> 3) + i * outW;
            for (let j = 0; j < outW; j++) {
              const co = i32[(cols >>> 2) + kw * outW + j];
              if (co >= 0) f64[dst + co] += f64[src + j];
            }
          }
        }
      }
    }
  }

  gemm4(
    a: number,
    b: number,
    off: number,
    c: number,
    blocks: number,
    K: number,
    cols: number,
    ldc: number,
    init: number,
  ): void {
    for (let rb = 0; rb < blocks; rb++) {
      for (let p = 0; p < cols; p += 4) {
        jsBlock4(
          this.f64,
          this.i32,
          (a >>> 3) + rb * K * 4,
          (b >>> 3) + p,
          off >>> 2,
          (c >>> 3) + rb * 4 * (ldc >>> 3) + p,
          K,
          ldc >>> 3,
          init,
        );
      }
    }
  }

  gemm1(a: number, b: number, off: number, c: number, K: number, cols: number, init: number): void {
    for (let p = 0; p < cols; p += 8) {
      jsBlock1(this.f64, this.i32, a >>> 3, (b >>> 3) + p, off >>> 2, (c >>> 3) + p, K, init);
    }
  }
}

/** One 4×4 block of gemm4, element indices instead of byte addresses. */
function jsBlock4(
  f: Float64Array,
  o: Int32Array,
  ap: number,
  bp: number,
  op: number,
  cp: number,
  K: number,
  ldc: number,
  init: number,
): void {
  const r1 = cp + ldc,
    r2 = r1 + ldc,
    r3 = r2 + ldc;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  if (init) {
    c00 = f[cp];
    c01 = f[cp + 1];
    c02 = f[cp + 2];
    c03 = f[cp + 3];
    c10 = f[r1];
    c11 = f[r1 + 1];
    c12 = f[r1 + 2];
    c13 = f[r1 + 3];
    c20 = f[r2];
    c21 = f[r2 + 1];
    c22 = f[r2 + 2];
    c23 = f[r2 + 3];
    c30 = f[r3];
    c31 = f[r3 + 1];
    c32 = f[r3 + 2];
    c33 = f[r3 + 3];
  }
  for (let k = 0; k < K; k++, ap += 4) {
    const s = bp + (o[op + k] >> 3);
    const y0 = f[s],
      y1 = f[s + 1],
      y2 = f[s + 2],
      y3 = f[s + 3];
    let x = f[ap];
    c00 += x * y0;
    c01 += x * y1;
    c02 += x * y2;
    c03 += x * y3;
    x = f[ap + 1];
    c10 += x * y0;
    c11 += x * y1;
    c12 += x * y2;
    c13 += x * y3;
    x = f[ap + 2];
    c20 += x * y0;
    c21 += x * y1;
    c22 += x * y2;
    c23 += x * y3;
    x = f[ap + 3];
    c30 += x * y0;
    c31 += x * y1;
    c32 += x * y2;
    c33 += x * y3;
  }
  f[cp] = c00;
  f[cp + 1] = c01;
  f[cp + 2] = c02;
  f[cp + 3] = c03;
  f[r1] = c10;
  f[r1 + 1] = c11;
  f[r1 + 2] = c12;
  f[r1 + 3] = c13;
  f[r2] = c20;
  f[r2 + 1] = c21;
  f[r2 + 2] = c22;
  f[r2 + 3] = c23;
  f[r3] = c30;
  f[r3 + 1] = c31;
  f[r3 + 2] = c32;
  f[r3 + 3] = c33;
}

/** Eight columns of gemm1, element indices instead of byte addresses. */
function jsBlock1(
  f: Float64Array,
  o: Int32Array,
  ap: number,
  bp: number,
  op: number,
  cp: number,
  K: number,
  init: number,
): void {
  let c0 = 0,
    c1 = 0,
    c2 = 0,
    c3 = 0,
    c4 = 0,
    c5 = 0,
    c6 = 0,
    c7 = 0;
  if (init) {
    c0 = f[cp];
    c1 = f[cp + 1];
    c2 = f[cp + 2];
    c3 = f[cp + 3];
    c4 = f[cp + 4];
    c5 = f[cp + 5];
    c6 = f[cp + 6];
    c7 = f[cp + 7];
  }
  for (let k = 0; k < K; k++) {
    const s = bp + (o[op + k] >> 3);
    const x = f[ap + k];
    c0 += x * f[s];
    c1 += x * f[s + 1];
    c2 += x * f[s + 2];
    c3 += x * f[s + 3];
    c4 += x * f[s + 4];
    c5 += x * f[s + 5];
    c6 += x * f[s + 6];
    c7 += x * f[s + 7];
  }
  f[cp] = c0;
  f[cp + 1] = c1;
  f[cp + 2] = c2;
  f[cp + 3] = c3;
  f[cp + 4] = c4;
  f[cp + 5] = c5;
  f[cp + 6] = c6;
  f[cp + 7] = c7;
}

/**
 * Copies `length` elements of `x` from index `from` into the workspace at
 * byte address `at`, in x's own dtype (a block copy).
 * @example copyIn(k, 0, x.data, 0, x.data.length); // k: the kernels of the running call
 */
export function copyIn(k: Kernels, at: number, x: TensorLike, from: number, length: number): void {
  const view = x instanceof Float32Array ? k.f32 : k.f64;
  view.set(x.subarray(from, from + length), at / view.BYTES_PER_ELEMENT);
}

/** The slice of the WebAssembly JS API used here (absent in some runtimes). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}

interface WasmExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  gemm4: Kernels['gemm4'];
  gemm1: Kernels['gemm1'];
  pack: Kernels['pack'];
  gather: Kernels['gather'];
  im2col: Kernels['im2col'];
  col2im: Kernels['col2im'];
}

/** The WebAssembly kernels; their workspace is the module's own memory. */
class WasmKernels implements Kernels {
  readonly gemm4: Kernels['gemm4'];
  readonly gemm1: Kernels['gemm1'];
  readonly pack: Kernels['pack'];
  readonly gather: Kernels['gather'];
  readonly im2col: Kernels['im2col'];
  readonly col2im: Kernels['col2im'];
  f64!: Float64Array;
  f32!: Float32Array;
  i32!: Int32Array;

  constructor(private readonly exports: WasmExports) {
    this.gemm4 = exports.gemm4;
    this.gemm1 = exports.gemm1;
    this.pack = exports.pack;
    this.gather = exports.gather;
    this.im2col = exports.im2col;
    this.col2im = exports.col2im;
    this.views();
  }

  /** (Re)makes the views: growing the memory detaches the old buffer. */
  private views(): void {
    this.f64 = new Float64Array(this.exports.memory.buffer);
    this.f32 = new Float32Array(this.exports.memory.buffer);
    this.i32 = new Int32Array(this.exports.memory.buffer);
  }

  get bytes(): number {
    return this.f64.byteLength;
  }

  reserve(bytes: number): boolean {
    // The views' length, not memory.buffer (a slower call): they are remade whenever the memory grows.
    if (bytes <= this.f64.length * 8) return true;
    if (bytes > MAX_WORKSPACE_BYTES) return false;
    const have = this.exports.memory.buffer.byteLength;
    try {
      this.exports.memory.grow(pagesFor(bytes) - have / PAGE);
    } catch {
      return false; // the engine refused the memory: the caller falls back
    }
    this.views();
    return true;
  }
}

function decodeBase64(text: string): Uint8Array {
  const binary = (globalThis as { atob?: (s: string) => string }).atob;
  if (!binary) throw new Error('no atob');
  const raw = binary(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** The compiled module, shared by every instance (compiling is the slow part); null where SIMD is missing. */
let compiled: { readonly api: WasmApi; readonly module: object } | null | undefined;

function compile(): { readonly api: WasmApi; readonly module: object } | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  try {
    const bytes = decodeBase64(KERNELS_WASM_BASE64);
    if (!api.validate(bytes)) return null; // e.g. an engine without SIMD
    return { api, module: new api.Module(bytes) };
  } catch {
    return null; // e.g. a page whose policy forbids compiling WebAssembly
  }
}

/**
 * True when the WebAssembly SIMD kernels can run here (the module is
 * compiled once, on the first question).
 * @example wasmAvailable() // true in Node 20 and current browsers
 */
export function wasmAvailable(): boolean {
  if (compiled === undefined) compiled = compile();
  return compiled !== null;
}

/**
 * A fresh set of kernels with its own workspace of one 64 KiB page: a new
 * WebAssembly instance (its own memory) or a new JavaScript buffer. Dropping
 * every reference to it lets the engine collect that memory, which is how a
 * backend gives a grown workspace back.
 * @returns null for `'wasm'` where WebAssembly SIMD is missing or refused
 * @example const k = createKernels('js')!; k.reserve(1 << 20);
 */
export function createKernels(name: KernelName): Kernels | null {
  if (name === 'js') return new JsKernels();
  if (!wasmAvailable()) return null;
  try {
    const instance = new compiled!.api.Instance(compiled!.module);
    return new WasmKernels(instance.exports as unknown as WasmExports);
  } catch {
    return null; // e.g. the engine refused the instance's memory
  }
}
