// The cache in Redis, shared by every process; a Redis outage reads as a miss, never an error.
import { createRedisClient, type RedisClient } from '../redis-client.ts';
import type { Cache } from './cache.ts';

export class RedisCache implements Cache {
  readonly #client: RedisClient;
  readonly #namespace: string;

  /** Connects in the background: until Redis answers, every read is a miss and the database serves. */
  constructor(url: string, namespace = 'tessera:cache:') {
    this.#client = createRedisClient(url);
    this.#client.connect().catch(() => {});
    this.#namespace = namespace;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.#client.get(this.#namespace + key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.#client.set(this.#namespace + key, value, { expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) } });
    } catch {
      // A cache that cannot store just misses next time.
    }
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(this.#namespace + key);
  }

  /** Waits until Redis answers (tests, and a start that wants the cache warm). */
  async ready(): Promise<void> {
    for (let attempt = 0; attempt < 50 && !this.#client.isReady; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys: string[] = [];
    for await (const batch of this.#client.scanIterator({ MATCH: `${escapeGlob(this.#namespace + prefix)}*`, COUNT: 500 })) {
      keys.push(...(Array.isArray(batch) ? batch : [batch]));
    }
    if (keys.length > 0) await this.#client.del(keys);
  }

  async close(): Promise<void> {
    // QUIT waits for a reply that a client without a connection never gets: close() would hang.
    if (!this.#client.isReady) {
      this.#client.destroy();
      return;
    }
    try {
      await this.#client.quit();
    } catch {
      this.#client.destroy();
    }
  }
}

function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}
