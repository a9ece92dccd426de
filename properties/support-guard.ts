/**
 * The implementation as the properties see it: every conv call first checked
 * against the declared support. A property derives calls from its drawn case
 * (the stride-1 conv of a strided one, explicit pads for 'same', …); one that
 * falls outside what the implementation declared is not made, and the case
 * counts as not applicable instead of as a failure the implementation never
 * claimed to avoid.
 */
import type { Conv2dOptions, ConvTranspose2dOptions, Tensor } from '../src/index.js';
import { outsideSupport, outsideTransposeSupport } from './support-filter.js';
import { UnsupportedCase, type Supports } from './support.js';
import type { ConvExtras, ConvImplementation } from './types.js';

type Impl = ConvImplementation & ConvExtras;

function refuse(fn: string, reason: string): never {
  throw new UnsupportedCase(`${fn} would be called with ${reason}, outside the declared support`);
}

/** A malformed call (the error properties make them) is the implementation's to judge, not the guard's. */
function safely(check: () => string | null): string | null {
  try {
    return check();
  } catch {
    return null;
  }
}

/**
 * `impl` with each of conv2d, conv2dBackward, convTranspose2d and its backward refusing (by
 * `UnsupportedCase`) a call outside `supports`; the rest passed through.
 * @example const guarded = guardedImplementation(impl, { dilation: false }); await guarded.conv2d(x, w, { dilation: 2 }) // throws UnsupportedCase
 */
export function guardedImplementation(impl: Impl, supports: Supports): Impl {
  if (Object.keys(supports).length === 0) return impl;
  const out: Impl = { ...impl };
  const { conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackward } = impl;
  out.conv2d = (x: Tensor, w: Tensor, o?: Conv2dOptions) => {
    const why = safely(() => outsideSupport(supports, x, w, o));
    return why ? refuse('conv2d', why) : conv2d.call(impl, x, w, o);
  };
  if (conv2dBackward)
    out.conv2dBackward = (dy: Tensor, x: Tensor, w: Tensor, o?: Conv2dOptions) => {
      const why = safely(() => outsideSupport(supports, x, w, o));
      return why ? refuse('conv2dBackward', why) : conv2dBackward.call(impl, dy, x, w, o);
    };
  if (convTranspose2d)
    out.convTranspose2d = (x: Tensor, w: Tensor, o?: ConvTranspose2dOptions) => {
      const why = safely(() => outsideTransposeSupport(supports, x, w, o));
      return why ? refuse('convTranspose2d', why) : convTranspose2d.call(impl, x, w, o);
    };
  if (convTranspose2dBackward)
    out.convTranspose2dBackward = (dy: Tensor, x: Tensor, w: Tensor, o?: ConvTranspose2dOptions) => {
      const why = safely(() => outsideTransposeSupport(supports, x, w, o));
      return why ? refuse('convTranspose2dBackward', why) : convTranspose2dBackward.call(impl, dy, x, w, o);
    };
  return out;
}
