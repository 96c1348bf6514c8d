// The cookie "store": the whole session, signed, in the visitor's cookie; nothing kept on the server.
import { randomBytes } from 'node:crypto';
import type { SessionSettings } from '../config.ts';
import { Signer } from '../signing.ts';
import { Session } from './session.ts';
import { SessionManager, type ClientInfo, type SessionCookie } from './session-manager.ts';
import type { SessionData, SessionRecord, SessionStore } from './session-store.ts';

/** Browsers keep cookies up to 4096 bytes, name and attributes included. */
const maxCookieValueBytes = 3800;

/**
 * What the server can do for sessions it does not keep: nothing. Listing shows none and
 * revoking another device is impossible; a password change still logs other devices out,
 * because every cookie carries the auth hash it was issued with.
 */
export class StatelessSessionStore implements SessionStore {
  async load(): Promise<SessionRecord | null> {
    return null;
  }
  async create(): Promise<void> {}
  async update(): Promise<void> {}
  async touch(): Promise<void> {}
  async delete(): Promise<void> {}
  async listForUser(): Promise<SessionRecord[]> {
    return [];
  }
  async deleteForUser(): Promise<number> {
    return 0;
  }
  async clearExpired(): Promise<number> {
    return 0;
  }
}

interface Payload {
  i: string;
  u: number | null;
  d: SessionData;
  c: number;
  l: number;
  e: number;
  p: boolean;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.i === 'string' &&
    (p.u === null || Number.isSafeInteger(p.u)) &&
    typeof p.d === 'object' && p.d !== null && !Array.isArray(p.d) &&
    Number.isFinite(p.c) && Number.isFinite(p.l) && Number.isFinite(p.e) &&
    typeof p.p === 'boolean'
  );
}

export class SignedCookieSessionManager extends SessionManager {
  readonly #signer: Signer;
  readonly #needsReissue = new WeakSet<Session>();

  constructor(secretKey: string, settings: SessionSettings) {
    super(new StatelessSessionStore(), settings);
    this.#signer = new Signer(secretKey, 'session-cookie');
  }

  override async load(cookieValue: string | undefined, now = Date.now()): Promise<Session> {
    const hadCookie = cookieValue !== undefined && cookieValue !== '';
    const text = this.#signer.unsign(cookieValue);
    let payload: unknown = null;
    try {
      payload = text === null ? null : JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    } catch {
      payload = null;
    }
    if (!isPayload(payload)) return new Session(null, null, hadCookie);
    const record: SessionRecord = {
      id: payload.i,
      secretHash: '',
      userId: payload.u,
      data: payload.d,
      createdAt: payload.c,
      lastSeen: payload.l,
      expiresAt: payload.e,
      persistent: payload.p,
      ip: '',
      userAgent: '',
    };
    if (this.isExpired(record, now)) return new Session(null, null, hadCookie);
    const session = new Session(record, null, hadCookie);
    // Idle expiry needs last_seen, and the only place to write it is a fresh cookie.
    if (now - record.lastSeen >= this.settings.touchIntervalSeconds * 1000) this.#needsReissue.add(session);
    return session;
  }

  override async commit(session: Session, _client: ClientInfo, now = Date.now()): Promise<SessionCookie | null> {
    if (!session.modified && !this.#needsReissue.has(session)) return null;
    if (session.isEmpty) return session.hadCookie ? { action: 'clear' } : null;
    const loaded = session.replaced ? null : session.loaded;
    const lifetime = session.persistent ? this.settings.maxAgeSeconds : this.settings.browserSessionMaxAgeSeconds;
    const payload: Payload = {
      i: loaded?.id ?? randomBytes(16).toString('base64url'),
      u: session.userId,
      d: { ...session.data },
      c: loaded?.createdAt ?? now,
      l: now,
      e: loaded?.expiresAt ?? now + lifetime * 1000,
      p: session.persistent,
    };
    const value = this.#signer.sign(Buffer.from(JSON.stringify(payload)).toString('base64url'));
    if (value.length > maxCookieValueBytes) throw new Error(`session too large for a cookie (${value.length} bytes)`);
    return { action: 'set', value, maxAgeSeconds: payload.p ? Math.max(0, Math.floor((payload.e - now) / 1000)) : undefined };
  }
}
