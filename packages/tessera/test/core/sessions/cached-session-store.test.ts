// The cached-db store's marks: a read racing a delete or a write cannot put a stale copy in the cache,
// and a revocation made while Redis was away is not undone when it comes back with its old keys.
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, afterEach, before, describe, test, type TestContext } from 'node:test';
import { LruCache } from '../../../src/core/cache/lru-cache.ts';
import { RedisCache } from '../../../src/core/cache/redis-cache.ts';
import { CachedSessionStore } from '../../../src/core/sessions/cached-session-store.ts';
import { MemorySessionStore } from '../../../src/core/sessions/memory-session-store.ts';
import type { SessionRecord } from '../../../src/core/sessions/session-store.ts';
import { CachedUserStore } from '../../../src/core/users/cached-user-store.ts';
import type { UserStore } from '../../../src/core/users/user-store.ts';
import type { User } from '../../../src/core/users/user.ts';
import { startRedis, type RedisServer } from '../../../../../test/support/redis.ts';
import { skipOrFail } from '../../../../../test/support/requirements.ts';

function record(id: string): SessionRecord {
  const now = Date.now();
  return { id, secretHash: 'a'.repeat(64), userId: 1, data: { n: 1 }, createdAt: now, lastSeen: now, expiresAt: now + 3_600_000, persistent: true, ip: '', userAgent: '' };
}

test('a copy cached by a read that raced a delete is never served: the delete leaves a mark', async () => {
  const cache = new LruCache();
  const store = new CachedSessionStore(new MemorySessionStore(), cache, { ttlSeconds: 300 });
  await store.create(record('s1'));
  const stale = JSON.stringify(record('s1'));
  await store.delete('s1');
  // The racing read, finishing after the delete, tries to cache what it read before it.
  await cache.add('session:s1', stale, 300);
  assert.equal(await store.load('s1'), null);
});

test('after a write, readers go to the store until the mark expires, and see the new data', async () => {
  const cache = new LruCache();
  const inner = new MemorySessionStore();
  const store = new CachedSessionStore(inner, cache, { ttlSeconds: 300 });
  await store.create(record('s2'));
  await store.update({ ...record('s2'), data: { n: 2 } });
  await cache.add('session:s2', JSON.stringify(record('s2')), 300);
  assert.deepEqual((await store.load('s2'))?.data, { n: 2 });
});

test('a user whose password changed is not served from a copy cached by a racing read', async () => {
  const cache = new LruCache();
  const user = { id: 7, password: 'old', dateJoined: new Date(0), lastLogin: null } as unknown as User;
  let current = user;
  const inner: UserStore = {
    getById: async () => current,
    getByUsername: async () => current,
    create: async () => current,
    update: async (_id, changes) => {
      current = { ...current, ...changes } as User;
    },
    updateIf: async () => false,
    listByEmail: async () => [],
    delete: async () => {},
  };
  const users = new CachedUserStore(inner, cache, { ttlSeconds: 300 });
  await users.update(7, { password: 'new' });
  await cache.add('user:7', JSON.stringify(user), 300);
  assert.equal((await users.getById(7))?.password, 'new');
});

test('a read that saw one write\'s mark cannot cache its row over the mark of a later write', async () => {
  const cache = new LruCache();
  const inner = new MemorySessionStore();
  const store = new CachedSessionStore(inner, cache, { ttlSeconds: 300 });
  await store.create(record('s3'));
  await store.update({ ...record('s3'), data: { n: 2 } });
  // A second write lands while the reader is reading the first write's row from the store.
  const load = inner.load.bind(inner);
  inner.load = async (id: string) => {
    const row = await load(id);
    await store.update({ ...record('s3'), data: { n: 3 } });
    return row;
  };
  assert.deepEqual((await store.load('s3'))?.data, { n: 2 }, 'the reader gets what it read');
  inner.load = load;
  assert.deepEqual((await store.load('s3'))?.data, { n: 3 }, 'and the cache did not keep it over the later write');
});

test('once the write that marked a row is done, the next reader caches the fresh row: no query after that', async () => {
  const cache = new LruCache();
  const inner = new MemorySessionStore();
  let reads = 0;
  const load = inner.load.bind(inner);
  inner.load = async (id: string) => {
    reads += 1;
    return load(id);
  };
  const store = new CachedSessionStore(inner, cache, { ttlSeconds: 300 });
  await store.create(record('s4'));
  await store.update({ ...record('s4'), data: { n: 9 } });
  for (let i = 0; i < 5; i += 1) assert.deepEqual((await store.load('s4'))?.data, { n: 9 });
  assert.equal(reads, 1);
});

describe('over a Redis that goes away and comes back with its old keys', () => {
  let redis: RedisServer | null = null;
  /** Every cache a test opened, closed after it. */
  const toClose: RedisCache[] = [];
  before(async () => {
    redis = await startRedis({ persistent: true });
  });
  after(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const cache of toClose.splice(0)) await cache.close();
  });

  let serial = 0;
  /** The caches of `count` processes sharing one Redis: the same namespace, a client each. */
  async function processes(t: TestContext, count: number): Promise<RedisCache[] | null> {
    if (redis === null) {
      skipOrFail(t, 'redis-server not installed: the cached store over a Redis outage not tested');
      return null;
    }
    serial += 1;
    const namespace = `outage:${process.pid}:${serial}:`;
    const opened = Array.from({ length: count }, () => new RedisCache(redis!.url, namespace));
    toClose.push(...opened);
    for (const cache of opened) await cache.ready();
    return opened;
  }

  /** Takes Redis down, runs `meanwhile`, brings it back with every key it held, and waits for the caches. */
  async function outage(caches: RedisCache[], meanwhile: () => Promise<void>): Promise<void> {
    await redis!.shutDown();
    await meanwhile();
    await redis!.restart();
    for (const cache of caches) await cache.ready();
  }

  test('a logout made while Redis was down is not undone by the copy it still holds', { timeout: 30_000 }, async (t) => {
    const caches = await processes(t, 1);
    if (caches === null) return;
    const store = new CachedSessionStore(new MemorySessionStore(), caches[0]!, { ttlSeconds: 300 });
    await store.create(record('o1'));
    assert.ok(await store.load('o1'), 'cached before the outage');
    await outage(caches, async () => {
      await store.delete('o1');
      assert.equal(await store.load('o1'), null, 'the logout holds during the outage');
    });
    assert.equal(await store.load('o1'), null, 'and after it');
  });

  test('another process that never failed a write does not serve the revoked copy either', { timeout: 30_000 }, async (t) => {
    const caches = await processes(t, 2);
    if (caches === null) return;
    const database = new MemorySessionStore();
    const [first, second] = caches.map((cache) => new CachedSessionStore(database, cache, { ttlSeconds: 300 }));
    await first!.create(record('o2'));
    assert.ok(await second!.load('o2'), 'the second process has it cached');
    await outage(caches, () => first!.delete('o2'));
    assert.equal(await second!.load('o2'), null);
  });

  test('a read that began before a revocation lost in the outage cannot cache its copy afterwards', { timeout: 30_000 }, async (t) => {
    const caches = await processes(t, 2);
    if (caches === null) return;
    const database = new MemorySessionStore();
    const first = new CachedSessionStore(database, caches[0]!, { ttlSeconds: 300 });
    const slow = Object.create(database) as MemorySessionStore;
    const second = new CachedSessionStore(slow, caches[1]!, { ttlSeconds: 300 });
    await database.create(record('o3'));
    // The second process reads the row, and Redis goes away and comes back before it can cache it.
    slow.load = async (id: string) => {
      const row = await database.load(id);
      slow.load = database.load.bind(database);
      await outage(caches, () => first.delete(id));
      return row;
    };
    assert.ok(await second.load('o3'), 'the slow reader gets what it read');
    assert.equal(await second.load('o3'), null, 'but did not cache it over the revocation');
    assert.equal(await first.load('o3'), null);
  });

  test('a logout one process could not mark during its own network blip is seen by the others once it reconnects', { timeout: 30_000 }, async (t) => {
    if (redis === null) return skipOrFail(t, 'redis-server not installed: a network blip not tested');
    const blip = await startProxy(redis.url);
    t.after(() => blip.close());
    serial += 1;
    const namespace = `blip:${process.pid}:${serial}:`;
    // The first process reaches Redis through a link that fails; the second keeps its own.
    const [throughBlip, direct] = [new RedisCache(blip.url, namespace), new RedisCache(redis.url, namespace)];
    toClose.push(throughBlip, direct);
    for (const cache of [throughBlip, direct]) await cache.ready();
    const database = new MemorySessionStore();
    const [first, second] = [throughBlip, direct].map((cache) => new CachedSessionStore(database, cache, { ttlSeconds: 300 }));
    await first!.create(record('o4'));
    assert.ok(await second!.load('o4'), 'the second process has it cached');
    blip.cut();
    await first!.delete('o4');
    blip.mend();
    // Nobody asks the first process anything: it makes up for the lost mark as soon as it is back.
    await throughBlip.ready();
    assert.equal(await second!.load('o4'), null);
  });

  test('a password changed while Redis was down is not undone by the user row it still holds', { timeout: 30_000 }, async (t) => {
    const caches = await processes(t, 2);
    if (caches === null) return;
    let current = { id: 8, password: 'old', dateJoined: new Date(0), lastLogin: null } as unknown as User;
    const database: UserStore = {
      getById: async () => current,
      getByUsername: async () => current,
      create: async () => current,
      update: async (_id, changes) => {
        current = { ...current, ...changes } as User;
      },
      updateIf: async () => false,
      listByEmail: async () => [],
      delete: async () => {},
    };
    const [first, second] = caches.map((cache) => new CachedUserStore(database, cache, { ttlSeconds: 300 }));
    assert.equal((await first!.getById(8))?.password, 'old');
    assert.equal((await second!.getById(8))?.password, 'old');
    await outage(caches, () => first!.update(8, { password: 'new' }));
    assert.equal((await first!.getById(8))?.password, 'new');
    assert.equal((await second!.getById(8))?.password, 'new');
  });
});

/** A loopback TCP link to Redis that can be cut (every connection dropped, new ones refused) and mended. */
async function startProxy(target: string): Promise<{ url: string; cut(): void; mend(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((incoming) => {
    if (!open) {
      incoming.destroy();
      return;
    }
    const outgoing = connect(Number(port), hostname);
    const end = () => {
      for (const socket of [incoming, outgoing]) {
        socket.destroy();
        sockets.delete(socket);
      }
    };
    for (const socket of [incoming, outgoing]) {
      sockets.add(socket);
      socket.on('error', end).on('close', end);
    }
    incoming.pipe(outgoing).pipe(incoming);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    cut: () => {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    mend: () => {
      open = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
