// How a session travels in its cookie: a token naming a record the store keeps, or the record itself.
import type { SessionRecord } from './session-store.ts';
import { formatSessionToken, parseSessionToken, type SessionToken } from './token.ts';

/** What a cookie value holds: the session's token and, when the value carries it, the whole record. */
export interface SessionCookieContents {
  token: SessionToken;
  /** the record as the cookie carried it (never with a `user`), or null when the store keeps it */
  record: SessionRecord | null;
}

/**
 * How a store's sessions become a cookie value and back. One `SessionManager` serves every store:
 * the SQL, Redis and memory stores keep the record and the cookie only names it
 * ({@link tokenCookieFormat}); the cookie store keeps no record, so the cookie carries it, signed.
 */
export interface SessionCookieFormat {
  /** true: the value carries the record, so any change to it (its last use too) needs a new cookie */
  readonly carriesRecord: boolean;
  /** the cookie value for `record`, whose token is `token` */
  write(record: SessionRecord, token: SessionToken): string;
  /** what `value` holds, or null for anything malformed or forged */
  read(value: string): SessionCookieContents | null;
}

/** `<id>.<secret>`: the store keeps the record; the cookie names it and proves its holder may use it. */
export const tokenCookieFormat: SessionCookieFormat = {
  carriesRecord: false,
  write: (_record, token) => formatSessionToken(token),
  read: (value) => {
    const token = parseSessionToken(value);
    return token === null ? null : { token, record: null };
  },
};
