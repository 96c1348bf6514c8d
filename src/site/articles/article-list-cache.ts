// The rendered article list and the article count, cached so a burst of readers costs no query.
import type { Cache } from '../../core/cache/cache.ts';
import type { Lang } from '../i18n/index.ts';
import type { ArticleStore } from './article-store.ts';

const prefix = 'articles:';

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
   * `ttlSeconds` bounds how stale another process's copy can be when there is no shared
   * cache to invalidate; the process that changes an article invalidates at once.
   */
  constructor(options: { cache: Cache; store: ArticleStore; ttlSeconds: number; render: (lang: Lang, offset: number, limit: number) => Promise<string> }) {
    this.#cache = options.cache;
    this.#store = options.store;
    this.#ttlSeconds = options.ttlSeconds;
    this.#render = options.render;
  }

  async count(): Promise<number> {
    const cached = await this.#cache.get(`${prefix}count`);
    if (cached !== undefined) return Number(cached);
    const count = await this.#store.count();
    await this.#cache.set(`${prefix}count`, String(count), this.#ttlSeconds);
    return count;
  }

  async list(lang: Lang, offset: number, limit: number): Promise<string> {
    const key = `${prefix}list:${lang}:${offset}:${limit}`;
    const cached = await this.#cache.get(key);
    if (cached !== undefined) return cached;
    const html = await this.#render(lang, offset, limit);
    await this.#cache.set(key, html, this.#ttlSeconds);
    return html;
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
