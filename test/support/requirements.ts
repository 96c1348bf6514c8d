// What a suite does when a service it needs (PostgreSQL, Redis, Chromium) is not installed.
import type { TestContext } from 'node:test';

/** True when CI asked that no suite be skipped. */
export const requireAll = process.env.REQUIRE_ALL === '1';

/**
 * Skips the test with a loud notice, or fails it when REQUIRE_ALL=1, so that a missing
 * service can never turn a CI run green by silence.
 */
export function skipOrFail(t: TestContext, reason: string): void {
  if (requireAll) throw new Error(`REQUIRE_ALL=1 but ${reason}`);
  process.stderr.write(`\n*** SKIPPED: ${reason} ***\n`);
  t.skip(reason);
}
