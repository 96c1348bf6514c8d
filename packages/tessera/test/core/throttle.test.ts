// LoginThrottle over every FailureCounter: memory, SQL on SQLite, SQL on PostgreSQL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { SqlFailureCounter } from '../../src/core/sql-failure-counter.ts';
import { LoginThrottle, MemoryFailureCounter, type FailureCounter } from '../../src/core/throttle.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openTempSqlite, postgresForThisFile } from '../../../../test/support/databases.ts';
import { skipOrFail } from '../../../../test/support/requirements.ts';

const T0 = 1_700_000_000_000;
const WINDOW_SECONDS = 15 * 60;
const WINDOW_MS = WINDOW_SECONDS * 1000;
const PER_ACCOUNT = 3;
const PER_ADDRESS = 5;

interface CounterUnderTest {
  name: string;
  /** a fresh, empty counter and how to let go of it; null when its service is not installed */
  open(): Promise<{ counter: FailureCounter; close(): Promise<void> } | null>;
}

const postgres = postgresForThisFile();

const counters: CounterUnderTest[] = [
  { name: 'MemoryFailureCounter', open: async () => ({ counter: new MemoryFailureCounter(), close: async () => {} }) },
  {
    name: 'SqlFailureCounter on SQLite',
    open: async () => {
      const database = await openTempSqlite();
      await migrate(database.db);
      return { counter: new SqlFailureCounter(database.db), close: database.close };
    },
  },
  {
    name: 'SqlFailureCounter on PostgreSQL',
    open: async () => {
      const database = await postgres()?.fresh();
      if (!database) return null;
      await migrate(database.db);
      return { counter: new SqlFailureCounter(database.db), close: database.close };
    },
  },
];

for (const subject of counters) {
  describe(`LoginThrottle over ${subject.name}`, () => {
    function throttleTest(
      name: string,
      body: (throttle: LoginThrottle, counter: FailureCounter) => Promise<void>,
      limits: { perAccount?: number; perAddress?: number } = {},
    ): void {
      test(name, async (t) => {
        const opened = await subject.open();
        if (opened === null) {
          skipOrFail(t, `PostgreSQL binaries not installed: ${subject.name} not tested`);
          return;
        }
        try {
          const throttle = new LoginThrottle({
            counter: opened.counter,
            perAccount: limits.perAccount ?? PER_ACCOUNT,
            perAddress: limits.perAddress ?? PER_ADDRESS,
            windowSeconds: WINDOW_SECONDS,
          });
          await body(throttle, opened.counter);
        } finally {
          await opened.close();
        }
      });
    }

    throttleTest('a fresh account and address are allowed', async (throttle) => {
      assert.deepEqual(await throttle.check('alice', '192.0.2.1', T0), { allowed: true });
    });

    throttleTest('an account is blocked after N failures, with 0 < retryAfterSeconds <= the window', async (throttle) => {
      for (let i = 0; i < PER_ACCOUNT - 1; i += 1) await throttle.recordFailure('alice', '192.0.2.1', T0 + i * 1000);
      assert.deepEqual(await throttle.check('alice', '192.0.2.1', T0 + 10_000), { allowed: true });
      await throttle.recordFailure('alice', '192.0.2.1', T0 + 10_000);
      const verdict = await throttle.check('alice', '192.0.2.1', T0 + 10_000);
      assert.equal(verdict.allowed, false);
      assert.ok(!verdict.allowed);
      assert.ok(verdict.retryAfterSeconds > 0, `retryAfterSeconds ${verdict.retryAfterSeconds}`);
      assert.ok(verdict.retryAfterSeconds <= WINDOW_SECONDS, `retryAfterSeconds ${verdict.retryAfterSeconds}`);
      // The window opened at the first failure, T0, so it ends at T0 + 15 min.
      assert.equal(verdict.retryAfterSeconds, WINDOW_SECONDS - 10);
    });

    throttleTest('a blocked account is blocked from every address', async (throttle) => {
      for (let i = 0; i < PER_ACCOUNT; i += 1) await throttle.recordFailure('alice', `192.0.2.${i + 1}`, T0);
      assert.equal((await throttle.check('alice', '198.51.100.99', T0 + 1)).allowed, false);
      assert.deepEqual(await throttle.check('bob', '198.51.100.99', T0 + 1), { allowed: true });
    });

    throttleTest('an address is blocked after N failures spread over many usernames', async (throttle) => {
      for (let i = 0; i < PER_ADDRESS; i += 1) await throttle.recordFailure(`user${i}`, '203.0.113.66', T0);
      for (let i = 0; i < PER_ADDRESS; i += 1) {
        assert.deepEqual(await throttle.check(`user${i}`, '198.51.100.1', T0 + 1), { allowed: true }, 'one failure per account blocked it');
      }
      const verdict = await throttle.check('someone-new', '203.0.113.66', T0 + 1);
      assert.equal(verdict.allowed, false);
      assert.ok(!verdict.allowed && verdict.retryAfterSeconds > 0 && verdict.retryAfterSeconds <= WINDOW_SECONDS);
      assert.deepEqual(await throttle.check('someone-new', '203.0.113.67', T0 + 1), { allowed: true });
    });

    throttleTest('the block ends when the window does', async (throttle) => {
      for (let i = 0; i < PER_ACCOUNT; i += 1) await throttle.recordFailure('alice', '192.0.2.1', T0);
      const lastMoment = await throttle.check('alice', '192.0.2.1', T0 + WINDOW_MS - 1);
      assert.deepEqual(lastMoment, { allowed: false, retryAfterSeconds: 1 });
      assert.deepEqual(await throttle.check('alice', '192.0.2.1', T0 + WINDOW_MS), { allowed: true });
      assert.deepEqual(await throttle.check('alice', '192.0.2.1', T0 + 2 * WINDOW_MS), { allowed: true });
    });

    throttleTest('failures after the window start counting from one again', async (throttle, counter) => {
      for (let i = 0; i < PER_ACCOUNT; i += 1) await throttle.recordFailure('alice', '192.0.2.1', T0);
      const later = T0 + WINDOW_MS + 5_000;
      await throttle.recordFailure('alice', '192.0.2.1', later);
      assert.deepEqual(await counter.get(LoginThrottle.accountKey('alice'), later, WINDOW_MS), { count: 1, resetsAt: later + WINDOW_MS });
      assert.deepEqual(await throttle.check('alice', '192.0.2.1', later), { allowed: true });
    });

    throttleTest('a failure at the very end of the window opens a new one, as check sees it', async (throttle, counter) => {
      for (let i = 0; i < PER_ACCOUNT; i += 1) await throttle.recordFailure('alice', '192.0.2.1', T0);
      const end = T0 + WINDOW_MS;
      await throttle.recordFailure('alice', '192.0.2.1', end);
      assert.deepEqual(await counter.get(LoginThrottle.accountKey('alice'), end, WINDOW_MS), { count: 1, resetsAt: end + WINDOW_MS });
      assert.deepEqual(await throttle.check('alice', '192.0.2.1', end), { allowed: true });
    });

    throttleTest('failures within the window add up from the first one', async (throttle, counter) => {
      await throttle.recordFailure('alice', '192.0.2.1', T0);
      await throttle.recordFailure('alice', '192.0.2.1', T0 + WINDOW_MS - 1);
      assert.deepEqual(await counter.get(LoginThrottle.accountKey('alice'), T0 + WINDOW_MS - 1, WINDOW_MS), { count: 2, resetsAt: T0 + WINDOW_MS });
    });

    throttleTest('recordSuccess resets the account counter but not the address one', async (throttle) => {
      for (let i = 0; i < PER_ACCOUNT; i += 1) await throttle.recordFailure('alice', '192.0.2.1', T0);
      assert.equal((await throttle.check('alice', '192.0.2.1', T0)).allowed, false);
      await throttle.recordSuccess('alice');
      assert.deepEqual(await throttle.check('alice', '192.0.2.1', T0), { allowed: true });
      // Three failures from the address are still counted: one more reaches the limit of four.
      await throttle.recordFailure('bob', '192.0.2.1', T0);
      assert.equal((await throttle.check('carol', '192.0.2.1', T0)).allowed, false);
    }, { perAddress: 4 });

    throttleTest('counters are kept apart: failures on one account do not count for another', async (throttle) => {
      for (let i = 0; i < PER_ACCOUNT - 1; i += 1) await throttle.recordFailure('alice', '192.0.2.1', T0);
      for (let i = 0; i < PER_ACCOUNT - 1; i += 1) await throttle.recordFailure('bob', '192.0.2.2', T0);
      assert.deepEqual(await throttle.check('alice', '192.0.2.3', T0), { allowed: true });
      assert.deepEqual(await throttle.check('bob', '192.0.2.3', T0), { allowed: true });
    });

    throttleTest('failures recorded at once are all counted', async (throttle, counter) => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => throttle.recordFailure('alice', `192.0.2.${i}`, T0)));
      assert.equal((await counter.get(LoginThrottle.accountKey('alice'), T0, WINDOW_MS)).count, 20);
    }, { perAccount: 100 });
  });
}
