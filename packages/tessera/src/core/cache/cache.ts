// The Cache interface: get, set with a lifetime, delete, dropping a whole prefix, and fences for fills.

/**
 * Taken before reading what will be cached: a write given it stores nothing if the cache may
 * have missed an invalidation since (see {@link Cache.fence}). `generation` is the generation the
 * cache trusted when the fence was taken, null when it trusted none.
 */
export interface CacheFence {
  readonly generation: string | null;
}

/**
 * A cache of string values: Django's cache API (get, set, add, delete), plus compare-and-set and dropping a
 * whole prefix at once.
 */
export interface Cache {
  /** the value, or undefined when absent or expired */
  get(key: string): Promise<string | undefined>;
  /** `fence`: store only if no invalidation may have been missed since it was taken */
  set(key: string, value: string, ttlSeconds: number, fence?: CacheFence): Promise<void>;
  /** sets the value only if the key holds none (so a fresh tombstone is never overwritten) */
  add(key: string, value: string, ttlSeconds: number, fence?: CacheFence): Promise<void>;
  /** sets the value only if the key holds exactly `expected` (compare-and-set) */
  replace(key: string, expected: string, value: string, ttlSeconds: number, fence?: CacheFence): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * forgets every key that starts with `prefix`. It may walk every key the cache holds (Redis
   * has no other way): to drop a group of entries on a request's path, key them by a version
   * and delete the version instead.
   */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * A cache shared over a network can miss an invalidation: a delete or a mark that failed while
   * it was unreachable. A fence taken before reading the database, and given to the write that
   * caches what was read, drops that write if anything may have been missed meanwhile, so a row
   * read before a lost revocation is never cached after it. An in-process cache, which cannot
   * miss one, need not have it.
   */
  fence?(): CacheFence;
  close(): Promise<void>;
}
