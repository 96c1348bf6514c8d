// Whether the user has proved they read mail at their address: what email verification sets.
import type { Kysely, Migration } from 'kysely';

export function emailVerifiedMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      // Unverified by default, existing users included: nothing has proved their address yet.
      await db.schema.alterTable('users').addColumn('email_verified', 'integer', (col) => col.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('users').dropColumn('email_verified').execute();
    },
  };
}
