/**
 * The bug zoo against `verify`: every single-bug implementation must be
 * rejected by the quick profile, and every correct implementation written
 * differently from ours must pass it. These bugs live at small sizes, so
 * the scale group (checked for the scale bugs in test/zoo-scale.test.ts,
 * which also runs it on the correct entries) is left out here unless
 * `CONVPROOF_ZOO_FULL=1` asks for the whole default profile.
 *
 * At the end a markdown table says, per bug, which property failed first
 * (in verify's report order) and after how many runs. With
 * `CONVPROOF_WRITE_ZOO_TABLE=1` it is also written to docs/zoo.md;
 * `CONVPROOF_ZOO_SEEDS=k` runs k consecutive seeds per entry (a campaign,
 * not for `npm test`) and adds the worst case over them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { formatReport, suiteEnv, verify, type PropertyReport } from '../properties/index.js';
import type { PropertyGroup } from '../properties/types.js';
import { buggy, correct, ZOO_SUPPORTS, type ZooEntry } from './zoo/index.js';

const env = suiteEnv();
const seeds = Array.from({ length: Number(process.env.CONVPROOF_ZOO_SEEDS || 1) }, (_, k) => (env.seed + k) | 0);
const full = process.env.CONVPROOF_ZOO_FULL === '1';
const groups: readonly PropertyGroup[] = ['forward', 'gradient', 'transpose', 'oracle'];
const options = {
  profile: env.profile,
  runs: env.runs,
  dtype: env.dtype,
  supports: ZOO_SUPPORTS,
  ...(full ? {} : { groups }),
} as const;
console.log(
  `bug zoo: profile ${env.profile.name}${full ? ' (every default group)' : ' (without the scale group)'}, seed ${seeds.length > 1 ? `${seeds[0]}…${seeds[seeds.length - 1]}` : seeds[0]}, ${env.runs} runs`,
);

/** What one verify run of a buggy entry found. */
interface Catch {
  readonly seed: number;
  /** The first failing property in report order, or null if the bug survived. */
  readonly first: PropertyReport | null;
  /** The fewest runs any failing property needed to find a counterexample. */
  readonly fewest: number;
  readonly failing: number;
}

const catches = new Map<string, Catch[]>();

async function hunt(entry: ZooEntry, seed: number): Promise<Catch> {
  const report = await verify(entry.impl, { ...options, seed });
  const failed = report.properties.filter((p) => p.status === 'failed');
  return { seed, first: failed[0] ?? null, fewest: Math.min(...failed.map((p) => p.runs)), failing: failed.length };
}

describe('bug zoo: quick verify rejects every single-bug implementation', () => {
  for (const entry of buggy) {
    test(`rejects ${entry.name}${entry.upstream ? ` (${entry.upstream})` : ''}: ${entry.description}`, async () => {
      const found: Catch[] = [];
      for (const seed of seeds) found.push(await hunt(entry, seed));
      catches.set(entry.name, found);
      const survived = found.filter((c) => c.first === null).map((c) => c.seed);
      expect(survived, `${entry.name} passed verify with seed(s) ${survived.join(', ')}`).toEqual([]);
    });
  }
});

describe('bug zoo: quick verify accepts correct implementations written differently', () => {
  for (const entry of correct) {
    test(`accepts ${entry.name}: ${entry.description}`, async () => {
      for (const seed of seeds) {
        const report = await verify(entry.impl, { ...options, seed });
        if (!report.ok) throw new Error(formatReport(report));
        expect(report.properties.filter((p) => p.status === 'passed').length).toBeGreaterThan(0);
      }
    });
  }
});

function row(entry: ZooEntry, index: number): string {
  const found = catches.get(entry.name) ?? [];
  const [head] = found;
  const firstName = head?.first ? head.first.name : 'SURVIVED';
  const runs = head?.first ? [String(head.first.runs), String(head.fewest)] : ['–', '–'];
  const cells = [
    String(index + 1),
    `\`${entry.name}\``,
    entry.description,
    entry.upstream ?? '',
    firstName,
    ...runs,
    String(head?.failing ?? 0),
  ];
  if (seeds.length > 1) {
    const caught = found.filter((c) => c.first !== null);
    cells.push(`${caught.length}/${found.length}`, String(Math.max(0, ...caught.map((c) => c.fewest))));
  }
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function table(): string {
  const extra = seeds.length > 1 ? [`caught in (${seeds.length} seeds)`, 'worst fewest runs'] : [];
  const head = [
    '#',
    'bug',
    'what is wrong',
    'upstream',
    'first property to fail (report order)',
    'its runs',
    'fewest runs',
    'failing properties',
    ...extra,
  ];
  const seedText = seeds.length > 1 ? `seeds ${seeds[0]}–${seeds[seeds.length - 1]}` : `seed ${seeds[0]}`;
  return [
    `Profile ${env.profile.name}, ${env.runs} runs per property, dtype ${env.dtype}, ${seedText}${seeds.length > 1 ? ` (the per-property columns are for seed ${seeds[0]}; the last two over all seeds)` : ''}. "its runs": cases the first failing property ran up to and including its first counterexample; "fewest runs": the same for whichever failing property needed fewest; "failing properties": how many of the properties verify ran reject it.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...buggy.map(row),
  ].join('\n');
}

afterAll(() => {
  if (catches.size === 0) return;
  const text = table();
  console.log(`\n${text}\n`);
  if (process.env.CONVPROOF_WRITE_ZOO_TABLE === '1') {
    mkdirSync('docs', { recursive: true });
    const intro = [
      '# The bug zoo',
      '',
      'Each entry of `test/zoo/` is a conv implementation with one realistic bug (several re-create real upstream bugs in spirit);',
      '`test/zoo.test.ts` asserts that the quick `verify` rejects every one, and accepts three correct implementations written',
      'differently from ours (a gather loop, im2col + matrix products, a direct scatter).',
      '',
      `Reproduce: \`CONVPROOF_SEED=${seeds[0]}${seeds.length > 1 ? ` CONVPROOF_ZOO_SEEDS=${seeds.length}` : ''} CONVPROOF_WRITE_ZOO_TABLE=1 npx vitest run test/zoo.test.ts\``,
      '',
      '',
    ].join('\n');
    writeFileSync('docs/zoo.md', `${intro}${text}\n`);
  }
});
