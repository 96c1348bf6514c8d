// Loads the session a cookie names and, after the response is decided, writes back what changed.
import type { SessionSettings } from '../config.ts';
import { Session } from './session.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';
import { formatSessionToken, hashSessionSecret, newSessionToken, parseSessionToken, sessionSecretMatches } from './token.ts';

/** What the session cookie must become after a request: set, with its lifetime, or cleared. */
export type SessionCookie =
  | { action: 'set'; value: string; /** undefined: a browser-session cookie */ maxAgeSeconds: number | undefined }
  | { action: 'clear' };

/** Who made the request, kept with a session it creates so a user's sessions can be told apart. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/**
 * Loads the session a cookie names and, after the response is decided, writes back what changed: Django's
 * SessionMiddleware, without the web framework.
 */
export class SessionManager {
  readonly store: SessionStore;
  readonly settings: SessionSettings;

  constructor(store: SessionStore, settings: SessionSettings) {
    this.store = store;
    this.settings = settings;
  }

  /** The session named by the cookie; unknown, expired, revoked or malformed means an empty one. */
  async load(cookieValue: string | undefined, now = Date.now()): Promise<Session> {
    const hadCookie = cookieValue !== undefined && cookieValue !== '';
    const token = parseSessionToken(cookieValue);
    if (token === null) return new Session(null, null, hadCookie);
    const record = await this.store.load(token.id);
    if (record === null || !sessionSecretMatches(token.secret, record.secretHash)) {
      return new Session(null, null, hadCookie);
    }
    if (this.isExpired(record, now)) {
      await this.store.delete(record.id);
      return new Session(null, null, hadCookie);
    }
    // Written at most once per interval, so a burst of page views costs no write.
    if (now - record.lastSeen >= this.settings.touchIntervalSeconds * 1000) {
      await this.store.touch(record.id, now);
      record.lastSeen = now;
    }
    return new Session(record, token, hadCookie);
  }

  isExpired(record: SessionRecord, now: number): boolean {
    return now >= record.expiresAt || now - record.lastSeen >= this.settings.idleTimeoutSeconds * 1000;
  }

  /**
   * Writes what the request changed and says what the cookie must become. The caller skips
   * this for a 5xx response, so a failed request never half-saves a session.
   */
  async commit(session: Session, client: ClientInfo, now = Date.now()): Promise<SessionCookie | null> {
    if (!session.modified) return null;
    const loaded = session.loaded;
    if (loaded !== null && (session.replaced || session.isEmpty)) await this.store.delete(loaded.id);
    if (session.isEmpty) return session.hadCookie ? { action: 'clear' } : null;

    if (loaded !== null && !session.replaced && session.loadedToken !== null) {
      const updated: SessionRecord = {
        ...loaded,
        data: { ...session.data },
        userId: session.userId,
        persistent: session.persistent,
      };
      await this.store.update(updated);
      // Same token, same lifetime: the cookie the browser holds is still right, so none is sent.
      return loaded.persistent === updated.persistent ? null : this.cookieFor(formatSessionToken(session.loadedToken), updated, now);
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
    return this.cookieFor(formatSessionToken(token), record, now);
  }

  private cookieFor(value: string, record: SessionRecord, now: number): SessionCookie {
    if (!record.persistent) return { action: 'set', value, maxAgeSeconds: undefined };
    return { action: 'set', value, maxAgeSeconds: Math.max(0, Math.floor((record.expiresAt - now) / 1000)) };
  }
}
