// Authentication: who is asking. authenticate, login, logout, getUser, updateSessionAuthHash.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Passwords } from './passwords/passwords.ts';
import type { Session } from './sessions/session.ts';
import type { AuditLogger, AuthEvents } from './audit/auth-events.ts';
import type { LoginThrottle } from './throttle.ts';
import type { UserStore } from './users/user-store.ts';
import { cleanUsername, normalizeUsername, usernameProblem, type User } from './users/user.ts';

/** The session key that holds the session auth hash, as in Django. */
export const SESSION_AUTH_HASH_KEY = '_auth_user_hash';

/** What an {@link Auth} works with; `createTessera` passes its own stores, passwords, SECRET_KEY and throttle. */
export interface AuthOptions<Extra extends object> {
  users: UserStore<Extra>;
  passwords: Passwords;
  secretKey: string;
  /** counts failed logins per account and address; without one, nothing is throttled */
  throttle?: LoginThrottle;
  /** where failed and throttled logins are recorded; without it, nowhere */
  events?: AuthEvents;
}

/**
 * What {@link Auth.authenticate} found. A wrong password, an unknown username and an inactive
 * account are one answer, `invalid`, so that nothing tells them apart.
 */
export type AuthenticationResult<Extra extends object = Record<string, unknown>> =
  | { ok: true; user: User<Extra> }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; /** when the client may try again */ retryAfterSeconds: number };

/** Who is trying to log in, for the throttle. */
export interface AuthenticateOptions {
  /** the client's address (request.ip behind a trusted proxy); failures are counted per address */
  address: string;
  /**
   * this browser's device id for the account, from its valid device cookie (see DeviceCookies):
   * such a browser is counted on its own, never locked out by failures from elsewhere
   */
  device?: string | undefined;
  /** the client's User-Agent, for the audit trail */
  userAgent?: string | undefined;
  /** the session's public id, for the audit trail */
  sessionId?: string | null | undefined;
  /** where the audit trail's log line goes (Fastify's request.log) */
  logger?: AuditLogger | undefined;
}

/** Why a login failed, for the audit trail only: the person who failed is told none of it. */
type FailureReason = 'unknown_user' | 'wrong_password' | 'inactive' | 'refused_username';

/** Auth hashes kept in memory, each about 250 bytes with its key. */
const authHashMemoSize = 4096;

/**
 * Django's five verbs: {@link Auth.authenticate}, {@link Auth.login}, {@link Auth.logout},
 * {@link Auth.getUser} and {@link Auth.updateSessionAuthHash}. `createTessera` builds one as
 * `tessera.auth`; the Fastify adapter calls it for `request.login()` and `request.logout()`.
 */
export class Auth<Extra extends object = Record<string, unknown>> {
  readonly users: UserStore<Extra>;
  readonly passwords: Passwords;
  readonly #throttle: LoginThrottle | undefined;
  readonly #events: AuthEvents | undefined;
  readonly #hashKey: Buffer;
  /**
   * Auth hashes by the password hash they were computed from: every authenticated request
   * checks one, and an HMAC per request was a measurable part of a page view. Keyed by the
   * stored hash itself, so a password change is a new key and never meets a stale value;
   * first in, first out, bounded, so many users cost a little memory and nothing more.
   */
  readonly #authHashes = new Map<string, string>();

  constructor(options: AuthOptions<Extra>) {
    this.users = options.users;
    this.passwords = options.passwords;
    this.#throttle = options.throttle;
    this.#events = options.events;
    // A key of its own, derived from SECRET_KEY, so this HMAC cannot stand in for any other.
    this.#hashKey = createHmac('sha256', options.secretKey).update('tessera.auth.sessionAuthHash').digest();
  }

  /**
   * Checks a login, throttled: each attempt is counted against the account (from this address)
   * and the address before the password is checked, so a burst of parallel guesses cannot pass
   * the limit; a success takes the count back. This is the path a login form should take.
   *
   * @example
   * const result = await tessera.auth.authenticate(username, password, { address: request.ip });
   * if (result.ok) await tessera.auth.login(session, result.user);
   * else if (result.reason === 'throttled') reply.header('Retry-After', String(result.retryAfterSeconds)).code(429);
   */
  async authenticate(username: string, password: string, options: AuthenticateOptions): Promise<AuthenticationResult<Extra>> {
    // Whatever a form parser hands over (a repeated field is an array) is an answer, not a 500.
    const name = typeof username === 'string' ? username : '';
    const secret = typeof password === 'string' ? password : '';
    const key = normalizeUsername(name);
    const throttle = this.#throttle;
    const audit = (kind: 'login_failed' | 'login_throttled', userId: number | null, reason: string) =>
      this.#events?.record({ kind, userId, reason, address: options.address, userAgent: options.userAgent, sessionId: options.sessionId }, options.logger);
    if (throttle !== undefined) {
      const verdict = await throttle.attempt(key, options);
      if (!verdict.allowed) {
        await audit('login_throttled', null, `retry after ${verdict.retryAfterSeconds} s`);
        return { ok: false, reason: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
      }
    }
    let checked: { user: User<Extra> | null; reason?: FailureReason; knownId?: number };
    try {
      // The rule sign-up applies (after NFKC, in characters): no account has a name it refuses,
      // and asking costs one hash all the same.
      const refused = name !== username || secret !== password || usernameProblem(cleanUsername(name)) !== null;
      checked = refused ? (await this.passwords.hashForTiming(secret), { user: null, reason: 'refused_username' }) : await this.#check(name, secret);
    } catch (error) {
      // The check never happened (the hash queue was full, the database away): it is no failure,
      // or whoever fills the queue could lock others out, their own known browsers included.
      await throttle?.abandoned(key, options).catch(() => {});
      throw error;
    }
    if (checked.user === null) {
      await audit('login_failed', checked.knownId ?? null, checked.reason ?? 'wrong_password');
      return { ok: false, reason: 'invalid' };
    }
    await throttle?.succeeded(key, options);
    return { ok: true, user: checked.user };
  }

  /**
   * The user these credentials prove, or null, with no throttling: for the command line and
   * tests; a login form calls {@link Auth.authenticate}. Unknown usernames, wrong passwords and
   * inactive accounts all cost one password hash and give the same null, so neither the answer
   * nor its timing tells which it was. A correct password in an old format is re-hashed.
   */
  async verifyCredentials(username: string, password: string): Promise<User<Extra> | null> {
    return (await this.#check(username, password)).user;
  }

  /** The check itself, with why it failed (for the audit trail alone). */
  async #check(username: string, password: string): Promise<{ user: User<Extra> | null; reason?: FailureReason; knownId?: number }> {
    // No username holds NUL (sign-up refuses it), and PostgreSQL could not even compare one.
    const user = username.includes('\0') ? null : await this.users.getByUsername(username);
    if (user === null) {
      await this.passwords.hashForTiming(password);
      return { user: null, reason: 'unknown_user' };
    }
    const check = await this.passwords.check(password, user.password);
    if (!check.ok) return { user: null, reason: 'wrong_password', knownId: user.id };
    if (!user.isActive) return { user: null, reason: 'inactive', knownId: user.id };
    if (check.needsRehash) {
      const upgraded = await this.passwords.hash(password);
      await this.users.update(user.id, { password: upgraded });
      user.password = upgraded;
    }
    return { user };
  }

  /** HMAC of the password hash: changes whenever the password does, revealing nothing of it. */
  sessionAuthHash(user: User<Extra>): string {
    const known = this.#authHashes.get(user.password);
    if (known !== undefined) return known;
    const hash = createHmac('sha256', this.#hashKey).update(user.password).digest('hex');
    if (this.#authHashes.size >= authHashMemoSize) this.#authHashes.delete(this.#authHashes.keys().next().value!);
    this.#authHashes.set(user.password, hash);
    return hash;
  }

  /**
   * Logs `user` in on `session`: a new token (against fixation), the user id and auth hash
   * stored. Another user's session, or one whose hash went stale, is flushed first so nothing
   * of it carries over. Rotating the CSRF secret is the adapter's part, it owns the cookie.
   */
  async login(session: Session, user: User<Extra>, options: { persistent?: boolean } = {}): Promise<void> {
    const hash = this.sessionAuthHash(user);
    if (session.userId !== null && (session.userId !== user.id || !this.#hashMatches(session, hash))) {
      session.flush();
    } else {
      session.cycleKey();
    }
    session.userId = user.id;
    session.set(SESSION_AUTH_HASH_KEY, hash);
    session.setPersistent(options.persistent ?? true);
    const now = new Date();
    await this.users.update(user.id, { lastLogin: now });
    user.lastLogin = now;
  }

  /** Ends the session: the manager deletes its row and expires the cookie. */
  logout(session: Session): void {
    session.flush();
  }

  /**
   * The user the session belongs to, or null. A session whose auth hash no longer matches
   * (the password changed elsewhere) or whose user is gone or inactive is flushed.
   */
  async getUser(session: Session): Promise<User<Extra> | null> {
    const userId = session.userId;
    if (userId === null) return null;
    const preloaded = session.preloadedUser;
    const user = preloaded !== undefined && (preloaded === null || preloaded.id === userId)
      ? (preloaded as User<Extra> | null)
      : await this.users.getById(userId);
    if (user === null || !user.isActive || !this.#hashMatches(session, this.sessionAuthHash(user))) {
      session.flush();
      return null;
    }
    return user;
  }

  /**
   * After the user changed their own password: keeps this session logged in under a new
   * token, while every other session's stale hash logs it out.
   */
  updateSessionAuthHash(session: Session, user: User<Extra>): void {
    session.cycleKey();
    if (session.userId === user.id) session.set(SESSION_AUTH_HASH_KEY, this.sessionAuthHash(user));
  }

  #hashMatches(session: Session, expected: string): boolean {
    const stored = session.get(SESSION_AUTH_HASH_KEY);
    if (typeof stored !== 'string' || stored.length !== expected.length) return false;
    return timingSafeEqual(Buffer.from(stored), Buffer.from(expected));
  }
}
