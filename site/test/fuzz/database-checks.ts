// Reads the site's SQLite file read-only, beside the running server: row counts, stored articles, rows left behind.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Tally } from './tally.ts';

export interface Counts {
  users: number;
  sessions: number;
  articles: number;
}

export function withDatabase<T>(dataDir: string, use: (database: BetterSqlite3.Database) => T): T {
  const database = new BetterSqlite3(join(dataDir, 'db.sqlite3'), { readonly: true, fileMustExist: true });
  database.pragma('busy_timeout = 5000');
  try {
    return use(database);
  } finally {
    database.close();
  }
}

export function counts(dataDir: string): Counts {
  return withDatabase(dataDir, (database) => {
    const count = (table: string) => (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { users: count('users'), sessions: count('sessions'), articles: count('articles') };
  });
}

/** Each article the site acknowledged, beside the row stored under its id (undefined when there is none). */
export function storedArticles(dataDir: string, articles: Tally['articles']) {
  return withDatabase(dataDir, (database) => {
    const read = database.prepare('select title, content, author_id from articles where id = ?');
    return articles.map((article) => ({ expected: article, row: read.get(article.id) as { title: string; content: string; author_id: number } | undefined }));
  });
}

/** Rows no request, valid or refused, should have left: empty or NUL-holding fields, orphans, a damaged file. */
export function leftoverRows(dataDir: string) {
  return withDatabase(dataDir, (database) => {
    const all = (sql: string) => database.prepare(sql).all() as Record<string, unknown>[];
    return {
      usersWithEmptyFields: all(`select id, username from users where username = '' or username_normalized = '' or password = '' or instr(username, char(0)) > 0 or instr(email, char(0)) > 0 or instr(first_name, char(0)) > 0 or instr(last_name, char(0)) > 0`),
      articlesWithoutTitle: all(`select id, title from articles where trim(title, ' ' || char(9, 10, 13)) = '' or instr(title, char(0)) > 0 or instr(content, char(0)) > 0`),
      orphanArticles: all('select id from articles where author_id not in (select id from users)'),
      orphanSessions: all('select id from sessions where user_id is not null and user_id not in (select id from users)'),
      foreignKeys: all('pragma foreign_key_check'),
      integrity: all('pragma integrity_check').filter((row) => Object.values(row)[0] !== 'ok'),
    };
  });
}
