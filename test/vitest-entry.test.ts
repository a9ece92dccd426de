/**
 * `convproof/vitest` in a user's own vitest run: a child vitest process runs
 * a fixture that registers the properties for a correct and a buggy zoo
 * implementation; its JSON report must list one test per property, the
 * correct one passing and the buggy one failing with the counterexample and
 * the replay line as the message.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('./fixtures/vitest/', import.meta.url));

interface Assertion {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages: string[];
}

function runFixture(): Assertion[] {
  let out: string;
  try {
    out = execFileSync('npx', ['vitest', 'run', '--root', root, '--reporter=json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    out = (e as { stdout: string }).stdout; // exit code 1: the buggy implementation fails, as it must
  }
  const report = JSON.parse(out) as { testResults: { assertionResults: Assertion[] }[] };
  return report.testResults.flatMap((f) => f.assertionResults);
}

test('describeConv lists one vitest test per property: the correct implementation passes, the buggy one fails with its counterexample and replay line', () => {
  const results = runFixture();
  const of = (impl: string) => results.filter((r) => r.ancestorTitles[0] === impl);
  expect(of('naive-gather').map((r) => r.status)).toEqual(['passed', 'passed']);
  const bad = of('stride-first-axis');
  expect(bad).toHaveLength(2);
  const failed = bad.filter((r) => r.status === 'failed');
  expect(failed.length).toBeGreaterThanOrEqual(1);
  for (const f of failed) {
    const message = f.failureMessages.join('\n');
    expect(message).toMatch(/counterexample \(after \d+ shrinks\): /);
    expect(message).toMatch(/stride: \[(1, ?2|2, ?1)\]/); // the bug: stride[0] used for both axes, so unequal strides
    expect(message).toMatch(/replay: convproof verify --impl <module> .*--seed 42 --path /);
  }
}, 120_000);
