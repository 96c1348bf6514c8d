// The cached-db store: sessions read from a cache in front of the database, written through to both.
import type { Cache } from '../cache/cache.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';

const prefix = 'session:';
/** What a deleted session's key holds for a while: a read racing the delete cannot re-cache it. */
export const goneMark = '!gone';
/** What a changed session's key holds for a moment: readers go to the database meanwhile. */
export const staleMark = '!stale';
const staleSeconds = 5;

/**
 * Reads come from the cache when they can; every write goes to the database first, then
 * updates or drops the cached copy. A cache that fails reads as a miss, so losing Redis
 * degrades to the database and logs nobody out. The user is not cached here (see
 * CachedUserStore): a cached session must not keep a deleted or changed user alive.
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
    const cached = await this.#cache.get(prefix + id);
    if (cached === goneMark) return null;
    if (cached !== undefined && cached !== staleMark) {
      try {
        return JSON.parse(cached) as SessionRecord;
      } catch {
        await this.#cache.delete(prefix + id);
      }
    }
    const record = await this.#store.load(id);
    if (record !== null) await this.#remember(record, 'add');
    return record === null ? null : { ...record, user: undefined };
  }

  /**
   * `add` after a read from the database: if a write or delete marked the key meanwhile, the
   * mark stays and the (possibly stale) row is not cached.
   */
  async #remember(record: SessionRecord, how: 'add' | 'set'): Promise<void> {
    const { user: _user, ...plain } = record;
    const ttl = Math.min(this.#ttlSeconds, Math.floor((record.expiresAt - Date.now()) / 1000));
    if (ttl > 0) await this.#cache[how](prefix + record.id, JSON.stringify(plain), ttl);
  }

  async #mark(id: string, mark: typeof goneMark | typeof staleMark): Promise<void> {
    await this.#cache.set(prefix + id, mark, mark === goneMark ? this.#ttlSeconds : staleSeconds);
  }

  async create(record: SessionRecord): Promise<void> {
    await this.#store.create(record);
    await this.#remember(record, 'set');
  }

  async update(record: SessionRecord): Promise<void> {
    await this.#store.update(record);
    await this.#mark(record.id, staleMark);
  }

  async touch(id: string, lastSeen: number): Promise<void> {
    await this.#store.touch(id, lastSeen);
    await this.#mark(id, staleMark);
  }

  async delete(id: string): Promise<void> {
    await this.#store.delete(id);
    await this.#mark(id, goneMark);
  }

  async listForUser(userId: number): Promise<SessionRecord[]> {
    return this.#store.listForUser(userId);
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    const doomed = (await this.#store.listForUser(userId)).filter((record) => record.id !== exceptId);
    const removed = await this.#store.deleteForUser(userId, exceptId);
    for (const record of doomed) await this.#mark(record.id, goneMark);
    return removed;
  }

  async clearExpired(now: number, idleBefore: number): Promise<number> {
    // Cached copies of expired sessions are refused by the manager's expiry check and age out.
    return this.#store.clearExpired(now, idleBefore);
  }
}
