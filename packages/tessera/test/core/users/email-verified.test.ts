// The emailVerified flag in the user stores: stored and read back, and lost with the address it was about, on both dialects.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LruCache } from '../../../src/core/cache/lru-cache.ts';
import { CachedUserStore } from '../../../src/core/users/cached-user-store.ts';
import { SqlUserStore } from '../../../src/core/users/sql-user-store.ts';
import type { User } from '../../../src/core/users/user.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../../../test/support/databases.ts';
import { skipOrFail } from '../../../../../test/support/requirements.ts';

function created(result: User | 'username_taken'): User {
  assert.notEqual(result, 'username_taken');
  return result as User;
}

const postgres = postgresForThisFile();

const dialects: Array<{ name: string; open: () => Promise<TestDatabase | null> }> = [
  { name: 'SQLite', open: openTempSqlite },
  { name: 'PostgreSQL', open: async () => postgres()?.fresh() ?? null },
];

for (const dialect of dialects) {
  describe(`emailVerified in SqlUserStore on ${dialect.name}`, () => {
    function dbTest(name: string, body: (users: SqlUserStore, database: TestDatabase) => Promise<void>): void {
      test(name, async (t) => {
        const database = await dialect.open();
        if (database === null) {
          skipOrFail(t, `PostgreSQL binaries not installed: emailVerified on ${dialect.name} not tested`);
          return;
        }
        try {
          await migrate(database.db);
          await body(new SqlUserStore(database.db), database);
        } finally {
          await database.close();
        }
      });
    }

    dbTest('a new user is unverified unless create says otherwise', async (users) => {
      const alice = created(await users.create({ username: 'alice', email: 'alice@example.com', password: 'x' }));
      assert.equal(alice.emailVerified, false);
      assert.equal((await users.getById(alice.id))?.emailVerified, false);
      const bob = created(await users.create({ username: 'bob', email: 'bob@example.com', emailVerified: true, password: 'x' }));
      assert.equal(bob.emailVerified, true);
      assert.equal((await users.getByUsername('BOB'))?.emailVerified, true);
    });

    dbTest('updateIf writes only while the stored user holds what it expects', async (users) => {
      const alice = created(await users.create({ username: 'alice', email: 'alice@example.com', password: 'old-hash' }));
      // The address moved between the check and the write: the write misses, the flag stays.
      await users.update(alice.id, { email: 'mallory@example.com' });
      assert.equal(await users.updateIf(alice.id, { email: 'alice@example.com', emailVerified: false }, { emailVerified: true }), false);
      assert.equal((await users.getById(alice.id))?.emailVerified, false);
      assert.equal(await users.updateIf(alice.id, { email: 'mallory@example.com', emailVerified: false }, { emailVerified: true }), true);
      assert.equal((await users.getById(alice.id))?.emailVerified, true);
      // Spent: the same expectation again finds the flag already set.
      assert.equal(await users.updateIf(alice.id, { email: 'mallory@example.com', emailVerified: false }, { emailVerified: true }), false);
      // Two writes racing with one password hash: one lands.
      const [first, second] = await Promise.all([
        users.updateIf(alice.id, { password: 'old-hash' }, { password: 'new-1' }),
        users.updateIf(alice.id, { password: 'old-hash' }, { password: 'new-2' }),
      ]);
      assert.equal(Number(first) + Number(second), 1);
      assert.equal(await users.updateIf(alice.id + 1000, {}, { firstName: 'x' }), false);
    });

    dbTest('listByEmail finds the active users with an address, whatever its case', async (users) => {
      const alice = created(await users.create({ username: 'alice', email: 'Shared@Example.com', password: 'x' }));
      const bob = created(await users.create({ username: 'bob', email: 'shared@example.COM', password: 'x' }));
      const carol = created(await users.create({ username: 'carol', email: 'shared@example.com', password: 'x', isActive: false }));
      await users.create({ username: 'dave', email: 'other@example.com', password: 'x' });
      assert.deepEqual((await users.listByEmail('SHARED@example.com')).map((user) => user.id), [alice.id, bob.id]);
      assert.equal((await users.listByEmail('shared@example.com', 1)).length, 1);
      assert.deepEqual(await users.listByEmail(''), []);
      assert.deepEqual(await users.listByEmail('nul\0@example.com'), []);
      assert.ok(carol.id > 0);
    });

    dbTest('update({ emailVerified }) is written and read back, both ways', async (users) => {
      const alice = created(await users.create({ username: 'alice', email: 'alice@example.com', password: 'x' }));
      await users.update(alice.id, { emailVerified: true });
      assert.deepEqual(await users.getById(alice.id), { ...alice, emailVerified: true });
      await users.update(alice.id, { emailVerified: false });
      assert.equal((await users.getById(alice.id))?.emailVerified, false);
    });

    dbTest('a new address is unverified: changing the email resets the flag in the same update', async (users) => {
      const alice = created(await users.create({ username: 'alice', email: 'alice@example.com', emailVerified: true, password: 'x' }));
      await users.update(alice.id, { email: 'alice@elsewhere.example', firstName: 'Alice' });
      assert.deepEqual(await users.getById(alice.id), { ...alice, email: 'alice@elsewhere.example', firstName: 'Alice', emailVerified: false });
      // Back to the first address is a change as well: nothing proved it again.
      await users.update(alice.id, { emailVerified: true });
      await users.update(alice.id, { email: 'alice@example.com' });
      assert.equal((await users.getById(alice.id))?.emailVerified, false);
      await users.update(alice.id, { emailVerified: true });
      await users.update(alice.id, { email: '' });
      assert.equal((await users.getById(alice.id))?.emailVerified, false, 'no address is no verified address');
    });

    dbTest('re-saving the same address keeps the flag, in any case, and so does changing anything else', async (users) => {
      const alice = created(await users.create({ username: 'alice', email: 'alice@example.com', emailVerified: true, password: 'x' }));
      await users.update(alice.id, { email: 'alice@example.com', lastName: 'Liddell' });
      assert.equal((await users.getById(alice.id))?.emailVerified, true);
      await users.update(alice.id, { email: 'Alice@EXAMPLE.com' });
      const reread = await users.getById(alice.id);
      assert.equal(reread?.email, 'Alice@EXAMPLE.com', 'the address is stored as typed');
      assert.equal(reread?.emailVerified, true);
      await users.update(alice.id, { password: 'y', lastLogin: new Date(1_700_000_000_000), isStaff: true });
      assert.equal((await users.getById(alice.id))?.emailVerified, true);
    });

    dbTest('an update that changes the address and says it is verified is believed, either way', async (users) => {
      const alice = created(await users.create({ username: 'alice', email: 'alice@example.com', password: 'x' }));
      await users.update(alice.id, { email: 'alice@elsewhere.example', emailVerified: true });
      assert.equal((await users.getById(alice.id))?.emailVerified, true);
      await users.update(alice.id, { email: 'alice@elsewhere.example', emailVerified: false });
      assert.equal((await users.getById(alice.id))?.emailVerified, false);
    });

    dbTest('an address change resets only the user it names', async (users) => {
      const alice = created(await users.create({ username: 'alice', email: 'shared@example.com', emailVerified: true, password: 'x' }));
      const bob = created(await users.create({ username: 'bob', email: 'shared@example.com', emailVerified: true, password: 'x' }));
      await users.update(alice.id, { email: 'alice@example.com' });
      assert.equal((await users.getById(alice.id))?.emailVerified, false);
      assert.deepEqual(await users.getById(bob.id), bob);
    });
  });
}

describe('emailVerified in CachedUserStore', () => {
  test('the flag survives the cache, and a write to it is seen at once', async () => {
    const { db, close } = await openTempSqlite();
    try {
      await migrate(db);
      const cache = new LruCache();
      const users = new CachedUserStore(new SqlUserStore(db), cache, { ttlSeconds: 300 });
      const alice = created(await users.create({ username: 'alice', email: 'alice@example.com', password: 'x' }));
      await users.update(alice.id, { emailVerified: true });
      assert.equal((await users.getById(alice.id))?.emailVerified, true);
      assert.equal((await users.getById(alice.id))?.emailVerified, true, 'read from the cache');
      await users.update(alice.id, { email: 'alice@elsewhere.example' });
      assert.equal((await users.getById(alice.id))?.emailVerified, false);
    } finally {
      await close();
    }
  });

  test('a copy cached before the flag existed reads as unverified, not undefined', async () => {
    const cache = new LruCache();
    const fresh: User = {
      isAuthenticated: true, id: 7, username: 'old', usernameNormalized: 'old', email: 'old@example.com', emailVerified: true, pendingEmail: '', firstName: '', lastName: '',
      password: '!', isActive: true, isStaff: false, isSuperuser: false, dateJoined: new Date(0), lastLogin: null, extra: {},
    };
    const users = new CachedUserStore(
      { getById: async () => fresh, getByUsername: async () => fresh, create: async () => fresh, update: async () => {}, updateIf: async () => false, listByEmail: async () => [], delete: async () => {} },
      cache,
      { ttlSeconds: 300 },
    );
    const { emailVerified: _dropped, pendingEmail: _pending, ...before0005 } = fresh;
    await cache.set('user:7', JSON.stringify(before0005), 300);
    assert.equal((await users.getById(7))?.emailVerified, false);
    assert.equal((await users.getById(7))?.pendingEmail, '');
  });
});
