// SqlUserStore on both dialects: one account per username whatever its case or width, and an application's own user fields.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { z } from 'zod';

import { SqlSessionStore } from '../../../src/core/sessions/sql-session-store.ts';
import { newSessionToken, hashSessionSecret } from '../../../src/core/sessions/token.ts';
import { SqlUserStore } from '../../../src/core/users/sql-user-store.ts';
import type { UserFields } from '../../../src/core/users/user-fields.ts';
import type { User } from '../../../src/core/users/user.ts';
import { migrate, type MigrationFactory } from '../../../src/db/migrate.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../../../test/support/databases.ts';
import { skipOrFail } from '../../../../../test/support/requirements.ts';

interface Profile {
  bio: string;
}

const profileFields: UserFields<Profile> = { bio: z.string().default('') };

/** The application's migration for its field: nullable, so the zod default is what fills it in. */
const profileMigration: Record<string, MigrationFactory> = {
  '1000-app-bio': () => ({
    async up(db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('bio', 'text').execute();
    },
  }),
};

function created<Extra extends object>(result: User<Extra> | 'username_taken'): User<Extra> {
  assert.notEqual(result, 'username_taken');
  return result as User<Extra>;
}

const postgres = postgresForThisFile();

const dialects: Array<{ name: string; open: () => Promise<TestDatabase | null> }> = [
  { name: 'SQLite', open: openTempSqlite },
  { name: 'PostgreSQL', open: async () => postgres()?.fresh() ?? null },
];

for (const dialect of dialects) {
  describe(`SqlUserStore on ${dialect.name}`, () => {
    function dbTest(name: string, body: (database: TestDatabase) => Promise<void>): void {
      test(name, async (t) => {
        const database = await dialect.open();
        if (database === null) {
          skipOrFail(t, `PostgreSQL binaries not installed: SqlUserStore on ${dialect.name} not tested`);
          return;
        }
        try {
          await body(database);
        } finally {
          await database.close();
        }
      });
    }

    dbTest('create stores every field and returns the stored user', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const before = Date.now();
      const alice = created(
        await users.create({ username: 'Alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', password: '$argon2id$fake', isStaff: true }),
      );
      assert.equal(typeof alice.id, 'number');
      assert.equal(alice.isAuthenticated, true);
      assert.equal(alice.username, 'Alice');
      assert.equal(alice.usernameNormalized, 'alice');
      assert.equal(alice.email, 'alice@example.com');
      assert.equal(alice.firstName, 'Alice');
      assert.equal(alice.lastName, 'Liddell');
      assert.equal(alice.password, '$argon2id$fake');
      assert.equal(alice.isActive, true);
      assert.equal(alice.isStaff, true);
      assert.equal(alice.isSuperuser, false);
      assert.equal(alice.lastLogin, null);
      assert.ok(alice.dateJoined.getTime() >= before, 'dateJoined is the time of creation');
      assert.deepEqual(await users.getById(alice.id), alice);
    });

    dbTest('optional fields default to empty and active', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const bob = created(await users.create({ username: 'bob', password: 'x' }));
      assert.equal(bob.email, '');
      assert.equal(bob.firstName, '');
      assert.equal(bob.lastName, '');
      assert.equal(bob.isActive, true);
      assert.equal(bob.isStaff, false);
      const inactive = created(await users.create({ username: 'sleepy', password: 'x', isActive: false }));
      assert.equal(inactive.isActive, false);
    });

    dbTest('getById of an unknown or impossible id is null', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const alice = created(await users.create({ username: 'alice', password: 'x' }));
      assert.equal(await users.getById(alice.id + 1), null);
      assert.equal(await users.getById(Number.NaN), null);
      assert.equal(await users.getById(1.5), null);
    });

    dbTest('getByUsername finds the account whatever the case: Alice, ALICE, alice', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const alice = created(await users.create({ username: 'Alice', password: 'x' }));
      for (const typed of ['Alice', 'ALICE', 'alice', 'aLiCe']) {
        assert.equal((await users.getByUsername(typed))?.id, alice.id, typed);
      }
      assert.equal(await users.getByUsername('alicia'), null);
    });

    dbTest('a fullwidth Ａｌｉｃｅ is the same account as Alice (NFKC)', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const alice = created(await users.create({ username: 'Alice', password: 'x' }));
      assert.equal((await users.getByUsername('Ａｌｉｃｅ'))?.id, alice.id);
      assert.equal(await users.create({ username: 'Ａｌｉｃｅ', password: 'y' }), 'username_taken');
    });

    dbTest('a username typed fullwidth is stored in its NFKC form', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const user = created(await users.create({ username: 'Ｂｏｂ', password: 'x' }));
      assert.equal(user.username, 'Bob');
      assert.equal((await users.getByUsername('bob'))?.id, user.id);
    });

    dbTest('create reports username_taken on a clash regardless of case, and writes nothing', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const alice = created(await users.create({ username: 'alice', password: 'first' }));
      for (const clash of ['alice', 'ALICE', 'Alice']) {
        assert.equal(await users.create({ username: clash, password: 'second' }), 'username_taken', clash);
      }
      const count = await db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 1);
      assert.equal((await users.getByUsername('alice'))?.password, 'first');
      assert.equal((await users.getById(alice.id))?.username, 'alice');
    });

    dbTest('create refuses what the sign-up form refuses (an empty name, an invisible character, NUL) and writes nothing', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      for (const username of ['', '   ', 'admin\u034F', 'nul\u0000name']) {
        await assert.rejects(users.create({ username, password: '!unusable' }), { name: 'TesseraError', code: 'bad_request' }, JSON.stringify(username));
      }
      await assert.rejects(users.create({ username: 'fine', email: 'a\u0000@b.example', password: '!unusable' }), { code: 'bad_request' });
      const count = await db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0);
    });

    dbTest('update writes the given fields and leaves the others', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const alice = created(await users.create({ username: 'alice', email: 'old@example.com', firstName: 'Al', password: 'x' }));
      const lastLogin = new Date(1_700_000_123_456);
      await users.update(alice.id, { email: 'new@example.com', lastName: 'Liddell', password: 'y', isActive: false, isStaff: true, isSuperuser: true, lastLogin });
      assert.deepEqual(await users.getById(alice.id), {
        ...alice,
        email: 'new@example.com',
        lastName: 'Liddell',
        password: 'y',
        isActive: false,
        isStaff: true,
        isSuperuser: true,
        lastLogin,
      });
      await users.update(alice.id, {});
      assert.equal((await users.getById(alice.id))?.firstName, 'Al');
    });

    dbTest('update touches only the user it names', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const alice = created(await users.create({ username: 'alice', password: 'x' }));
      const bob = created(await users.create({ username: 'bob', password: 'x' }));
      await users.update(alice.id, { email: 'alice@example.com' });
      assert.deepEqual(await users.getById(bob.id), bob);
    });

    dbTest('delete removes the user, and the username is free again', async ({ db }) => {
      await migrate(db);
      const users = new SqlUserStore(db);
      const alice = created(await users.create({ username: 'alice', password: 'x' }));
      const bob = created(await users.create({ username: 'bob', password: 'x' }));
      await users.delete(alice.id);
      assert.equal(await users.getById(alice.id), null);
      assert.equal(await users.getByUsername('alice'), null);
      assert.equal((await users.getById(bob.id))?.username, 'bob');
      created(await users.create({ username: 'ALICE', password: 'x' }));
    });

    dbTest('an application field is written and read back', async ({ db }) => {
      await migrate(db, profileMigration);
      const users = new SqlUserStore<Profile>(db, { fields: profileFields });
      const alice = created(await users.create({ username: 'alice', password: 'x', extra: { bio: 'Down the rabbit hole' } }));
      assert.deepEqual(alice.extra, { bio: 'Down the rabbit hole' });
      assert.deepEqual((await users.getById(alice.id))?.extra, { bio: 'Down the rabbit hole' });
      await users.update(alice.id, { extra: { bio: 'Through the looking glass' } });
      assert.deepEqual((await users.getByUsername('ALICE'))?.extra, { bio: 'Through the looking glass' });
    });

    dbTest('an application field never written reads as its zod default', async ({ db }) => {
      await migrate(db, profileMigration);
      const users = new SqlUserStore<Profile>(db, { fields: profileFields });
      const bob = created(await users.create({ username: 'bob', password: 'x' }));
      assert.deepEqual(bob.extra, { bio: '' });
      const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', bob.id).executeTakeFirstOrThrow();
      assert.equal((row as Record<string, unknown>).bio, null, 'the column itself was left empty');
      await users.update(bob.id, { email: 'bob@example.com' });
      assert.deepEqual((await users.getById(bob.id))?.extra, { bio: '' });
    });

    dbTest('an application field is validated by its schema before it is written', async ({ db }) => {
      await migrate(db, profileMigration);
      const users = new SqlUserStore<Profile>(db, { fields: profileFields });
      const carol = created(await users.create({ username: 'carol', password: 'x', extra: { bio: 'kept' } }));
      await assert.rejects(users.update(carol.id, { extra: { bio: 42 as unknown as string } }));
      assert.deepEqual((await users.getById(carol.id))?.extra, { bio: 'kept' });
    });

    dbTest('the user a session store joins carries the application fields', async ({ db }) => {
      await migrate(db, profileMigration);
      const users = new SqlUserStore<Profile>(db, { fields: profileFields });
      const sessions = new SqlSessionStore(db, users);
      const alice = created(await users.create({ username: 'alice', password: 'x', extra: { bio: 'curious' } }));
      const token = newSessionToken();
      const now = 1_700_000_000_000;
      await sessions.create({ id: token.id, secretHash: hashSessionSecret(token.secret), userId: alice.id, data: {}, createdAt: now, lastSeen: now, expiresAt: now + 1000, persistent: true, ip: '', userAgent: '' });
      const loaded = await sessions.load(token.id);
      assert.deepEqual(loaded?.user, alice);
      assert.deepEqual(loaded?.user?.extra, { bio: 'curious' });
    });
  });
}
