// The site's tables on both dialects, for the article and reading-list tests: a migrated database,
// its stores, and a quick way to make users and articles with chosen times.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SqlUserStore, type User } from 'tessera';
import { type Db, migrate } from 'tessera/db';
import { ArticleStore } from '../../src/articles/article-store.ts';
import { ReadingListStore } from '../../src/articles/reading-list-store.ts';
import { siteMigrations } from '../../src/migrations/site-0001-articles.ts';
import type { SiteKysely } from '../../src/site-database.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../test/support/databases.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';

export interface SiteWorld {
  db: Db;
  kysely: SiteKysely;
  users: SqlUserStore;
  articles: ArticleStore;
  readingList: ReadingListStore;
  newUser(username: string): Promise<User>;
  /** an article by `authorId`, with created_at and updated_at set to `createdAt` when given */
  newArticle(authorId: number, title: string, createdAt?: number): Promise<number>;
}

export interface Dialect {
  name: string;
  /** registers a test that runs against a freshly migrated database of this dialect */
  test(name: string, body: (world: SiteWorld) => Promise<void>): void;
}

/** SQLite and PostgreSQL; call once at the top of a test file (it registers before/after hooks). */
export function siteDialects(): Dialect[] {
  const postgres = postgresForThisFile();
  const dialects: Array<{ name: string; open: () => Promise<TestDatabase | null> }> = [
    { name: 'SQLite', open: openTempSqlite },
    { name: 'PostgreSQL', open: async () => postgres()?.fresh() ?? null },
  ];
  return dialects.map(({ name, open }) => ({
    name,
    test: (testName, body) => {
      test(testName, async (t) => {
        const database = await open();
        if (database === null) {
          skipOrFail(t, `PostgreSQL binaries not installed: the site's stores on ${name} not tested`);
          return;
        }
        try {
          await body(await world(database.db));
        } finally {
          await database.close();
        }
      });
    },
  }));
}

async function world(db: Db): Promise<SiteWorld> {
  await migrate(db, siteMigrations);
  const kysely = db.kysely as unknown as SiteKysely;
  const users = new SqlUserStore(db);
  const articles = new ArticleStore(db);
  return {
    db,
    kysely,
    users,
    articles,
    readingList: new ReadingListStore(db),
    newUser: async (username) => {
      const created = await users.create({ username, password: '!unusable' });
      assert.notEqual(created, 'username_taken');
      return created as User;
    },
    newArticle: async (authorId, title, createdAt) => {
      const id = await articles.create(authorId, title, `content of ${title}`);
      if (createdAt !== undefined) {
        await kysely.updateTable('articles').set({ created_at: createdAt, updated_at: createdAt }).where('id', '=', id).execute();
      }
      return id;
    },
  };
}

/** Rows of a table that belong to a user (as reader) or an article. */
export async function readingListRows(kysely: SiteKysely, where: { userId?: number; articleId?: number }): Promise<number> {
  let query = kysely.selectFrom('reading_list').select((eb) => eb.fn.countAll<number>().as('count'));
  if (where.userId !== undefined) query = query.where('user_id', '=', where.userId);
  if (where.articleId !== undefined) query = query.where('article_id', '=', where.articleId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.count);
}
