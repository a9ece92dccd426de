/**
 * What an implementation under test declares about itself, so that `verify`
 * draws only cases it can express and judges them by its conventions:
 * `supports` (options, dtypes and sizes it takes), `conventions` (where it
 * deliberately differs from convproof's defaults) and `UnsupportedCase` (what
 * an adapter throws for a case it meets but cannot express: counted as not
 * applicable, never as a failure and never as a silent pass).
 */

/**
 * The padding forms of the `padding` option: the names (`'same'` and
 * `'same-upper'` are one rule, but an implementation may take one spelling
 * and not the other), one number, `[ph, pw]`, `[[top, bottom], [left, right]]`.
 */
export type PaddingForm = 'valid' | 'same' | 'same-upper' | 'same-lower' | 'number' | 'pair' | 'explicit';

/**
 * The cases an implementation takes. Every field is optional; an absent field
 * means "everything convproof takes". Cases outside it are never drawn.
 * @example export const supports: Supports = { dtypes: ['float32'], paddingModes: ['zeros'], dilation: false, groups: 'none' };
 */
export interface Supports {
  /** Element types it computes in; default both. */
  readonly dtypes?: readonly ('float32' | 'float64')[];
  /** Padding modes; default all four. */
  readonly paddingModes?: readonly ('zeros' | 'reflect' | 'replicate' | 'circular')[];
  /**
   * Forms of the `padding` option it takes; default all. A call without a
   * `padding` option is no padding, the `'valid'` form: list `'valid'` to take it.
   */
  readonly padding?: readonly PaddingForm[];
  /** Whether dilation other than 1 is taken; default true. */
  readonly dilation?: boolean;
  /** `'any'` groups, only depthwise (groups = C), or only groups = 1; default `'any'`. */
  readonly groups?: 'any' | 'depthwise' | 'none';
  /** Any strides, only equal strides on both axes, or only stride 1; default `'any'`. */
  readonly stride?: 'any' | 'equal' | 'none';
  /** Whether a `[C, H, W]` input is taken; default true. */
  readonly unbatched?: boolean;
  /** Whether N = 0 is taken; default true. */
  readonly emptyBatch?: boolean;
  /** Whether a bias is taken; default true. */
  readonly bias?: boolean;
  /** Whether convTranspose2d takes `outputPadding`; default true. */
  readonly outputPadding?: boolean;
  /** Whether convTranspose2d takes `outputSize` (PyTorch's output_size, ONNX's output_shape); default true. */
  readonly outputSize?: boolean;
  /**
   * Input/output layouts it takes through the `dataFormat` option (tfjs's name): `'NCHW'` (the default
   * layout) and `'NHWC'` (channels last). Default both; `['NCHW']` for an implementation without the option.
   */
  readonly dataFormats?: readonly ('NCHW' | 'NHWC')[];
  /** Weight layouts it takes through `filterFormat`: `'OIHW'` (the default) and `'HWIO'` (tfjs's). Default both. */
  readonly filterFormats?: readonly ('OIHW' | 'HWIO')[];
  /** Largest C and O. */
  readonly maxChannels?: number;
  /** Largest N. */
  readonly maxBatch?: number;
  /** Largest kernel side. */
  readonly maxKernel?: number;
  /** Largest input side H, W. */
  readonly maxSpatial?: number;
}

/**
 * Where an implementation deliberately differs from convproof's defaults.
 * @example export const conventions: Conventions = { padded: 'multiply', same: 'lower', precision: 'normwise' };
 */
export interface Conventions {
  /**
   * A NaN/±Inf weight meeting zero padding: `'skip'` (padded taps contribute
   * nothing, as convproof and tfjs) or `'multiply'` (0·Inf = NaN, as PyTorch,
   * ONNX Runtime and OpenCV). Default `'skip'`.
   */
  readonly padded?: 'skip' | 'multiply';
  /**
   * Where the bare `'same'` puts the odd pad: `'upper'` (bottom/right, default) or `'lower'`
   * (ONNX SAME_LOWER). Only `'same'` is read this way: `'same-upper'` and `'same-lower'` mean
   * what they say whatever this declares, so an implementation whose `'same'` is SAME_LOWER
   * can also declare the `'same-lower'` form and be checked through it.
   */
  readonly same?: 'upper' | 'lower';
  /**
   * `'float32'` (default: per-element bound with u = 2^-24), `{ unitRoundoff }`
   * for fp16/bf16/TF32 kernels, or `'normwise'` for FFT/Winograd/DFT
   * algorithms whose error is bounded normwise, not per element.
   */
  readonly precision?: 'float32' | { readonly unitRoundoff: number } | 'normwise';
}

/**
 * Thrown by an implementation or adapter for a case it cannot express. The
 * suite counts it as not applicable for that property (recognised by class or
 * by `error.name === 'UnsupportedCase'`, so a copy of this class from another
 * bundle works too).
 * @example if (options.dilation !== undefined && options.dilation !== 1) throw new UnsupportedCase('no dilation');
 */
export class UnsupportedCase extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnsupportedCase';
  }
}

/**
 * Whether `e` is an `UnsupportedCase` (by class or by name).
 * @example try { impl.conv2d(x, w) } catch (e) { if (isUnsupportedCase(e)) skip(e.message) }
 */
export function isUnsupportedCase(e: unknown): e is Error {
  return e instanceof UnsupportedCase || (e instanceof Error && e.name === 'UnsupportedCase');
}
