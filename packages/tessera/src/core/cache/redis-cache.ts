// The cache in Redis, shared by every process; a Redis outage reads as a miss, never an error.
import { closeRedisClient, createRedisClient, waitUntilReady, type RedisClient } from '../redis-client.ts';
import type { Cache } from './cache.ts';

// Compare-and-set in one step, so no write can slip between the compare and the set.
const replaceScript = "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3]) end return 0";

/** The cache in Redis, shared by every process; a Redis outage reads as a miss, never an error. */
export class RedisCache implements Cache {
  readonly #client: RedisClient;
  readonly #namespace: string;
  /**
   * Deletions Redis could not take while it was away. They are done before the next read once
   * it is back, so a revoked session or a changed article is never served from a stale copy.
   */
  readonly #pending = new Set<{ key: string } | { prefix: string }>();

  /** Connects in the background: until Redis answers, every read is a miss and the database serves. */
  constructor(url: string, namespace = 'tessera:cache:') {
    this.#client = createRedisClient(url);
    this.#client.on('ready', () => void this.#flushPending());
    this.#client.connect().catch(() => {});
    this.#namespace = namespace;
  }

  async #flushPending(): Promise<boolean> {
    for (const item of [...this.#pending]) {
      try {
        if ('key' in item) await this.#client.del(this.#namespace + item.key);
        else await this.#deletePrefixNow(item.prefix);
        this.#pending.delete(item);
      } catch {
        return false;
      }
    }
    return true;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      if (this.#pending.size > 0 && !(await this.#flushPending())) return undefined;
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

  async add(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.#client.set(this.#namespace + key, value, { condition: 'NX', expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) } });
    } catch {
      // As set: a miss next time.
    }
  }

  async replace(key: string, expected: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.#client.eval(replaceScript, {
        keys: [this.#namespace + key],
        arguments: [expected, value, String(Math.max(1, Math.ceil(ttlSeconds)))],
      });
    } catch {
      // As set: a miss next time.
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.del(this.#namespace + key);
    } catch {
      this.#pending.add({ key });
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    try {
      await this.#deletePrefixNow(prefix);
    } catch {
      this.#pending.add({ prefix });
    }
  }

  async #deletePrefixNow(prefix: string): Promise<void> {
    const keys: string[] = [];
    for await (const batch of this.#client.scanIterator({ MATCH: `${escapeGlob(this.#namespace + prefix)}*`, COUNT: 500 })) {
      keys.push(...(Array.isArray(batch) ? batch : [batch]));
    }
    if (keys.length > 0) await this.#client.del(keys);
  }

  /** Waits until Redis answers (tests, and a start that wants the cache warm). */
  ready(): Promise<void> {
    return waitUntilReady(this.#client);
  }

  close(): Promise<void> {
    return closeRedisClient(this.#client);
  }
}

function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}
