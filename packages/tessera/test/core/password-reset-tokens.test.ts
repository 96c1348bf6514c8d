// Password-reset tokens: a link works until the password, a login or the address changes, or it expires; nothing else passes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { decodeUid, encodeUid, PasswordResetTokens } from '../../src/core/password-reset-tokens.ts';
import type { User } from '../../src/core/users/user.ts';

const SECRET_KEY = 'reset-token-test-secret-key-that-is-long-enough-0123456789';
const THREE_DAYS = 259_200;
const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

function user(changes: Partial<User> = {}): User {
  return {
    isAuthenticated: true,
    id: 42,
    username: 'alice',
    usernameNormalized: 'alice',
    email: 'alice@example.com',
    emailVerified: true,
    pendingEmail: '',
    firstName: 'Alice',
    lastName: 'Liddell',
    password: 'argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    dateJoined: new Date(Date.UTC(2020, 0, 1)),
    lastLogin: new Date(Date.UTC(2024, 4, 30, 8, 15, 42, 123)),
    extra: {},
    ...changes,
  };
}

const tokens = new PasswordResetTokens({ secretKey: SECRET_KEY, timeoutSeconds: THREE_DAYS });

/** Everything a link could hold that is not a token, of every type. */
function garbage(token: string): unknown[] {
  return [
    undefined, null, 0, 1, Number.NaN, true, false, 10n, Symbol('token'), () => token, {}, [], [token], { toString: () => token },
    new String(token), '', '-', `${token} `, ` ${token}`, `${token}\n`, `${token}/`, token.toUpperCase(), `${token}-${token}`,
    'x'.repeat(100_000), `${'z'.repeat(14)}-${'0'.repeat(64)}`, `-${'0'.repeat(64)}`, `k1-${'g'.repeat(64)}`, 'k1-', token.replace('-', '_'),
  ];
}

describe('PasswordResetTokens', () => {
  test('a fresh token checks, and is Django\'s shape: base 36 seconds since 2001, a dash, a hex HMAC', () => {
    const token = tokens.make(user(), NOW);
    assert.match(token, /^[0-9a-z]+-[0-9a-f]{64}$/);
    assert.equal(tokens.check(user(), token, NOW), true);
    const [timestamp] = token.split('-');
    assert.equal(parseInt(timestamp!, 36), Math.floor((NOW - Date.UTC(2001, 0, 1)) / 1000));
  });

  test('the same user at the same second gets the same token: nothing random, nothing stored', () => {
    assert.equal(tokens.make(user(), NOW), tokens.make(user(), NOW + 999));
    assert.notEqual(tokens.make(user(), NOW), tokens.make(user(), NOW + 1000));
  });

  test('a token fails once the password changes: the reset it was made for uses it up', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user({ password: 'argon2$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0$bmV3aGFzaA' }), token, NOW), false);
  });

  test('a token fails after the user logs in: lastLogin moved, or was set for the first time', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user({ lastLogin: new Date(NOW + 5000) }), token, NOW + 10_000), false);
    const neverLoggedIn = tokens.make(user({ lastLogin: null }), NOW);
    assert.equal(tokens.check(user({ lastLogin: null }), neverLoggedIn, NOW), true);
    assert.equal(tokens.check(user({ lastLogin: new Date(NOW) }), neverLoggedIn, NOW), false);
  });

  test('lastLogin counts to the second, as Django: a store that keeps less than milliseconds voids no link', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user({ lastLogin: new Date(Date.UTC(2024, 4, 30, 8, 15, 42, 0)) }), token, NOW), true);
    assert.equal(tokens.check(user({ lastLogin: new Date(Date.UTC(2024, 4, 30, 8, 15, 43, 0)) }), token, NOW), false);
  });

  test('a token fails after the email changes, even in case only', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user({ email: 'mallory@example.com' }), token, NOW), false);
    assert.equal(tokens.check(user({ email: 'Alice@example.com' }), token, NOW), false);
    assert.equal(tokens.check(user({ email: '' }), token, NOW), false);
  });

  test('a token works for exactly timeoutSeconds, then fails', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user(), token, NOW + THREE_DAYS * 1000), true);
    assert.equal(tokens.check(user(), token, NOW + (THREE_DAYS + 1) * 1000), false);
    const short = new PasswordResetTokens({ secretKey: SECRET_KEY, timeoutSeconds: 60 });
    assert.equal(short.check(user(), short.make(user(), NOW), NOW + 61_000), false);
  });

  test('a token from a little in the future (a clock a few seconds ahead) checks; one from much later does not', () => {
    assert.equal(tokens.check(user(), tokens.make(user(), NOW + 30_000), NOW), true);
    assert.equal(tokens.check(user(), tokens.make(user(), NOW + 3_600_000), NOW), false);
  });

  test('a token fails for another user, and under another SECRET_KEY', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user({ id: 43 }), token, NOW), false);
    const otherSite = new PasswordResetTokens({ secretKey: `${SECRET_KEY}-other`, timeoutSeconds: THREE_DAYS });
    assert.equal(otherSite.check(user(), token, NOW), false);
  });

  test('a tampered token fails, whichever part was touched', () => {
    const token = tokens.make(user(), NOW);
    const [timestamp, hmac] = token.split('-') as [string, string];
    const earlier = (parseInt(timestamp, 36) - 1).toString(36);
    const flipped = (hmac[0] === 'a' ? 'b' : 'a') + hmac.slice(1);
    for (const tampered of [
      `${earlier}-${hmac}`,
      `0${timestamp}-${hmac}`,
      `${timestamp}-${flipped}`,
      `${timestamp}-${hmac.slice(0, -1)}`,
      `${timestamp}-${hmac}0`,
      `${timestamp}-${hmac.toUpperCase()}`,
      `${timestamp}${hmac}`,
      `${timestamp}-${hmac.slice(0, 32)}`,
    ]) {
      assert.equal(tokens.check(user(), tampered, NOW), false, tampered);
    }
  });

  test('garbage of every type is false, never a throw', () => {
    const token = tokens.make(user(), NOW);
    for (const value of garbage(token)) {
      assert.equal(tokens.check(user(), value, NOW), false, typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value);
    }
  });
});

describe('encodeUid and decodeUid', () => {
  test('the uid is Django\'s urlsafe_base64_encode of the decimal id, unpadded', () => {
    assert.equal(encodeUid(1), 'MQ');
    assert.equal(encodeUid(42), 'NDI');
    assert.equal(encodeUid(123), 'MTIz');
  });

  test('every positive safe integer goes there and back', () => {
    for (const id of [1, 9, 10, 42, 99, 100, 1000, 65_535, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      assert.equal(decodeUid(encodeUid(id)), id, String(id));
    }
  });

  test('encodeUid refuses what is no user id: a bug, not a link', () => {
    for (const id of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      assert.throws(() => encodeUid(id), { name: 'TesseraError', code: 'internal' }, String(id));
    }
  });

  test('decodeUid answers null to anything encodeUid would not write, of any type', () => {
    const base64url = (text: string) => Buffer.from(text).toString('base64url');
    for (const value of [
      undefined, null, 1, 42, true, {}, [], ['MQ'], new String('MQ'), 10n,
      '', 'M', 'MQ=', 'MQ==', 'MR', 'mq', 'M Q', ' MQ', 'MQ\n', 'MQ/', 'M+', 'x'.repeat(100_000),
      base64url('0'), base64url('01'), base64url('-1'), base64url('1.5'), base64url('1e3'), base64url(' 1'), base64url('1 '),
      base64url('0x10'), base64url('abc'), base64url('9007199254740992'), base64url('99999999999999999'),
      Buffer.from('42').toString('base64'),
    ]) {
      assert.equal(decodeUid(value), null, typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value);
    }
  });
});

test('issuedAt gives back the time a token was made, to the second, so make() can rebuild it', () => {
  const tokens = new PasswordResetTokens({ secretKey: SECRET_KEY, timeoutSeconds: THREE_DAYS });
  const token = tokens.make(user(), NOW + 999);
  assert.equal(tokens.issuedAt(token), NOW);
  assert.equal(tokens.make(user(), tokens.issuedAt(token)!), token);
  for (const garbage of [undefined, 42, '', 'x', `0${token}`, `${token}x`, 'zzzzzzzzzzzz-' + 'a'.repeat(64)]) assert.equal(tokens.issuedAt(garbage), null, String(garbage));
});
