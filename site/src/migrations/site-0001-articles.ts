// The site's articles and reading lists, and the permission that lets moderators delete any article.
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from 'tessera/db';

export const deleteArticlePermission = 'articles.delete_article';
export const moderatorsGroup = 'moderators';

export function articlesMigration(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await types
        .strict(
          db.schema
            .createTable('articles')
            .ifNotExists()
            .addColumn('id', types.id, types.generatedKey)
            // Deleting a user deletes what they wrote.
            .addColumn('author_id', types.bigint, (col) => col.notNull().references('users.id').onDelete('cascade'))
            .addColumn('title', 'text', (col) => col.notNull())
            .addColumn('content', 'text', (col) => col.notNull())
            .addColumn('created_at', types.bigint, (col) => col.notNull())
            .addColumn('updated_at', types.bigint, (col) => col.notNull()),
        )
        .execute();
      // Newest first is the only order the site lists in.
      await db.schema.createIndex('articles_newest').ifNotExists().on('articles').columns(['created_at desc', 'id desc']).execute();
      await db.schema.createIndex('articles_author_id').ifNotExists().on('articles').column('author_id').execute();
      await types
        .strict(
          db.schema
            .createTable('reading_list')
            .ifNotExists()
            .addColumn('user_id', types.bigint, (col) => col.notNull().references('users.id').onDelete('cascade'))
            .addColumn('article_id', types.bigint, (col) => col.notNull().references('articles.id').onDelete('cascade'))
            .addColumn('saved_at', types.bigint, (col) => col.notNull())
            .addPrimaryKeyConstraint('reading_list_pk', ['user_id', 'article_id'] as never),
        )
        .execute();
      await db.schema.createIndex('reading_list_article_id').ifNotExists().on('reading_list').column('article_id').execute();

      await db
        .insertInto('permissions')
        .values({ codename: deleteArticlePermission, name: 'Can delete any article' })
        .onConflict((conflict: any) => conflict.column('codename').doNothing())
        .execute();
      await db.insertInto('groups').values({ name: moderatorsGroup }).onConflict((conflict: any) => conflict.column('name').doNothing()).execute();
      const group = await db.selectFrom('groups').select('id').where('name', '=', moderatorsGroup).executeTakeFirstOrThrow();
      const permission = await db.selectFrom('permissions').select('id').where('codename', '=', deleteArticlePermission).executeTakeFirstOrThrow();
      await db
        .insertInto('group_permissions')
        .values({ group_id: group.id, permission_id: permission.id })
        .onConflict((conflict: any) => conflict.columns(['group_id', 'permission_id']).doNothing())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('reading_list').ifExists().execute();
      await db.schema.dropTable('articles').ifExists().execute();
    },
  };
}

export const siteMigrations = { 'site-0001-articles': articlesMigration };
