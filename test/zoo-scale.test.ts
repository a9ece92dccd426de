/**
 * The scale bugs of the zoo against the scale group: each is wrong only
 * above its own block size, so only cases of real size can see it. Each
 * must be rejected by the scale property of the routine it lives in, and
 * the threshold search must name its block size exactly ("holds for C ≤ 12,
 * fails from C = 13"). The zoo's correct implementations (loop nests of
 * every kind) must pass the whole scale group.
 *
 * `CONVPROOF_ZOO_FULL=1` runs the whole default profile on every scale bug
 * instead (minutes); `CONVPROOF_WRITE_ZOO_TABLE=1` writes docs/zoo-scale.md.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { formatReport, suiteEnv, verify, type PropertyReport } from '../properties/index.js';
import { scaleProperties } from '../properties/scale/index.js';
import { correct, scaleBuggy, ZOO_SUPPORTS, type ScaleZooEntry } from './zoo/index.js';

const env = suiteEnv();
const full = process.env.CONVPROOF_ZOO_FULL === '1';
const [forward, backward, transpose] = scaleProperties.map((p) => p.name);
const property = { forward, backward, transpose } as const;
const base = {
  profile: env.profile,
  runs: env.runs,
  dtype: env.dtype,
  seed: env.seed,
  supports: ZOO_SUPPORTS,
  ...(env.scaleWork !== undefined ? { scaleWork: env.scaleWork } : {}),
};
console.log(`scale zoo: profile ${env.profile.name}, seed ${env.seed}${full ? ', every default group' : ''}`);

/** What the run found for one scale bug. */
interface Found {
  readonly entry: ScaleZooEntry;
  readonly failed: PropertyReport | undefined;
  readonly failing: number;
  readonly seconds: number;
}

const found: Found[] = [];

describe('scale zoo: the scale group rejects every scale bug and names its block size', () => {
  for (const entry of scaleBuggy) {
    test(`rejects ${entry.name} (block ${entry.block}): ${entry.description}`, async () => {
      const report = await verify(entry.impl, full ? base : { ...base, properties: [property[entry.op]] });
      const failed = report.properties.filter((p) => p.status === 'failed');
      const scale = failed.find((p) => p.name === property[entry.op]);
      found.push({ entry, failed: scale, failing: failed.length, seconds: report.timeMs / 1000 });
      expect(scale, `${entry.name} passed the scale group:\n${formatReport(report)}`).toBeDefined();
      expect(scale?.failure?.explanation).toContain(entry.threshold);
    });
  }
});

describe('scale zoo: the scale group accepts correct implementations', () => {
  // Our own kernels run the whole scale group in test/properties.scale.test.ts. Here the loop nests run it
  // at a pinned cap of 2^18 multiply-adds to keep npm test short; CONVPROOF_ZOO_FULL=1 runs the default sizes.
  const settings = full ? base : { ...base, scaleWork: env.scaleWork ?? 18 };
  for (const entry of correct) {
    test(`accepts ${entry.name}: ${entry.description}`, async () => {
      const report = await verify(entry.impl, { ...settings, groups: ['scale'] });
      if (!report.ok) throw new Error(formatReport(report));
      expect(report.properties.map((p) => p.status)).toEqual(scaleProperties.map(() => 'passed'));
      console.log(
        `${entry.name}: scale group in ${(report.timeMs / 1000).toFixed(1)} s; ${report.properties[0].notes[0]}`,
      );
    });
  }
});

function table(): string {
  const rows = found.map(({ entry, failed, failing, seconds }) => {
    const lines = failed?.failure?.explanation?.split('\n') ?? [];
    const threshold = lines.filter((l) => l.startsWith('holds') || l.startsWith('fails')).join('; ') || 'SURVIVED';
    const cells = [
      `\`${entry.name}\``,
      entry.description,
      String(entry.block),
      failed ? failed.name.replace(/^for any case of real size \([^)]*\), /, 'scale: ') : 'none',
      String(failed?.runs ?? '–'),
      threshold,
      ...(full ? [String(failing)] : []),
      seconds.toFixed(1),
    ];
    return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  });
  const head = [
    'bug',
    'what is wrong',
    'block',
    'property that caught it',
    'runs',
    'threshold named',
    ...(full ? ['failing properties'] : []),
    's',
  ];
  return [
    `Profile ${env.profile.name}, seed ${env.seed}${full ? ', the whole default profile' : ', the scale property of the routine'}. "runs": cases until the first counterexample; "s": the verify run with its threshold search.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows,
  ].join('\n');
}

afterAll(() => {
  if (found.length === 0) return;
  const text = table();
  console.log(`\n${text}\n`);
  if (process.env.CONVPROOF_WRITE_ZOO_TABLE === '1') {
    const intro = [
      '# The scale bugs of the zoo',
      '',
      'Each entry plants one bug in `test/zoo/blocked.ts`, a blocked loop-nest conv, that is wrong only above its own',
      'block size; `test/zoo-scale.test.ts` asserts that the scale group rejects each and that its threshold search names',
      'the block size exactly. See [scale.md](scale.md) for the checks.',
      '',
      `Reproduce: \`CONVPROOF_SEED=${env.seed}${full ? ' CONVPROOF_ZOO_FULL=1' : ''} CONVPROOF_WRITE_ZOO_TABLE=1 npx vitest run test/zoo-scale.test.ts\``,
      '',
      '',
    ].join('\n');
    writeFileSync('docs/zoo-scale.md', `${intro}${text}\n`);
  }
});
