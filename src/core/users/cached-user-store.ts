// Users read through a cache: what lets the cached-db session store serve a page with no query.
import type { Cache } from '../cache/cache.ts';
import type { NewUser, UserChanges, UserStore } from './user-store.ts';
import type { User } from './user.ts';

const prefix = 'user:';
// As in CachedSessionStore: marks that keep a read racing a write from caching the old row.
const goneMark = '!gone';
const staleMark = '!stale';
const staleSeconds = 5;

/** Only lookups by id are cached; every write drops the cached copy. */
export class CachedUserStore<Extra extends object = Record<string, unknown>> implements UserStore<Extra> {
  readonly #store: UserStore<Extra>;
  readonly #cache: Cache;
  readonly #ttlSeconds: number;

  constructor(store: UserStore<Extra>, cache: Cache, options: { ttlSeconds: number }) {
    this.#store = store;
    this.#cache = cache;
    this.#ttlSeconds = options.ttlSeconds;
  }

  async getById(id: number): Promise<User<Extra> | null> {
    const cached = await this.#cache.get(prefix + id);
    if (cached === goneMark) return null;
    if (cached !== undefined && cached !== staleMark) {
      try {
        const user = JSON.parse(cached) as User<Extra> & { dateJoined: string; lastLogin: string | null };
        return { ...user, dateJoined: new Date(user.dateJoined), lastLogin: user.lastLogin === null ? null : new Date(user.lastLogin) };
      } catch {
        await this.#cache.delete(prefix + id);
      }
    }
    const user = await this.#store.getById(id);
    if (user !== null) await this.#cache.add(prefix + id, JSON.stringify(user), this.#ttlSeconds);
    return user;
  }

  getByUsername(username: string): Promise<User<Extra> | null> {
    return this.#store.getByUsername(username);
  }

  create(user: NewUser<Extra>): Promise<User<Extra> | 'username_taken'> {
    return this.#store.create(user);
  }

  async update(id: number, changes: UserChanges<Extra>): Promise<void> {
    await this.#store.update(id, changes);
    await this.#cache.set(prefix + id, staleMark, staleSeconds);
  }

  async delete(id: number): Promise<void> {
    await this.#store.delete(id);
    await this.#cache.set(prefix + id, goneMark, this.#ttlSeconds);
  }
}
