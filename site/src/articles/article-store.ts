// Articles in the SQL database, always read with their author's username.
import type { Db } from 'tessera/db';
import type { SiteKysely } from '../site-database.ts';

export interface Article {
  id: number;
  authorId: number;
  authorUsername: string;
  title: string;
  content: string;
  createdAt: number;
  updatedAt: number;
}

export const titleMaxLength = 200;
export const contentMaxLength = 20_000;

export class ArticleStore {
  readonly #db: SiteKysely;

  constructor(db: Db) {
    this.#db = db.kysely as unknown as SiteKysely;
  }

  #select() {
    return this.#db
      .selectFrom('articles')
      .innerJoin('users', 'users.id', 'articles.author_id')
      .select([
        'articles.id as id',
        'articles.author_id as authorId',
        'users.username as authorUsername',
        'articles.title as title',
        'articles.content as content',
        'articles.created_at as createdAt',
        'articles.updated_at as updatedAt',
      ]);
  }

  #normalise(row: Article): Article {
    return { ...row, id: Number(row.id), authorId: Number(row.authorId), createdAt: Number(row.createdAt), updatedAt: Number(row.updatedAt) };
  }

  /** Newest first: creation time, then id, so articles made in the same millisecond keep an order. */
  async list(offset: number, limit: number): Promise<Article[]> {
    const rows = await this.#select().orderBy('articles.created_at', 'desc').orderBy('articles.id', 'desc').limit(limit).offset(offset).execute();
    return rows.map((row) => this.#normalise(row));
  }

  async count(): Promise<number> {
    const row = await this.#db.selectFrom('articles').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async get(id: number): Promise<Article | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const row = await this.#select().where('articles.id', '=', id).executeTakeFirst();
    return row ? this.#normalise(row) : null;
  }

  /** The articles with these ids that exist, in the order given. */
  async getMany(ids: readonly number[]): Promise<Article[]> {
    if (ids.length === 0) return [];
    const rows = await this.#select().where('articles.id', 'in', [...ids]).execute();
    const byId = new Map(rows.map((row) => [Number(row.id), this.#normalise(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async create(authorId: number, title: string, content: string): Promise<number> {
    const now = Date.now();
    const row = await this.#db
      .insertInto('articles')
      .values({ author_id: authorId, title, content, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(id: number, title: string, content: string): Promise<void> {
    await this.#db.updateTable('articles').set({ title, content, updated_at: Date.now() }).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.#db.deleteFrom('articles').where('id', '=', id).execute();
  }
}
