// Whether the user has proved they read mail at their address: what email verification sets.
import { sql, type Kysely, type Migration } from 'kysely';

export function emailVerifiedMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      // Unverified by default, existing users included: nothing has proved their address yet.
      await db.schema.alterTable('users').addColumn('email_verified', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      // A new address waiting for its link, where the verified one must stay until then
      // (EMAIL_VERIFICATION=mandatory): '' for none.
      await db.schema.alterTable('users').addColumn('pending_email', 'text', (col) => col.notNull().defaultTo('')).execute();
      // A password-reset request finds its accounts by address, case-insensitively: without this,
      // each request would read the whole table.
      await db.schema.createIndex('users_email_lower').on('users').expression(sql`lower(email)`).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('users_email_lower').execute();
      await db.schema.alterTable('users').dropColumn('pending_email').execute();
      await db.schema.alterTable('users').dropColumn('email_verified').execute();
    },
  };
}
