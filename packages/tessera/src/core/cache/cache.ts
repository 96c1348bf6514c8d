// The Cache interface: get, set with a lifetime, delete, and dropping a whole prefix at once.

/**
 * A cache of string values: Django's cache API (get, set, add, delete), plus compare-and-set and dropping a
 * whole prefix at once.
 */
export interface Cache {
  /** the value, or undefined when absent or expired */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** sets the value only if the key holds none (so a fresh tombstone is never overwritten) */
  add(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** sets the value only if the key holds exactly `expected` (compare-and-set) */
  replace(key: string, expected: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** forgets every key that starts with `prefix` (e.g. every page of a list) */
  deletePrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}
