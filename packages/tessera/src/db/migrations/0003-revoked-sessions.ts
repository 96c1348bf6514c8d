// What the cookie session store keeps on the server: which sessions ended early, until they would have expired anyway.
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../column-types.ts';

export function revokedSessionsMigration(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await types
        .strict(
          db.schema
            .createTable('revoked_sessions')
            .ifNotExists()
            .addColumn('id', 'text', (col) => col.primaryKey())
            .addColumn('expires_at', types.bigint, (col) => col.notNull()),
        )
        .execute();
      // clearsessions deletes by expiry; a load reads by id, the primary key.
      await db.schema.createIndex('revoked_sessions_expires_at').ifNotExists().on('revoked_sessions').column('expires_at').execute();

      // No foreign key to users: ending a user's sessions must never fail, and the row goes by
      // itself at expires_at (a deleted user's cookies are refused for want of the user anyway).
      await types
        .strict(
          db.schema
            .createTable('user_session_cutoffs')
            .ifNotExists()
            .addColumn('user_id', types.bigint, (col) => col.primaryKey())
            .addColumn('ended_before', types.bigint, (col) => col.notNull())
            .addColumn('kept_id', 'text')
            .addColumn('expires_at', types.bigint, (col) => col.notNull()),
        )
        .execute();
      await db.schema.createIndex('user_session_cutoffs_expires_at').ifNotExists().on('user_session_cutoffs').column('expires_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('user_session_cutoffs').ifExists().execute();
      await db.schema.dropTable('revoked_sessions').ifExists().execute();
    },
  };
}
