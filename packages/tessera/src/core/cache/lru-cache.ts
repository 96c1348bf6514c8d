// An in-process LRU cache with per-entry lifetimes: the default, needing no other service.
import type { Cache } from './cache.ts';

/**
 * An in-process LRU cache with per-entry lifetimes, like Django's LocMemCache: the default, needing no other
 * service.
 */
export class LruCache implements Cache {
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<string | undefined> {
    return this.getSync(key);
  }

  /** Synchronous read, for hot paths that should not pay for a promise. */
  getSync(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, so the front is the least recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlSeconds * 1000 });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  async add(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (this.getSync(key) === undefined) await this.set(key, value, ttlSeconds);
  }

  async replace(key: string, expected: string, value: string, ttlSeconds: number): Promise<void> {
    if (this.getSync(key) === expected) await this.set(key, value, ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
