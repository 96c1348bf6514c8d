// Migrations on both dialects: they create the schema, are idempotent, keep data, and run an application's own after tessera's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';

import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrate, tesseraMigrations, type MigrationFactory } from '../../src/db/migrate.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../../test/support/databases.ts';
import { skipOrFail } from '../../../../test/support/requirements.ts';

const NOW = 1_700_000_000_000;

/** An application's migration: a `bio` column on users, as the docs of migrate() describe. */
const appBio: Record<string, MigrationFactory> = {
  '1000-app-bio': () => ({
    async up(db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('bio', 'text', (col) => col.notNull().defaultTo('')).execute();
    },
  }),
};

async function tableNames(db: Db): Promise<string[]> {
  const tables = await db.kysely.introspection.getTables();
  return tables.map((table) => table.name).sort();
}

async function columnNames(db: Db, table: string): Promise<string[]> {
  const tables = await db.kysely.introspection.getTables();
  return (tables.find((each) => each.name === table)?.columns ?? []).map((column) => column.name);
}

async function insertUser(db: Db, username: string): Promise<number> {
  const row = await db.kysely
    .insertInto('users')
    .values({ username, username_normalized: username.toLowerCase(), email: '', first_name: '', last_name: '', password: '!', is_active: 1, is_staff: 0, is_superuser: 0, date_joined: NOW, last_login: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

const postgres = postgresForThisFile();

const dialects: Array<{ name: string; open: () => Promise<TestDatabase | null> }> = [
  { name: 'SQLite', open: openTempSqlite },
  { name: 'PostgreSQL', open: async () => postgres()?.fresh() ?? null },
];

for (const dialect of dialects) {
  describe(`migrate on ${dialect.name}`, () => {
    function dbTest(name: string, body: (database: TestDatabase) => Promise<void>): void {
      test(name, async (t) => {
        const database = await dialect.open();
        if (database === null) {
          skipOrFail(t, `PostgreSQL binaries not installed: migrations on ${dialect.name} not tested`);
          return;
        }
        try {
          await body(database);
        } finally {
          await database.close();
        }
      });
    }

    dbTest('creates the users, sessions and login_failures tables', async ({ db }) => {
      const results = await migrate(db);
      assert.deepEqual(
        results.map((result) => [result.migrationName, result.status]),
        Object.keys(tesseraMigrations).map((name) => [name, 'Success']),
      );
      const tables = await tableNames(db);
      for (const table of ['users', 'sessions', 'login_failures']) assert.ok(tables.includes(table), `${table} is missing`);
      assert.deepEqual(
        (await columnNames(db, 'sessions')).sort(),
        ['created_at', 'data', 'expires_at', 'id', 'ip', 'last_seen', 'persistent', 'secret_hash', 'user_agent', 'user_id'],
      );
    });

    dbTest('creates what the cookie session store keeps: revoked ids and per-user cutoffs, each with its expiry', async ({ db }) => {
      await migrate(db);
      assert.deepEqual((await columnNames(db, 'revoked_sessions')).sort(), ['expires_at', 'id']);
      assert.deepEqual((await columnNames(db, 'user_session_cutoffs')).sort(), ['ended_before', 'expires_at', 'kept_id', 'user_id']);
      // Ending a user's sessions never fails, even for a user id with no row.
      await db.kysely.insertInto('user_session_cutoffs').values({ user_id: 424_242, ended_before: NOW, kept_id: null, expires_at: NOW }).execute();
      await db.kysely.insertInto('revoked_sessions').values({ id: 'x', expires_at: NOW }).execute();
      await assert.rejects(db.kysely.insertInto('revoked_sessions').values({ id: 'x', expires_at: NOW + 1 }).execute(), 'an id is revoked once');
    });

    dbTest('running it twice changes nothing and loses no data', async ({ db }) => {
      await migrate(db);
      const id = await insertUser(db, 'alice');
      const tablesBefore = await tableNames(db);
      const second = await migrate(db);
      assert.deepEqual(second, []);
      assert.deepEqual(await tableNames(db), tablesBefore);
      const row = await db.kysely.selectFrom('users').select(['id', 'username']).execute();
      assert.deepEqual(row.map((each) => [Number(each.id), each.username]), [[id, 'alice']]);
    });

    dbTest('an application\'s extra migration runs after tessera\'s and adds its column', async ({ db }) => {
      const results = await migrate(db, appBio);
      assert.deepEqual(
        results.map((result) => result.migrationName),
        [...Object.keys(tesseraMigrations), '1000-app-bio'],
      );
      assert.ok((await columnNames(db, 'users')).includes('bio'));
      const id = await insertUser(db, 'bob');
      const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal((row as Record<string, unknown>).bio, '');
    });

    dbTest('an extra migration added later is applied to an existing database, keeping its rows', async ({ db }) => {
      await migrate(db);
      const id = await insertUser(db, 'carol');
      const results = await migrate(db, appBio);
      assert.deepEqual(results.map((result) => [result.migrationName, result.status]), [['1000-app-bio', 'Success']]);
      const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.username, 'carol');
      assert.equal((row as Record<string, unknown>).bio, '');
      assert.deepEqual(await migrate(db, appBio), []);
    });

    dbTest('a migration a later tessera adds is applied to a database that already ran the application\'s', async ({ db }) => {
      await migrate(db, appBio);
      const id = await insertUser(db, 'erin');
      // What upgrading tessera looks like: a new core migration that sorts before the app's.
      const upgrade = '0999-tessera-upgrade';
      tesseraMigrations[upgrade] = () => ({
        async up(kysely: Kysely<any>) {
          await kysely.schema.createTable('tessera_upgrade_marker').addColumn('id', 'integer').execute();
        },
      });
      try {
        const results = await migrate(db, appBio);
        assert.deepEqual(results.map((result) => [result.migrationName, result.status]), [[upgrade, 'Success']]);
        assert.ok((await tableNames(db)).includes('tessera_upgrade_marker'));
        assert.equal((await db.kysely.selectFrom('users').select('username').where('id', '=', id).executeTakeFirst())?.username, 'erin');
        assert.deepEqual(await migrate(db, appBio), []);
      } finally {
        delete tesseraMigrations[upgrade];
      }
    });

    dbTest('another application\'s database is refused with a message that says so, and is left as it was', async ({ db }) => {
      await migrate(db, appBio);
      const tablesBefore = await tableNames(db);
      await assert.rejects(migrate(db), /migration "1000-app-bio" applied, which neither tessera nor this application provides; DATABASE_URL may name another application's database/);
      assert.deepEqual(await tableNames(db), tablesBefore);
    });

    dbTest('a session row must name an existing user', async ({ db }) => {
      await migrate(db);
      await assert.rejects(
        db.kysely
          .insertInto('sessions')
          .values({ id: 'x', secret_hash: 'h', user_id: 424_242, data: '{}', created_at: NOW, last_seen: NOW, expires_at: NOW, persistent: 1, ip: '', user_agent: '' })
          .execute(),
      );
    });

    dbTest('usernames are unique under their normalised form', async ({ db }) => {
      await migrate(db);
      await insertUser(db, 'dave');
      await assert.rejects(insertUser(db, 'DAVE'));
    });
  });
}

describe('migrate on SQLite: connection settings', () => {
  test('the database is in WAL mode with foreign keys on', async () => {
    const { db, close } = await openTempSqlite();
    try {
      await migrate(db);
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.kysely);
      assert.equal(journal.rows[0]?.journal_mode, 'wal');
      const foreignKeys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db.kysely);
      assert.equal(foreignKeys.rows[0]?.foreign_keys, 1);
    } finally {
      await close();
    }
  });

  test('the database file and its WAL are readable by their owner alone (0600), like the secret key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-mode-'));
    const file = join(dir, 'nested', 'db.sqlite3');
    const db = openDatabase(`sqlite:${file}`);
    try {
      await migrate(db);
      for (const path of [file, `${file}-wal`]) assert.equal(statSync(path).mode & 0o777, 0o600, path);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('tables are STRICT: a text in an integer column is an error, not a silent conversion', async () => {
    const { db, close } = await openTempSqlite();
    try {
      await migrate(db);
      const insert = (isActive: unknown) =>
        sql`insert into users (username, username_normalized, password, is_active, date_joined) values ('e', ${`e${String(isActive)}`}, '!', ${isActive}, ${NOW})`.execute(db.kysely);
      await assert.rejects(insert('yes'), /cannot store TEXT value in INTEGER column/);
      await assert.rejects(
        sql`insert into login_failures (key, count, window_start) values ('k', 1, 'later')`.execute(db.kysely),
        /cannot store TEXT value in INTEGER column/,
      );
      // The same statement with an integer goes in, so the failure above was the type.
      await insert(1);
      const tables = await sql<{ name: string; strict: number }>`select name, strict from pragma_table_list where schema = 'main' and name in ('users', 'sessions', 'login_failures')`.execute(db.kysely);
      assert.deepEqual(tables.rows.map((row) => [row.name, row.strict]).sort(), [['login_failures', 1], ['sessions', 1], ['users', 1]]);
    } finally {
      await close();
    }
  });
});
