/**
 * The risky regions of conv2d's configuration space: where real kernels
 * have had bugs (a wrong 'same' split, one axis's stride used for both,
 * dilation ignored with stride, a wrong group mapping, …). The arbitraries
 * must land in each of them often; a test counts it.
 */
import { effectiveKernel } from '../spec/index.js';
import { SAME_KINDS, type ConvConfig } from './convConfig.js';

/**
 * Every region `riskyRegions` can report.
 * @example for (const r of RISKY_REGIONS) console.log(r, counts.get(r))
 */
export const RISKY_REGIONS = [
  "odd 'same' total",
  'stride > kernel',
  'stride does not divide the input',
  'non-square kernel',
  'non-square stride',
  'non-square dilation',
  'non-square padding',
  'asymmetric padding',
  'groups > 1',
  'depthwise',
  'dilation with stride',
  'padding mode at its limit',
  'pad beyond the kernel reach',
  '1×1 input',
  'N = 0',
  'batch > 1',
  'unbatched input',
  'bias',
  'no bias',
  'reflect',
  'replicate',
  'circular',
] as const;

/** One risky region. */
export type RiskyRegion = (typeof RISKY_REGIONS)[number];

function atModeLimit(cfg: ConvConfig): boolean {
  const [[t, b], [l, r]] = cfg.pads;
  if (cfg.paddingMode === 'reflect') return Math.max(t, b) === cfg.H - 1 || Math.max(l, r) === cfg.W - 1;
  if (cfg.paddingMode === 'circular') return Math.max(t, b) === cfg.H || Math.max(l, r) === cfg.W;
  return false;
}

/**
 * The risky regions a configuration falls in.
 * @example riskyRegions(cfg) // e.g. ['stride > kernel', 'depthwise', 'bias']
 */
export function riskyRegions(cfg: ConvConfig): RiskyRegion[] {
  const [[t, b], [l, r]] = cfg.pads;
  const [sh, sw] = cfg.stride;
  const [dh, dw] = cfg.dilation;
  const effH = effectiveKernel(cfg.KH, dh);
  const effW = effectiveKernel(cfg.KW, dw);
  const flags: [RiskyRegion, boolean][] = [
    ["odd 'same' total", SAME_KINDS.includes(cfg.paddingKind) && ((t + b) % 2 === 1 || (l + r) % 2 === 1)],
    ['stride > kernel', sh > cfg.KH || sw > cfg.KW],
    ['stride does not divide the input', (cfg.H + t + b - effH) % sh !== 0 || (cfg.W + l + r - effW) % sw !== 0],
    ['non-square kernel', cfg.KH !== cfg.KW],
    ['non-square stride', sh !== sw],
    ['non-square dilation', dh !== dw],
    ['non-square padding', t !== l || b !== r],
    ['asymmetric padding', t !== b || l !== r],
    ['groups > 1', cfg.groups > 1],
    ['depthwise', cfg.groups > 1 && cfg.groups === cfg.C],
    ['dilation with stride', Math.max(dh, dw) > 1 && Math.max(sh, sw) > 1],
    ['padding mode at its limit', atModeLimit(cfg)],
    ['pad beyond the kernel reach', Math.max(t, b) >= effH || Math.max(l, r) >= effW],
    ['1×1 input', cfg.H === 1 && cfg.W === 1],
    ['N = 0', cfg.N === 0],
    ['batch > 1', cfg.N > 1],
    ['unbatched input', !cfg.batched],
    ['bias', cfg.bias],
    ['no bias', !cfg.bias],
    ['reflect', cfg.paddingMode === 'reflect'],
    ['replicate', cfg.paddingMode === 'replicate'],
    ['circular', cfg.paddingMode === 'circular'],
  ];
  return flags.filter(([, on]) => on).map(([name]) => name);
}
