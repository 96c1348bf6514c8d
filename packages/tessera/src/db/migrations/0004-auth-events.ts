// Authentication events (logins, failures, logouts, password changes, revocations…), so a user
// can see their own recent ones and operators can look back.
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../column-types.ts';

export function authEventsMigration(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await types
        .strict(
          db.schema
            .createTable('auth_events')
            .ifNotExists()
            .addColumn('id', types.id, types.generatedKey)
            // No foreign key: an account's deletion is itself an event worth keeping a while.
            .addColumn('user_id', types.bigint)
            .addColumn('kind', 'text', (col) => col.notNull())
            .addColumn('reason', 'text', (col) => col.notNull().defaultTo(''))
            .addColumn('session_id', 'text', (col) => col.notNull().defaultTo(''))
            .addColumn('address', 'text', (col) => col.notNull().defaultTo(''))
            .addColumn('user_agent', 'text', (col) => col.notNull().defaultTo(''))
            .addColumn('created_at', types.bigint, (col) => col.notNull()),
        )
        .execute();
      await db.schema.createIndex('auth_events_user_created').ifNotExists().on('auth_events').columns(['user_id', 'created_at']).execute();
    },
  };
}
