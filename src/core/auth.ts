// Authentication: who is asking. authenticate, login, logout, getUser, updateSessionAuthHash.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Passwords } from './passwords/passwords.ts';
import type { Session } from './sessions/session.ts';
import type { UserStore } from './users/user-store.ts';
import type { User } from './users/user.ts';

/** The session key that holds the session auth hash, as in Django. */
export const SESSION_AUTH_HASH_KEY = '_auth_user_hash';

export interface AuthOptions<Extra extends object> {
  users: UserStore<Extra>;
  passwords: Passwords;
  secretKey: string;
}

export class Auth<Extra extends object = Record<string, unknown>> {
  readonly users: UserStore<Extra>;
  readonly passwords: Passwords;
  readonly #hashKey: Buffer;

  constructor(options: AuthOptions<Extra>) {
    this.users = options.users;
    this.passwords = options.passwords;
    // A key of its own, derived from SECRET_KEY, so this HMAC cannot stand in for any other.
    this.#hashKey = createHmac('sha256', options.secretKey).update('tessera.auth.sessionAuthHash').digest();
  }

  /**
   * The user these credentials prove, or null. Unknown usernames, wrong passwords and inactive
   * accounts all cost one password hash and give the same null, so neither the answer nor its
   * timing tells which it was. A correct password in an old format is re-hashed on the spot.
   */
  async authenticate(username: string, password: string): Promise<User<Extra> | null> {
    const user = await this.users.getByUsername(username);
    if (user === null) {
      await this.passwords.hashForTiming(password);
      return null;
    }
    const check = await this.passwords.check(password, user.password);
    if (!check.ok || !user.isActive) return null;
    if (check.needsRehash) {
      const upgraded = await this.passwords.hash(password);
      await this.users.update(user.id, { password: upgraded });
      user.password = upgraded;
    }
    return user;
  }

  /** HMAC of the password hash: changes whenever the password does, revealing nothing of it. */
  sessionAuthHash(user: User<Extra>): string {
    return createHmac('sha256', this.#hashKey).update(user.password).digest('hex');
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
