// The cached-db store: sessions read from a cache in front of the database, written through to both.
import type { Cache } from '../cache/cache.ts';
import { goneMark, readThrough, staleMark, staleSeconds } from '../cache/read-through.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';

const prefix = 'session:';

/**
 * Reads come from the cache when they can; every write goes to the database first, then
 * updates or drops the cached copy. A cache that fails reads as a miss, so losing Redis
 * degrades to the database and logs nobody out; a mark the cache failed to take is made up for
 * by the cache itself (RedisCache trusts nothing it held before the fault), so a logout made
 * during an outage is not undone after it. The user is not cached here (see CachedUserStore):
 * a cached session must not keep a deleted or changed user alive.
 */
export class CachedSessionStore implements SessionStore {
  readonly #store: SessionStore;
  readonly #cache: Cache;
  readonly #ttlSeconds: number;

  constructor(store: SessionStore, cache: Cache, options: { ttlSeconds: number }) {
    this.#store = store;
    this.#cache = cache;
    this.#ttlSeconds = options.ttlSeconds;
  }

  async load(id: string): Promise<SessionRecord | null> {
    return readThrough<SessionRecord>({
      cache: this.#cache,
      key: prefix + id,
      // The user is read through its own cache (CachedUserStore), never kept with the session.
      load: async () => {
        const record = await this.#store.load(id);
        return record === null ? null : { ...record, user: undefined };
      },
      encode: (record) => JSON.stringify(record),
      decode: (text) => JSON.parse(text) as SessionRecord,
      ttlSeconds: (record) => this.#ttlFor(record),
    });
  }

  #ttlFor(record: SessionRecord): number {
    return Math.min(this.#ttlSeconds, Math.floor((record.expiresAt - Date.now()) / 1000));
  }

  async #markStale(id: string): Promise<void> {
    await this.#cache.set(prefix + id, staleMark(), staleSeconds);
  }

  async #markGone(id: string): Promise<void> {
    await this.#cache.set(prefix + id, goneMark, this.#ttlSeconds);
  }

  async create(record: SessionRecord): Promise<void> {
    // Taken before the write: a revocation of this new session whose mark the cache missed
    // (a "log out everywhere" racing the login) must not be overwritten by this copy.
    const fence = this.#cache.fence?.();
    await this.#store.create(record);
    const { user: _user, ...plain } = record;
    const ttl = this.#ttlFor(record);
    if (ttl > 0) await this.#cache.set(prefix + record.id, JSON.stringify(plain), ttl, fence);
  }

  async update(record: SessionRecord): Promise<void> {
    await this.#store.update(record);
    await this.#markStale(record.id);
  }

  async touch(id: string, lastSeen: number): Promise<void> {
    await this.#store.touch(id, lastSeen);
    await this.#markStale(id);
  }

  async delete(id: string): Promise<void> {
    await this.#store.delete(id);
    await this.#markGone(id);
  }

  async listForUser(userId: number): Promise<SessionRecord[]> {
    return this.#store.listForUser(userId);
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    const doomed = (await this.#store.listForUser(userId)).filter((record) => record.id !== exceptId);
    const removed = await this.#store.deleteForUser(userId, exceptId);
    for (const record of doomed) await this.#markGone(record.id);
    return removed;
  }

  async clearExpired(now: number, idleBefore: number, onProgress?: (deletedSoFar: number) => void): Promise<number> {
    // Cached copies of expired sessions are refused by the manager's expiry check and age out.
    return this.#store.clearExpired(now, idleBefore, onProgress);
  }
}
