// The cached-db store's marks: a read racing a delete or a write cannot put a stale copy in the cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruCache } from '../../../src/core/cache/lru-cache.ts';
import { CachedSessionStore } from '../../../src/core/sessions/cached-session-store.ts';
import { MemorySessionStore } from '../../../src/core/sessions/memory-session-store.ts';
import type { SessionRecord } from '../../../src/core/sessions/session-store.ts';
import { CachedUserStore } from '../../../src/core/users/cached-user-store.ts';
import type { UserStore } from '../../../src/core/users/user-store.ts';
import type { User } from '../../../src/core/users/user.ts';

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
