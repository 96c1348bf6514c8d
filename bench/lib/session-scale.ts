// Many stored sessions, written straight into tessera's SQLite file: for the lookup-cost, size and clearsessions figures.
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface SeedOptions {
  count: number;
  /** past their absolute expiry (for clearsessions) */
  expired: boolean;
  userId: number | null;
}

/** Inserts sessions shaped like real logged-in ones (an auth hash in the data, a browser's UA). */
export function seedSessions(databasePath: string, options: SeedOptions): void {
  const db = new BetterSqlite3(databasePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    'insert into sessions (id, secret_hash, user_id, data, created_at, last_seen, expires_at, persistent, ip, user_agent) values (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
  );
  const now = Date.now();
  const batch = db.transaction((size: number) => {
    for (let i = 0; i < size; i += 1) {
      const bytes = randomBytes(56);
      const data = JSON.stringify({ _auth_user_hash: createHash('sha256').update(bytes).digest('hex') });
      const created = options.expired ? now - 30 * 86_400_000 : now - 1000;
      const expires = options.expired ? now - 86_400_000 : now + 14 * 86_400_000;
      insert.run(bytes.subarray(0, 16).toString('base64url'), bytes.subarray(16).toString('hex').slice(0, 64).padEnd(64, '0'), options.userId, data, created, created, expires, '127.0.0.1', userAgent);
    }
  });
  for (let done = 0; done < options.count; done += 50_000) batch(Math.min(50_000, options.count - done));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Bytes the database file takes, with the write-ahead log folded in. */
export function databaseBytes(databasePath: string): number {
  const db = new BetterSqlite3(databasePath);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageCount = Number(db.pragma('page_count', { simple: true }));
  const freePages = Number(db.pragma('freelist_count', { simple: true }));
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  db.close();
  return (pageCount - freePages) * pageSize || statSync(databasePath).size;
}


export function countSessions(databasePath: string): number {
  const db = new BetterSqlite3(databasePath, { readonly: true });
  const row = db.prepare('select count(*) as n from sessions').get() as { n: number };
  db.close();
  return row.n;
}
