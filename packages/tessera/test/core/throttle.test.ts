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
      limits: { perAccount?: number; perAddress?: number; perAccountFromUnknownBrowsers?: number } = {},
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
            ...(limits.perAccountFromUnknownBrowsers !== undefined && { perAccountFromUnknownBrowsers: limits.perAccountFromUnknownBrowsers }),
            windowSeconds: WINDOW_SECONDS,
          });
          await body(throttle, opened.counter);
        } finally {
          await opened.close();
        }
      });
    }

    const from = (address: string, device?: string) => ({ address, device });
    async function fail(throttle: LoginThrottle, username: string, origin: { address: string; device?: string | undefined }, times: number, at = T0) {
      for (let i = 0; i < times; i += 1) await throttle.attempt(username, origin, at);
    }

    throttleTest('an account may be tried perAccount times from one address; the next attempt waits out the window', async (throttle) => {
      for (let i = 0; i < PER_ACCOUNT; i += 1) assert.deepEqual(await throttle.attempt('alice', from('192.0.2.1'), T0 + i), { allowed: true });
      assert.deepEqual(await throttle.attempt('alice', from('192.0.2.1'), T0 + 60_000), { allowed: false, retryAfterSeconds: WINDOW_SECONDS - 60 });
    });

    throttleTest('failures of an account from one address do not lock it for another address', async (throttle) => {
      await fail(throttle, 'alice', from('192.0.2.1'), PER_ACCOUNT + 2);
      assert.equal((await throttle.attempt('alice', from('192.0.2.1'), T0 + 1)).allowed, false);
      assert.deepEqual(await throttle.attempt('alice', from('198.51.100.7'), T0 + 1), { allowed: true });
    });

    throttleTest('a browser holding the account\'s device cookie is not locked out by failures from everywhere else', async (throttle) => {
      for (let i = 0; i < 6; i += 1) await fail(throttle, 'alice', from(`192.0.2.${i + 1}`), PER_ACCOUNT);
      assert.equal((await throttle.attempt('alice', from('203.0.113.9'), T0 + 1)).allowed, false, 'an unknown browser meets the account-wide cap');
      assert.deepEqual(await throttle.attempt('alice', from('203.0.113.9', 'device-of-alice'), T0 + 1), { allowed: true });
    }, { perAddress: 100, perAccountFromUnknownBrowsers: 15 });

    throttleTest('a device that fails perAccount times is locked out itself', async (throttle) => {
      await fail(throttle, 'alice', from('192.0.2.1', 'device-1'), PER_ACCOUNT);
      assert.equal((await throttle.attempt('alice', from('192.0.2.1', 'device-1'), T0 + 1)).allowed, false);
      assert.deepEqual(await throttle.attempt('alice', from('192.0.2.1', 'device-2'), T0 + 1), { allowed: true });
    });

    throttleTest('an address is limited across accounts: perAddress failures, then every account waits', async (throttle) => {
      for (let i = 0; i < PER_ADDRESS; i += 1) assert.deepEqual(await throttle.attempt(`user${i}`, from('203.0.113.66'), T0), { allowed: true });
      const verdict = await throttle.attempt('someone-new', from('203.0.113.66'), T0 + 1000);
      assert.deepEqual(verdict, { allowed: false, retryAfterSeconds: WINDOW_SECONDS - 1 });
      assert.deepEqual(await throttle.attempt('someone-new', from('203.0.113.67'), T0 + 1000), { allowed: true });
    });

    throttleTest('an address over its limit no longer counts against the accounts it names', async (throttle, counter) => {
      await fail(throttle, 'alice', from('203.0.113.66'), 10);
      assert.equal((await counter.get(LoginThrottle.accountFromAddressKey('alice', '203.0.113.66'), T0, WINDOW_MS)).count, 2);
      assert.equal((await counter.get(LoginThrottle.accountKey('alice'), T0, WINDOW_MS)).count, 2);
    }, { perAccount: 100, perAddress: 2 });

    throttleTest('IPv6 addresses are counted by their /64', async (throttle) => {
      for (let i = 0; i < PER_ADDRESS; i += 1) await throttle.attempt(`user${i}`, from(`2001:db8:1:2::${(i + 1).toString(16)}`), T0);
      assert.equal((await throttle.attempt('next', from('2001:db8:1:2:ffff:ffff:ffff:fffe'), T0 + 1)).allowed, false, 'the same /64');
      assert.deepEqual(await throttle.attempt('next', from('2001:db8:1:3::1'), T0 + 1), { allowed: true });
    });

    throttleTest('the window is fixed: a lockout lasts until the window of the first failure ends', async (throttle) => {
      await fail(throttle, 'alice', from('192.0.2.1'), PER_ACCOUNT + 1);
      assert.equal((await throttle.attempt('alice', from('192.0.2.1'), T0 + WINDOW_MS - 1)).allowed, false);
      assert.deepEqual(await throttle.attempt('alice', from('192.0.2.1'), T0 + WINDOW_MS), { allowed: true });
    });

    throttleTest('succeeded starts the account afresh from that address and takes back the other claims', async (throttle, counter) => {
      await fail(throttle, 'alice', from('192.0.2.1'), PER_ACCOUNT - 1);
      assert.deepEqual(await throttle.attempt('alice', from('192.0.2.1'), T0), { allowed: true });
      await throttle.succeeded('alice', from('192.0.2.1'));
      assert.equal((await counter.get(LoginThrottle.accountFromAddressKey('alice', '192.0.2.1'), T0, WINDOW_MS)).count, 0);
      assert.equal((await counter.get(LoginThrottle.addressKey('192.0.2.1'), T0, WINDOW_MS)).count, PER_ACCOUNT - 1, 'the failures from the address stand');
      assert.equal((await counter.get(LoginThrottle.accountKey('alice'), T0, WINDOW_MS)).count, PER_ACCOUNT - 1, 'the account-wide failures stand');
      for (let i = 0; i < PER_ACCOUNT; i += 1) assert.deepEqual(await throttle.attempt('alice', from('192.0.2.1'), T0 + 1), { allowed: true });
    }, { perAddress: 100 });

    throttleTest('a burst of parallel attempts is counted exactly: no more than perAccount get through', async (throttle) => {
      const verdicts = await Promise.all(Array.from({ length: 20 }, () => throttle.attempt('alice', from('192.0.2.1'), T0)));
      assert.equal(verdicts.filter((verdict) => verdict.allowed).length, PER_ACCOUNT);
    }, { perAddress: 100 });

    throttleTest('account keys are of bounded length and name no username', async () => {
      const key = LoginThrottle.accountKey('x'.repeat(10_000));
      assert.ok(key.length < 80);
      assert.ok(!LoginThrottle.accountKey('alice').includes('alice'));
    });
  });
}
