// Email-verification tokens: one path segment that names its user, works once, dies with the address, and expires.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { EmailVerificationTokens } from '../../src/core/email-verification-tokens.ts';
import { PasswordResetTokens } from '../../src/core/password-reset-tokens.ts';
import type { User } from '../../src/core/users/user.ts';

const SECRET_KEY = 'verification-test-secret-key-that-is-long-enough-0123456789';
const THREE_DAYS = 259_200;
const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

function user(changes: Partial<User> = {}): User {
  return {
    isAuthenticated: true,
    id: 42,
    username: 'alice',
    usernameNormalized: 'alice',
    email: 'alice@example.com',
    emailVerified: false,
    pendingEmail: '',
    firstName: '',
    lastName: '',
    password: 'argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    dateJoined: new Date(Date.UTC(2020, 0, 1)),
    lastLogin: null,
    extra: {},
    ...changes,
  };
}

const tokens = new EmailVerificationTokens({ secretKey: SECRET_KEY, timeoutSeconds: THREE_DAYS });

describe('EmailVerificationTokens', () => {
  test('a fresh token checks, is one URL path segment as it stands, and reads as its user\'s', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user(), token, NOW), true);
    assert.match(token, /^[0-9a-z]+-[0-9a-z]+-[0-9a-f]{64}$/);
    assert.equal(encodeURIComponent(token), token);
    assert.deepEqual(tokens.read(token), { userId: 42 });
    assert.deepEqual(tokens.read(tokens.make(user({ id: Number.MAX_SAFE_INTEGER }), NOW)), { userId: Number.MAX_SAFE_INTEGER });
  });

  test('a token works once: after the address is verified it no longer checks', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user({ emailVerified: true }), token, NOW + 1000), false);
  });

  test('a token dies when the address changes, but not when only its case does', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user({ email: 'mallory@example.com' }), token, NOW), false);
    assert.equal(tokens.check(user({ email: '' }), token, NOW), false);
    assert.equal(tokens.check(user({ email: 'Alice@EXAMPLE.com' }), token, NOW), true);
  });

  test('a token works for exactly timeoutSeconds, then fails; one from much later than now fails too', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user(), token, NOW + THREE_DAYS * 1000), true);
    assert.equal(tokens.check(user(), token, NOW + (THREE_DAYS + 1) * 1000), false);
    assert.equal(tokens.check(user(), tokens.make(user(), NOW + 30_000), NOW), true, 'a clock a little ahead');
    assert.equal(tokens.check(user(), tokens.make(user(), NOW + 3_600_000), NOW), false);
  });

  test('a token fails for another user, even one with the same address, and under another SECRET_KEY', () => {
    const token = tokens.make(user(), NOW);
    assert.equal(tokens.check(user({ id: 43 }), token, NOW), false);
    const otherSite = new EmailVerificationTokens({ secretKey: `${SECRET_KEY}-other`, timeoutSeconds: THREE_DAYS });
    assert.equal(otherSite.check(user(), token, NOW), false);
  });

  test('a password-reset token is no verification token, nor the other way round', () => {
    const resets = new PasswordResetTokens({ secretKey: SECRET_KEY, timeoutSeconds: THREE_DAYS });
    const reset = resets.make(user(), NOW);
    assert.equal(tokens.read(reset), null);
    assert.equal(tokens.check(user(), reset, NOW), false);
    const verification = tokens.make(user(), NOW);
    assert.equal(resets.check(user(), verification, NOW), false);
    // The same layout under the other purpose's key still fails: the keys differ, not just the shapes.
    const [id, timestamp] = verification.split('-') as [string, string];
    const [, resetHmac] = reset.split('-') as [string, string];
    assert.equal(tokens.check(user(), `${id}-${timestamp}-${resetHmac}`, NOW), false);
  });

  test('a tampered token fails, whichever part was touched', () => {
    const token = tokens.make(user(), NOW);
    const [id, timestamp, hmac] = token.split('-') as [string, string, string];
    const flipped = (hmac[0] === 'a' ? 'b' : 'a') + hmac.slice(1);
    const later = (parseInt(timestamp, 36) + 1).toString(36);
    for (const tampered of [
      `${(43).toString(36)}-${timestamp}-${hmac}`,
      `0${id}-${timestamp}-${hmac}`,
      `${id}-${later}-${hmac}`,
      `${id}-0${timestamp}-${hmac}`,
      `${id}-${timestamp}-${flipped}`,
      `${id}-${timestamp}-${hmac.slice(0, -1)}`,
      `${id}-${timestamp}-${hmac.toUpperCase()}`,
      `${id}-${timestamp}`,
      `${timestamp}-${hmac}`,
    ]) {
      assert.equal(tokens.check(user(), tampered, NOW), false, tampered);
    }
    // A token whose id was changed to another user's reads as theirs, and checks for no one.
    const forBob = `${(43).toString(36)}-${timestamp}-${hmac}`;
    assert.deepEqual(tokens.read(forBob), { userId: 43 });
    assert.equal(tokens.check(user({ id: 43 }), forBob, NOW), false);
  });

  test('read and check answer garbage of every type with null and false, never a throw', () => {
    const token = tokens.make(user(), NOW);
    for (const value of [
      undefined, null, 0, 42, Number.NaN, true, 10n, Symbol('token'), () => token, {}, [], [token], new String(token), { toString: () => token },
      '', '-', '--', `${token} `, `${token}\n`, `${token}/`, `/${token}`, token.toUpperCase(), `${token}-${token}`, 'x'.repeat(100_000),
      `0-1-${'0'.repeat(64)}`, `${'z'.repeat(12)}-1-${'0'.repeat(64)}`, `1-${'z'.repeat(12)}-${'0'.repeat(64)}`, `1--${'0'.repeat(64)}`,
    ]) {
      const label = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
      assert.equal(tokens.read(value), null, label);
      assert.equal(tokens.check(user(), value, NOW), false, label);
    }
  });
});
