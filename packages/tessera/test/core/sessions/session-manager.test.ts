// SessionManager over a memory store: lazy rows, cookies, expiry, touch throttling, cycling and flushing; and the token helpers.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';

import { defaultSessionSettings, type SessionSettings } from '../../../src/core/config.ts';
import { MemorySessionStore } from '../../../src/core/sessions/memory-session-store.ts';
import { SessionManager, type SessionCookie } from '../../../src/core/sessions/session-manager.ts';
import {
  formatSessionToken,
  hashSessionSecret,
  isSessionId,
  newSessionToken,
  parseSessionToken,
  sessionSecretMatches,
} from '../../../src/core/sessions/token.ts';

const T0 = 1_700_000_000_000;
const SECOND = 1000;
const client = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 Firefox/128.0' };
const tokenShape = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{32}$/;

function setup(settings: Partial<SessionSettings> = {}): { store: MemorySessionStore; manager: SessionManager; settings: SessionSettings } {
  const store = new MemorySessionStore();
  const all = { ...defaultSessionSettings, ...settings };
  return { store, manager: new SessionManager(store, all), settings: all };
}

function cookieValue(cookie: SessionCookie | null): string {
  assert.ok(cookie !== null && cookie.action === 'set', `expected a cookie to be set, got ${JSON.stringify(cookie)}`);
  return cookie.value;
}

function idOf(value: string): string {
  const token = parseSessionToken(value);
  assert.ok(token, `not a session token: ${value}`);
  return token.id;
}

/** A stored session holding { cart: ['tea'] }, created at T0; its cookie value. */
async function storedSession(manager: SessionManager, now = T0): Promise<string> {
  const session = await manager.load(undefined, now);
  session.set('cart', ['tea']);
  return cookieValue(await manager.commit(session, client, now));
}

describe('SessionManager: lazy sessions', () => {
  test('no cookie gives an empty session, and committing it writes no row and sets no cookie', async () => {
    const { store, manager } = setup();
    const session = await manager.load(undefined, T0);
    assert.deepEqual(session.data, {});
    assert.equal(session.userId, null);
    assert.equal(session.id, null);
    assert.equal(session.get('anything'), undefined);
    assert.equal(await manager.commit(session, client, T0), null);
    assert.equal(store.size, 0);
  });

  test('a value stored then removed in the same request leaves no row and no cookie', async () => {
    const { store, manager } = setup();
    const session = await manager.load(undefined, T0);
    session.set('draft', 'x');
    session.delete('draft');
    assert.equal(await manager.commit(session, client, T0), null);
    assert.equal(store.size, 0);
  });

  test('flushing a session that never existed sets no cookie (Django T-S2)', async () => {
    const { store, manager } = setup();
    const session = await manager.load(undefined, T0);
    session.flush();
    assert.equal(await manager.commit(session, client, T0), null);
    assert.equal(store.size, 0);
  });

  test('storing a value creates one row and a cookie id.secret lasting 1209600 seconds', async () => {
    const { store, manager } = setup();
    const session = await manager.load(undefined, T0);
    session.set('cart', ['tea']);
    const cookie = await manager.commit(session, client, T0);
    assert.deepEqual(cookie, { action: 'set', value: cookieValue(cookie), maxAgeSeconds: 1_209_600, sessionId: cookie?.action === 'set' ? cookie.sessionId : '' });
    assert.match(cookieValue(cookie), tokenShape);
    assert.equal(store.size, 1);
    const token = parseSessionToken(cookieValue(cookie));
    assert.ok(token);
    const row = await store.load(token.id);
    assert.deepEqual(row, {
      id: token.id,
      secretHash: hashSessionSecret(token.secret),
      userId: null,
      data: { cart: ['tea'] },
      createdAt: T0,
      lastSeen: T0,
      expiresAt: T0 + 1_209_600 * SECOND,
      persistent: true,
      ip: client.ip,
      userAgent: client.userAgent,
    });
  });

  test('the next request with that cookie sees the stored data', async () => {
    const { manager } = setup();
    const value = await storedSession(manager);
    const session = await manager.load(value, T0 + SECOND);
    assert.deepEqual(session.data, { cart: ['tea'] });
    assert.equal(session.id, idOf(value));
  });

  test('a session only read is not written and its cookie is not re-sent', async () => {
    const { store, manager } = setup();
    const value = await storedSession(manager);
    const session = await manager.load(value, T0 + SECOND);
    assert.deepEqual(session.get('cart'), ['tea']);
    assert.equal(await manager.commit(session, client, T0 + SECOND), null);
    assert.deepEqual((await store.load(idOf(value)))?.data, { cart: ['tea'] });
  });

  test('changing a stored session keeps its token and lifetime, so no cookie is re-sent', async () => {
    const { store, manager } = setup();
    const value = await storedSession(manager);
    const later = T0 + 100 * SECOND;
    const session = await manager.load(value, later);
    session.set('cart', ['tea', 'milk']);
    const cookie = await manager.commit(session, client, later);
    // The browser's cookie (token and Max-Age from creation) is still right.
    assert.equal(cookie, null);
    assert.equal(store.size, 1);
    assert.equal((await manager.load(value, later + SECOND)).get('cart')?.toString(), 'tea,milk');
    assert.deepEqual((await store.load(idOf(value)))?.data, { cart: ['tea', 'milk'] });
  });

  test('the client address and user agent are cut to a bounded length', async () => {
    const { store, manager } = setup();
    const session = await manager.load(undefined, T0);
    session.set('a', 1);
    const value = cookieValue(await manager.commit(session, { ip: '1'.repeat(1000), userAgent: 'u'.repeat(10_000) }, T0));
    const row = await store.load(idOf(value));
    assert.equal(row?.ip.length, 64);
    assert.equal(row?.userAgent.length, 512);
  });
});

describe('SessionManager: browser-session cookies', () => {
  test('setPersistent(false) gives a cookie without Max-Age', async () => {
    const { store, manager, settings } = setup();
    const session = await manager.load(undefined, T0);
    session.set('a', 1);
    session.setPersistent(false);
    const cookie = await manager.commit(session, client, T0);
    assert.deepEqual(cookie, { action: 'set', value: cookieValue(cookie), maxAgeSeconds: undefined, sessionId: cookie?.action === 'set' ? cookie.sessionId : '' });
    const row = await store.load(idOf(cookieValue(cookie)));
    assert.equal(row?.persistent, false);
    // The server still ends it, even if the browser never closes.
    assert.equal(row?.expiresAt, T0 + settings.browserSessionMaxAgeSeconds * SECOND);
  });

  test('a browser session stays one when changed later', async () => {
    const { manager } = setup();
    const first = await manager.load(undefined, T0);
    first.set('a', 1);
    first.setPersistent(false);
    const value = cookieValue(await manager.commit(first, client, T0));
    const second = await manager.load(value, T0 + SECOND);
    second.set('a', 2);
    assert.equal(await manager.commit(second, client, T0 + SECOND), null, 'the browser-session cookie stays as it is');
    const third = await manager.load(value, T0 + 2 * SECOND);
    assert.equal(third.persistent, false);
    assert.equal(third.get('a'), 2);
  });
});

describe('SessionManager: cookies that name no live session (Django T-S6)', () => {
  const malformed = ['', 'garbage', 'a.b', '1', `${'A'.repeat(22)}-${'B'.repeat(32)}`, `${'A'.repeat(22)}.${'B'.repeat(31)}`, `${'A'.repeat(22)}.${'B'.repeat(32)}x`, `${'A'.repeat(21)}!.${'B'.repeat(32)}`, 'x'.repeat(100_000)];

  for (const value of malformed) {
    test(`a malformed cookie (${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? '…' : ''}) gives an anonymous empty session`, async () => {
      const { store, manager } = setup();
      await storedSession(manager);
      const session = await manager.load(value, T0);
      assert.deepEqual(session.data, {});
      assert.equal(session.userId, null);
      assert.equal(session.id, null);
      assert.equal(store.size, 1);
    });
  }

  test('an unknown but well-formed token gives an empty session, and a later save issues a new token', async () => {
    const { store, manager } = setup();
    const forged = formatSessionToken(newSessionToken());
    const session = await manager.load(forged, T0);
    assert.deepEqual(session.data, {});
    assert.equal(session.id, null);
    session.set('cart', ['tea']);
    const value = cookieValue(await manager.commit(session, client, T0));
    assert.notEqual(idOf(value), idOf(forged), 'the client\'s id was adopted');
    assert.equal(await store.load(idOf(forged)), null);
    assert.equal(store.size, 1);
  });

  test('a real id with a tampered secret gives an empty session, and the real one is untouched', async () => {
    const { store, manager } = setup();
    const real = await storedSession(manager);
    const realToken = parseSessionToken(real);
    assert.ok(realToken);
    const tampered = formatSessionToken({ id: realToken.id, secret: newSessionToken().secret });
    const session = await manager.load(tampered, T0 + SECOND);
    assert.deepEqual(session.data, {});
    assert.equal(session.id, null);
    session.set('cart', ['stolen?']);
    const value = cookieValue(await manager.commit(session, client, T0 + SECOND));
    assert.notEqual(idOf(value), realToken.id, 'the client\'s id was adopted');
    assert.deepEqual((await store.load(realToken.id))?.data, { cart: ['tea'] });
    assert.equal(store.size, 2);
  });

  test('an anonymous visitor with a dead cookie who logs out gets the cookie cleared', async () => {
    const { manager } = setup();
    const session = await manager.load(formatSessionToken(newSessionToken()), T0);
    session.flush();
    assert.deepEqual(await manager.commit(session, client, T0), { action: 'clear' });
  });
});

describe('SessionManager: expiry', () => {
  test('a session past its absolute expiry loads empty and its row is deleted', async () => {
    const { store, manager } = setup({ maxAgeSeconds: 3600, idleTimeoutSeconds: 7200 });
    const value = await storedSession(manager);
    const justBefore = await manager.load(value, T0 + 3600 * SECOND - 1);
    assert.deepEqual(justBefore.data, { cart: ['tea'] });
    const session = await manager.load(value, T0 + 3600 * SECOND);
    assert.deepEqual(session.data, {});
    assert.equal(session.id, null);
    assert.equal(await store.load(idOf(value)), null);
  });

  test('a session idle for the idle timeout loads empty and its row is deleted', async () => {
    const { store, manager } = setup({ idleTimeoutSeconds: 1800 });
    const value = await storedSession(manager);
    const session = await manager.load(value, T0 + 1800 * SECOND);
    assert.deepEqual(session.data, {});
    assert.equal(await store.load(idOf(value)), null);
  });

  test('a session used within the idle timeout lives on past it', async () => {
    const { store, manager } = setup({ idleTimeoutSeconds: 1800, touchIntervalSeconds: 60 });
    const value = await storedSession(manager);
    await manager.load(value, T0 + 1000 * SECOND);
    const session = await manager.load(value, T0 + 2000 * SECOND);
    assert.deepEqual(session.data, { cart: ['tea'] });
    assert.equal((await store.load(idOf(value)))?.lastSeen, T0 + 2000 * SECOND);
  });
});

describe('SessionManager: last_seen', () => {
  test('last_seen is written at most once per touch interval', async () => {
    const { store, manager } = setup({ touchIntervalSeconds: 60 });
    const value = await storedSession(manager);
    const lastSeen = async () => (await store.load(idOf(value)))?.lastSeen;

    await manager.load(value, T0 + 30 * SECOND);
    assert.equal(await lastSeen(), T0, 'written before the interval passed');
    await manager.load(value, T0 + 60 * SECOND - 1);
    assert.equal(await lastSeen(), T0, 'written before the interval passed');
    await manager.load(value, T0 + 60 * SECOND);
    assert.equal(await lastSeen(), T0 + 60 * SECOND);
    await manager.load(value, T0 + 100 * SECOND);
    assert.equal(await lastSeen(), T0 + 60 * SECOND, 'written again within the interval');
    await manager.load(value, T0 + 125 * SECOND);
    assert.equal(await lastSeen(), T0 + 125 * SECOND);
  });

  test('a burst of reads within the interval costs no write', async () => {
    const { store, manager } = setup({ touchIntervalSeconds: 60 });
    const value = await storedSession(manager);
    let touches = 0;
    const touch = store.touch.bind(store);
    store.touch = async (id, at) => {
      touches += 1;
      await touch(id, at);
    };
    for (let i = 1; i <= 20; i += 1) await manager.load(value, T0 + i * SECOND);
    assert.equal(touches, 0);
    await manager.load(value, T0 + 61 * SECOND);
    assert.equal(touches, 1);
  });
});

describe('SessionManager: cycleKey and flush (Django T-S7, T-S8)', () => {
  test('cycleKey gives a new token with the same data and the old row is gone', async () => {
    const { store, manager } = setup();
    const old = await storedSession(manager);
    const session = await manager.load(old, T0 + SECOND);
    session.cycleKey();
    assert.equal(session.id, null);
    const value = cookieValue(await manager.commit(session, client, T0 + SECOND));
    assert.notEqual(idOf(value), idOf(old));
    assert.equal(await store.load(idOf(old)), null);
    assert.equal(store.size, 1);
    const next = await manager.load(value, T0 + 2 * SECOND);
    assert.deepEqual(next.data, { cart: ['tea'] });
    const stale = await manager.load(old, T0 + 2 * SECOND);
    assert.deepEqual(stale.data, {});
  });

  test('flush deletes the row and clears the cookie', async () => {
    const { store, manager } = setup();
    const old = await storedSession(manager);
    const session = await manager.load(old, T0 + SECOND);
    session.flush();
    assert.deepEqual(session.data, {});
    assert.deepEqual(await manager.commit(session, client, T0 + SECOND), { action: 'clear' });
    assert.equal(await store.load(idOf(old)), null);
    assert.equal(store.size, 0);
  });

  test('a value stored after flush goes into a new session under a new token', async () => {
    const { store, manager } = setup();
    const old = await storedSession(manager);
    const session = await manager.load(old, T0 + SECOND);
    session.flush();
    session.set('message', 'Logged out');
    const value = cookieValue(await manager.commit(session, client, T0 + SECOND));
    assert.notEqual(idOf(value), idOf(old));
    assert.equal(await store.load(idOf(old)), null);
    assert.deepEqual((await store.load(idOf(value)))?.data, { message: 'Logged out' });
  });

  test('removing the last value of a stored session deletes it and clears the cookie', async () => {
    const { store, manager } = setup();
    const old = await storedSession(manager);
    const session = await manager.load(old, T0 + SECOND);
    session.delete('cart');
    assert.deepEqual(await manager.commit(session, client, T0 + SECOND), { action: 'clear' });
    assert.equal(store.size, 0);
  });
});

describe('session tokens', () => {
  test('format and parse are inverses', () => {
    const token = newSessionToken();
    const value = formatSessionToken(token);
    assert.match(value, tokenShape);
    assert.deepEqual(parseSessionToken(value), token);
  });

  test('the id alone carries at least 128 random bits, and the secret more', () => {
    const token = newSessionToken();
    assert.ok(Buffer.from(token.id, 'base64url').length * 8 >= 128);
    assert.ok(Buffer.from(token.secret, 'base64url').length * 8 >= 128);
    assert.equal(isSessionId(token.id), true);
  });

  test('every token is new', () => {
    const ids = new Set<string>();
    const secrets = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      const token = newSessionToken();
      ids.add(token.id);
      secrets.add(token.secret);
    }
    assert.equal(ids.size, 1000);
    assert.equal(secrets.size, 1000);
  });

  test('parse rejects anything but id.secret of the right alphabet and lengths', () => {
    const { id, secret } = newSessionToken();
    const bad = [undefined, '', id, secret, `${id}${secret}`, `${id}.`, `.${secret}`, `${id}.${secret}.`, `${id}:${secret}`, `${id}.${secret.slice(1)}`, `${id.slice(1)}.${secret}x`, `${id}.${secret.slice(1)}=`, `${id.slice(1)}+.${secret}`, ` ${id}.${secret.slice(1)}`, `${id}.${secret}\n`];
    for (const value of bad) assert.equal(parseSessionToken(value), null, JSON.stringify(value));
    assert.equal(isSessionId(`${id}.`), false);
    assert.equal(isSessionId(id.slice(1)), false);
  });

  test('the stored hash is the SHA-256 of the secret in hex', () => {
    const { secret } = newSessionToken();
    assert.equal(hashSessionSecret(secret), createHash('sha256').update(secret).digest('hex'));
    assert.match(hashSessionSecret(secret), /^[0-9a-f]{64}$/);
  });

  test('the secret matches its hash and nothing else does', () => {
    const { secret } = newSessionToken();
    const stored = hashSessionSecret(secret);
    assert.equal(sessionSecretMatches(secret, stored), true);
    assert.equal(sessionSecretMatches(newSessionToken().secret, stored), false);
    assert.equal(sessionSecretMatches(secret.slice(1), stored), false);
    // A damaged stored hash is a mismatch, not an exception.
    for (const damaged of ['', stored.slice(2), `${stored}00`, 'not hex at all', secret]) {
      assert.equal(sessionSecretMatches(secret, damaged), false, damaged);
    }
  });
});
