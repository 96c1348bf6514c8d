// The reference site's own tables, beside tessera's.
import type { Generated, Kysely } from 'kysely';
import type { Database } from 'tessera/db';

export interface ArticlesTable {
  id: Generated<number>;
  author_id: number;
  title: string;
  content: string;
  created_at: number;
  updated_at: number;
}

export interface ReadingListTable {
  user_id: number;
  article_id: number;
  saved_at: number;
}

export interface SiteDatabase extends Database {
  articles: ArticlesTable;
  reading_list: ReadingListTable;
}

export type SiteKysely = Kysely<SiteDatabase>;
