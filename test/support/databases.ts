// Real databases for the core's tests: a SQLite file in a temp folder, or a fresh database on a throwaway PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { sql } from 'kysely';

import { openDatabase, type Db } from 'tessera/db';
import { startPostgres, type PostgresServer } from './postgres.ts';

export interface TestDatabase {
  db: Db;
  url: string;
  /** closes the connection and removes what the database left behind */
  close(): Promise<void>;
}

/** A new, empty SQLite file of its own, in its own temp folder. */
export async function openTempSqlite(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-sqlite-'));
  const url = `sqlite:${join(dir, 'db.sqlite3')}`;
  const db = openDatabase(url);
  return {
    db,
    url,
    close: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The database of a file's own PostgreSQL server, emptied before each test by `fresh()`:
 * dropping the schema costs milliseconds where a new server or CREATE DATABASE costs far more.
 * Tests in one file run one after another, so they can share it.
 */
export class SharedPostgres {
  readonly #database: TestDatabase;

  private constructor(database: TestDatabase) {
    this.#database = database;
  }

  static open(server: PostgresServer): SharedPostgres {
    const db = openDatabase(server.url);
    return new SharedPostgres({ db, url: server.url, close: () => db.close() });
  }

  /** The database with nothing in it: no tables, no migrations recorded. */
  async fresh(): Promise<TestDatabase> {
    const { db, url } = this.#database;
    await sql`drop schema public cascade`.execute(db.kysely);
    await sql`create schema public`.execute(db.kysely);
    // Closing is the file's business (see close()), not the test's.
    return { db, url, close: async () => {} };
  }

  close(): Promise<void> {
    return this.#database.close();
  }
}

/**
 * Starts PostgreSQL once for the test file (in a `before` hook) and stops it after. The getter
 * gives the file's shared database, or null when PostgreSQL is not installed.
 */
export function postgresForThisFile(): () => SharedPostgres | null {
  let server: PostgresServer | null = null;
  let shared: SharedPostgres | null = null;
  before(async () => {
    server = await startPostgres();
    if (server !== null) shared = SharedPostgres.open(server);
  });
  after(async () => {
    await shared?.close();
    await server?.stop();
  });
  return () => shared;
}
