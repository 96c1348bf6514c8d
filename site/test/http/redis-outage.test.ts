// What the site does while Redis is away: the Redis session store answers 503 and recovers; the
// cached-db store falls back to the database and logs nobody out.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startRedis, type RedisServer } from '../../../test/support/redis.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { newUser } from './helpers.ts';

describe('Redis goes away', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const stop of cleanup.reverse()) await stop();
  });

  async function setUp(store: string): Promise<{ redis: RedisServer; site: RunningSite } | null> {
    const redis = await startRedis();
    if (!redis) return null;
    cleanup.push(() => redis.stop());
    const site = await startSite({ env: { SESSION_STORE: store, REDIS_URL: redis.url } });
    cleanup.push(() => site.stop());
    return { redis, site };
  }

  test('SESSION_STORE=redis answers 503 (never 500) while Redis is down, and the process keeps running', async (t) => {
    const running = await setUp('redis');
    if (!running) return skipOrFail(t, 'redis-server not installed');
    const { client } = await newUser(running.site.url, 'redisdown');
    await running.redis.stop();
    const page = await client.get('/accounts/sessions');
    assert.equal(page.status, 503);
    assert.match(page.body, /<html lang="en">/);
    assert.equal((await new Client(running.site.url).get('/')).status, 200, 'a visitor without a session still reads pages');
    assert.equal(running.site.process.exitCode, null);
  });

  test('SESSION_STORE=cached-db keeps working on the database while Redis is down', async (t) => {
    const running = await setUp('cached-db');
    if (!running) return skipOrFail(t, 'redis-server not installed');
    const { client, username } = await newUser(running.site.url, 'cachedown');
    await running.redis.stop();
    const page = await client.get('/accounts/sessions');
    assert.equal(page.status, 200, 'nobody is logged out');
    assert.match(page.body, new RegExp(username));
    const other = await newUser(running.site.url, 'cachedown2');
    assert.match((await other.client.get('/')).body, new RegExp(other.username));
    assert.equal((await client.post('/accounts/logout')).status, 303);
    assert.equal((await client.get('/accounts/sessions')).status, 302, 'a logout during the outage holds');
  });
});
