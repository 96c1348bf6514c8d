// The cookie store's cookie: the whole session record, signed, so the server need not keep it.
import { Signer } from '../signing.ts';
import type { SessionCookieContents, SessionCookieFormat } from './session-cookie-format.ts';
import type { SessionData, SessionRecord } from './session-store.ts';
import { hashSessionSecret, parseSessionToken, type SessionToken } from './token.ts';

/** Browsers keep cookies up to 4096 bytes, name and attributes included. */
const maxCookieValueBytes = 3800;

/** The record as the cookie spells it: short keys, since every byte rides on every request. */
interface Payload {
  /** id */
  i: string;
  /** the token's secret, so the manager's one check (secret against its hash) holds here too */
  s: string;
  u: number | null;
  d: SessionData;
  c: number;
  l: number;
  e: number;
  p: boolean;
  /** client address and user agent at creation, for the sessions page */
  a: string;
  g: string;
}

function isTime(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.i === 'string' &&
    typeof p.s === 'string' &&
    (p.u === null || Number.isSafeInteger(p.u)) &&
    typeof p.d === 'object' && p.d !== null && !Array.isArray(p.d) &&
    isTime(p.c) && isTime(p.l) && isTime(p.e) &&
    typeof p.p === 'boolean' &&
    typeof p.a === 'string' && typeof p.g === 'string'
  );
}

/**
 * The whole record, JSON in base64url, signed with SECRET_KEY (HMAC-SHA256, a key of its own for
 * this purpose). The signature is what makes it unforgeable; the secret rides along only so that
 * every store's session passes the same check in the manager.
 */
export class SignedRecordCookieFormat implements SessionCookieFormat {
  readonly carriesRecord = true;
  readonly #signer: Signer;

  constructor(secretKey: string) {
    this.#signer = new Signer(secretKey, 'session-record');
  }

  write(record: SessionRecord, token: SessionToken): string {
    const payload: Payload = {
      i: record.id,
      s: token.secret,
      u: record.userId,
      d: record.data,
      c: record.createdAt,
      l: record.lastSeen,
      e: record.expiresAt,
      p: record.persistent,
      a: record.ip,
      g: record.userAgent,
    };
    const value = this.#signer.sign(Buffer.from(JSON.stringify(payload)).toString('base64url'));
    // A bug in the application (too much in the session), not a visitor's doing: an exception.
    if (value.length > maxCookieValueBytes) throw new Error(`session too large for a cookie (${value.length} bytes)`);
    return value;
  }

  read(value: string): SessionCookieContents | null {
    if (value.length > maxCookieValueBytes) return null;
    const text = this.#signer.unsign(value);
    if (text === null) return null;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (!isPayload(payload)) return null;
    const token = parseSessionToken(`${payload.i}.${payload.s}`);
    if (token === null) return null;
    return {
      token,
      record: {
        id: token.id,
        secretHash: hashSessionSecret(token.secret),
        userId: payload.u,
        data: payload.d,
        createdAt: payload.c,
        lastSeen: payload.l,
        expiresAt: payload.e,
        persistent: payload.p,
        ip: payload.a,
        userAgent: payload.g,
      },
    };
  }
}
