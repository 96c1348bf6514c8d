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
