/**
 * `convproof/vitest`: the suite inside your own vitest run. `describeConv`
 * registers one vitest test per property for an implementation, so
 * `npx vitest` lists each property's result; a failing property's message is
 * its counterexample, seed, path and replay line. vitest is an optional peer.
 *
 * @example
 * // conv.test.ts in your project
 * import { describeConv } from 'convproof/vitest';
 * import * as mine from '../src/my-conv.js';
 * describeConv('my conv', mine, { seed: 42 });
 */
import { describe, test } from 'vitest';
import { registry as defaultRegistry } from './registry.js';
import type { ConvImplementation, PropertyDefinition } from './types.js';
import { formatFailure, runProperty, runSettings, type VerifyOptions } from './verify.js';

/**
 * Registers a `describe(title)` block with one test per property that
 * `options` selects (by group and name, as `verify` does). A property that
 * cannot run (a missing export, nothing applicable) is reported as skipped
 * with its reason; a failure throws the formatted counterexample.
 * @example describeConv('tfjs cpu', tfjsAdapter(tf), { groups: ['forward'], runs: 50 })
 */
export function describeConv(title: string, impl: ConvImplementation, options: VerifyOptions = {}): void {
  const settings = runSettings(options);
  const groups = options.groups ?? ['forward', 'gradient', 'transpose', 'oracle'];
  const all: readonly PropertyDefinition[] = options.registry ?? defaultRegistry;
  const chosen = all.filter(
    (p) => groups.includes(p.group) && (!options.properties || options.properties.includes(p.name)),
  );
  describe(title, () => {
    for (const def of chosen) {
      test(def.name, async (ctx) => {
        const report = await runProperty(def, impl, settings);
        if (report.failure) throw new Error(formatFailure(report.failure));
        if (report.status !== 'passed') ctx.skip(report.reason ?? 'not run');
      });
    }
  });
}
