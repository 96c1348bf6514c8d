// Login-failure counters in the SQL database, so every process behind the port shares them.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { FailureCount, FailureCounter } from './throttle.ts';

/**
 * Login-failure counters in the `login_failures` table, so every process behind the port counts against
 * the same limits; the counter `createTessera` uses.
 */
export class SqlFailureCounter implements FailureCounter {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(key: string, now: number, windowMs: number): Promise<FailureCount> {
    const row = await this.#db.kysely.selectFrom('login_failures').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row) return { count: 0, resetsAt: now };
    const resetsAt = Number(row.window_start) + windowMs;
    return resetsAt <= now ? { count: 0, resetsAt: now } : { count: row.count, resetsAt };
  }

  async increment(key: string, now: number, windowMs: number): Promise<FailureCount> {
    const windowOpenedAfter = now - windowMs;
    // One statement, so concurrent failures from several processes all count, each seeing its own total.
    const row = await this.#db.kysely
      .insertInto('login_failures')
      .values({ key, count: 1, window_start: now })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          count: sql<number>`case when login_failures.window_start <= ${windowOpenedAfter} then 1 else login_failures.count + 1 end`,
          window_start: sql<number>`case when login_failures.window_start <= ${windowOpenedAfter} then ${now} else login_failures.window_start end`,
        }),
      )
      .returning(['count', 'window_start'])
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), resetsAt: Number(row.window_start) + windowMs };
  }

  async release(key: string): Promise<void> {
    await this.#db.kysely
      .updateTable('login_failures')
      .set({ count: sql<number>`count - 1` })
      .where('key', '=', key)
      .where('count', '>', 0)
      .execute();
  }

  /** Forgets counters whose window closed before `before` (run by clearsessions). */
  async clearExpired(before: number): Promise<number> {
    const result = await this.#db.kysely.deleteFrom('login_failures').where('window_start', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async reset(key: string): Promise<void> {
    await this.#db.kysely.deleteFrom('login_failures').where('key', '=', key).execute();
  }
}
