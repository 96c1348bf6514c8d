// Auth with real argon2id, real users on SQLite and real sessions: authenticate, login, getUser, updateSessionAuthHash, logout.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { Auth, SESSION_AUTH_HASH_KEY } from '../../src/core/auth.ts';
import { LoginThrottle, MemoryFailureCounter } from '../../src/core/throttle.ts';
import { defaultSessionSettings } from '../../src/core/config.ts';
import { defaultPasswords, Passwords } from '../../src/core/passwords/passwords.ts';
import { Argon2idHasher } from '../../src/core/passwords/argon2id.ts';
import { MemorySessionStore } from '../../src/core/sessions/memory-session-store.ts';
import { SessionManager } from '../../src/core/sessions/session-manager.ts';
import type { SessionStore } from '../../src/core/sessions/session-store.ts';
import type { Session } from '../../src/core/sessions/session.ts';
import { SqlSessionStore } from '../../src/core/sessions/sql-session-store.ts';
import { parseSessionToken } from '../../src/core/sessions/token.ts';
import { SqlUserStore } from '../../src/core/users/sql-user-store.ts';
import { normalizeUsername, type User } from '../../src/core/users/user.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openTempSqlite, type TestDatabase } from '../../../../test/support/databases.ts';

const SECRET_KEY = 'test-secret-key-that-is-long-enough-0123456789abcdef';
const DJANGO_HASH = 'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=';
const DJANGO_PASSWORD = 'lètmein';
const client = { ip: '198.51.100.4', userAgent: 'test' };

// Real argon2id at OWASP's floor: the same code path as production, fast enough for tests.
const passwords = defaultPasswords({ argon2id: { memoryCost: 19456, timeCost: 2, parallelism: 1 } });
let passwordHashes: Map<string, string>;

let database: TestDatabase;
let users: SqlUserStore;

before(async () => {
  database = await openTempSqlite();
  await migrate(database.db);
  users = new SqlUserStore(database.db);
  // Hash once per file: argon2id is the slow part of every test that needs a user.
  passwordHashes = new Map();
  for (const password of ['correct horse', 'bob password', 'new password']) passwordHashes.set(password, await passwords.hash(password));
});

after(async () => {
  await database.close();
});

beforeEach(async () => {
  await database.db.kysely.deleteFrom('sessions').execute();
  await database.db.kysely.deleteFrom('users').execute();
});

function hashOf(password: string): string {
  const encoded = passwordHashes.get(password);
  assert.ok(encoded, `no hash prepared for ${password}`);
  return encoded;
}

async function createUser(username: string, password: string, options: { isActive?: boolean; encoded?: string } = {}): Promise<User> {
  const user = await users.create({ username, password: options.encoded ?? hashOf(password), isActive: options.isActive ?? true });
  assert.notEqual(user, 'username_taken');
  return user as User;
}

/** Counts the password work Passwords does, by wrapping the real object's methods. */
function countPasswordWork(target: Passwords): { hash: number; check: number; restore(): void } {
  const counts = { hash: 0, check: 0, restore: () => {} };
  const hash = target.hash;
  const check = target.check;
  target.hash = function (this: Passwords, password: string) {
    counts.hash += 1;
    return hash.call(this, password);
  };
  target.check = function (this: Passwords, password: string, encoded: string | null) {
    counts.check += 1;
    return check.call(this, password, encoded);
  };
  counts.restore = () => {
    // Deleting the own properties brings back the prototype's methods.
    delete (target as Partial<Passwords>).hash;
    delete (target as Partial<Passwords>).check;
  };
  return counts;
}

/** One visitor: a cookie jar of one session cookie, and requests that load, act and commit. */
class Visitor {
  cookie: string | undefined;
  readonly #manager: SessionManager;

  constructor(manager: SessionManager) {
    this.#manager = manager;
  }

  get sessionId(): string | undefined {
    return parseSessionToken(this.cookie)?.id;
  }

  async request<T>(act: (session: Session) => Promise<T> | T): Promise<T> {
    const session = await this.#manager.load(this.cookie);
    const result = await act(session);
    const cookie = await this.#manager.commit(session, client);
    if (cookie?.action === 'set') this.cookie = cookie.value;
    else if (cookie?.action === 'clear') this.cookie = undefined;
    return result;
  }
}

function setup(store: SessionStore = new MemorySessionStore()): { auth: Auth; store: SessionStore; manager: SessionManager; visitor: () => Visitor } {
  const auth = new Auth({ users, passwords, secretKey: SECRET_KEY });
  const manager = new SessionManager(store, defaultSessionSettings);
  return { auth, store, manager, visitor: () => new Visitor(manager) };
}

async function loggedIn(visitor: Visitor, auth: Auth, user: User): Promise<void> {
  await visitor.request((session) => auth.login(session, user));
  assert.ok(visitor.cookie, 'login set a session cookie');
}

describe('authenticate', () => {
  test('the right password gives the user', async () => {
    const { auth } = setup();
    const alice = await createUser('alice', 'correct horse');
    const found = await auth.verifyCredentials('alice', 'correct horse');
    assert.equal(found?.id, alice.id);
  });

  test('the username may be typed in any case', async () => {
    const { auth } = setup();
    const alice = await createUser('Alice', 'correct horse');
    assert.equal((await auth.verifyCredentials('ALICE', 'correct horse'))?.id, alice.id);
  });

  test('a wrong password, an unknown username and an inactive account all give null', async () => {
    const { auth } = setup();
    await createUser('alice', 'correct horse');
    await createUser('sleepy', 'correct horse', { isActive: false });
    assert.equal(await auth.verifyCredentials('alice', 'Correct horse'), null);
    assert.equal(await auth.verifyCredentials('alice', ''), null);
    assert.equal(await auth.verifyCredentials('nobody', 'correct horse'), null);
    assert.equal(await auth.verifyCredentials('sleepy', 'correct horse'), null);
  });

  test('an unknown username costs exactly one hash, as a wrong password costs one check', async () => {
    const { auth } = setup();
    await createUser('alice', 'correct horse');
    const work = countPasswordWork(passwords);
    try {
      assert.equal(await auth.verifyCredentials('nobody', 'guess'), null);
      assert.deepEqual({ hash: work.hash, check: work.check }, { hash: 1, check: 0 });
      assert.equal(await auth.verifyCredentials('alice', 'guess'), null);
      assert.deepEqual({ hash: work.hash, check: work.check }, { hash: 1, check: 1 });
    } finally {
      work.restore();
    }
  });

  test('an inactive account with the right password costs one check and is not re-hashed', async () => {
    const { auth } = setup();
    const sleepy = await createUser('sleepy', DJANGO_PASSWORD, { isActive: false, encoded: DJANGO_HASH });
    const work = countPasswordWork(passwords);
    try {
      assert.equal(await auth.verifyCredentials('sleepy', DJANGO_PASSWORD), null);
      assert.deepEqual({ hash: work.hash, check: work.check }, { hash: 0, check: 1 });
    } finally {
      work.restore();
    }
    assert.equal((await users.getById(sleepy.id))?.password, DJANGO_HASH);
  });

  test('a Django pbkdf2_sha256 user logs in and the stored hash becomes argon2id (T-H3)', async () => {
    const { auth } = setup();
    const imported = await createUser('imported', DJANGO_PASSWORD, { encoded: DJANGO_HASH });
    const found = await auth.verifyCredentials('imported', DJANGO_PASSWORD);
    assert.equal(found?.id, imported.id);
    const stored = (await users.getById(imported.id))?.password;
    assert.match(stored ?? '', /^\$argon2id\$/);
    assert.equal(found?.password, stored, 'the returned user carries the new hash');
    assert.deepEqual(await passwords.check(DJANGO_PASSWORD, stored ?? null), { ok: true, needsRehash: false });
    // And the new hash is what logs in from now on.
    assert.equal((await auth.verifyCredentials('imported', DJANGO_PASSWORD))?.password, stored);
  });

  test('a wrong password leaves a Django hash unchanged (T-H3)', async () => {
    const { auth } = setup();
    const imported = await createUser('imported', DJANGO_PASSWORD, { encoded: DJANGO_HASH });
    assert.equal(await auth.verifyCredentials('imported', 'letmein'), null);
    assert.equal((await users.getById(imported.id))?.password, DJANGO_HASH);
  });
});

describe('authenticate, throttled', () => {
  const address = '203.0.113.9';
  function throttledAuth(perAccount = 3, perAddress = 100) {
    const counter = new MemoryFailureCounter();
    const throttle = new LoginThrottle({ counter, perAccount, perAddress, perAccountFromUnknownBrowsers: 100, windowSeconds: 900 });
    return { counter, auth: new Auth({ users, passwords, secretKey: SECRET_KEY, throttle }) };
  }

  test('the right password gives the user; past the limit of failures even the right one is throttled', async () => {
    await createUser('alice', 'correct horse');
    const { auth } = throttledAuth(3);
    assert.deepEqual(await auth.authenticate('alice', 'nope', { address }), { ok: false, reason: 'invalid' });
    const found = await auth.authenticate('alice', 'correct horse', { address });
    assert.equal(found.ok && found.user.username, 'alice');
    for (let attempt = 0; attempt < 3; attempt += 1) await auth.authenticate('ALICE', 'nope', { address });
    const blocked = await auth.authenticate('alice', 'correct horse', { address });
    assert.equal(blocked.ok, false);
    assert.equal(!blocked.ok && blocked.reason, 'throttled');
    assert.ok(!blocked.ok && blocked.reason === 'throttled' && blocked.retryAfterSeconds > 0);
  });

  test('what a form parser may hand over (an array, a number, a name past 150 characters) is invalid, never an exception', async () => {
    await createUser('alice', 'correct horse');
    const { auth } = throttledAuth(100);
    const odd: unknown[] = [['alice', 'bob'], 42, undefined, 'a'.repeat(151), ''];
    for (const username of odd) {
      assert.deepEqual(await auth.authenticate(username as string, 'correct horse', { address }), { ok: false, reason: 'invalid' }, String(username));
    }
    assert.deepEqual(await auth.authenticate('alice', ['correct horse'] as unknown as string, { address }), { ok: false, reason: 'invalid' });
  });

  test('a made-up username of any length is counted under a key of bounded length', async () => {
    const { auth, counter } = throttledAuth(100);
    await auth.authenticate('x'.repeat(100_000), 'guess', { address });
    const key = LoginThrottle.accountKey(normalizeUsername('x'.repeat(100_000)));
    assert.ok(key.length < 80, key);
    assert.equal((await counter.get(key, Date.now(), 900_000)).count, 1);
  });

  test('a name typed decomposed (e + U+0301) logs in as the NFKC name it signed up with, under the same 150-character rule', async () => {
    const decomposed = 'e\u0301'.repeat(100);
    const created = await users.create({ username: decomposed, password: hashOf('correct horse') });
    assert.notEqual(created, 'username_taken');
    const { auth } = throttledAuth(100);
    const found = await auth.authenticate(decomposed, 'correct horse', { address });
    assert.equal(found.ok, true, '200 code points as typed, 100 characters after NFKC');
  });

  test('an attempt whose check never ran (the hash queue full) is no failure: its claims are given back', async () => {
    await createUser('alice', 'correct horse');
    const counter = new MemoryFailureCounter();
    const throttle = new LoginThrottle({ counter, perAccount: 100, perAddress: 100, windowSeconds: 900 });
    const auth = new Auth({ users, passwords: new Passwords({ preferred: new Argon2idHasher({ memoryCost: 1024, timeCost: 1 }), maxConcurrency: 1, maxWaiting: 0 }), secretKey: SECRET_KEY, throttle });
    const results = await Promise.allSettled([auth.authenticate('alice', 'wrong', { address }), auth.authenticate('alice', 'wrong', { address })]);
    assert.equal(results.filter((result) => result.status === 'rejected').length, 1, 'one met the full queue');
    const now = Date.now();
    assert.equal((await counter.get(LoginThrottle.addressKey(address), now, 900_000)).count, 1, 'only the attempt that ran counts');
    assert.equal((await counter.get(LoginThrottle.accountFromAddressKey('alice', address), now, 900_000)).count, 1);
  });

  test('an address over its limit no longer counts against the accounts it names', async () => {
    await createUser('alice', 'correct horse');
    const { auth, counter } = throttledAuth(5, 2);
    for (let attempt = 0; attempt < 6; attempt += 1) await auth.authenticate('alice', 'nope', { address });
    assert.equal((await counter.get(LoginThrottle.accountFromAddressKey('alice', address), Date.now(), 900_000)).count, 2, 'only the attempts the address was allowed');
    const elsewhere = await auth.authenticate('alice', 'correct horse', { address: '198.51.100.77' });
    assert.equal(elsewhere.ok, true, 'the account is not locked by the blocked address');
  });
});

describe('login', () => {
  test('login cycles the session token (T-L1)', async () => {
    const { auth, store, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await browser.request((session) => session.set('cart', ['tea']));
    const before = browser.sessionId;
    assert.ok(before);
    await loggedIn(browser, auth, alice);
    assert.notEqual(browser.sessionId, before);
    assert.equal(await store.load(before), null, 'the anonymous row outlived the login');
  });

  test('login keeps the visitor\'s anonymous data (cycle, not flush)', async () => {
    const { auth, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await browser.request((session) => session.set('cart', ['tea']));
    await loggedIn(browser, auth, alice);
    const cart = await browser.request((session) => session.get('cart'));
    assert.deepEqual(cart, ['tea']);
  });

  test('logging in as another user flushes the previous user\'s data', async () => {
    const { auth, store, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const bob = await createUser('bob', 'bob password');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    await browser.request((session) => session.set('draft', 'alice\'s private draft'));
    const alicesSession = browser.sessionId;
    assert.ok(alicesSession);
    await loggedIn(browser, auth, bob);
    const seen = await browser.request(async (session) => ({ user: await auth.getUser(session), data: { ...session.data } }));
    assert.equal(seen.user?.id, bob.id);
    assert.equal(seen.data.draft, undefined);
    assert.equal(await store.load(alicesSession), null);
  });

  test('logging in again as the same user keeps the data under a new token', async () => {
    const { auth, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    await browser.request((session) => session.set('theme', 'dark'));
    const before = browser.sessionId;
    await loggedIn(browser, auth, alice);
    assert.notEqual(browser.sessionId, before);
    assert.equal(await browser.request((session) => session.get('theme')), 'dark');
  });

  test('login stores the user id and an auth hash that is not the password hash', async () => {
    const { auth, store, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    const row = await store.load(browser.sessionId ?? '');
    assert.equal(row?.userId, alice.id);
    const stored = row?.data[SESSION_AUTH_HASH_KEY];
    assert.equal(stored, auth.sessionAuthHash(alice));
    assert.equal(JSON.stringify(row).includes(alice.password), false, 'the password hash is in the session');
  });

  test('login records the time of the last login', async () => {
    const { auth, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    assert.equal((await users.getById(alice.id))?.lastLogin, null);
    await loggedIn(visitor(), auth, alice);
    const reread = await users.getById(alice.id);
    assert.ok(reread?.lastLogin instanceof Date);
    // login also sets it on the user it was given, so the caller sees what was stored.
    assert.equal(reread.lastLogin.getTime(), alice.lastLogin?.getTime());
  });

  test('login without remember-me gives a browser-session cookie', async () => {
    const { auth, manager } = setup();
    const alice = await createUser('alice', 'correct horse');
    const session = await manager.load(undefined);
    await auth.login(session, alice, { persistent: false });
    const cookie = await manager.commit(session, client);
    assert.ok(cookie !== null && cookie.action === 'set');
    assert.equal(cookie.maxAgeSeconds, undefined);
  });
});

describe('getUser', () => {
  test('getUser returns the logged-in user on the next request', async () => {
    const { auth, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    const user = await browser.request((session) => auth.getUser(session));
    assert.equal(user?.id, alice.id);
    assert.equal(user?.username, 'alice');
  });

  test('getUser of an anonymous session is null and writes nothing', async () => {
    const { auth, store, manager } = setup();
    const session = await manager.load(undefined);
    assert.equal(await auth.getUser(session), null);
    assert.equal(await manager.commit(session, client), null);
    assert.equal((store as MemorySessionStore).size, 0);
  });

  test('after the password changes, another session\'s getUser is null and that session is flushed (T-L5)', async () => {
    const { auth, store, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const laptop = visitor();
    const phone = visitor();
    await loggedIn(laptop, auth, alice);
    await loggedIn(phone, auth, alice);
    const phoneSession = phone.sessionId;
    assert.ok(phoneSession);
    await users.update(alice.id, { password: hashOf('new password') });
    assert.equal(await phone.request((session) => auth.getUser(session)), null);
    assert.equal(phone.cookie, undefined, 'the cookie was not cleared');
    assert.equal(await store.load(phoneSession), null, 'the row outlived the flush');
  });

  test('updateSessionAuthHash keeps the current session logged in under a new token (T-L4)', async () => {
    const { auth, store, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const laptop = visitor();
    const phone = visitor();
    await loggedIn(laptop, auth, alice);
    await loggedIn(phone, auth, alice);
    const before = laptop.sessionId;
    assert.ok(before);
    await laptop.request(async (session) => {
      await users.update(alice.id, { password: hashOf('new password') });
      const changed = await users.getById(alice.id);
      assert.ok(changed);
      auth.updateSessionAuthHash(session, changed);
    });
    assert.notEqual(laptop.sessionId, before);
    assert.equal(await store.load(before), null);
    assert.equal((await laptop.request((session) => auth.getUser(session)))?.id, alice.id);
    assert.equal(await phone.request((session) => auth.getUser(session)), null);
  });

  test('an inactive user\'s existing session stops working', async () => {
    const { auth, store, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    const id = browser.sessionId;
    await users.update(alice.id, { isActive: false });
    assert.equal(await browser.request((session) => auth.getUser(session)), null);
    assert.equal(await store.load(id ?? ''), null);
    assert.equal(browser.cookie, undefined);
  });

  test('a deleted user\'s session stops working', async () => {
    const { auth, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    await users.delete(alice.id);
    assert.equal(await browser.request((session) => auth.getUser(session)), null);
    assert.equal(browser.cookie, undefined);
  });

  test('a session naming a user without a valid auth hash is not logged in', async () => {
    const { auth, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const forged = visitor();
    await forged.request((session) => {
      session.userId = alice.id;
    });
    assert.equal(await forged.request((session) => auth.getUser(session)), null);
    const wrongHash = visitor();
    await wrongHash.request((session) => {
      session.userId = alice.id;
      session.set(SESSION_AUTH_HASH_KEY, '0'.repeat(64));
    });
    assert.equal(await wrongHash.request((session) => auth.getUser(session)), null);
  });

  test('a session made under another SECRET_KEY is not logged in', async () => {
    const { auth, manager, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const other = new Auth({ users, passwords, secretKey: `${SECRET_KEY}-rotated` });
    assert.notEqual(other.sessionAuthHash(alice), auth.sessionAuthHash(alice));
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    const session = await manager.load(browser.cookie);
    assert.equal(await other.getUser(session), null);
  });

  test('a user upgraded from a Django hash at login stays logged in', async () => {
    const { auth, visitor } = setup();
    await createUser('imported', DJANGO_PASSWORD, { encoded: DJANGO_HASH });
    const user = await auth.verifyCredentials('imported', DJANGO_PASSWORD);
    assert.ok(user);
    const browser = visitor();
    await loggedIn(browser, auth, user);
    assert.equal((await browser.request((session) => auth.getUser(session)))?.id, user.id);
  });
});

describe('logout', () => {
  test('logout deletes the row and clears the cookie (T-L7)', async () => {
    const { auth, store, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    const id = browser.sessionId;
    assert.ok(id);
    await browser.request((session) => auth.logout(session));
    assert.equal(browser.cookie, undefined);
    assert.equal(await store.load(id), null);
    assert.equal((store as MemorySessionStore).size, 0);
  });

  test('the old cookie, replayed after logout, is anonymous', async () => {
    const { auth, manager, visitor } = setup();
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    const stolen = browser.cookie;
    await browser.request((session) => auth.logout(session));
    const replay = await manager.load(stolen);
    assert.equal(await auth.getUser(replay), null);
  });
});

describe('getUser over the SQL session store', () => {
  test('an authenticated request costs one query: the session read joined to its user, no write', async () => {
    const { auth, visitor } = setup(new SqlSessionStore(database.db, users));
    const alice = await createUser('alice', 'correct horse');
    const browser = visitor();
    await loggedIn(browser, auth, alice);
    const before = database.db.stats.queries;
    assert.equal((await browser.request((session) => auth.getUser(session)))?.id, alice.id);
    assert.equal(database.db.stats.queries - before, 1);
  });

  test('a password change ends the other sessions, and deleting the user ends them all', async () => {
    const { auth, visitor } = setup(new SqlSessionStore(database.db, users));
    const alice = await createUser('alice', 'correct horse');
    const laptop = visitor();
    const phone = visitor();
    await loggedIn(laptop, auth, alice);
    await loggedIn(phone, auth, alice);
    await laptop.request(async (session) => {
      await users.update(alice.id, { password: hashOf('new password') });
      const changed = await users.getById(alice.id);
      assert.ok(changed);
      auth.updateSessionAuthHash(session, changed);
    });
    assert.equal(await phone.request((session) => auth.getUser(session)), null);
    assert.equal((await laptop.request((session) => auth.getUser(session)))?.id, alice.id);
    await users.delete(alice.id);
    assert.equal(await laptop.request((session) => auth.getUser(session)), null);
  });
});
