// A cache that keeps nothing: every read misses. For measuring what the cache saves, and for tests.
import type { Cache } from './cache.ts';

/**
 * A cache that keeps nothing, every read a miss: Django's DummyCache, for measuring what the cache saves
 * and for tests.
 */
export class NullCache implements Cache {
  async get(): Promise<string | undefined> {
    return undefined;
  }

  async set(): Promise<void> {}

  async add(): Promise<void> {}

  async replace(): Promise<void> {}

  async delete(): Promise<void> {}

  async deletePrefix(): Promise<void> {}

  async close(): Promise<void> {}
}
