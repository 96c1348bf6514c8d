// One suite of SessionStore behaviours, run over every store: memory, SQL on SQLite and PostgreSQL, Redis, cached SQL, cookie.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { LruCache } from '../../src/core/cache/lru-cache.ts';
import { defaultSessionSettings } from '../../src/core/config.ts';
import { createRedisClient, type RedisClient } from '../../src/core/redis-client.ts';
import { CachedSessionStore } from '../../src/core/sessions/cached-session-store.ts';
import { CookieSessionStore } from '../../src/core/sessions/cookie-session-store.ts';
import { MemorySessionStore } from '../../src/core/sessions/memory-session-store.ts';
import { RedisSessionStore } from '../../src/core/sessions/redis-session-store.ts';
import { SessionManager } from '../../src/core/sessions/session-manager.ts';
import type { SessionRecord, SessionStore } from '../../src/core/sessions/session-store.ts';
import { SqlSessionStore } from '../../src/core/sessions/sql-session-store.ts';
import { hashSessionSecret, newSessionToken, parseSessionToken, type SessionToken } from '../../src/core/sessions/token.ts';
import { SqlUserStore } from '../../src/core/users/sql-user-store.ts';
import type { Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../../test/support/databases.ts';
import { startRedis, type RedisServer } from '../../../../test/support/redis.ts';
import { skipOrFail } from '../../../../test/support/requirements.ts';

/** What a contract test needs from the store under test, and from where it keeps things. */
interface StoreFixture {
  store: SessionStore;
  /** an id the store accepts as a user: a real users row for the SQL stores */
  newUserId(username: string): Promise<number>;
  /** everything the store keeps for the session, as kept (a row for SQL, a hash for Redis), or null */
  stored(id: string): Promise<Record<string, unknown> | null>;
  /** present for stores whose sessions live in the SQL database beside the users */
  sql?: { db: Db; users: SqlUserStore };
  close(): Promise<void>;
}

interface StoreUnderTest {
  name: string;
  /** the service that must be installed, for the skip notice */
  needs?: string;
  /** load() returns the session's user, read in the same query */
  joinsUser: boolean;
  /** sessions reference users rows: a session of an unknown user is refused, and deleting a user deletes them */
  referencesUsers: boolean;
  /**
   * each session's record travels in its cookie (the cookie store): the store keeps none, so it
   * cannot list them, and keeps only which sessions were ended
   */
  recordsInCookies: boolean;
  /** a fresh, empty store; null when the service it needs is not installed */
  open(): Promise<StoreFixture | null>;
}

// Times near now (Redis expires keys by the wall clock, so a session must not be born expired),
// and far past 2^31, so a column too narrow for milliseconds would show.
const T0 = Math.floor(Date.now() / 1000) * 1000;
const HOUR = 3_600_000;
const SECRET_KEY = 'contract-secret-key-that-is-long-enough-0123456789';

/** Each record's token, so a test can write the cookie a visitor would hold for it. */
const tokens = new Map<string, SessionToken>();

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const token = newSessionToken();
  tokens.set(token.id, token);
  return {
    id: token.id,
    secretHash: hashSessionSecret(token.secret),
    userId: null,
    data: {},
    createdAt: T0,
    lastSeen: T0,
    expiresAt: T0 + 14 * 24 * HOUR,
    persistent: true,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    ...overrides,
  };
}

/** The record without the joined user, which only some stores read. */
function plain(value: SessionRecord | null | undefined): Omit<SessionRecord, 'user'> | null {
  if (value === null || value === undefined) return null;
  const { user: _user, ...rest } = value;
  return rest;
}

/**
 * What the visitor's cookie for `held` brings back to the store, as the manager passes it: nothing
 * but the id for a store that keeps its records; the record read back from the cookie the store's
 * format wrote for one whose records travel in cookies.
 */
function carried(store: SessionStore, held: SessionRecord): SessionRecord | undefined {
  const format = store.cookieFormat;
  if (format === undefined || !format.carriesRecord) return undefined;
  const token = tokens.get(held.id);
  assert.ok(token, 'a record made by record()');
  const contents = format.read(format.write(held, token));
  assert.ok(contents?.record, 'the cookie reads back');
  return contents.record;
}

/** Loads the session a visitor holding `held` presents, as the manager does. */
function loadHeld(store: SessionStore, held: SessionRecord): Promise<SessionRecord | null> {
  return store.load(held.id, carried(store, held));
}

function sessionStoreContract(subject: StoreUnderTest): void {
  describe(`SessionStore contract: ${subject.name}`, () => {
    function storeTest(name: string, body: (fixture: StoreFixture) => Promise<void>): void {
      test(name, async (t) => {
        const fixture = await subject.open();
        if (fixture === null) {
          skipOrFail(t, `${subject.needs ?? 'a service'} not installed: ${subject.name} not tested`);
          return;
        }
        try {
          await body(fixture);
        } finally {
          await fixture.close();
        }
      });
    }

    storeTest('create then load returns every field as written', async ({ store, newUserId }) => {
      const userId = await newUserId('alice');
      const written = record({
        userId,
        data: { text: 'héllo ☃', count: 3, flag: true, nothing: null, nested: { list: [1, 'two', { three: 3 }] } },
        createdAt: T0,
        lastSeen: T0 + 5_000,
        expiresAt: T0 + 10 * HOUR,
        persistent: false,
        ip: '2001:db8::1',
        userAgent: 'curl/8.5.0',
      });
      await store.create(written);
      assert.deepEqual(plain(await loadHeld(store, written)), written);
    });

    storeTest('load of an unknown id is null', async ({ store }) => {
      await store.create(record());
      assert.equal(await store.load(newSessionToken().id), null);
    });

    storeTest('the store says where its records live: in cookies, or kept by the store', async ({ store }) => {
      assert.equal(store.cookieFormat?.carriesRecord ?? false, subject.recordsInCookies);
    });

    storeTest('a loaded record is a copy: changing it does not change the store', async ({ store }) => {
      const written = record({ data: { cart: ['a'] } });
      await store.create(written);
      const first = await loadHeld(store, written);
      assert.ok(first);
      (first.data.cart as string[]).push('b');
      first.lastSeen = T0 + HOUR;
      const second = await loadHeld(store, written);
      assert.deepEqual(second?.data, { cart: ['a'] });
      assert.equal(second?.lastSeen, T0);
    });

    storeTest('delete ends the session, and deleting an unknown id is harmless', async ({ store }) => {
      const kept = record();
      const gone = record();
      await store.create(kept);
      await store.create(gone);
      await store.delete(gone.id, gone.expiresAt);
      await store.delete(newSessionToken().id);
      assert.equal(await loadHeld(store, gone), null);
      assert.equal((await loadHeld(store, kept))?.id, kept.id);
    });

    storeTest('deleteForUser ends every session of the user and no one else\'s', async ({ store, newUserId }) => {
      const alice = await newUserId('alice');
      const bob = await newUserId('bob');
      const a1 = record({ userId: alice });
      const a2 = record({ userId: alice });
      const b1 = record({ userId: bob });
      const anonymous = record();
      for (const each of [a1, a2, b1, anonymous]) await store.create(each);
      await store.deleteForUser(alice);
      assert.equal(await loadHeld(store, a1), null);
      assert.equal(await loadHeld(store, a2), null);
      assert.equal((await loadHeld(store, b1))?.id, b1.id);
      assert.equal((await loadHeld(store, anonymous))?.id, anonymous.id);
    });

    storeTest('deleteForUser with exceptId keeps that one session', async ({ store, newUserId }) => {
      const alice = await newUserId('alice');
      const current = record({ userId: alice });
      const others = [record({ userId: alice }), record({ userId: alice })];
      await store.create(current);
      for (const each of others) await store.create(each);
      await store.deleteForUser(alice, current.id);
      assert.equal((await loadHeld(store, current))?.id, current.id);
      for (const each of others) assert.equal(await loadHeld(store, each), null);
    });

    storeTest('deleteForUser never touches another user\'s session, even when exceptId names it', async ({ store, newUserId }) => {
      const alice = await newUserId('alice');
      const bob = await newUserId('bob');
      const bobs = record({ userId: bob });
      const alices = record({ userId: alice });
      await store.create(bobs);
      await store.create(alices);
      await store.deleteForUser(alice, bobs.id);
      assert.equal((await loadHeld(store, bobs))?.id, bobs.id);
      assert.equal(await loadHeld(store, alices), null);
    });

    if (subject.joinsUser) {
      storeTest('load returns the session\'s user, read in the same query', async ({ store, sql }) => {
        assert.ok(sql);
        // Verified, so a flag the join dropped would read as the default and show.
        const created = await sql.users.create({ username: 'Carol', email: 'carol@example.com', emailVerified: true, password: 'x$y', isStaff: true });
        assert.notEqual(created, 'username_taken');
        if (created === 'username_taken') return;
        assert.equal(created.emailVerified, true);
        const written = record({ userId: created.id });
        await store.create(written);
        const before = sql.db.stats.queries;
        const loaded = await loadHeld(store, written);
        assert.equal(sql.db.stats.queries - before, 1, 'the session and its user took more than one query');
        assert.ok(loaded?.user);
        assert.deepEqual(loaded.user, created);
        // The user's columns do not hide the session's own (both tables have an id).
        assert.equal(loaded.id, written.id);
        assert.deepEqual(plain(loaded), written);
      });

      storeTest('load of an anonymous session returns a null user', async ({ store }) => {
        const written = record({ userId: null, data: { cart: [1] } });
        await store.create(written);
        const loaded = await loadHeld(store, written);
        assert.equal(loaded?.user, null);
        assert.deepEqual(loaded?.data, { cart: [1] });
      });
    }

    if (!subject.recordsInCookies) {
      storeTest('update rewrites data, userId, expiresAt and persistent, and nothing else', async ({ store, newUserId }) => {
        const userId = await newUserId('bob');
        const written = record({ data: { step: 1 } });
        await store.create(written);
        await store.update({
          ...written,
          data: { step: 2, done: true },
          userId,
          expiresAt: T0 + 2 * HOUR,
          persistent: false,
          // The rest is not the update's to change.
          secretHash: hashSessionSecret('another secret'),
          createdAt: T0 + 1,
          lastSeen: T0 + 2,
          ip: '198.51.100.1',
          userAgent: 'other',
        });
        assert.deepEqual(plain(await store.load(written.id)), {
          ...written,
          data: { step: 2, done: true },
          userId,
          expiresAt: T0 + 2 * HOUR,
          persistent: false,
        });
      });

      storeTest('update of an unknown id creates nothing', async ({ store }) => {
        const ghost = record();
        await store.update(ghost);
        assert.equal(await store.load(ghost.id), null);
      });

      storeTest('touch sets lastSeen and leaves the rest', async ({ store }) => {
        const written = record({ data: { a: 1 } });
        await store.create(written);
        await store.touch(written.id, T0 + 90_000);
        assert.deepEqual(plain(await store.load(written.id)), { ...written, lastSeen: T0 + 90_000 });
      });

      storeTest('listForUser returns only that user\'s sessions, most recently seen first', async ({ store, newUserId }) => {
        const alice = await newUserId('alice');
        const bob = await newUserId('bob');
        const old = record({ userId: alice, lastSeen: T0 });
        const newest = record({ userId: alice, lastSeen: T0 + 2 * HOUR });
        const middle = record({ userId: alice, lastSeen: T0 + HOUR });
        await store.create(old);
        await store.create(newest);
        await store.create(middle);
        await store.create(record({ userId: bob, lastSeen: T0 + 3 * HOUR }));
        await store.create(record({ userId: null, lastSeen: T0 + 3 * HOUR }));
        const listed = await store.listForUser(alice);
        assert.deepEqual(listed.map((session) => session.id), [newest.id, middle.id, old.id]);
        assert.deepEqual(plain(listed[0]), newest);
        assert.deepEqual(await store.listForUser(alice + bob + 1000), []);
      });

      storeTest('deleteForUser returns how many sessions went, and listForUser then shows the one kept', async ({ store, newUserId }) => {
        const alice = await newUserId('alice');
        const bob = await newUserId('bob');
        const current = record({ userId: alice });
        for (const each of [current, record({ userId: alice }), record({ userId: alice }), record({ userId: bob })]) await store.create(each);
        assert.equal(await store.deleteForUser(alice, current.id), 2);
        assert.deepEqual((await store.listForUser(alice)).map((session) => session.id), [current.id]);
        assert.equal(await store.deleteForUser(alice), 1);
        assert.deepEqual(await store.listForUser(alice), []);
        assert.equal(await store.deleteForUser(alice), 0);
        assert.equal(await store.deleteForUser(alice, current.id), 0, 'exceptId names a session already gone');
      });

      // What clearExpired removed is checked in what the store keeps (stored()), since a cache in
      // front may still serve a copy until it ages out; the manager refuses such a copy as expired.
      storeTest('clearExpired: one session at +1h and one at -1h, two become one (Django T-S10)', async ({ store, stored }) => {
        const now = T0 + 24 * HOUR;
        const live = record({ lastSeen: now, expiresAt: now + HOUR });
        const expired = record({ lastSeen: now - 2 * HOUR, expiresAt: now - HOUR });
        await store.create(live);
        await store.create(expired);
        assert.equal(await store.clearExpired(now, now - 7 * 24 * HOUR), 1);
        assert.equal((await store.load(live.id))?.id, live.id);
        assert.equal(await stored(expired.id), null);
      });

      storeTest('clearExpired removes a session idle since before idleBefore, however far its absolute expiry', async ({ store, stored }) => {
        const now = T0 + 30 * 24 * HOUR;
        const idleBefore = now - 7 * 24 * HOUR;
        const idle = record({ lastSeen: idleBefore - 1, expiresAt: now + 100 * HOUR });
        const justActive = record({ lastSeen: idleBefore, expiresAt: now + 100 * HOUR });
        await store.create(idle);
        await store.create(justActive);
        assert.equal(await store.clearExpired(now, idleBefore), 1);
        assert.equal(await stored(idle.id), null);
        assert.equal((await store.load(justActive.id))?.id, justActive.id);
      });

      storeTest('clearExpired treats an expiry equal to now as passed', async ({ store, stored }) => {
        const now = T0 + HOUR;
        const atNow = record({ lastSeen: now, expiresAt: now });
        await store.create(atNow);
        assert.equal(await store.clearExpired(now, now - HOUR), 1);
        assert.equal(await stored(atNow.id), null);
      });

      storeTest('the secret is never stored, only its SHA-256 in hex', async ({ store, stored }) => {
        const manager = new SessionManager(store, defaultSessionSettings);
        const session = await manager.load(undefined, T0);
        session.set('note', 'kept');
        const cookie = await manager.commit(session, { ip: '192.0.2.1', userAgent: 'test' }, T0);
        assert.ok(cookie !== null && cookie.action === 'set');
        const token = parseSessionToken(cookie.value);
        assert.ok(token, 'the cookie holds a well-formed token');
        const kept = await stored(token.id);
        assert.ok(kept, 'the session was stored');
        const everything = JSON.stringify(kept);
        assert.equal(everything.includes(token.secret), false, 'the secret appears in what the store keeps');
        assert.ok(everything.includes(hashSessionSecret(token.secret)), 'the SHA-256 of the secret is not kept');
        assert.match(hashSessionSecret(token.secret), /^[0-9a-f]{64}$/);
        assert.equal((await store.load(token.id))?.secretHash, hashSessionSecret(token.secret));
      });
    }

    if (subject.recordsInCookies) {
      // The store keeps no record, so what it keeps is read from the database itself.
      async function keptRows(sql: StoreFixture['sql']): Promise<{ revoked: number; cutoffs: number }> {
        assert.ok(sql, 'a store whose records travel in cookies keeps its ends in SQL');
        const revoked = await sql.db.kysely.selectFrom('revoked_sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        const cutoffs = await sql.db.kysely.selectFrom('user_session_cutoffs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        return { revoked: Number(revoked.n), cutoffs: Number(cutoffs.n) };
      }

      storeTest('a live session keeps nothing on the server: create, update and touch write nothing, and listForUser lists none', async ({ store, sql, stored, newUserId }) => {
        const alice = await newUserId('alice');
        const written = record({ userId: alice, data: { step: 1 } });
        await store.create(written);
        await store.update({ ...written, data: { step: 2 } });
        await store.touch(written.id, T0 + 90_000);
        assert.equal(await stored(written.id), null);
        assert.deepEqual(await keptRows(sql), { revoked: 0, cutoffs: 0 });
        assert.deepEqual(await store.listForUser(alice), []);
        // Without the record its cookie carries, an id alone names nothing.
        assert.equal(await store.load(written.id), null);
      });

      storeTest('the cookie carries the record signed: a changed character, another key or a bare token reads as nothing', async ({ store, sql }) => {
        assert.ok(sql);
        const format = store.cookieFormat!;
        const written = record({ data: { role: 'reader' } });
        const token = tokens.get(written.id)!;
        const value = format.write(written, token);
        assert.equal(parseSessionToken(value), null, 'the cookie is a bare token');
        assert.deepEqual(format.read(value)?.record, written);
        const [payload, signature] = value.split(':');
        const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), d: { role: 'admin' } })).toString('base64url');
        assert.equal(format.read(`${forged}:${signature}`), null, 'a changed record kept its signature');
        assert.equal(format.read(`${payload}:${signature!.slice(1)}A`), null);
        assert.equal(format.read(`${payload}`), null);
        const otherKey = new CookieSessionStore(sql.db, sql.users, { secretKey: `${SECRET_KEY}-other`, settings: defaultSessionSettings });
        assert.equal(otherKey.cookieFormat.read(value), null, 'a cookie signed with another key was read');
        assert.equal(format.read(`${token.id}.${token.secret}`), null);
      });

      storeTest('a deletion is remembered until the session would have expired, then clearExpired forgets it', async ({ store, sql, stored }) => {
        const now = Date.now();
        const gone = record({ createdAt: now, lastSeen: now, expiresAt: now + HOUR });
        await store.create(gone);
        await store.delete(gone.id, gone.expiresAt);
        assert.deepEqual(await stored(gone.id), { id: gone.id, expires_at: gone.expiresAt });
        assert.equal(await store.clearExpired(gone.expiresAt - 1, 0), 0);
        assert.equal(await loadHeld(store, gone), null);
        assert.equal(await store.clearExpired(gone.expiresAt, 0), 1);
        assert.equal(await stored(gone.id), null);
        assert.deepEqual(await keptRows(sql), { revoked: 0, cutoffs: 0 });
      });

      storeTest('a deletion of a session already past its expiry keeps nothing; one whose expiry is not given is kept for the longest lifetime', async ({ store, stored }) => {
        const expired = record({ expiresAt: Date.now() - 1 });
        await store.delete(expired.id, expired.expiresAt);
        assert.equal(await stored(expired.id), null);
        const unknown = record();
        const before = Date.now();
        await store.delete(unknown.id);
        const kept = await stored(unknown.id);
        assert.ok(kept);
        const longest = Math.max(defaultSessionSettings.maxAgeSeconds, defaultSessionSettings.browserSessionMaxAgeSeconds) * 1000;
        assert.ok(Number(kept.expires_at) >= before + longest && Number(kept.expires_at) <= Date.now() + longest);
      });

      storeTest('deleteForUser ends the sessions created before it, not those created after, and is forgotten once they would all have expired', async ({ store, sql, newUserId }) => {
        const alice = await newUserId('alice');
        const earlier = record({ userId: alice, createdAt: T0 });
        await store.create(earlier);
        const marked = Date.now();
        await store.deleteForUser(alice);
        const later = record({ userId: alice, createdAt: Date.now() + 1, lastSeen: Date.now() + 1 });
        await store.create(later);
        assert.equal(await loadHeld(store, earlier), null);
        assert.equal((await loadHeld(store, later))?.id, later.id);
        const longest = Math.max(defaultSessionSettings.maxAgeSeconds, defaultSessionSettings.browserSessionMaxAgeSeconds) * 1000;
        assert.equal(await store.clearExpired(marked + longest - 1, 0), 0);
        assert.deepEqual(await keptRows(sql), { revoked: 0, cutoffs: 1 });
        assert.equal(await store.clearExpired(Date.now() + longest, 0), 1);
        assert.deepEqual(await keptRows(sql), { revoked: 0, cutoffs: 0 });
      });

      storeTest('a later deleteForUser replaces the earlier one: the session that one kept ends too', async ({ store, sql, newUserId }) => {
        const alice = await newUserId('alice');
        const laptop = record({ userId: alice });
        const phone = record({ userId: alice });
        await store.create(laptop);
        await store.create(phone);
        await store.deleteForUser(alice, laptop.id);
        assert.equal((await loadHeld(store, laptop))?.id, laptop.id);
        assert.equal(await loadHeld(store, phone), null);
        await store.deleteForUser(alice, phone.id);
        assert.equal(await loadHeld(store, laptop), null);
        assert.deepEqual(await keptRows(sql), { revoked: 0, cutoffs: 1 });
      });

      storeTest('a session whose user no longer exists loads as none', async ({ store, sql, newUserId }) => {
        assert.ok(sql);
        const alice = await newUserId('alice');
        const written = record({ userId: alice });
        await store.create(written);
        assert.equal((await loadHeld(store, written))?.id, written.id);
        await sql.users.delete(alice);
        assert.equal(await loadHeld(store, written), null);
      });

      storeTest('the manager round-trips a session through its cookie, and a logout ends it for every copy of the cookie', async ({ store, newUserId }) => {
        const manager = new SessionManager(store, defaultSessionSettings);
        const alice = await newUserId('alice');
        const fresh = await manager.load(undefined);
        fresh.userId = alice;
        fresh.set('note', 'kept');
        const issued = await manager.commit(fresh, { ip: '192.0.2.1', userAgent: 'test' });
        assert.ok(issued?.action === 'set');
        const again = await manager.load(issued.value);
        assert.equal(again.userId, alice);
        assert.equal(again.get('note'), 'kept');
        again.flush();
        assert.deepEqual(await manager.commit(again, { ip: '192.0.2.1', userAgent: 'test' }), { action: 'clear' });
        const replayed = await manager.load(issued.value);
        assert.equal(replayed.userId, null);
        assert.equal(replayed.loaded, null);
      });
    }

    if (subject.referencesUsers) {
      storeTest('a session cannot name a user that does not exist', async ({ store }) => {
        await assert.rejects(store.create(record({ userId: 987_654 })));
      });

      storeTest('deleting a user deletes their sessions', async ({ store, sql, stored, newUserId }) => {
        assert.ok(sql);
        const alice = await newUserId('alice');
        const bob = await newUserId('bob');
        const alices = [record({ userId: alice }), record({ userId: alice })];
        const bobs = record({ userId: bob });
        for (const each of [...alices, bobs]) await store.create(each);
        await sql.users.delete(alice);
        // stored(), not load(): a cache in front may serve its copy until it ages out, and the
        // manager then finds no user and flushes the session (test/core/auth.test.ts).
        for (const each of alices) assert.equal(await stored(each.id), null);
        assert.deepEqual(await store.listForUser(alice), []);
        assert.equal((await store.load(bobs.id))?.id, bobs.id);
      });
    }
  });
}

function memoryStore(): StoreUnderTest {
  return {
    name: 'MemorySessionStore',
    joinsUser: false,
    referencesUsers: false,
    recordsInCookies: false,
    open: async () => {
      const store = new MemorySessionStore();
      let users = 0;
      return {
        store,
        newUserId: async () => (users += 1),
        stored: async (id) => {
          const kept = await store.load(id);
          return kept === null ? null : { ...kept };
        },
        close: async () => {},
      };
    },
  };
}

/** An LRU cache that remembers every value written to it, to see what a cached store puts there. */
class RecordingCache extends LruCache {
  readonly written: string[] = [];

  override async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.written.push(value);
    await super.set(key, value, ttlSeconds);
  }
}

async function sqlFixture(database: TestDatabase, options: { cached?: boolean } = {}): Promise<StoreFixture> {
  await migrate(database.db);
  const users = new SqlUserStore(database.db);
  const sqlStore = new SqlSessionStore(database.db, users);
  const cache = new RecordingCache();
  const store = options.cached ? new CachedSessionStore(sqlStore, cache, { ttlSeconds: 60 }) : sqlStore;
  return {
    store,
    sql: { db: database.db, users },
    newUserId: async (username) => {
      const user = await users.create({ username, password: '!unusable' });
      if (user === 'username_taken') throw new Error(`user ${username} exists already`);
      return user.id;
    },
    stored: async (id) => {
      const row = await database.db.kysely.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      return options.cached ? { row, cacheWrites: cache.written } : { ...row };
    },
    close: () => database.close(),
  };
}

/** The cookie store: records in signed cookies, and in SQL only the sessions ended early. */
async function cookieFixture(database: TestDatabase): Promise<StoreFixture> {
  await migrate(database.db);
  const users = new SqlUserStore(database.db);
  return {
    store: new CookieSessionStore(database.db, users, { secretKey: SECRET_KEY, settings: defaultSessionSettings }),
    sql: { db: database.db, users },
    newUserId: async (username) => {
      const user = await users.create({ username, password: '!unusable' });
      if (user === 'username_taken') throw new Error(`user ${username} exists already`);
      return user.id;
    },
    stored: async (id) => {
      const row = await database.db.kysely.selectFrom('revoked_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? { ...row } : null;
    },
    close: () => database.close(),
  };
}

const postgres = postgresForThisFile();

let redisServer: RedisServer | null = null;
let redisClient: RedisClient | null = null;

before(async () => {
  redisServer = await startRedis();
  if (redisServer !== null) {
    redisClient = createRedisClient(redisServer.url);
    await redisClient.connect();
  }
});

after(async () => {
  await redisClient?.quit();
  await redisServer?.stop();
});

sessionStoreContract(memoryStore());

sessionStoreContract({
  name: 'SqlSessionStore on SQLite',
  joinsUser: true,
  referencesUsers: true,
  recordsInCookies: false,
  open: async () => sqlFixture(await openTempSqlite()),
});

sessionStoreContract({
  name: 'SqlSessionStore on PostgreSQL',
  needs: 'PostgreSQL',
  joinsUser: true,
  referencesUsers: true,
  recordsInCookies: false,
  open: async () => {
    const shared = postgres();
    return shared === null ? null : sqlFixture(await shared.fresh());
  },
});

sessionStoreContract({
  name: 'RedisSessionStore',
  needs: 'redis-server',
  joinsUser: false,
  referencesUsers: false,
  recordsInCookies: false,
  open: async () => {
    const client = redisClient;
    if (client === null) return null;
    await client.flushAll();
    let users = 0;
    return {
      store: new RedisSessionStore(client),
      newUserId: async () => (users += 1),
      stored: async (id) => {
        const hash = await client.hGetAll(`tessera:session:${id}`);
        return Object.keys(hash).length === 0 ? null : { ...hash };
      },
      close: async () => {},
    };
  },
});

sessionStoreContract({
  name: 'CachedSessionStore over SqlSessionStore on SQLite',
  joinsUser: false,
  referencesUsers: true,
  recordsInCookies: false,
  open: async () => sqlFixture(await openTempSqlite(), { cached: true }),
});

sessionStoreContract({
  name: 'CookieSessionStore on SQLite',
  joinsUser: true,
  referencesUsers: false,
  recordsInCookies: true,
  open: async () => cookieFixture(await openTempSqlite()),
});

sessionStoreContract({
  name: 'CookieSessionStore on PostgreSQL',
  needs: 'PostgreSQL',
  joinsUser: true,
  referencesUsers: false,
  recordsInCookies: true,
  open: async () => {
    const shared = postgres();
    return shared === null ? null : cookieFixture(await shared.fresh());
  },
});
