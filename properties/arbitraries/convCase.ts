/**
 * Whole conv2d cases: a configuration, then (through `.chain`) data of its
 * shapes. Shrinking shrinks the configuration first, then the values.
 */
import fc from 'fast-check';
import type { Tensor } from '../../src/index.js';
import { showShape } from '../tensors.js';
import type { ConvCase } from '../types.js';
import { convConfig, type ConvConfig, type ConvConfigConstraints } from './convConfig.js';
import { tensorData, type TensorDataConstraints } from './tensorData.js';

/** A generated case: the tensors and options, and the configuration they came from. */
export interface GeneratedCase extends ConvCase {
  readonly config: ConvConfig;
}

/** Constraints of `convCase`: those of the configuration and of the values. */
export interface ConvCaseConstraints extends ConvConfigConstraints, TensorDataConstraints {}

const SHOWN_VALUES = 256;

/**
 * A tensor as `[shape] dtype [values]` (the values cut after 256).
 * @example showTensor(tensor([1, 2], [1, 2])) // '[1, 2] float32 [1, 2]'
 */
export function showTensor(t: Tensor): string {
  const values = Array.from(t.data.subarray(0, SHOWN_VALUES), (v) => (Object.is(v, -0) ? '-0' : String(v)));
  const more = t.data.length > SHOWN_VALUES ? `, … ${t.data.length - SHOWN_VALUES} more` : '';
  const dtype = t.data instanceof Float64Array ? 'float64' : 'float32';
  return `${showShape(t.shape)} ${dtype} [${values.join(', ')}${more}]`;
}

/**
 * Conv2d options as a readable literal, the bias shown as a tensor.
 * @example showOptions({ stride: [1, 2], padding: 'same' }) // '{ stride: [1,2], padding: "same" }'
 */
export function showOptions(options: ConvCase['options']): string {
  const parts = Object.entries(options).map(([k, v]) =>
    k === 'bias' ? `bias: ${v ? showTensor(v as Tensor) : String(v)}` : `${k}: ${JSON.stringify(v)}`,
  );
  return `{ ${parts.join(', ')} }`;
}

/**
 * A case as the call it stands for, for counterexample reports.
 * @example showCase(c) // 'conv2d(input [1, 1, 3, 3] float32 [...], weight ..., { ... })'
 */
export function showCase(c: ConvCase): string {
  return `conv2d(input ${showTensor(c.input)}, weight ${showTensor(c.weight)}, ${showOptions(c.options)})`;
}

/**
 * Attaches `showCase` as fast-check's printer of a value.
 * @example arb.map((v) => printable(v, (x) => `case ${x.id}`))
 */
export function printable<T extends object>(value: T, show: (v: T) => string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => show(value), enumerable: false });
  return value;
}

/**
 * Data for a configuration: input, weight and (if the configuration has
 * one) bias, all of the configuration's dtype.
 * @example convConfig().chain((cfg) => caseData(cfg, { kind: 'integer' }))
 */
export function caseData(config: ConvConfig, constraints: TensorDataConstraints = {}): fc.Arbitrary<GeneratedCase> {
  const bias = config.bias ? tensorData(config.dtype, [config.O], constraints) : fc.constant(null);
  return fc
    .record({
      input: tensorData(config.dtype, config.inputShape, constraints),
      weight: tensorData(config.dtype, config.weightShape, constraints),
      bias,
    })
    .map(({ input, weight, bias: b }) => {
      const options = b ? { ...config.options, bias: b } : { ...config.options };
      return printable<GeneratedCase>({ input, weight, options, config }, showCase);
    });
}

/**
 * Valid conv2d cases with data.
 * @example fc.assert(fc.property(convCase({ dtype: 'both' }), (c) => conv2d(c.input, c.weight, c.options).shape.length === c.input.shape.length))
 */
export function convCase(constraints: ConvCaseConstraints = {}): fc.Arbitrary<GeneratedCase> {
  return convConfig(constraints).chain((config) => caseData(config, constraints));
}
