// Loads the session a cookie names and, after the response is decided, writes back what changed.
import type { SessionSettings } from '../config.ts';
import { Session } from './session.ts';
import { tokenCookieFormat, type SessionCookieFormat } from './session-cookie-format.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';
import { hashSessionSecret, newSessionToken, sessionSecretMatches } from './token.ts';

/** What the session cookie must become after a request: set, with its lifetime, or cleared. */
export type SessionCookie =
  | { action: 'set'; value: string; /** undefined: a browser-session cookie */ maxAgeSeconds: number | undefined; /** the session's public id */ sessionId: string }
  | { action: 'clear' };

/** Who made the request, kept with a session it creates so a user's sessions can be told apart. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/**
 * Loads the session a cookie names and, after the response is decided, writes back what changed: Django's
 * SessionMiddleware, without the web framework. One manager serves every store, the cookie store
 * too: the store's `cookieFormat` says how a record becomes a cookie value and back, so the
 * lifetime rules, the secret check and logout live here once.
 */
export class SessionManager {
  readonly store: SessionStore;
  readonly settings: SessionSettings;
  /** the store's, or `<id>.<secret>` for a store that keeps its records and names none */
  readonly cookieFormat: SessionCookieFormat;
  /** sessions whose last use moved at load, where only a new cookie can carry it */
  readonly #reissue = new WeakSet<Session>();

  constructor(store: SessionStore, settings: SessionSettings) {
    this.store = store;
    this.settings = settings;
    this.cookieFormat = store.cookieFormat ?? tokenCookieFormat;
  }

  /** The session named by the cookie; unknown, expired, revoked, forged or malformed means an empty one. */
  async load(cookieValue: string | undefined, now = Date.now()): Promise<Session> {
    const hadCookie = cookieValue !== undefined && cookieValue !== '';
    const contents = hadCookie ? this.cookieFormat.read(cookieValue) : null;
    if (contents === null) return new Session(null, null, hadCookie);
    const { token } = contents;
    const record = await this.store.load(token.id, contents.record ?? undefined);
    if (record === null || !sessionSecretMatches(token.secret, record.secretHash)) {
      return new Session(null, null, hadCookie);
    }
    if (this.isExpired(record, now)) {
      // A record carried in its cookie has nothing on the server to remove, and this same check
      // refuses it on every later request.
      if (!this.cookieFormat.carriesRecord) await this.store.delete(record.id);
      return new Session(null, null, hadCookie);
    }
    // Written at most once per interval, so a burst of page views costs no write.
    const touched = now - record.lastSeen >= this.settings.touchIntervalSeconds * 1000;
    if (touched) {
      await this.store.touch(record.id, now);
      record.lastSeen = now;
    }
    const session = new Session(record, token, hadCookie);
    // The idle timeout needs the last use, and a record in the cookie only learns it from a new cookie.
    if (touched && this.cookieFormat.carriesRecord) this.#reissue.add(session);
    return session;
  }

  isExpired(record: SessionRecord, now: number): boolean {
    return now >= record.expiresAt || now - record.lastSeen >= this.settings.idleTimeoutSeconds * 1000;
  }

  /**
   * Writes what the request changed and says what the cookie must become. The caller skips
   * this for a 5xx response, so a failed request never half-saves a session.
   */
  async commit(session: Session, client: ClientInfo, now = Date.now()): Promise<SessionCookie | null> {
    const reissue = this.#reissue.has(session);
    if (!session.modified && !reissue) return null;
    const loaded = session.loaded;
    // The expiry goes with the id: a store that keeps no record remembers the end until then only.
    if (loaded !== null && (session.replaced || session.isEmpty)) await this.store.delete(loaded.id, loaded.expiresAt);
    if (session.isEmpty) return session.hadCookie ? { action: 'clear' } : null;

    if (loaded !== null && !session.replaced && session.loadedToken !== null) {
      const updated: SessionRecord = {
        ...loaded,
        data: { ...session.data },
        userId: session.userId,
        persistent: session.persistent,
      };
      if (session.modified) await this.store.update(updated);
      // Same token, same lifetime: the cookie the browser holds is still right, so none is sent,
      // unless the cookie carries the record itself.
      if (!this.cookieFormat.carriesRecord && loaded.persistent === updated.persistent) return null;
      return this.cookieFor(this.cookieFormat.write(updated, session.loadedToken), updated, now);
    }

    const token = newSessionToken();
    const lifetime = session.persistent ? this.settings.maxAgeSeconds : this.settings.browserSessionMaxAgeSeconds;
    const record: SessionRecord = {
      id: token.id,
      secretHash: hashSessionSecret(token.secret),
      userId: session.userId,
      data: { ...session.data },
      createdAt: now,
      lastSeen: now,
      expiresAt: now + lifetime * 1000,
      persistent: session.persistent,
      ip: client.ip.slice(0, 64),
      userAgent: client.userAgent.slice(0, 512),
    };
    await this.store.create(record);
    return this.cookieFor(this.cookieFormat.write(record, token), record, now);
  }

  private cookieFor(value: string, record: SessionRecord, now: number): SessionCookie {
    if (!record.persistent) return { action: 'set', value, maxAgeSeconds: undefined, sessionId: record.id };
    return { action: 'set', value, maxAgeSeconds: Math.max(0, Math.floor((record.expiresAt - now) / 1000)), sessionId: record.id };
  }
}
