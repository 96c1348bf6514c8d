// Password-reset links that need no table: Django's PasswordResetTokenGenerator, and the uid beside it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TesseraError } from './errors.ts';
import type { User } from './users/user.ts';

/** Django's epoch for reset tokens, 2001-01-01: its timestamps stay short in base 36. */
const tokenEpochMs = Date.UTC(2001, 0, 1);
/**
 * How far in the future a token's time may be: another process whose clock runs a little
 * ahead made it. Anything further was not made by a process sharing SECRET_KEY and our clock.
 */
const clockSkewSeconds = 60;
/** A timestamp of base 36 digits (13 at most, as Django's base36_to_int), a dash, a hex SHA-256. */
const tokenPattern = /^([0-9a-z]{1,13})-([0-9a-f]{64})$/;
const longestToken = 13 + 1 + 64;
/** The base64url of a positive safe integer's digits: 16 digits at most, 22 characters. */
const uidPattern = /^[A-Za-z0-9_-]{2,22}$/;

/**
 * Makes and checks the token of a password-reset link, `<timestamp in base 36>-<hex HMAC>`.
 * Nothing is stored: the HMAC covers what a reset or a login changes (the user's id, password
 * hash, last login and email), so a token dies when the password changes (the reset itself:
 * single use), when the user logs in, when the email changes, and after `timeoutSeconds`
 * (PASSWORD_RESET_TIMEOUT).
 *
 * @example
 * const tokens = new PasswordResetTokens({ secretKey: config.secretKey, timeoutSeconds: config.email.passwordResetTimeoutSeconds });
 * const link = `/accounts/reset/${encodeUid(user.id)}/${tokens.make(user)}/`;
 * // later, from the link:
 * const id = decodeUid(params.uid);
 * const user = id === null ? null : await tessera.users.getById(id);
 * if (user !== null && tokens.check(user, params.token)) { … }
 */
export class PasswordResetTokens {
  readonly #key: Buffer;
  readonly #timeoutSeconds: number;

  constructor(options: { secretKey: string; timeoutSeconds: number }) {
    // A key of its own, derived from SECRET_KEY, so this HMAC cannot stand in for any other.
    this.#key = createHmac('sha256', options.secretKey).update('tessera.passwordReset.token').digest();
    this.#timeoutSeconds = options.timeoutSeconds;
  }

  /** A token for `user`, valid from `now` (milliseconds since the epoch) for `timeoutSeconds`. */
  make(user: User<any>, now = Date.now()): string {
    const timestamp = secondsSinceTokenEpoch(now);
    return `${timestamp.toString(36)}-${this.#hmac(user, timestamp)}`;
  }

  /**
   * Whether `token` is one {@link make} gave for this user as they are now, and not expired at
   * `now`. Anything else, of any type, is false: a link is whatever a visitor typed.
   */
  check(user: User<any>, token: unknown, now = Date.now()): boolean {
    if (typeof token !== 'string' || token.length > longestToken) return false;
    const match = tokenPattern.exec(token);
    if (match === null) return false;
    const timestampText = match[1]!;
    const givenHmac = match[2]!;
    const timestamp = parseInt(timestampText, 36);
    // Only the spelling make() writes: "0k1" is not "k1", so no token has a second form.
    if (!Number.isSafeInteger(timestamp) || timestamp.toString(36) !== timestampText) return false;
    const current = secondsSinceTokenEpoch(now);
    if (timestamp > current + clockSkewSeconds || current - timestamp > this.#timeoutSeconds) return false;
    return timingSafeEqual(Buffer.from(givenHmac), Buffer.from(this.#hmac(user, timestamp)));
  }

  /**
   * When a well-formed token was made (milliseconds since the epoch), or null: with
   * `make(user, issuedAt)` an application can rebuild a token it checked earlier instead of
   * keeping it (the reference site keeps only its hash while the new password is chosen).
   */
  issuedAt(token: unknown): number | null {
    if (typeof token !== 'string' || token.length > longestToken) return null;
    const match = tokenPattern.exec(token);
    if (match === null) return null;
    const timestamp = parseInt(match[1]!, 36);
    if (!Number.isSafeInteger(timestamp) || timestamp.toString(36) !== match[1]) return null;
    return tokenEpochMs + timestamp * 1000;
  }

  #hmac(user: User<any>, timestamp: number): string {
    // The last login to the second, as Django: what a store keeps finer than that must not
    // decide whether a link works. JSON keeps the fields apart, so no two users' values run
    // together into the same text (Django's plain concatenation of id and hash could).
    const lastLogin = user.lastLogin === null ? '' : String(Math.floor(user.lastLogin.getTime() / 1000));
    const value = JSON.stringify([user.id, user.password, lastLogin, timestamp, user.email]);
    return createHmac('sha256', this.#key).update(value).digest('hex');
  }
}

function secondsSinceTokenEpoch(now: number): number {
  return Math.floor((now - tokenEpochMs) / 1000);
}

/**
 * The user id as a reset link carries it: Django's `urlsafe_base64_encode` of the decimal id,
 * unpadded, so a link Django would make for the same id reads the same ("MQ" for 1).
 */
export function encodeUid(id: number): string {
  if (!Number.isSafeInteger(id) || id < 1) throw new TesseraError('internal', `encodeUid: ${String(id)} is not a user id`);
  return Buffer.from(String(id)).toString('base64url');
}

/**
 * The user id a link's uid names, or null for anything {@link encodeUid} would not have
 * written for a positive safe integer: padding, a leading zero, stray bits, another type.
 */
export function decodeUid(value: unknown): number | null {
  if (typeof value !== 'string' || !uidPattern.test(value)) return null;
  const digits = Buffer.from(value, 'base64url').toString('latin1');
  if (!/^[1-9][0-9]{0,15}$/.test(digits)) return null;
  const id = Number(digits);
  // Re-encoding catches the rest: base64 whose unused bits are set decodes to the same digits.
  return Number.isSafeInteger(id) && encodeUid(id) === value ? id : null;
}
