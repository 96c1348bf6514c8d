// The cache in Redis, shared by every process; a Redis outage reads as a miss, never an error,
// and an invalidation lost in one never lets a stale copy be served once Redis is back.
import { createHash, randomBytes } from 'node:crypto';
import { closeRedisClient, createRedisClient, waitUntilReady, type RedisClient } from '../redis-client.ts';
import type { Cache, CacheFence } from './cache.ts';

/** The key, inside the namespace, that holds the current generation ('!' keys are the cache's own). */
const generationKey = '!generation';
/** After a failed attempt to start a generation while connected, the next one comes this much later. */
const retryMs = 500;

// Every entry is stored as "<generation>|<value>", and each command compares the generation in
// the same step as it reads or writes, so no bump can slip between the two.

// The value, only if it was written in the current generation; and that generation.
const readScript = `
local generation = redis.call('get', KEYS[2])
if not generation then return {false, false} end
local raw = redis.call('get', KEYS[1])
local tag = generation .. '|'
if raw and string.sub(raw, 1, #tag) == tag then return {generation, string.sub(raw, #tag + 1)} end
return {generation, false}`;

// ARGV: mode (set, add or replace), fence ('' for none), value, lifetime, expected (replace).
// An entry of an older generation counts as absent. -1: there is no generation (Redis lost it).
const writeScript = `
local generation = redis.call('get', KEYS[2])
if not generation then return -1 end
if ARGV[2] ~= '' and ARGV[2] ~= generation then return 0 end
local tag = generation .. '|'
if ARGV[1] ~= 'set' then
  local raw = redis.call('get', KEYS[1])
  if ARGV[1] == 'add' and raw and string.sub(raw, 1, #tag) == tag then return 0 end
  if ARGV[1] == 'replace' and raw ~= tag .. ARGV[5] then return 0 end
end
redis.call('set', KEYS[1], tag .. ARGV[3], 'EX', ARGV[4])
return 1`;

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const read = script(readScript);
const write = script(writeScript);

/**
 * The cache in Redis, shared by every process; a Redis outage reads as a miss, never an error.
 *
 * A delete, or a mark written in place of a changed row, can fail while Redis is away, and a
 * Redis that comes back with its data (persistence, a paused server, a network blip) still holds
 * the old copy, which other processes, that failed nothing, would read. Retrying the failed
 * deletes in this process cannot stop them, so every entry carries a generation instead: any
 * process that saw a command fail, or lost its connection, starts a new generation before it
 * trusts the cache again, and every read compares generations inside Redis. A new generation
 * makes everything cached before it unreachable at once, in every process: after a fault the
 * cache refills from the database, which is the truth. A process also starts one when it first
 * connects, since one that died between a database write and its mark left nobody to start it.
 *
 * What is left: a process that loses only its own connection (the others keep theirs) cannot
 * tell them until it is back, so meanwhile (the blip, plus at most two seconds of reconnection
 * backoff) they may serve a copy it failed to drop.
 */
export class RedisCache implements Cache {
  readonly #client: RedisClient;
  readonly #namespace: string;
  readonly #generationKey: string;
  /** The generation this process trusts: null until it has started one since its last fault. */
  #generation: string | null = null;
  /** Counts faults, so that an answer sent before one is not believed after it. */
  #faults = 0;
  #starting: Promise<void> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  /** Connects in the background: until Redis answers, every read is a miss and the database serves. */
  constructor(url: string, namespace = 'tessera:cache:') {
    this.#namespace = namespace;
    this.#generationKey = namespace + generationKey;
    this.#client = createRedisClient(url);
    this.#client.on('ready', () => {
      if (this.#closed) this.#client.destroy();
      else void this.#startGeneration();
    });
    // Whatever was written while the connection was down may be lost: trust nothing until a new generation.
    this.#client.on('end', () => this.#fault());
    this.#client.on('reconnecting', () => this.#fault());
    this.#client.on('error', () => this.#fault());
    this.#client.connect().catch(() => {});
  }

  #fault(): void {
    this.#generation = null;
    this.#faults += 1;
  }

  /** Starts a new generation (one attempt at a time); until it has, nothing cached is trusted. */
  #startGeneration(): Promise<void> {
    // finally() runs after the assignment, even if the attempt fails at once.
    this.#starting ??= this.#attemptGeneration().finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  async #attemptGeneration(): Promise<void> {
    const faults = this.#faults;
    const generation = randomBytes(8).toString('hex');
    try {
      await this.#client.set(this.#generationKey, generation);
      // A fault while the SET was on its way may have come after it: start yet another.
      if (faults === this.#faults) this.#generation = generation;
    } catch {
      this.#fault();
    }
    if (this.#generation === null && !this.#closed && this.#client.isReady && this.#retry === null) {
      // Connected but refused or timed out (a paused server): try again without waiting for a request.
      this.#retry = setTimeout(() => {
        this.#retry = null;
        if (this.#generation === null && !this.#closed) void this.#startGeneration();
      }, retryMs);
      this.#retry.unref();
    }
  }

  async #trustedGeneration(): Promise<string | null> {
    if (this.#generation === null && !this.#closed) await this.#startGeneration();
    return this.#generation;
  }

  async #run(code: Script, key: string, args: string[]): Promise<unknown> {
    const options = { keys: [this.#namespace + key, this.#generationKey], arguments: args };
    try {
      return await this.#client.evalSha(code.sha, options);
    } catch (error) {
      // A restarted Redis has forgotten the script: send it whole, once.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.#client.eval(code.source, options);
    }
  }

  fence(): CacheFence {
    return { generation: this.#generation };
  }

  async get(key: string): Promise<string | undefined> {
    if ((await this.#trustedGeneration()) === null) return undefined;
    const faults = this.#faults;
    try {
      const [generation, value] = (await this.#run(read, key, [])) as [string | null, string | null];
      if (typeof generation !== 'string') {
        // The generation is gone (Redis lost its data, or evicted it): start another.
        this.#fault();
        void this.#startGeneration();
        return undefined;
      }
      // Another process started a generation: take it, so this one's fills are not all refused.
      if (faults === this.#faults && this.#generation !== null) this.#generation = generation;
      return typeof value === 'string' ? value : undefined;
    } catch {
      this.#fault();
      return undefined;
    }
  }

  /**
   * A write without a fence may be an invalidation (a mark), so it is always attempted, in
   * whatever generation Redis has now; a write with one is a copy of something read since the
   * fence, and is dropped if a generation started since.
   */
  async #write(mode: 'set' | 'add' | 'replace', key: string, value: string, ttlSeconds: number, fence: CacheFence | undefined, expected = ''): Promise<void> {
    if (fence !== undefined && (fence.generation === null || fence.generation !== this.#generation)) return;
    try {
      const written = await this.#run(write, key, [mode, fence?.generation ?? '', value, String(Math.max(1, Math.ceil(ttlSeconds))), expected]);
      if (written === -1) {
        this.#fault();
        void this.#startGeneration();
      }
    } catch {
      this.#fault();
    }
  }

  set(key: string, value: string, ttlSeconds: number, fence?: CacheFence): Promise<void> {
    return this.#write('set', key, value, ttlSeconds, fence);
  }

  add(key: string, value: string, ttlSeconds: number, fence?: CacheFence): Promise<void> {
    return this.#write('add', key, value, ttlSeconds, fence);
  }

  replace(key: string, expected: string, value: string, ttlSeconds: number, fence?: CacheFence): Promise<void> {
    return this.#write('replace', key, value, ttlSeconds, fence, expected);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.del(this.#namespace + key);
    } catch {
      // Not retried: the new generation this fault leads to drops this key with every other.
      this.#fault();
    }
  }

  /** Walks every key of Redis (SCAN): for tools, not for a request's path; version keys instead. */
  async deletePrefix(prefix: string): Promise<void> {
    try {
      const keys: string[] = [];
      for await (const batch of this.#client.scanIterator({ MATCH: `${escapeGlob(this.#namespace + prefix)}*`, COUNT: 500 })) {
        keys.push(...(Array.isArray(batch) ? batch : [batch]));
      }
      if (keys.length > 0) await this.#client.del(keys);
    } catch {
      this.#fault();
    }
  }

  /** Waits until Redis answers and this process has started its generation (about five seconds at most). */
  async ready(): Promise<void> {
    await waitUntilReady(this.#client);
    if (this.#client.isReady) await this.#trustedGeneration();
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    return closeRedisClient(this.#client);
  }
}

function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}
