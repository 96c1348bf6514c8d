// Users, sessions and login-failure counters: everything the accounts half of the site needs.
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../column-types.ts';

export function accountsMigration(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await types
        .strict(
          db.schema
            .createTable('users')
            .ifNotExists()
            .addColumn('id', types.id, types.generatedKey)
            .addColumn('username', 'text', (col) => col.notNull())
            .addColumn('username_normalized', 'text', (col) => col.notNull().unique())
            .addColumn('email', 'text', (col) => col.notNull().defaultTo(''))
            .addColumn('first_name', 'text', (col) => col.notNull().defaultTo(''))
            .addColumn('last_name', 'text', (col) => col.notNull().defaultTo(''))
            .addColumn('password', 'text', (col) => col.notNull())
            .addColumn('is_active', 'integer', (col) => col.notNull().defaultTo(1))
            .addColumn('is_staff', 'integer', (col) => col.notNull().defaultTo(0))
            .addColumn('is_superuser', 'integer', (col) => col.notNull().defaultTo(0))
            .addColumn('date_joined', types.bigint, (col) => col.notNull())
            .addColumn('last_login', types.bigint),
        )
        .execute();

      await types
        .strict(
          db.schema
            .createTable('sessions')
            .ifNotExists()
            .addColumn('id', 'text', (col) => col.primaryKey())
            .addColumn('secret_hash', 'text', (col) => col.notNull())
            .addColumn('user_id', types.bigint, (col) => col.references('users.id').onDelete('cascade'))
            .addColumn('data', 'text', (col) => col.notNull())
            .addColumn('created_at', types.bigint, (col) => col.notNull())
            .addColumn('last_seen', types.bigint, (col) => col.notNull())
            .addColumn('expires_at', types.bigint, (col) => col.notNull())
            .addColumn('persistent', 'integer', (col) => col.notNull())
            .addColumn('ip', 'text', (col) => col.notNull().defaultTo(''))
            .addColumn('user_agent', 'text', (col) => col.notNull().defaultTo('')),
        )
        .execute();
      await db.schema.createIndex('sessions_user_id').ifNotExists().on('sessions').column('user_id').execute();
      await db.schema.createIndex('sessions_expires_at').ifNotExists().on('sessions').column('expires_at').execute();

      await types
        .strict(
          db.schema
            .createTable('login_failures')
            .ifNotExists()
            .addColumn('key', 'text', (col) => col.primaryKey())
            .addColumn('count', 'integer', (col) => col.notNull())
            .addColumn('window_start', types.bigint, (col) => col.notNull()),
        )
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('login_failures').ifExists().execute();
      await db.schema.dropTable('sessions').ifExists().execute();
      await db.schema.dropTable('users').ifExists().execute();
    },
  };
}
