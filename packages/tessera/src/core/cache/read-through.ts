// Reading a row through a cache without ever caching a copy older than a write or delete.
import { randomBytes } from 'node:crypto';
import type { Cache } from './cache.ts';

/** What a deleted row's key holds for a while, so a read racing the delete cannot re-cache it. */
export const goneMark = '!gone';
const stalePrefix = '!stale:';
/** How long a changed row's key holds its mark, if no reader replaces it sooner. */
export const staleSeconds = 5;

/** A mark unique to one write: a reader replaces exactly the mark it saw, never a newer one. */
export function staleMark(): string {
  return stalePrefix + randomBytes(8).toString('hex');
}

function isMark(value: string): boolean {
  return value === goneMark || value.startsWith(stalePrefix);
}

export interface ReadThrough<T> {
  cache: Cache;
  key: string;
  load: () => Promise<T | null>;
  encode: (value: T) => string;
  decode: (text: string) => T;
  ttlSeconds: (value: T) => number;
}

/**
 * The cached value, else the store's, cached on the way. A key marked by a write was written
 * before this read began, so the row read now may replace exactly that mark (compare-and-set);
 * an unmarked key is only filled if still empty, so a write landing meanwhile wins. And if the
 * cache may have missed a mark meanwhile (a shared cache that was unreachable), a fence
 * taken before the load drops the fill: the row read now may predate that lost mark.
 */
export async function readThrough<T>(options: ReadThrough<T>): Promise<T | null> {
  const { cache, key } = options;
  const cached = await cache.get(key);
  if (cached === goneMark) return null;
  if (cached !== undefined && !isMark(cached)) {
    try {
      return options.decode(cached);
    } catch {
      await cache.delete(key);
    }
  }
  // Taken after the read (which tells a shared cache of any newer generation) and before the load.
  const fence = cache.fence?.();
  const value = await options.load();
  if (value === null) return null;
  const ttl = options.ttlSeconds(value);
  if (ttl <= 0) return value;
  if (cached !== undefined && isMark(cached)) await cache.replace(key, cached, options.encode(value), ttl, fence);
  else await cache.add(key, options.encode(value), ttl, fence);
  return value;
}
