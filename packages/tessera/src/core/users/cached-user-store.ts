// Users read through a cache: what lets the cached-db session store serve a page with no query.
import type { Cache } from '../cache/cache.ts';
import { goneMark, readThrough, staleMark, staleSeconds } from '../cache/read-through.ts';
import type { NewUser, UserChanges, UserExpectation, UserStore } from './user-store.ts';
import type { User } from './user.ts';

const prefix = 'user:';

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

  getById(id: number): Promise<User<Extra> | null> {
    return readThrough<User<Extra>>({
      cache: this.#cache,
      key: prefix + id,
      load: () => this.#store.getById(id),
      encode: (user) => JSON.stringify(user),
      decode: (text) => {
        const user = JSON.parse(text) as User<Extra> & { dateJoined: string; lastLogin: string | null };
        return {
          ...user,
          // A copy cached before the flag existed has none: unverified, never undefined.
          emailVerified: user.emailVerified === true,
          pendingEmail: typeof user.pendingEmail === 'string' ? user.pendingEmail : '',
          dateJoined: new Date(user.dateJoined),
          lastLogin: user.lastLogin === null ? null : new Date(user.lastLogin),
        };
      },
      ttlSeconds: () => this.#ttlSeconds,
    });
  }

  getByUsername(username: string): Promise<User<Extra> | null> {
    return this.#store.getByUsername(username);
  }

  create(user: NewUser<Extra>): Promise<User<Extra> | 'username_taken'> {
    return this.#store.create(user);
  }

  async update(id: number, changes: UserChanges<Extra>): Promise<void> {
    await this.#store.update(id, changes);
    await this.#cache.set(prefix + id, staleMark(), staleSeconds);
  }

  async updateIf(id: number, expected: UserExpectation, changes: UserChanges<Extra>): Promise<boolean> {
    const written = await this.#store.updateIf(id, expected, changes);
    if (written) await this.#cache.set(prefix + id, staleMark(), staleSeconds);
    return written;
  }

  listByEmail(email: string, limit?: number): Promise<User<Extra>[]> {
    return this.#store.listByEmail(email, limit);
  }

  async delete(id: number): Promise<void> {
    await this.#store.delete(id);
    await this.#cache.set(prefix + id, goneMark, this.#ttlSeconds);
  }
}
