// The cookie store: each session's record travels in its cookie, signed; the server keeps only which sessions ended early.
import type { Db } from '../../db/database.ts';
import type { SessionSettings } from '../config.ts';
import type { SqlUserStore } from '../users/sql-user-store.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';
import { SignedRecordCookieFormat } from './signed-record-cookie.ts';

/** What {@link CookieSessionStore} takes besides the database and the users. */
export interface CookieSessionStoreOptions {
  /** SECRET_KEY: signs every session cookie, so every process must share it */
  secretKey: string;
  /** the sessions' lifetimes: an end is remembered until the session it ended would have expired */
  settings: SessionSettings;
}

// Placeholders bound at each load: the queries are built and compiled once (see SqlSessionStore).
const idParameter = '\u0000session id';
const userParameter = '\u0000user id';

function compileRevokedCheck(db: Db) {
  return db.kysely.selectFrom('revoked_sessions').select('id').where('id', '=', idParameter).compile();
}

/** One read for a logged-in session: its user, the user's cutoff, and whether this id was revoked. */
function compileRevokedCheckWithUser(db: Db) {
  return db.kysely
    .selectFrom('users')
    .leftJoin('user_session_cutoffs', 'user_session_cutoffs.user_id', 'users.id')
    .selectAll('users')
    .select((eb) => [
      'user_session_cutoffs.ended_before as c_ended_before',
      'user_session_cutoffs.kept_id as c_kept_id',
      eb.selectFrom('revoked_sessions').select('revoked_sessions.id').where('revoked_sessions.id', '=', idParameter).as('r_id'),
    ])
    .where('users.id', '=', userParameter as never)
    .compile();
}

function bind<Query extends { parameters: readonly unknown[] }>(query: Query, id: string, userId?: number): Query {
  return { ...query, parameters: query.parameters.map((value) => (value === idParameter ? id : value === userParameter ? userId : value)) };
}

/**
 * Sessions kept in their cookies (Django's signed_cookies backend), with what Django's lacks:
 * logout and revocation hold. A session's whole record travels in its cookie, signed; the server
 * keeps no record, only the least that ends a session early: the ids of sessions logged out or
 * revoked, each until it would have expired anyway, and per user one "sessions created before
 * this time are ended" mark for "log out everywhere". So `listForUser` finds none, and a page can
 * only show the session in hand; `delete` and `deleteForUser` end sessions all the same.
 *
 * A load is one indexed read: the revoked id and, for a logged-in session, its user and the
 * user's mark, joined.
 */
export class CookieSessionStore implements SessionStore {
  readonly cookieFormat: SignedRecordCookieFormat;
  readonly #db: Db;
  readonly #users: SqlUserStore<any>;
  /** no session lives longer: how long an end whose session's expiry is unknown is remembered */
  readonly #longestLifetimeMs: number;
  readonly #revokedCheck: ReturnType<typeof compileRevokedCheck>;
  readonly #revokedCheckWithUser: ReturnType<typeof compileRevokedCheckWithUser>;

  constructor(db: Db, users: SqlUserStore<any>, options: CookieSessionStoreOptions) {
    this.cookieFormat = new SignedRecordCookieFormat(options.secretKey);
    this.#db = db;
    this.#users = users;
    this.#longestLifetimeMs = Math.max(options.settings.maxAgeSeconds, options.settings.browserSessionMaxAgeSeconds) * 1000;
    this.#revokedCheck = compileRevokedCheck(db);
    this.#revokedCheckWithUser = compileRevokedCheckWithUser(db);
  }

  async load(id: string, carried?: SessionRecord): Promise<SessionRecord | null> {
    // Nothing is kept of a live session: without the record its cookie carried, there is none.
    if (carried === undefined || carried.id !== id) return null;
    if (carried.userId === null) {
      const { rows } = await this.#db.kysely.executeQuery(bind(this.#revokedCheck, id));
      return rows.length > 0 ? null : { ...carried, user: null };
    }
    const { rows } = await this.#db.kysely.executeQuery(bind(this.#revokedCheckWithUser, id, carried.userId));
    const row = rows[0];
    // A deleted user's sessions end with it, as the SQL store's rows go with their user.
    if (row === undefined || row.r_id !== null) return null;
    const endedBefore = row.c_ended_before === null ? null : Number(row.c_ended_before);
    if (endedBefore !== null && carried.createdAt < endedBefore && row.c_kept_id !== id) return null;
    return { ...carried, user: this.#users.rowToUser(row as never) };
  }

  /** Nothing to write: the record travels in the cookie the manager sends. */
  async create(): Promise<void> {}

  /** Nothing to write: the record travels in the cookie the manager sends. */
  async update(): Promise<void> {}

  /** Nothing to write: the last use travels in the cookie the manager sends. */
  async touch(): Promise<void> {}

  async delete(id: string, expiresAt?: number): Promise<void> {
    const now = Date.now();
    const until = expiresAt ?? now + this.#longestLifetimeMs;
    // Past its expiry the manager refuses the session anyway: nothing to remember.
    if (until <= now) return;
    await this.#db.kysely
      .insertInto('revoked_sessions')
      .values({ id, expires_at: until })
      .onConflict((conflict) =>
        conflict
          .column('id')
          .doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') }))
          .where((eb) => eb('revoked_sessions.expires_at', '<', eb.ref('excluded.expires_at'))),
      )
      .execute();
  }

  /** The records travel in cookies: the server has none to list. */
  async listForUser(): Promise<SessionRecord[]> {
    return [];
  }

  /**
   * Marks every session of the user created before now as ended, but `exceptId`. One row per user:
   * a later mark replaces an earlier one, and ends the session the earlier one kept, as it should.
   */
  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    const now = Date.now();
    await this.#db.kysely
      .insertInto('user_session_cutoffs')
      .values({ user_id: userId, ended_before: now, kept_id: exceptId ?? null, expires_at: now + this.#longestLifetimeMs })
      .onConflict((conflict) =>
        conflict
          .column('user_id')
          .doUpdateSet((eb) => ({
            ended_before: eb.ref('excluded.ended_before'),
            kept_id: eb.ref('excluded.kept_id'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          // Two marks racing: the later one wins whichever is written last.
          .where((eb) => eb('user_session_cutoffs.ended_before', '<=', eb.ref('excluded.ended_before'))),
      )
      .execute();
    return 0;
  }

  /** Forgets the ends of sessions that would have expired by `now` anyway. */
  async clearExpired(now: number): Promise<number> {
    const revoked = await this.#db.kysely.deleteFrom('revoked_sessions').where('expires_at', '<=', now).executeTakeFirst();
    const cutoffs = await this.#db.kysely.deleteFrom('user_session_cutoffs').where('expires_at', '<=', now).executeTakeFirst();
    return Number(revoked.numDeletedRows) + Number(cutoffs.numDeletedRows);
  }
}
