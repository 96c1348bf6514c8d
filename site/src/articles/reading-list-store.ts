// A logged-in user's reading list, in the database.
import type { Db } from 'tessera/db';
import type { SiteKysely } from '../site-database.ts';

export class ReadingListStore {
  readonly #db: SiteKysely;

  constructor(db: Db) {
    this.#db = db.kysely as unknown as SiteKysely;
  }

  /** Article ids, most recently saved first. */
  async ids(userId: number): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('reading_list')
      .select('article_id')
      .where('user_id', '=', userId)
      .orderBy('saved_at', 'desc')
      .orderBy('article_id', 'desc')
      .execute();
    return rows.map((row) => Number(row.article_id));
  }

  async has(userId: number, articleId: number): Promise<boolean> {
    const row = await this.#db.selectFrom('reading_list').select('article_id').where('user_id', '=', userId).where('article_id', '=', articleId).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Adds the articles that still exist; ones already saved stay as they were. Used for one
   * save and for merging a guest's list at login alike.
   */
  async add(userId: number, articleIds: readonly number[]): Promise<void> {
    if (articleIds.length === 0) return;
    const existing = await this.#db.selectFrom('articles').select('id').where('id', 'in', [...articleIds]).execute();
    const alive = new Set(existing.map((row) => Number(row.id)));
    // Oldest of the guest's list first, so its most recent save stays the most recent; an id
    // given twice counts where it first appears.
    const fresh = [...new Set(articleIds)].reverse().filter((id) => alive.has(id));
    if (fresh.length === 0) return;
    // After every save already there, even one made in this millisecond or stamped ahead by a
    // merge: otherwise the newest save could sort below an older one.
    const latest = await this.#db
      .selectFrom('reading_list')
      .select((eb) => eb.fn.max('saved_at').as('latest'))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const start = Math.max(Date.now(), Number(latest?.latest ?? 0) + 1);
    const values = fresh.map((id, index) => ({ user_id: userId, article_id: id, saved_at: start + index }));
    await this.#db.insertInto('reading_list').values(values).onConflict((conflict) => conflict.columns(['user_id', 'article_id']).doNothing()).execute();
  }

  async remove(userId: number, articleId: number): Promise<void> {
    await this.#db.deleteFrom('reading_list').where('user_id', '=', userId).where('article_id', '=', articleId).execute();
  }
}
