// Opens the database named by DATABASE_URL: SQLite (better-sqlite3) or PostgreSQL (pg), both behind Kysely.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type LogEvent } from 'kysely';
import { createRequire } from 'node:module';
import type PgModule from 'pg';
import type { Database } from './schema.ts';
import { withStatementCache } from './sqlite-statements.ts';

/** The two databases tessera runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** An open database: the Kysely instance the stores query, its dialect, and a count of the queries run. */
export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** queries run since the database was opened: what the cache and the benchmark are judged by */
  readonly stats: { queries: number; writes: number };
  /** true when the database answers a trivial query */
  ping(): Promise<boolean>;
  /** how many connections the server lets this application's role open in all, or null where it sets no limit (SQLite) */
  connectionLimit(): Promise<number | null>;
  close(): Promise<void>;
}

/** The dialect and its target; loadConfig has already refused other forms, this guards direct callers. */
export function parseDatabaseUrl(url: string): { dialect: DialectName; target: string } {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path.length === 0) throw new Error('DATABASE_URL sqlite: needs a path');
    return { dialect: 'sqlite', target: path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', target: url };
  }
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}

/**
 * Opens the database a DATABASE_URL names: `sqlite:<path>` (its folder is created) or `postgres://…`.
 * pg is loaded only for a PostgreSQL URL, so a SQLite site does not pay its memory.
 *
 * @example
 * import { migrate, openDatabase } from 'tessera/db';
 *
 * const db = openDatabase('sqlite:data/db.sqlite3');   // or 'postgres://user:password@localhost/site'
 * await migrate(db);
 * await db.close();
 */
export function openDatabase(url: string, options: OpenOptions = {}): Db {
  const { dialect, target } = parseDatabaseUrl(url);
  const readOnly = options.readOnly ?? false;
  return dialect === 'sqlite' ? openSqlite(target, options.createFolder ?? true, readOnly) : openPostgres(target, options.poolSize ?? 10, readOnly);
}

/** How a database is opened. */
export interface OpenOptions {
  /** PostgreSQL connections this process keeps at most (DATABASE_POOL_SIZE; default 10) */
  poolSize?: number;
  /**
   * make the SQLite file's folder when it is missing (default true). A path someone typed into
   * DATABASE_URL is not: a typo there should fail loudly, not grow a tree of empty folders.
   */
  createFolder?: boolean;
  /**
   * only read (default false), for another application's database: a SQLite file must exist and
   * is opened read-only, its journal mode untouched; a PostgreSQL session refuses every write.
   */
  readOnly?: boolean;
}

function countQueries(stats: { queries: number; writes: number }) {
  return (event: LogEvent) => {
    if (event.level !== 'query') return;
    stats.queries += 1;
    if (/^\s*(insert|update|delete|replace)\b/i.test(event.query.sql)) stats.writes += 1;
  };
}

function openSqlite(path: string, createFolder: boolean, readOnly: boolean): Db {
  if (readOnly) {
    if (!existsSync(path)) throw new Error(`no SQLite database at ${path}`);
  } else if (path !== ':memory:') {
    if (createFolder) mkdirSync(dirname(path), { recursive: true });
    else if (!existsSync(dirname(path))) throw new Error(`DATABASE_URL names a SQLite file in ${dirname(path)}, a folder that does not exist`);
    // Readable by its owner alone, like the secret key beside it: it holds password hashes and
    // session data. SQLite gives its -wal and -shm files the same permissions.
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  }
  const database = new BetterSqlite3(path, { readonly: readOnly, fileMustExist: readOnly });
  if (!readOnly) {
    // WAL lets readers run beside the writer; NORMAL sync in WAL loses nothing on a process kill.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
  }
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const stats = { queries: 0, writes: 0 };
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }), log: countQueries(stats) });
  return {
    kysely,
    dialect: 'sqlite',
    stats,
    ping: async () => {
      try {
        database.prepare('select 1').get();
        return true;
      } catch {
        return false;
      }
    },
    // One writer and any number of readers in one file: no server-side limit to share.
    connectionLimit: async () => null,
    close: () => kysely.destroy(),
  };
}

// pg is loaded only when a PostgreSQL URL is given: a SQLite site does not pay its memory.
const load = createRequire(import.meta.url);

function openPostgres(url: string, poolSize: number, readOnly: boolean): Db {
  const pg = load('pg') as typeof PgModule;
  // int8 columns hold millisecond times and ids, which fit a double exactly.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    types: types as PgModule.CustomTypesConfig,
    ...(readOnly && { options: '-c default_transaction_read_only=on' }),
  });
  // An idle client losing its server must not take the process down; the pool reconnects.
  pool.on('error', () => {});
  const stats = { queries: 0, writes: 0 };
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: countQueries(stats) });
  return {
    kysely,
    dialect: 'postgres',
    stats,
    ping: async () => {
      try {
        await sql`select 1`.execute(kysely);
        return true;
      } catch {
        return false;
      }
    },
    connectionLimit: async () => {
      // What ordinary roles may open: max_connections less the slots kept for superusers.
      const { rows } = await sql<{ max: string; reserved: string }>`select current_setting('max_connections') as max, current_setting('superuser_reserved_connections') as reserved`.execute(kysely);
      const row = rows[0];
      return row ? Number(row.max) - Number(row.reserved) : null;
    },
    close: () => kysely.destroy(),
  };
}

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR']);

// node-redis's names for "Redis is not there now": a Redis session store answers 503 too.
const unavailableNames = new Set(['ClientClosedError', 'ClientOfflineError', 'ConnectionTimeoutError', 'SocketClosedUnexpectedlyError', 'ReconnectStrategyError']);

/** True for errors that mean "the database (or Redis) cannot be reached now", answered 503, not 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  // node-redis's error classes leave `name` as "Error"; their class names tell them apart.
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if ((typeof name === 'string' && unavailableNames.has(name)) || (typeof className === 'string' && unavailableNames.has(className))) return true;
  if (typeof code === 'string') {
    if (unavailableCodes.has(code)) return true;
    // PostgreSQL classes 08 (connection), 53 (resources), 57P (shutdown).
    if (/^(08|53|57P)/.test(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(message);
}
