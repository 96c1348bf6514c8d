// The Cache contract, run over the in-process LruCache and over RedisCache on a real redis-server;
// then what only one of them does: LRU eviction, Redis's lifetimes, generations and outages, NullCache's nothing.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

import type { Cache } from '../../src/core/cache/cache.ts';
import { LruCache } from '../../src/core/cache/lru-cache.ts';
import { NullCache } from '../../src/core/cache/null-cache.ts';
import { RedisCache } from '../../src/core/cache/redis-cache.ts';
import { createRedisClient, type RedisClient } from '../../src/core/redis-client.ts';
import { startRedis, type RedisServer } from '../../../../test/support/redis.ts';
import { skipOrFail } from '../../../../test/support/requirements.ts';
import { freePort } from '../../../../test/support/site.ts';

let redis: RedisServer | null = null;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

let namespaceSerial = 0;
/** A namespace no other test of this file uses, so tests sharing one redis-server cannot see each other's keys. */
function freshNamespace(): string {
  namespaceSerial += 1;
  return `test:${process.pid}:${namespaceSerial}:`;
}

interface Implementation {
  name: string;
  /** null when the service it needs is not installed */
  open(t: TestContext): Promise<Cache | null>;
}

const implementations: Implementation[] = [
  { name: 'LruCache', open: async () => new LruCache({ maxEntries: 10_000 }) },
  {
    name: 'RedisCache',
    open: async (t) => {
      if (redis === null) {
        skipOrFail(t, 'redis-server not installed: RedisCache not tested');
        return null;
      }
      const cache = new RedisCache(redis.url, freshNamespace());
      await cache.ready();
      return cache;
    },
  },
];

for (const implementation of implementations) {
  describe(`${implementation.name} keeps the Cache contract`, () => {
    function cacheTest(name: string, body: (cache: Cache) => Promise<void>): void {
      test(name, async (t) => {
        const cache = await implementation.open(t);
        if (cache === null) return;
        try {
          await body(cache);
        } finally {
          await cache.close();
        }
      });
    }

    cacheTest('a key never set reads as undefined', async (cache) => {
      assert.equal(await cache.get('absent'), undefined);
    });

    cacheTest('get returns what set stored, and a second set replaces it', async (cache) => {
      await cache.set('greeting', 'hello', 60);
      await cache.set('other', 'world', 60);
      assert.equal(await cache.get('greeting'), 'hello');
      await cache.set('greeting', 'bonjour', 60);
      assert.equal(await cache.get('greeting'), 'bonjour');
      assert.equal(await cache.get('other'), 'world');
    });

    cacheTest('values come back byte for byte: empty, unicode, markup, long', async (cache) => {
      const values = ['', '한국어 ünïcödé 🎉', '<p class="x">a &amp; b</p>\n\ttab', 'x'.repeat(100_000)];
      for (const [index, value] of values.entries()) await cache.set(`value:${index}`, value, 60);
      for (const [index, value] of values.entries()) assert.equal(await cache.get(`value:${index}`), value, `value ${index}`);
    });

    cacheTest('delete forgets one key and leaves the rest', async (cache) => {
      await cache.set('a', '1', 60);
      await cache.set('b', '2', 60);
      await cache.delete('a');
      assert.equal(await cache.get('a'), undefined);
      assert.equal(await cache.get('b'), '2');
      await cache.delete('never-set');
      assert.equal(await cache.get('b'), '2');
    });

    cacheTest('deletePrefix forgets every key with that prefix and no other', async (cache) => {
      const doomed = ['articles:count', 'articles:list:en:0:20', 'articles:list:ko:20:20', 'articles:'];
      const kept = ['article:1', 'Articles:count', 'session:articles:x', 'xarticles:count', 'articles'];
      for (const key of [...doomed, ...kept]) await cache.set(key, key, 60);
      await cache.deletePrefix('articles:');
      for (const key of doomed) assert.equal(await cache.get(key), undefined, `${key} survived`);
      for (const key of kept) assert.equal(await cache.get(key), key, `${key} was deleted`);
    });

    cacheTest('deletePrefix takes glob characters in the prefix literally', async (cache) => {
      const cases: Array<{ prefix: string; doomed: string[]; kept: string[] }> = [
        { prefix: 'a*b:', doomed: ['a*b:1', 'a*b:'], kept: ['axb:1', 'a-long-b:1', 'ab:1', 'a*c:1'] },
        { prefix: 'q?:', doomed: ['q?:1'], kept: ['qx:1', 'q:1', 'qq:2'] },
        { prefix: '[ab]:', doomed: ['[ab]:1', '[ab]:z'], kept: ['a:1', 'b:1', '[a]:1'] },
        { prefix: 'x]y', doomed: ['x]y1'], kept: ['xy1', 'x]z1'] },
        { prefix: 'back\\slash:', doomed: ['back\\slash:1'], kept: ['backslash:1', 'back/slash:1'] },
        { prefix: '[^a]', doomed: ['[^a]1'], kept: ['b1', '^1'] },
      ];
      for (const { prefix, doomed, kept } of cases) {
        for (const key of [...doomed, ...kept]) await cache.set(key, key, 60);
        await cache.deletePrefix(prefix);
        for (const key of doomed) assert.equal(await cache.get(key), undefined, `prefix ${prefix}: ${key} survived`);
        for (const key of kept) assert.equal(await cache.get(key), key, `prefix ${prefix}: ${key} was deleted`);
      }
    });

    cacheTest('deletePrefix removes a great many keys, not just the first batch', async (cache) => {
      const keys = Array.from({ length: 1_500 }, (_, index) => `page:${index}`);
      await Promise.all(keys.map((key) => cache.set(key, 'v', 60)));
      await cache.set('pages', 'kept', 60);
      await cache.deletePrefix('page:');
      const left = (await Promise.all(keys.map((key) => cache.get(key)))).filter((value) => value !== undefined);
      assert.equal(left.length, 0, `${left.length} of ${keys.length} keys survived`);
      assert.equal(await cache.get('pages'), 'kept');
    });

    cacheTest('deletePrefix with nothing to delete does nothing', async (cache) => {
      await cache.set('kept', 'v', 60);
      await cache.deletePrefix('nothing-here:');
      assert.equal(await cache.get('kept'), 'v');
    });
  });
}

describe('LruCache', () => {
  test('an entry is there until its lifetime is over, then reads as undefined', async () => {
    let now = 1_000_000;
    const cache = new LruCache({ now: () => now });
    await cache.set('short', 's', 1);
    await cache.set('long', 'l', 60);
    now += 999;
    assert.equal(await cache.get('short'), 's');
    now += 1;
    assert.equal(await cache.get('short'), undefined, 'gone at exactly its lifetime');
    assert.equal(cache.getSync('short'), undefined);
    assert.equal(await cache.get('long'), 'l');
    now += 59_000;
    assert.equal(await cache.get('long'), undefined);
  });

  test('setting a key again starts its lifetime again', async () => {
    let now = 0;
    const cache = new LruCache({ now: () => now });
    await cache.set('k', 'first', 10);
    now += 9_000;
    await cache.set('k', 'second', 10);
    now += 9_000;
    assert.equal(await cache.get('k'), 'second');
    now += 1_000;
    assert.equal(await cache.get('k'), undefined);
  });

  test('an expired entry stops counting towards the size once read', async () => {
    let now = 0;
    const cache = new LruCache({ now: () => now });
    await cache.set('k', 'v', 1);
    assert.equal(cache.size, 1);
    now += 1_000;
    assert.equal(await cache.get('k'), undefined);
    assert.equal(cache.size, 0);
  });

  test('beyond maxEntries the least recently set entry goes first', async () => {
    const cache = new LruCache({ maxEntries: 3 });
    await cache.set('a', '1', 60);
    await cache.set('b', '2', 60);
    await cache.set('c', '3', 60);
    await cache.set('d', '4', 60);
    assert.equal(cache.size, 3);
    assert.equal(await cache.get('a'), undefined);
    assert.equal(await cache.get('b'), '2');
    assert.equal(await cache.get('c'), '3');
    assert.equal(await cache.get('d'), '4');
  });

  test('reading an entry makes it recently used, so another one is evicted instead', async () => {
    const cache = new LruCache({ maxEntries: 3 });
    await cache.set('a', '1', 60);
    await cache.set('b', '2', 60);
    await cache.set('c', '3', 60);
    assert.equal(await cache.get('a'), '1');
    await cache.set('d', '4', 60);
    assert.equal(await cache.get('b'), undefined, 'b was the least recently used');
    assert.equal(await cache.get('a'), '1');
    assert.equal(cache.getSync('c'), '3');
    await cache.set('e', '5', 60);
    assert.equal(await cache.get('d'), undefined, 'd was the least recently used once a and c were read');
    assert.deepEqual([await cache.get('a'), await cache.get('c'), await cache.get('e')], ['1', '3', '5']);
  });

  test('setting an existing key again makes it recently used without growing the cache', async () => {
    const cache = new LruCache({ maxEntries: 2 });
    await cache.set('a', '1', 60);
    await cache.set('b', '2', 60);
    await cache.set('a', '1b', 60);
    assert.equal(cache.size, 2);
    await cache.set('c', '3', 60);
    assert.equal(await cache.get('b'), undefined);
    assert.equal(await cache.get('a'), '1b');
    assert.equal(await cache.get('c'), '3');
  });

  test('close empties it', async () => {
    const cache = new LruCache();
    await cache.set('k', 'v', 60);
    await cache.close();
    assert.equal(cache.size, 0);
    assert.equal(await cache.get('k'), undefined);
  });
});

describe('RedisCache', () => {
  async function withRedis(t: TestContext, body: (server: RedisServer, cache: RedisCache, namespace: string) => Promise<void>): Promise<void> {
    if (redis === null) {
      skipOrFail(t, 'redis-server not installed: RedisCache not tested');
      return;
    }
    const namespace = freshNamespace();
    const cache = new RedisCache(redis.url, namespace);
    await cache.ready();
    try {
      await body(redis, cache, namespace);
    } finally {
      await cache.close();
    }
  }

  /** A client of its own, to look at what the cache stored. */
  async function withClient<T>(url: string, body: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = createRedisClient(url);
    await client.connect();
    try {
      return await body(client);
    } finally {
      await client.quit();
    }
  }

  test('keys live in Redis under the namespace, with the lifetime given to set', async (t) => {
    await withRedis(t, async (server, cache, namespace) => {
      await cache.set('count', '7', 1);
      await cache.set('list', 'html', 300);
      await withClient(server.url, async (client) => {
        const generation = await client.get(`${namespace}!generation`);
        assert.ok(generation, 'the cache keeps its generation in the namespace');
        assert.equal(await client.get(`${namespace}count`), `${generation}|7`, 'the value, tagged with the generation it was written in');
        assert.equal(await client.ttl(`${namespace}count`), 1, 'TTL of a 1-second entry');
        const long = await client.ttl(`${namespace}list`);
        assert.ok(long >= 1 && long <= 300, `TTL of a 300-second entry is ${long}`);
        assert.equal(await client.get('count'), null, 'nothing is written outside the namespace');
      });
    });
  });

  test('a lifetime under a second is rounded up, never stored without expiry', async (t) => {
    await withRedis(t, async (server, cache, namespace) => {
      await cache.set('tiny', 'v', 0.2);
      await cache.set('zero', 'v', 0);
      await withClient(server.url, async (client) => {
        for (const key of ['tiny', 'zero']) {
          const ttl = await client.pTTL(`${namespace}${key}`);
          assert.ok(ttl > 0 && ttl <= 1_000, `PTTL of ${key} is ${ttl}`);
        }
      });
    });
  });

  test('a process that starts makes what every process cached before it unreachable', async (t) => {
    await withRedis(t, async (server, cache, namespace) => {
      await cache.set('session:a', 'old copy', 60);
      assert.equal(await cache.get('session:a'), 'old copy');
      // It may replace one that died between a database write and the mark that write owed.
      const newcomer = new RedisCache(server.url, namespace);
      try {
        await newcomer.ready();
        assert.equal(await newcomer.get('session:a'), undefined);
        assert.equal(await cache.get('session:a'), undefined, 'the process that cached it does not read it either');
        await cache.set('session:a', 'new copy', 60);
        assert.equal(await newcomer.get('session:a'), 'new copy', 'what is written afterwards is shared as before');
      } finally {
        await newcomer.close();
      }
    });
  });

  test('a fill fenced before another process started a generation stores nothing; one fenced once it has read since does', async (t) => {
    await withRedis(t, async (server, cache, namespace) => {
      const before = cache.fence();
      const newcomer = new RedisCache(server.url, namespace);
      try {
        await newcomer.ready();
        await cache.add('user:1', 'read before', 60, before);
        await cache.set('user:2', 'read before', 60, before);
        assert.equal(await newcomer.get('user:1'), undefined);
        assert.equal(await newcomer.get('user:2'), undefined);
        // Its next read, in the same step, tells it of the new generation.
        assert.equal(await cache.get('user:1'), undefined);
        const after = cache.fence();
        await cache.add('user:1', 'read after', 60, after);
        assert.equal(await newcomer.get('user:1'), 'read after');
      } finally {
        await newcomer.close();
      }
    });
  });

  test('deletes that fail while Redis is away are not replayed one by one when it is back', { timeout: 30_000 }, async (t) => {
    const server = await startRedis({ persistent: true });
    if (server === null) {
      skipOrFail(t, 'redis-server not installed: RedisCache outage not tested');
      return;
    }
    const cache = new RedisCache(server.url, freshNamespace());
    try {
      await cache.ready();
      await cache.set('doomed', 'v', 60);
      await server.shutDown();
      for (let attempt = 0; attempt < 1_000; attempt += 1) await cache.delete(attempt % 2 === 0 ? 'doomed' : `other:${attempt % 10}`);
      await server.restart();
      await cache.ready();
      assert.equal(await cache.get('doomed'), undefined, 'the delete Redis missed still holds');
      const stats = await withClient(server.url, (client) => client.info('commandstats'));
      const deletes = /cmdstat_del:calls=(\d+)/.exec(stats)?.[1];
      assert.equal(deletes, undefined, `${deletes} DEL commands were replayed`);
    } finally {
      await cache.close();
      await server.stop();
    }
  });

  test('deletePrefix stays inside its own namespace', async (t) => {
    await withRedis(t, async (server, cache) => {
      const neighbour = new RedisCache(server.url, freshNamespace());
      await neighbour.ready();
      try {
        await cache.set('articles:count', 'mine', 60);
        await neighbour.set('articles:count', 'theirs', 60);
        await cache.deletePrefix('');
        assert.equal(await cache.get('articles:count'), undefined);
        assert.equal(await neighbour.get('articles:count'), 'theirs');
      } finally {
        await neighbour.close();
      }
    });
  });

  // A timeout, so that a close() or a read that hangs fails instead of stalling the run.
  test('pointed at a port where nothing listens, get misses, set does not throw, and close returns', { timeout: 10_000 }, async () => {
    const port = await freePort();
    const cache = new RedisCache(`redis://127.0.0.1:${port}`, freshNamespace());
    try {
      assert.equal(await cache.get('k'), undefined);
      await cache.set('k', 'v', 60);
      assert.equal(await cache.get('k'), undefined);
    } finally {
      await cache.close();
    }
  });

  test('when its server stops, reads miss without throwing; a new server on the same address serves again', { timeout: 20_000 }, async (t) => {
    const binary = redisServerBinary();
    if (binary === null) {
      skipOrFail(t, 'redis-server not installed: RedisCache outage not tested');
      return;
    }
    const first = await startRedis();
    assert.ok(first !== null);
    let firstStopped = false;
    const cache = new RedisCache(first.url, freshNamespace());
    const dir = await mkdtemp(join(tmpdir(), 'tessera-cache-redis-'));
    let second: ReturnType<typeof spawn> | null = null;
    try {
      await cache.ready();
      await cache.set('k', 'before', 60);
      assert.equal(await cache.get('k'), 'before');

      await first.stop();
      firstStopped = true;
      assert.equal(await cache.get('k'), undefined);
      await cache.set('k', 'during', 60);
      assert.equal(await cache.get('k'), undefined);

      const port = new URL(first.url).port;
      second = spawn(binary, ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
      const exited = new Promise<never>((_, reject) => second?.once('exit', (code) => reject(new Error(`the second redis-server exited (${code})`))));
      exited.catch(() => {});
      // ready() waits (bounded) for the client's own reconnection; the assertions decide.
      await Promise.race([cache.ready(), exited]);
      await cache.set('k', 'after', 60);
      assert.equal(await cache.get('k'), 'after');
      await withClient(first.url, async (client) => {
        assert.equal(await client.dbSize(), 2, 'the new server holds what was set after it came, and the generation the cache started there');
      });
    } finally {
      await cache.close();
      if (!firstStopped) await first.stop();
      if (second !== null && second.exitCode === null && second.signalCode === null) {
        const gone = new Promise((resolve) => second?.once('exit', resolve));
        second.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function redisServerBinary(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : null;
}

describe('NullCache', () => {
  test('never returns anything, whatever was set', async () => {
    const cache: Cache = new NullCache();
    await cache.set('k', 'v', 60);
    assert.equal(await cache.get('k'), undefined);
    await cache.delete('k');
    await cache.deletePrefix('');
    assert.equal(await cache.get('k'), undefined);
    await cache.close();
  });
});
