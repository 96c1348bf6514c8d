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
   * old version, which nobody reads any more: a stale list can never be served.
   */
  constructor(options: { cache: Cache; store: ArticleStore; ttlSeconds: number; render: (lang: Lang, offset: number, limit: number) => Promise<string> }) {
    this.#cache = options.cache;
    this.#store = options.store;
    this.#ttlSeconds = options.ttlSeconds;
    this.#render = options.render;
  }

  /** The current version; a new one after every invalidation (the first process to ask makes it). */
  async #version(): Promise<string> {
    const current = await this.#cache.get(versionKey);
    if (current !== undefined) return current;
    await this.#cache.add(versionKey, randomBytes(6).toString('hex'), this.#ttlSeconds);
    return (await this.#cache.get(versionKey)) ?? 'none';
  }

  async #readThrough(name: string, produce: () => Promise<string>): Promise<string> {
    const key = `${prefix}${await this.#version()}:${name}`;
    const cached = await this.#cache.get(key);
    if (cached !== undefined) return cached;
    const value = await produce();
    await this.#cache.set(key, value, this.#ttlSeconds);
    return value;
  }

  async count(): Promise<number> {
    return Number(await this.#readThrough('count', async () => String(await this.#store.count())));
  }

  list(lang: Lang, offset: number, limit: number): Promise<string> {
    return this.#readThrough(`list:${lang}:${offset}:${limit}`, () => this.#render(lang, offset, limit));
  }

  /** After any change to articles (or their authors): every cached page and the count go. */
  async invalidate(): Promise<void> {
    try {
      await this.#cache.deletePrefix(prefix);
    } catch {
      // The article is saved already; a cache that cannot be reached serves no one meanwhile,
      // and its copies age out within ttlSeconds once it is back.
    }
  }
}
