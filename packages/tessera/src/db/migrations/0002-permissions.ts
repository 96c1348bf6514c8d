// Groups and permissions, Django's contrib.auth model: users hold permissions directly or through groups.
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../column-types.ts';

export function permissionsMigration(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await types
        .strict(db.schema.createTable('groups').ifNotExists().addColumn('id', types.id, types.generatedKey).addColumn('name', 'text', (col) => col.notNull().unique()))
        .execute();
      await types
        .strict(
          db.schema
            .createTable('permissions')
            .ifNotExists()
            .addColumn('id', types.id, types.generatedKey)
            .addColumn('codename', 'text', (col) => col.notNull().unique())
            .addColumn('name', 'text', (col) => col.notNull()),
        )
        .execute();
      const link = (table: string, left: [string, string], right: [string, string]) =>
        types
          .strict(
            db.schema
              .createTable(table)
              .ifNotExists()
              .addColumn(left[0], types.bigint, (col) => col.notNull().references(left[1]).onDelete('cascade'))
              .addColumn(right[0], types.bigint, (col) => col.notNull().references(right[1]).onDelete('cascade'))
              .addPrimaryKeyConstraint(`${table}_pk`, [left[0], right[0]] as never),
          )
          .execute();
      await link('user_groups', ['user_id', 'users.id'], ['group_id', 'groups.id']);
      await link('group_permissions', ['group_id', 'groups.id'], ['permission_id', 'permissions.id']);
      await link('user_permissions', ['user_id', 'users.id'], ['permission_id', 'permissions.id']);
      // The link tables' keys start with their first column; these serve lookups by the second.
      await db.schema.createIndex('user_groups_group_id').ifNotExists().on('user_groups').column('group_id').execute();
      await db.schema.createIndex('group_permissions_permission_id').ifNotExists().on('group_permissions').column('permission_id').execute();
      await db.schema.createIndex('user_permissions_permission_id').ifNotExists().on('user_permissions').column('permission_id').execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['user_permissions', 'group_permissions', 'user_groups', 'permissions', 'groups']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
