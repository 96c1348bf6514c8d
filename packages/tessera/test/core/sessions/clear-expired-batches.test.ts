// clearExpired on the SQL store works in batches: every expired and idle session goes, every
// live one stays, and the caller hears how far it got.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { SqlSessionStore } from '../../../src/core/sessions/sql-session-store.ts';
import { SqlUserStore } from '../../../src/core/users/sql-user-store.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../../../test/support/databases.ts';
import { skipOrFail } from '../../../../../test/support/requirements.ts';

const postgres = postgresForThisFile();
const HOUR = 3_600_000;

for (const dialect of [
  { name: 'SQLite', open: openTempSqlite },
  { name: 'PostgreSQL', open: async (): Promise<TestDatabase | null> => postgres()?.fresh() ?? null },
]) {
  describe(`clearExpired in batches on ${dialect.name}`, () => {
    test('12,000 expired and 6,000 idle sessions go in batches; the 500 live ones stay', async (t) => {
      const database = await dialect.open();
      if (database === null) return skipOrFail(t, 'PostgreSQL binaries not installed');
      try {
        await migrate(database.db);
        const store = new SqlSessionStore(database.db, new SqlUserStore(database.db));
        const now = Date.now();
        const row = (id: string, expiresAt: number, lastSeen: number) => ({ id, secret_hash: 'h', user_id: null, data: '{}', created_at: now - 48 * HOUR, last_seen: lastSeen, expires_at: expiresAt, persistent: 1, ip: '', user_agent: '' });
        const rows = [
          ...Array.from({ length: 12_000 }, (_, i) => row(`expired${String(i).padStart(6, '0')}`, now - HOUR, now - 2 * HOUR)),
          ...Array.from({ length: 6_000 }, (_, i) => row(`idle${String(i).padStart(6, '0')}`, now + 100 * HOUR, now - 8 * 24 * HOUR)),
          ...Array.from({ length: 500 }, (_, i) => row(`live${String(i).padStart(6, '0')}`, now + 100 * HOUR, now - HOUR)),
        ];
        for (let start = 0; start < rows.length; start += 1000) await database.db.kysely.insertInto('sessions').values(rows.slice(start, start + 1000)).execute();
        const progress: number[] = [];
        const deleted = await store.clearExpired(now, now - 7 * 24 * HOUR, (soFar) => progress.push(soFar));
        assert.equal(deleted, 18_000);
        assert.ok(progress.length >= 5, `heard ${progress.length} times: one statement per batch of 5,000 at most`);
        assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress only grows');
        assert.equal(progress.at(-1), 18_000);
        const left = await sql<{ n: number | string }>`select count(*) as n from sessions`.execute(database.db.kysely);
        assert.equal(Number(left.rows[0]!.n), 500);
      } finally {
        await database.close();
      }
    });
  });
}
