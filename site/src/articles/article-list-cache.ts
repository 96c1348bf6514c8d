// The rendered article list and the article count, cached so a burst of readers costs no query.
import { randomBytes } from 'node:crypto';
import type { Cache } from 'tessera';
import type { Lang } from '../i18n/index.ts';
import type { ArticleStore } from './article-store.ts';

const prefix = 'articles:';
const versionKey = `${prefix}version`;

export interface ListPage {
  html: string;
  count: number;
}

export class ArticleListCache {
  readonly #cache: Cache;
  readonly #store: ArticleStore;
  readonly #ttlSeconds: number;
  readonly #render: (lang: Lang, offset: number, limit: number) => Promise<string>;

  /**
   * Entries are keyed by a version that every invalidation drops. A reader that read the
   * database before a change and stores its copy after the invalidation stores it under the
   * old version, which nobody reads any more: a stale list can never be served. So invalidating
   * is one delete, whatever the cache holds: no scan of the keyspace, and the old entries age
   * out with their lifetime.
   */
  constructor(options: { cache: Cache; store: ArticleStore; ttlSeconds: number; render: (lang: Lang, offset: number, limit: number) => Promise<string> }) {
    this.#cache = options.cache;
    this.#store = options.store;
    this.#ttlSeconds = options.ttlSeconds;
    this.#render = options.render;
  }

  /** The current version, a new one after every invalidation (the first process to ask makes it); null when the cache keeps none. */
  async #version(): Promise<string | null> {
    const current = await this.#cache.get(versionKey);
    if (current !== undefined) return current;
    await this.#cache.add(versionKey, randomBytes(6).toString('hex'), this.#ttlSeconds);
    return (await this.#cache.get(versionKey)) ?? null;
  }

  async #readThrough(name: string, produce: () => Promise<string>): Promise<string> {
    const version = await this.#version();
    // Without a version there is no key that the next invalidation would make unreachable.
    if (version === null) return produce();
    const key = `${prefix}${version}:${name}`;
    const cached = await this.#cache.get(key);
    if (cached !== undefined) return cached;
    // If the cache misses an invalidation while the page is rendered, the copy is not kept.
    const fence = this.#cache.fence?.();
    const value = await produce();
    await this.#cache.set(key, value, this.#ttlSeconds, fence);
    return value;
  }

  async count(): Promise<number> {
    return Number(await this.#readThrough('count', async () => String(await this.#store.count())));
  }

  list(lang: Lang, offset: number, limit: number): Promise<string> {
    return this.#readThrough(`list:${lang}:${offset}:${limit}`, () => this.#render(lang, offset, limit));
  }

  /**
   * After any change to articles (or their authors): every cached page and the count go, by
   * dropping the version they are keyed by. A cache that cannot take the delete makes up for it
   * itself (RedisCache trusts none of its entries again until it has started a new generation).
   */
  async invalidate(): Promise<void> {
    try {
      await this.#cache.delete(versionKey);
    } catch {
      // The article is saved already; see above.
    }
  }
}
