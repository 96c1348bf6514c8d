// The narrow interface every session store implements; Session and SessionManager own the behaviour.
import type { User } from '../users/user.ts';
import type { SessionCookieFormat } from './session-cookie-format.ts';

/** A session's own data. Stores keep it as JSON, so values must survive `JSON.stringify`. */
export type SessionData = Record<string, unknown>;

/** Session data as a store serialised it; anything unreadable or not an object reads as empty, never an error. */
export function parseSessionData(text: string): SessionData {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as SessionData) : {};
  } catch {
    return {};
  }
}

/** A session as a store keeps it: the token's id and a SHA-256 of its secret, never the secret itself. */
export interface SessionRecord {
  id: string;
  secretHash: string;
  userId: number | null;
  data: SessionData;
  /** milliseconds since the epoch */
  createdAt: number;
  lastSeen: number;
  /** absolute expiry */
  expiresAt: number;
  /** false for a browser-session login (remember_me unticked) */
  persistent: boolean;
  ip: string;
  userAgent: string;
  /**
   * The session's user, when the store read it in the same query as the session (the SQL
   * store joins them), so an authenticated page costs one read. Undefined: not read.
   */
  user?: User<any> | null;
}

/** Methods a store must implement, each with a one-line contract. */
export interface SessionStore {
  /**
   * How the store's sessions travel in the cookie. Absent: `<id>.<secret>`, naming a record the
   * store keeps. A store that keeps no records (the cookie store) gives one that carries them.
   */
  readonly cookieFormat?: SessionCookieFormat;
  /**
   * the record with this id (expired or not; the manager decides), or null. `carried` is the
   * record the cookie itself held, when the store's cookieFormat carries records: such a store
   * answers it, unless the session was ended.
   */
  load(id: string, carried?: SessionRecord): Promise<SessionRecord | null>;
  /** inserts a new record */
  create(record: SessionRecord): Promise<void>;
  /** rewrites data, userId, expiresAt and persistent of an existing record */
  update(record: SessionRecord): Promise<void>;
  /** records that the session was used at `lastSeen` */
  touch(id: string, lastSeen: number): Promise<void>;
  /**
   * ends the session: removes the record if it exists. `expiresAt`, when the caller knows it, is
   * when the session would have ended anyway, until which a store that keeps no record must
   * remember the deletion.
   */
  delete(id: string, expiresAt?: number): Promise<void>;
  /** every record of the user, newest first (none from a store that keeps no records) */
  listForUser(userId: number): Promise<SessionRecord[]>;
  /** ends every session of the user except `exceptId`; returns how many records went (0 from a store that keeps none) */
  deleteForUser(userId: number, exceptId?: string): Promise<number>;
  /** removes records whose absolute expiry has passed or that were last seen before `idleBefore` (and what a store kept of ended sessions that would have expired by `now`) */
  clearExpired(now: number, idleBefore: number, onProgress?: (deletedSoFar: number) => void): Promise<number>;
}
