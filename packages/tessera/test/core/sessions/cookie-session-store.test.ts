// The cookie store behind the one SessionManager, with Auth and real users on SQLite: logout and revocation hold, a page costs one read.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { Auth } from '../../../src/core/auth.ts';
import { defaultSessionSettings } from '../../../src/core/config.ts';
import { defaultPasswords } from '../../../src/core/passwords/passwords.ts';
import { CookieSessionStore } from '../../../src/core/sessions/cookie-session-store.ts';
import { SessionManager } from '../../../src/core/sessions/session-manager.ts';
import type { Session } from '../../../src/core/sessions/session.ts';
import { SqlUserStore } from '../../../src/core/users/sql-user-store.ts';
import type { User } from '../../../src/core/users/user.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { openTempSqlite, type TestDatabase } from '../../../../../test/support/databases.ts';

const SECRET_KEY = 'cookie-store-secret-key-that-is-long-enough-0123';
const client = { ip: '198.51.100.4', userAgent: 'Mozilla/5.0 Firefox/128.0' };
const MINUTE = 60_000;

let database: TestDatabase;
let users: SqlUserStore;
let store: CookieSessionStore;
let manager: SessionManager;
let auth: Auth;

before(async () => {
  database = await openTempSqlite();
  await migrate(database.db);
  users = new SqlUserStore(database.db);
  store = new CookieSessionStore(database.db, users, { secretKey: SECRET_KEY, settings: defaultSessionSettings });
  manager = new SessionManager(store, defaultSessionSettings);
  auth = new Auth({ users, passwords: defaultPasswords(), secretKey: SECRET_KEY });
});

after(async () => {
  await database.close();
});

beforeEach(async () => {
  for (const table of ['revoked_sessions', 'user_session_cutoffs', 'users'] as const) await database.db.kysely.deleteFrom(table).execute();
});

/** One browser: a cookie jar of one session cookie, and requests that load, act and commit. */
class Browser {
  cookie: string | undefined;

  /** `now`: the clock for this request; by default the real one, read at load and again at commit, as a server does */
  async request<T>(act: (session: Session) => Promise<T> | T, now?: number): Promise<T> {
    const session = await manager.load(this.cookie, now ?? Date.now());
    const result = await act(session);
    const cookie = await manager.commit(session, client, now ?? Date.now());
    if (cookie?.action === 'set') this.cookie = cookie.value;
    else if (cookie?.action === 'clear') this.cookie = undefined;
    return result;
  }

  /** who this browser is logged in as, the way every page asks */
  whoami(now?: number): Promise<number | null> {
    return this.request(async (session) => (await auth.getUser(session))?.id ?? null, now);
  }
}

async function newUser(username: string): Promise<User> {
  const user = await users.create({ username, password: `argon2$unusable-${username}` });
  assert.notEqual(user, 'username_taken');
  return user as User;
}

async function loggedIn(user: User): Promise<Browser> {
  const browser = new Browser();
  await browser.request((session) => auth.login(session, user));
  assert.ok(browser.cookie, 'login set a session cookie');
  assert.equal(await browser.whoami(), user.id);
  return browser;
}

/**
 * Waits for the clock's next millisecond: a "log out the others" mark ends the sessions created
 * before its millisecond, and one made in that same millisecond is taken as made after it.
 */
async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() === now) await new Promise((resolve) => setImmediate(resolve));
}

/** Another browser holding the very same cookie: a copy kept, or stolen, before it was ended. */
function replay(cookie: string | undefined): Browser {
  const copy = new Browser();
  copy.cookie = cookie;
  return copy;
}

describe('CookieSessionStore: logout and revocation hold', () => {
  test('a logged-out cookie, replayed, is anonymous', async () => {
    const alice = await newUser('alice');
    const browser = await loggedIn(alice);
    const loggedOut = browser.cookie;
    await browser.request((session) => auth.logout(session));
    assert.equal(browser.cookie, undefined, 'logout did not clear the cookie');
    assert.equal(await replay(loggedOut).whoami(), null);
  });

  test('a cookie re-issued before the logout is ended with it: the end is by session, not by cookie value', async () => {
    const alice = await newUser('alice');
    const browser = await loggedIn(alice);
    const first = browser.cookie;
    // A minute later the last use is written into a new cookie; both values name one session.
    assert.equal(await browser.whoami(Date.now() + 2 * MINUTE), alice.id);
    assert.notEqual(browser.cookie, first);
    const second = browser.cookie;
    await browser.request((session) => auth.logout(session), Date.now() + 2 * MINUTE);
    assert.equal(await replay(first).whoami(), null);
    assert.equal(await replay(second).whoami(Date.now() + 2 * MINUTE), null);
  });

  test('ending the other sessions (deleteForUser with this one kept) logs the other browsers out and keeps this one', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const laptop = await loggedIn(alice);
    const phone = await loggedIn(alice);
    const bobs = await loggedIn(bob);
    await nextMillisecond();
    await laptop.request((session) => store.deleteForUser(alice.id, session.id!));
    assert.equal(await phone.whoami(), null);
    assert.equal(await laptop.whoami(), alice.id);
    assert.equal(await bobs.whoami(), bob.id);
    // A login after it is a new session, which the mark does not end.
    assert.equal(await (await loggedIn(alice)).whoami(), alice.id);
  });

  test('a password change keeps this browser logged in under a new cookie and logs the others out', async () => {
    const alice = await newUser('alice');
    const laptop = await loggedIn(alice);
    const phone = await loggedIn(alice);
    const before = laptop.cookie;
    await nextMillisecond();
    await laptop.request(async (session) => {
      await users.update(alice.id, { password: 'argon2$another' });
      const changed = (await users.getById(alice.id))!;
      // As the site does it: the other sessions ended now, this one kept under a new token.
      const thisSession = session.id!;
      auth.updateSessionAuthHash(session, changed);
      await store.deleteForUser(alice.id, thisSession);
    });
    assert.notEqual(laptop.cookie, before);
    assert.equal(await laptop.whoami(), alice.id);
    assert.equal(await phone.whoami(), null);
    assert.equal(await replay(before).whoami(), null);
  });

  test('deleting the user ends their sessions', async () => {
    const alice = await newUser('alice');
    const browser = await loggedIn(alice);
    await users.delete(alice.id);
    assert.equal(await browser.whoami(), null);
  });
});

describe('CookieSessionStore: what a request costs', () => {
  test('an authenticated request costs one query (the revocation check joined to the user) and no write', async () => {
    const alice = await newUser('alice');
    const browser = await loggedIn(alice);
    const { queries, writes } = database.db.stats;
    assert.equal(await browser.whoami(), alice.id);
    assert.equal(database.db.stats.queries - queries, 1);
    assert.equal(database.db.stats.writes - writes, 0);
  });

  test('the last use travels in a re-issued cookie, at most once per touch interval, and the idle timeout then holds', async () => {
    const alice = await newUser('alice');
    const start = Date.now();
    const browser = await loggedIn(alice);
    const issued = browser.cookie;
    assert.equal(await browser.whoami(start + 10_000), alice.id);
    assert.equal(browser.cookie, issued, 'a cookie was re-sent within the touch interval');
    assert.equal(await browser.whoami(start + 2 * MINUTE), alice.id);
    assert.notEqual(browser.cookie, issued, 'the last use was not carried into a new cookie');
    const idle = defaultSessionSettings.idleTimeoutSeconds * 1000;
    // Idle from the last use the new cookie carries, not from the login.
    assert.equal(await replay(browser.cookie).whoami(start + 2 * MINUTE + idle - MINUTE), alice.id);
    assert.equal(await replay(browser.cookie).whoami(start + 2 * MINUTE + idle), null);
    // The first cookie carries the login's own time, a few milliseconds after `start`.
    assert.equal(await replay(issued).whoami(start + idle + MINUTE), null);
  });

  test('a cookie signed with another key, or not signed at all, is an anonymous visitor', async () => {
    const alice = await newUser('alice');
    const browser = await loggedIn(alice);
    const other = new SessionManager(new CookieSessionStore(database.db, users, { secretKey: `${SECRET_KEY}-other`, settings: defaultSessionSettings }), defaultSessionSettings);
    assert.equal((await other.load(browser.cookie)).userId, null);
    const unsigned = browser.cookie!.slice(0, browser.cookie!.lastIndexOf(':'));
    assert.equal(await replay(unsigned).whoami(), null);
  });

  test('a session too large for a cookie is an error, never a session silently lost', async () => {
    const browser = new Browser();
    await assert.rejects(browser.request((session) => session.set('blob', 'x'.repeat(4000))), /too large for a cookie/);
  });
});
