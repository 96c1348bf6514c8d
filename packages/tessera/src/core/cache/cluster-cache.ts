// An in-process cache for processes under node:cluster: each keeps its own LRU, and a deletion
// in one is done in every other before it returns, so no process serves what another dropped.
import cluster from 'node:cluster';
import type { Cache } from './cache.ts';
import { LruCache } from './lru-cache.ts';

const drop = 'tessera:cache-drop';
const dropped = 'tessera:cache-dropped';
const done = 'tessera:cache-drop-done';
/** A peer that does not answer within this long is not waited for any longer. */
const ackTimeoutMs = 1000;

interface DropMessage {
  type: typeof drop;
  id: number;
  origin: number;
  key?: string;
  prefix?: string;
}

function isMessage(value: unknown, type: string): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type;
}

/**
 * An LRU per process under node:cluster: a deletion in one is done in every other before it returns, so
 * no process serves what another dropped. The primary runs {@link relayClusterCacheMessages}.
 */
export class ClusterCache implements Cache {
  readonly #local: LruCache;
  readonly #waiting = new Map<number, () => void>();
  #sequence = 0;

  constructor(options: { maxEntries?: number } = {}) {
    this.#local = new LruCache(options);
    process.on('message', (message: unknown) => {
      if (isMessage(message, drop)) {
        const { key, prefix } = message as unknown as DropMessage;
        if (typeof key === 'string') this.#local.delete(key);
        if (typeof prefix === 'string') this.#local.deletePrefix(prefix);
        process.send?.({ type: dropped, id: message.id, origin: message.origin });
      } else if (isMessage(message, done) && message.origin === process.pid) {
        this.#waiting.get(Number(message.id))?.();
      }
    });
  }

  get(key: string) {
    return this.#local.get(key);
  }

  set(key: string, value: string, ttlSeconds: number) {
    return this.#local.set(key, value, ttlSeconds);
  }

  add(key: string, value: string, ttlSeconds: number) {
    return this.#local.add(key, value, ttlSeconds);
  }

  replace(key: string, expected: string, value: string, ttlSeconds: number) {
    return this.#local.replace(key, expected, value, ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    await this.#local.delete(key);
    await this.#broadcast({ key });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.#local.deletePrefix(prefix);
    await this.#broadcast({ prefix });
  }

  /** Tells every other process, through the primary, and waits until they all have done it. */
  #broadcast(what: { key?: string; prefix?: string }): Promise<void> {
    if (!cluster.isWorker || process.send === undefined) return Promise.resolve();
    const id = (this.#sequence += 1);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(finish, ackTimeoutMs);
      this.#waiting.set(id, finish);
      process.send!({ type: drop, id, origin: process.pid, ...what } satisfies DropMessage);
    });
  }

  close(): Promise<void> {
    return this.#local.close();
  }
}

/**
 * The primary's half: passes a worker's deletion to every other worker, and tells the worker
 * once all of them have done it.
 */
export function relayClusterCacheMessages(): void {
  const outstanding = new Map<string, number>();
  cluster.on('message', (worker, message: unknown) => {
    if (isMessage(message, drop)) {
      const others = Object.values(cluster.workers ?? {}).filter((other) => other !== undefined && other.id !== worker.id && other.isConnected());
      const ticket = `${String(message.origin)}:${String(message.id)}`;
      if (others.length === 0) {
        worker.send({ type: done, id: message.id, origin: message.origin });
        return;
      }
      outstanding.set(ticket, others.length);
      for (const other of others) other!.send(message);
    } else if (isMessage(message, dropped)) {
      const ticket = `${String(message.origin)}:${String(message.id)}`;
      const left = (outstanding.get(ticket) ?? 1) - 1;
      if (left > 0) {
        outstanding.set(ticket, left);
        return;
      }
      outstanding.delete(ticket);
      const origin = Object.values(cluster.workers ?? {}).find((candidate) => candidate?.process.pid === message.origin);
      origin?.send({ type: done, id: message.id, origin: message.origin });
    }
  });
}
