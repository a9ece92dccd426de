/**
 * The property registry: every property `verify` knows, in report order.
 * A group adds its properties by spreading its list in here; `verify` picks
 * those whose `requires` the implementation under test exports.
 */
import { errorProperties } from './errors.js';
import { forwardProperties } from './forward.js';
import { gradientProperties } from './gradients.js';
import { oracleProperties } from './oracle-properties.js';
import { riskyProperties } from './risky.js';
import { scaleProperties } from './scale/index.js';
import { transposeProperties } from './transpose.js';
import { transposeGradientProperties } from './transpose-gradients.js';
import { layoutProperties } from './layout.js';
import type { PropertyDefinition } from './types.js';

/**
 * All registered properties.
 * @example registry.filter((p) => p.group === 'forward').map((p) => p.name)
 */
export const registry: readonly PropertyDefinition[] = [
  ...forwardProperties,
  ...riskyProperties,
  ...gradientProperties,
  ...transposeProperties,
  ...transposeGradientProperties,
  ...layoutProperties,
  ...scaleProperties,
  ...oracleProperties,
  ...errorProperties,
];
