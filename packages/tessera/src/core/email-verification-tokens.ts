// Email-verification links that need no table: proof that whoever follows one reads the user's mail.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { User } from './users/user.ts';

/** The user id and the time, in base 36, then a hex SHA-256; dashes between, so one path segment. */
const tokenPattern = /^([0-9a-z]{1,11})-([0-9a-z]{1,11})-([0-9a-f]{64})$/;
const longestToken = 11 + 1 + 11 + 1 + 64;
/** Another process whose clock runs a little ahead may have made the token (see PasswordResetTokens). */
const clockSkewSeconds = 60;

/**
 * Makes and checks the token of an email-verification link, `/accounts/verify-email/<token>`:
 * `<user id>-<time>-<hex HMAC>`, letters, digits and dashes only. Nothing is stored: the HMAC
 * covers the user's id, email, `emailVerified` flag and pending address, so a token works once
 * (verifying sets the flag, or moves the pending address into `email`, and the token no longer
 * checks), dies when either address changes, and expires after `timeoutSeconds`. It verifies
 * the pending address when there is one, else `email`.
 *
 * @example
 * const tokens = new EmailVerificationTokens({ secretKey: config.secretKey, timeoutSeconds: config.email.verificationTimeoutSeconds });
 * const link = `/accounts/verify-email/${tokens.make(user)}`;
 * // later, from the link:
 * const claimed = tokens.read(params.token);
 * const user = claimed === null ? null : await tessera.users.getById(claimed.userId);
 * // spent only if the user is still as checked (a racing change of address makes it miss):
 * if (user !== null && tokens.check(user, params.token)) await tessera.users.updateIf(user.id, { email: user.email, emailVerified: false, pendingEmail: '' }, { emailVerified: true });
 */
export class EmailVerificationTokens {
  readonly #key: Buffer;
  readonly #timeoutSeconds: number;

  constructor(options: { secretKey: string; timeoutSeconds: number }) {
    // A key of its own, derived from SECRET_KEY, so this HMAC cannot stand in for any other
    // (a password-reset token above all).
    this.#key = createHmac('sha256', options.secretKey).update('tessera.emailVerification.token').digest();
    this.#timeoutSeconds = options.timeoutSeconds;
  }

  /** A token for `user`'s current address, valid from `now` (milliseconds since the epoch) for `timeoutSeconds`. */
  make(user: User<any>, now = Date.now()): string {
    const timestamp = Math.floor(now / 1000);
    return `${user.id.toString(36)}-${timestamp.toString(36)}-${this.#hmac(user, timestamp)}`;
  }

  /**
   * Whose token this claims to be, or null when it is no token at all. Proves nothing: it says
   * which user to load, and {@link check} then decides.
   */
  read(token: unknown): { userId: number } | null {
    const parsed = parse(token);
    return parsed === null ? null : { userId: parsed.userId };
  }

  /**
   * Whether `token` is one {@link make} gave for this user, their address and flag as they are
   * now, and not expired at `now`. Anything else, of any type, is false.
   */
  check(user: User<any>, token: unknown, now = Date.now()): boolean {
    const parsed = parse(token);
    if (parsed === null || parsed.userId !== user.id) return false;
    const current = Math.floor(now / 1000);
    if (parsed.timestamp > current + clockSkewSeconds || current - parsed.timestamp > this.#timeoutSeconds) return false;
    return timingSafeEqual(Buffer.from(parsed.hmac), Buffer.from(this.#hmac(user, parsed.timestamp)));
  }

  #hmac(user: User<any>, timestamp: number): string {
    // Only ASCII letters are folded, as SQLite's lower() that the user store compares addresses
    // with: an address the store saw change (and so unverified) never keeps a working token.
    const fold = (address: string) => address.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
    // The pending address too: a link made for one new address dies when another replaces it,
    // and once followed (the pending address moves into `email`) it checks no more.
    const value = JSON.stringify([user.id, fold(user.email), user.emailVerified ? 1 : 0, fold(user.pendingEmail ?? ''), timestamp]);
    return createHmac('sha256', this.#key).update(value).digest('hex');
  }
}

/** The token's parts, or null unless it is spelt exactly as make() writes one. */
function parse(token: unknown): { userId: number; timestamp: number; hmac: string } | null {
  if (typeof token !== 'string' || token.length > longestToken) return null;
  const match = tokenPattern.exec(token);
  if (match === null) return null;
  const userId = canonicalBase36(match[1]!);
  const timestamp = canonicalBase36(match[2]!);
  if (userId === null || userId < 1 || timestamp === null) return null;
  return { userId, timestamp, hmac: match[3]! };
}

/** The number these base 36 digits spell, or null when make() would have spelt it otherwise ("0k1" for "k1"). */
function canonicalBase36(digits: string): number | null {
  const value = parseInt(digits, 36);
  return Number.isSafeInteger(value) && value.toString(36) === digits ? value : null;
}
