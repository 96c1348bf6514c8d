// ArticleListCache on a real SQLite database: a repeated read of the count or of a page runs no
// query; invalidate() makes the next read query again and see new articles, in Redis without
// scanning its keys; NullCache caches nothing.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test, type TestContext } from 'node:test';

import { createClient } from 'redis';
import { type Cache, LruCache, NullCache, RedisCache, SqlUserStore, type User } from 'tessera';
import { migrate } from 'tessera/db';
import { ArticleListCache } from '../../src/articles/article-list-cache.ts';
import { ArticleStore } from '../../src/articles/article-store.ts';
import type { Lang } from '../../src/i18n/index.ts';
import { siteMigrations } from '../../src/migrations/site-0001-articles.ts';
import type { SiteKysely } from '../../src/site-database.ts';
import { openTempSqlite, type TestDatabase } from '../../../test/support/databases.ts';
import { startRedis, type RedisServer } from '../../../test/support/redis.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';

let database: TestDatabase;
let store: ArticleStore;
let author: User;

before(async () => {
  database = await openTempSqlite();
  await migrate(database.db, siteMigrations);
  store = new ArticleStore(database.db);
  const created = await new SqlUserStore(database.db).create({ username: 'author', password: '!unusable' });
  assert.notEqual(created, 'username_taken');
  author = created as User;
});

function siteKysely(): SiteKysely {
  return database.db.kysely as unknown as SiteKysely;
}

after(async () => {
  await database.close();
});

beforeEach(async () => {
  await siteKysely().deleteFrom('articles').execute();
  for (const title of ['first', 'second', 'third']) await store.create(author.id, title, `content of ${title}`);
});

/** A page as the site would render it: from the store, marked with its language. */
async function render(lang: Lang, offset: number, limit: number): Promise<string> {
  const articles = await store.list(offset, limit);
  return `${lang}|${articles.map((article) => article.title).join(',')}`;
}

function listCache(cache: Cache): ArticleListCache {
  return new ArticleListCache({ cache, store, ttlSeconds: 60, render });
}

/** What `read` returned, and how many queries it ran. */
async function counted<T>(read: () => Promise<T>): Promise<{ value: T; queries: number }> {
  const before = database.db.stats.queries;
  const value = await read();
  return { value, queries: database.db.stats.queries - before };
}

describe('ArticleListCache with an LruCache', () => {
  test('the first count() queries; the second runs no query and gives the same number', async () => {
    const list = listCache(new LruCache());
    const first = await counted(() => list.count());
    assert.deepEqual(first, { value: 3, queries: 1 });
    const second = await counted(() => list.count());
    assert.deepEqual(second, { value: 3, queries: 0 });
  });

  test('the first list() of a page queries; the second of the same page runs no query and gives the same html', async () => {
    const list = listCache(new LruCache());
    const first = await counted(() => list.list('en', 0, 2));
    assert.equal(first.value, 'en|third,second');
    assert.ok(first.queries > 0, 'a cold page is rendered from the database');
    const second = await counted(() => list.list('en', 0, 2));
    assert.deepEqual(second, { value: 'en|third,second', queries: 0 });
  });

  test('each language, offset and limit is a page of its own', async () => {
    const list = listCache(new LruCache());
    await list.list('en', 0, 2);
    const pages: Array<[Lang, number, number, string]> = [
      ['ko', 0, 2, 'ko|third,second'],
      ['en', 2, 2, 'en|first'],
      ['en', 0, 1, 'en|third'],
    ];
    for (const [lang, offset, limit, html] of pages) {
      const cold = await counted(() => list.list(lang, offset, limit));
      assert.equal(cold.value, html);
      assert.ok(cold.queries > 0, `${lang} ${offset} ${limit} was served from another page's entry`);
    }
    for (const [lang, offset, limit, html] of pages) {
      assert.deepEqual(await counted(() => list.list(lang, offset, limit)), { value: html, queries: 0 });
    }
  });

  test('a burst of reads of the count and a page costs one cold read each', async () => {
    const list = listCache(new LruCache());
    const burst = await counted(async () => {
      for (let view = 0; view < 1_000; view += 1) {
        await list.count();
        await list.list('en', 0, 20);
      }
    });
    assert.equal(burst.queries, 2, 'one query for the count, one for the page');
  });

  test('until invalidate() a new article is not seen; after it the next reads query again and see it', async () => {
    const list = listCache(new LruCache());
    assert.equal(await list.count(), 3);
    assert.equal(await list.list('en', 0, 10), 'en|third,second,first');
    await list.list('ko', 0, 10);

    await store.create(author.id, 'fourth', 'new');
    assert.deepEqual(await counted(() => list.count()), { value: 3, queries: 0 }, 'the cached count stands until invalidated');

    await list.invalidate();
    const count = await counted(() => list.count());
    assert.deepEqual(count, { value: 4, queries: 1 });
    const page = await counted(() => list.list('en', 0, 10));
    assert.equal(page.value, 'en|fourth,third,second,first');
    assert.ok(page.queries > 0);
    const otherLanguage = await counted(() => list.list('ko', 0, 10));
    assert.equal(otherLanguage.value, 'ko|fourth,third,second,first', 'every page went, not just one');
    assert.ok(otherLanguage.queries > 0);
    assert.deepEqual(await counted(() => list.count()), { value: 4, queries: 0 }, 'and is cached again');
  });

  test('invalidate() leaves other entries of a shared cache alone', async () => {
    const cache = new LruCache();
    await cache.set('session:abc', 'kept', 60);
    await cache.set('user:1', 'kept', 60);
    const list = listCache(cache);
    await list.count();
    await list.invalidate();
    assert.equal(await cache.get('session:abc'), 'kept');
    assert.equal(await cache.get('user:1'), 'kept');
  });

  test('an empty board is cached too', async () => {
    await siteKysely().deleteFrom('articles').execute();
    const list = listCache(new LruCache());
    assert.deepEqual(await counted(() => list.count()), { value: 0, queries: 1 });
    assert.deepEqual(await counted(() => list.count()), { value: 0, queries: 0 });
    await list.list('en', 0, 20);
    assert.deepEqual(await counted(() => list.list('en', 0, 20)), { value: 'en|', queries: 0 });
  });

  test('a cached entry past its lifetime is read from the database again', async () => {
    let now = 0;
    const list = new ArticleListCache({ cache: new LruCache({ now: () => now }), store, ttlSeconds: 30, render });
    await list.count();
    now += 29_000;
    assert.deepEqual(await counted(() => list.count()), { value: 3, queries: 0 });
    now += 1_000;
    assert.deepEqual(await counted(() => list.count()), { value: 3, queries: 1 });
  });
});

describe('ArticleListCache with a NullCache', () => {
  test('every count() and every list() queries the database', async () => {
    const list = listCache(new NullCache());
    for (let read = 0; read < 3; read += 1) {
      assert.deepEqual(await counted(() => list.count()), { value: 3, queries: 1 });
      const page = await counted(() => list.list('en', 0, 2));
      assert.equal(page.value, 'en|third,second');
      assert.ok(page.queries > 0, `read ${read} of the page ran no query`);
    }
  });

  test('a new article is seen at once, without invalidate()', async () => {
    const list = listCache(new NullCache());
    assert.equal(await list.count(), 3);
    await store.create(author.id, 'fourth', 'new');
    assert.equal(await list.count(), 4);
    assert.equal(await list.list('en', 0, 1), 'en|fourth');
  });
});

describe('ArticleListCache with a RedisCache', () => {
  let redis: RedisServer | null = null;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  let serial = 0;
  /** The caches of `count` processes sharing one Redis namespace; closed when the test ends. */
  async function redisCaches(t: TestContext, count: number): Promise<RedisCache[] | null> {
    if (redis === null) {
      skipOrFail(t, 'redis-server not installed: ArticleListCache over Redis not tested');
      return null;
    }
    serial += 1;
    const caches = Array.from({ length: count }, () => new RedisCache(redis!.url, `articles-test:${process.pid}:${serial}:`));
    t.after(async () => {
      for (const cache of caches) await cache.close();
    });
    for (const cache of caches) await cache.ready();
    return caches;
  }

  type PlainClient = ReturnType<typeof plainClient>;
  function plainClient() {
    return createClient({ url: redis!.url });
  }

  /** Runs `body` with a plain client on the test's Redis. */
  async function withClient<T>(body: (client: PlainClient) => Promise<T>): Promise<T> {
    const client = plainClient();
    client.on('error', () => {});
    await client.connect();
    try {
      return await body(client);
    } finally {
      await client.quit();
    }
  }

  test('invalidate() scans no keys, however many sessions share the Redis', { timeout: 30_000 }, async (t) => {
    const caches = await redisCaches(t, 1);
    if (caches === null) return;
    await withClient(async (client) => {
      for (let batch = 0; batch < 20; batch += 1) {
        const pipeline = client.multi();
        for (let index = 0; index < 1_000; index += 1) pipeline.set(`tessera:session:${batch}-${index}`, 'x', { expiration: { type: 'EX', value: 60 } });
        await pipeline.execAsPipeline();
      }
    });
    const list = listCache(caches[0]!);
    assert.equal(await list.count(), 3);
    assert.equal(await list.list('en', 0, 10), 'en|third,second,first');
    await store.create(author.id, 'fourth', 'new');

    await withClient((client) => client.configResetStat());
    await list.invalidate();
    const stats = await withClient((client) => client.info('commandstats'));
    assert.doesNotMatch(stats, /cmdstat_(scan|keys):/, 'the invalidation walked the keyspace');

    assert.deepEqual(await counted(() => list.count()), { value: 4, queries: 1 });
    assert.equal(await list.list('en', 0, 10), 'en|fourth,third,second,first');
    assert.deepEqual(await counted(() => list.count()), { value: 4, queries: 0 }, 'and is cached again');
  });

  test('an invalidation in one process is seen at once by another that had the list cached', { timeout: 30_000 }, async (t) => {
    const caches = await redisCaches(t, 2);
    if (caches === null) return;
    const [writer, reader] = caches.map((cache) => listCache(cache));
    assert.equal(await reader!.count(), 3);
    assert.deepEqual(await counted(() => writer!.count()), { value: 3, queries: 0 }, 'both read the one shared entry');
    await store.create(author.id, 'fourth', 'new');
    await writer!.invalidate();
    assert.equal(await reader!.count(), 4);
    assert.equal(await reader!.list('en', 0, 1), 'en|fourth');
  });
});
