// Sessions kept in the SQL database; a load reads the session and its user in one query.
import type { Db } from '../../db/database.ts';
import type { SessionsTable } from '../../db/schema.ts';
import type { SqlUserStore } from '../users/sql-user-store.ts';
import { parseSessionData, type SessionRecord, type SessionStore } from './session-store.ts';

function rowToRecord(row: SessionsTable): SessionRecord {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    userId: row.user_id === null ? null : Number(row.user_id),
    data: parseSessionData(row.data),
    createdAt: Number(row.created_at),
    lastSeen: Number(row.last_seen),
    expiresAt: Number(row.expires_at),
    persistent: row.persistent === 1,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

/**
 * The one query of an authenticated page, built and compiled once: Kysely's query building
 * and compiling cost more than running it, and left garbage on every request.
 */
function compileLoad(db: Db) {
  // users.* first, then the session's columns under their own names, so neither hides the other.
  return db.kysely
    .selectFrom('sessions')
    .leftJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select([
      'sessions.id as s_id',
      'sessions.secret_hash as s_secret_hash',
      'sessions.user_id as s_user_id',
      'sessions.data as s_data',
      'sessions.created_at as s_created_at',
      'sessions.last_seen as s_last_seen',
      'sessions.expires_at as s_expires_at',
      'sessions.persistent as s_persistent',
      'sessions.ip as s_ip',
      'sessions.user_agent as s_user_agent',
    ])
    .where('sessions.id', '=', '')
    .compile();
}

/** Sessions deleted by one statement of clearExpired: small enough to hold no lock for long. */
const clearBatchSize = 5000;

/**
 * Sessions in the `sessions` table (Django's db session backend); a load reads the session and its user
 * in one query, so an authenticated page costs one read.
 */
export class SqlSessionStore implements SessionStore {
  readonly #db: Db;
  readonly #users: SqlUserStore<any>;
  readonly #loadQuery: ReturnType<typeof compileLoad>;

  constructor(db: Db, users: SqlUserStore<any>) {
    this.#db = db;
    this.#users = users;
    this.#loadQuery = compileLoad(db);
  }

  async load(id: string): Promise<SessionRecord | null> {
    const query: ReturnType<typeof compileLoad> = { ...this.#loadQuery, parameters: [id] };
    const { rows } = await this.#db.kysely.executeQuery(query);
    const row = rows[0];
    if (!row) return null;
    const record = rowToRecord({
      id: row.s_id,
      secret_hash: row.s_secret_hash,
      user_id: row.s_user_id,
      data: row.s_data,
      created_at: row.s_created_at,
      last_seen: row.s_last_seen,
      expires_at: row.s_expires_at,
      persistent: row.s_persistent,
      ip: row.s_ip,
      user_agent: row.s_user_agent,
    });
    record.user = row.id === null || row.id === undefined ? null : this.#users.rowToUser(row as never);
    return record;
  }

  async create(record: SessionRecord): Promise<void> {
    await this.#db.kysely
      .insertInto('sessions')
      .values({
        id: record.id,
        secret_hash: record.secretHash,
        user_id: record.userId,
        data: JSON.stringify(record.data),
        created_at: record.createdAt,
        last_seen: record.lastSeen,
        expires_at: record.expiresAt,
        persistent: record.persistent ? 1 : 0,
        ip: record.ip,
        user_agent: record.userAgent,
      })
      .execute();
  }

  async update(record: SessionRecord): Promise<void> {
    await this.#db.kysely
      .updateTable('sessions')
      .set({
        user_id: record.userId,
        data: JSON.stringify(record.data),
        expires_at: record.expiresAt,
        persistent: record.persistent ? 1 : 0,
      })
      .where('id', '=', record.id)
      .execute();
  }

  async touch(id: string, lastSeen: number): Promise<void> {
    await this.#db.kysely.updateTable('sessions').set({ last_seen: lastSeen }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.#db.kysely.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async listForUser(userId: number): Promise<SessionRecord[]> {
    const rows = await this.#db.kysely
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('last_seen', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(rowToRecord);
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    let query = this.#db.kysely.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * In batches, each its own short statement, so a table of millions is never locked for long and
   * pages keep being served meanwhile: first what has passed its absolute expiry (indexed), then
   * what sat idle, walking the primary key once from where the last batch stopped.
   */
  async clearExpired(now: number, idleBefore: number, onProgress?: (deletedSoFar: number) => void): Promise<number> {
    const kysely = this.#db.kysely;
    let deleted = 0;
    for (;;) {
      // The ids first, then a delete by them: a delete over a sub-select of ids makes SQLite scan
      // the whole table once per batch (measured: 10^6 sessions in 34 s instead of 5 s).
      const ids = (await kysely.selectFrom('sessions').select('id').where('expires_at', '<=', now).limit(clearBatchSize).execute()).map((row) => row.id);
      if (ids.length === 0) break;
      const result = await kysely.deleteFrom('sessions').where('id', 'in', ids).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      onProgress?.(deleted);
      if (ids.length < clearBatchSize) break;
    }
    let after = '';
    for (;;) {
      const ids = (await kysely.selectFrom('sessions').select('id').where('id', '>', after).where('last_seen', '<', idleBefore).orderBy('id').limit(clearBatchSize).execute()).map((row) => row.id);
      if (ids.length === 0) break;
      const result = await kysely.deleteFrom('sessions').where('id', 'in', ids).where('last_seen', '<', idleBefore).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      onProgress?.(deleted);
      after = ids.at(-1)!;
      if (ids.length < clearBatchSize) break;
    }
    return deleted;
  }
}
