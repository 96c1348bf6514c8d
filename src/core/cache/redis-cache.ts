// The cache in Redis, shared by every process; a Redis outage reads as a miss, never an error.
import { createRedisClient, type RedisClient } from '../redis-client.ts';
import type { Cache } from './cache.ts';

export class RedisCache implements Cache {
  readonly #client: RedisClient;
  readonly #namespace: string;

  constructor(client: RedisClient, namespace = 'tessera:cache:') {
    this.#client = client;
    this.#namespace = namespace;
  }

  static async connect(url: string, namespace?: string): Promise<RedisCache> {
    const client = createRedisClient(url);
    await client.connect();
    return new RedisCache(client, namespace);
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

  async deletePrefix(prefix: string): Promise<void> {
    const keys: string[] = [];
    for await (const batch of this.#client.scanIterator({ MATCH: `${escapeGlob(this.#namespace + prefix)}*`, COUNT: 500 })) {
      keys.push(...(Array.isArray(batch) ? batch : [batch]));
    }
    if (keys.length > 0) await this.#client.del(keys);
  }

  async close(): Promise<void> {
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
