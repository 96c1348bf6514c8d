// The package ships no types; this is the part the express-passport peer uses.
declare module 'better-sqlite3-session-store' {
  import type { Database } from 'better-sqlite3';
  import type session from 'express-session';

  interface SqliteStoreOptions {
    client: Database;
    expired?: { clear?: boolean; intervalMs?: number };
  }
  type SqliteStoreClass = new (options: SqliteStoreOptions) => session.Store;
  export default function SqliteStoreFactory(expressSession: { Store: typeof session.Store }): SqliteStoreClass;
}
