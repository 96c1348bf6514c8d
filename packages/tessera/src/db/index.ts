// The database layer's public API: opening a database and running migrations.
export { openDatabase, parseDatabaseUrl, isDatabaseUnavailable, type Db, type DialectName, type OpenOptions } from './database.ts';
export { migrate, tesseraMigrations, type MigrationFactory } from './migrate.ts';
export { columnTypes, type ColumnTypes } from './column-types.ts';
export type { Database, UsersTable, SessionsTable, LoginFailuresTable, AuthEventsTable, RevokedSessionsTable, UserSessionCutoffsTable } from './schema.ts';
