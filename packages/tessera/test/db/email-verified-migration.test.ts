// Migration 0005 on both dialects: users gain email_verified, and everyone already there starts unverified.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';

import type { Db } from '../../src/db/database.ts';
import { migrate, tesseraMigrations } from '../../src/db/migrate.ts';
import { emailVerifiedMigration } from '../../src/db/migrations/0005-email-verified.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../../test/support/databases.ts';
import { skipOrFail } from '../../../../test/support/requirements.ts';

const NOW = 1_700_000_000_000;

/** A users row as a tessera before 0005 wrote it: with no email_verified to give. */
async function insertOldUser(db: Db, username: string): Promise<number> {
  const { rows } = await sql<{ id: number }>`insert into users (username, username_normalized, email, password, is_active, date_joined)
    values (${username}, ${username}, ${`${username}@example.com`}, '!', 1, ${NOW}) returning id`.execute(db.kysely);
  return Number(rows[0]!.id);
}

async function usersColumns(db: Db): Promise<Map<string, { isNullable: boolean; hasDefaultValue: boolean }>> {
  const tables = await db.kysely.introspection.getTables();
  const users = tables.find((table) => table.name === 'users');
  return new Map((users?.columns ?? []).map((column) => [column.name, column]));
}

/** Migrates as a tessera from before 0005 would have: every migration but that one. */
async function migrateBefore0005(db: Db): Promise<void> {
  const factory = tesseraMigrations['0005-email-verified'];
  assert.ok(factory, '0005-email-verified is not registered');
  delete tesseraMigrations['0005-email-verified'];
  try {
    await migrate(db);
  } finally {
    tesseraMigrations['0005-email-verified'] = factory;
  }
}

const postgres = postgresForThisFile();

const dialects: Array<{ name: string; open: () => Promise<TestDatabase | null> }> = [
  { name: 'SQLite', open: openTempSqlite },
  { name: 'PostgreSQL', open: async () => postgres()?.fresh() ?? null },
];

for (const dialect of dialects) {
  describe(`0005-email-verified on ${dialect.name}`, () => {
    function dbTest(name: string, body: (database: TestDatabase) => Promise<void>): void {
      test(name, async (t) => {
        const database = await dialect.open();
        if (database === null) {
          skipOrFail(t, `PostgreSQL binaries not installed: migration 0005 on ${dialect.name} not tested`);
          return;
        }
        try {
          await body(database);
        } finally {
          await database.close();
        }
      });
    }

    dbTest('an existing database gains the column, and its users read as unverified', async ({ db }) => {
      await migrateBefore0005(db);
      assert.equal((await usersColumns(db)).has('email_verified'), false);
      const alice = await insertOldUser(db, 'alice');
      const bob = await insertOldUser(db, 'bob');
      const results = await migrate(db);
      assert.deepEqual(results.map((result) => [result.migrationName, result.status]), [['0005-email-verified', 'Success']]);
      const column = (await usersColumns(db)).get('email_verified');
      assert.ok(column, 'email_verified is missing');
      assert.equal(column.isNullable, false);
      assert.equal(column.hasDefaultValue, true);
      const rows = await db.kysely.selectFrom('users').select(['id', 'username', 'email_verified']).orderBy('id').execute();
      assert.deepEqual(rows.map((row) => [Number(row.id), row.username, Number(row.email_verified)]), [[alice, 'alice', 0], [bob, 'bob', 0]]);
      assert.deepEqual(await migrate(db), [], 'a second run changes nothing');
    });

    dbTest('a user inserted without the flag is unverified, and the flag holds 0 or 1, never null', async ({ db }) => {
      await migrate(db);
      const carol = await insertOldUser(db, 'carol');
      const row = await db.kysely.selectFrom('users').select('email_verified').where('id', '=', carol).executeTakeFirstOrThrow();
      assert.equal(Number(row.email_verified), 0);
      await db.kysely.updateTable('users').set({ email_verified: 1 }).where('id', '=', carol).execute();
      const verified = await db.kysely.selectFrom('users').select('email_verified').where('id', '=', carol).executeTakeFirstOrThrow();
      assert.equal(Number(verified.email_verified), 1);
      await assert.rejects(db.kysely.updateTable('users').set({ email_verified: null as never }).where('id', '=', carol).execute());
    });

    dbTest('down removes the column and keeps the users', async ({ db }) => {
      await migrate(db);
      const dave = await insertOldUser(db, 'dave');
      await emailVerifiedMigration().down!(db.kysely);
      assert.equal((await usersColumns(db)).has('email_verified'), false);
      assert.equal((await db.kysely.selectFrom('users').select('username').where('id', '=', dave).executeTakeFirst())?.username, 'dave');
    });
  });
}
