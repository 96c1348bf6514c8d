// Runs tessera's migrations, then an application's own, in order; running it twice changes nothing.
import { Migrator, type Migration, type MigrationResult } from 'kysely';
import { columnTypes, type ColumnTypes } from './column-types.ts';
import type { Db } from './database.ts';
import { accountsMigration } from './migrations/0001-accounts.ts';
import { permissionsMigration } from './migrations/0002-permissions.ts';
import { revokedSessionsMigration } from './migrations/0003-revoked-sessions.ts';
import { authEventsMigration } from './migrations/0004-auth-events.ts';
import { emailVerifiedMigration } from './migrations/0005-email-verified.ts';

/** A migration that learns the column spellings of the dialect it runs on. */
export type MigrationFactory = (types: ColumnTypes) => Migration;

/** tessera's own migrations, by name; an application's must sort after the last of these. */
export const tesseraMigrations: Record<string, MigrationFactory> = {
  '0001-accounts': accountsMigration,
  '0002-permissions': permissionsMigration,
  '0003-revoked-sessions': revokedSessionsMigration,
  '0004-auth-events': authEventsMigration,
  '0005-email-verified': emailVerifiedMigration,
};

/**
 * Why the application's migration names cannot be used, or null when they can. One table records
 * both sets, in name order: an application's must come after tessera's.
 */
export function misnamedMigration(extra: Record<string, MigrationFactory>): string | null {
  const last = Object.keys(tesseraMigrations).sort().at(-1) ?? '';
  for (const name of Object.keys(extra)) {
    if (name in tesseraMigrations || name <= last) {
      return `migration "${name}" must sort after tessera's own (the last is "${last}"), e.g. "app-${name}"`;
    }
  }
  return null;
}

/**
 * Applies every pending migration. `extra` holds an application's own (say, columns it adds
 * to users); their names must sort after tessera's, e.g. "app-0001-bio".
 *
 * @example
 * import { migrate, openDatabase, type MigrationFactory } from 'tessera/db';
 *
 * const addBio: MigrationFactory = () => ({
 *   async up(db) {
 *     await db.schema.alterTable('users').addColumn('bio', 'text', (col) => col.notNull().defaultTo('')).execute();
 *   },
 * });
 * await migrate(openDatabase('sqlite:data/db.sqlite3'), { 'app-0001-bio': addBio });
 */
export async function migrate(db: Db, extra: Record<string, MigrationFactory> = {}): Promise<MigrationResult[]> {
  const misnamed = misnamedMigration(extra);
  if (misnamed !== null) throw new Error(misnamed);
  const types = columnTypes(db.dialect);
  const factories = { ...tesseraMigrations, ...extra };
  const migrations = Object.fromEntries(Object.entries(factories).map(([name, factory]) => [name, factory(types)]));
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'tessera_migrations',
    migrationLockTableName: 'tessera_migrations_lock',
    // Tessera's and the application's migrations share one table: without this, the first
    // tessera upgrade that brings a migration (sorting before the app's "app-…") would stop
    // every database that has already run one of the app's with "corrupted migrations".
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Kysely's words for a database that ran a migration this program does not have: most often
    // DATABASE_URL names another application's database, which must not be migrated as ours.
    const unknown = /previously executed migration (\S+) is missing/.exec(message)?.[1];
    if (unknown !== undefined) {
      throw new Error(
        `migration failed: this database has migration "${unknown}" applied, which neither tessera nor this application provides; ` +
          'DATABASE_URL may name another application\'s database, or the application\'s config module lost a migration',
        { cause: error },
      );
    }
    throw new Error(`migration failed: ${message}`, { cause: error });
  }
  return results ?? [];
}
