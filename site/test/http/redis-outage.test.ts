// What the site does while Redis is away: the Redis session store answers 503 and recovers; the
// cached-db store falls back to the database and logs nobody out; and once Redis is back with
// the keys it held, no revocation made before or during the outage is undone.
import assert from 'node:assert/strict';
import { after, describe, test, type TestContext } from 'node:test';
import { createClient } from 'redis';
import { Client } from '../../../test/support/client.ts';
import { startRedis, type RedisServer } from '../../../test/support/redis.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, csrfToken, newUser, PASSWORD, secondSession } from './helpers.ts';

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

describe('Redis stopped for several seconds, then back with every key it held', () => {
  /** How long Redis stays down, and how long the site is watched once it is back. */
  const outageMs = 3_000;
  const afterMs = 5_000;
  const processes = 2;

  async function setUp(t: TestContext, store: string): Promise<{ redis: RedisServer; site: RunningSite } | null> {
    const redis = await startRedis({ persistent: true });
    if (!redis) {
      skipOrFail(t, 'redis-server not installed');
      return null;
    }
    t.after(() => redis.stop());
    // Two processes share the one Redis: the one that serves a replay need not be the one that
    // failed to write the revocation.
    const site = await startSite({ env: { SESSION_STORE: store, REDIS_URL: redis.url, WEB_CONCURRENCY: String(processes) } });
    t.after(() => site.stop());
    return { redis, site };
  }

  /** Clients of Redis other than this one: the site's connections. */
  async function siteConnections(url: string): Promise<number> {
    const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 1_000 } });
    client.on('error', () => {});
    try {
      await client.connect();
      const info = await client.info('clients');
      await client.quit();
      return Number(/connected_clients:(\d+)/.exec(info)?.[1] ?? 1) - 1;
    } catch {
      return 0;
    }
  }

  /**
   * Keeps asking `check` while Redis stays down for the outage's length, and again for a while
   * after it is back: long enough for every process to reconnect (its backoff tops out at two
   * seconds) and serve from the cache again. Paced, and bounded in count too.
   */
  async function repeatFor(ms: number, check: (round: number) => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    for (let round = 0; round < 500 && Date.now() < until; round += 1) {
      await check(round);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** A browser that kept a copy of `client`'s session cookie: what a thief or a stale tab replays. */
  function replayOf(client: Client, base: string): Client {
    const replay = new Client(base);
    replay.jar.set('sessionid', client.cookie('sessionid')!);
    return replay;
  }

  test('SESSION_STORE=cached-db: nobody is logged out, pages come from the database, and no revocation is undone', { timeout: 120_000 }, async (t) => {
    const running = await setUp(t, 'cached-db');
    if (!running) return;
    const { redis, site } = running;
    const { client: staying, username } = await newUser(site.url, 'outagestay');
    const revokedBefore = await secondSession(site.url, username);
    const loggedOutBefore = await secondSession(site.url, username);
    const loggedOutDuring = await secondSession(site.url, username);
    const changer = await newUser(site.url, 'outagepw');
    const otherDevice = await secondSession(site.url, changer.username);
    const everyone = [staying, revokedBefore, loggedOutBefore, loggedOutDuring, changer.client, otherDevice];
    // Every session and user is in the cache, as on a busy site.
    for (let round = 0; round < 3; round += 1) for (const client of everyone) assert.equal((await client.get('/accounts/update')).status, 200);

    const replayBefore = replayOf(loggedOutBefore, site.url);
    assert.equal((await loggedOutBefore.post('/accounts/logout')).status, 303);
    const revoked = replayOf(revokedBefore, site.url);
    const sessions = await staying.get('/accounts/sessions');
    const revokedId = revokedBefore.cookie('sessionid')!.split('.')[0]!;
    assert.ok(sessions.body.includes(revokedId), 'the sessions page lists the browser to revoke');
    assert.equal((await staying.submit('/accounts/sessions', `/accounts/sessions/${encodeURIComponent(revokedId)}/revoke`, {})).status, 303);
    await assertAnonymous(revoked);
    await assertAnonymous(replayBefore);

    assert.ok((await siteConnections(redis.url)) >= processes, 'every process uses Redis');
    await redis.shutDown();

    const replayDuring = replayOf(loggedOutDuring, site.url);
    assert.equal((await loggedOutDuring.post('/accounts/logout')).status, 303, 'a logout works on the database alone');
    const change = await changer.client.submit('/accounts/password', '/accounts/password', { old_password: PASSWORD, new_password1: 'Another-Quiet-Lantern-93', new_password2: 'Another-Quiet-Lantern-93' });
    assert.equal(change.status, 303, 'a password change works on the database alone');
    await repeatFor(outageMs, async () => {
      await assertLoggedInAs(staying, username);
      const page = await staying.get('/accounts/sessions');
      assert.equal(page.status, 200, 'nobody is logged out');
      assert.ok(page.body.includes(username));
      await assertLoggedInAs(changer.client, changer.username);
      for (const gone of [revoked, replayBefore, replayDuring, otherDevice]) assert.equal((await gone.get('/accounts/update')).status, 302);
      assert.equal((await new Client(site.url).get('/')).status, 200);
    });

    await redis.restart();
    await repeatFor(afterMs, async (round) => {
      await assertLoggedInAs(staying, username);
      await assertLoggedInAs(changer.client, changer.username);
      for (const [name, gone] of Object.entries({ revokedBefore: revoked, replayBefore, replayDuring, otherDevice })) {
        const page = await gone.get('/accounts/update');
        assert.equal(page.status, 302, `${name}: a revocation was undone once Redis came back (round ${round})`);
      }
    });
    assert.ok((await siteConnections(redis.url)) >= processes, 'every process is back on Redis');
  });

  test('SESSION_STORE=redis: 503, never 500, while it is down; once back, nobody is logged out and no revocation is undone', { timeout: 120_000 }, async (t) => {
    const running = await setUp(t, 'redis');
    if (!running) return;
    const { redis, site } = running;
    const { client: staying, username } = await newUser(site.url, 'redisstay');
    const revokedBefore = await secondSession(site.url, username);
    const loggedOutBefore = await secondSession(site.url, username);
    for (const client of [staying, revokedBefore, loggedOutBefore]) assert.equal((await client.get('/accounts/update')).status, 200);
    const replayBefore = replayOf(loggedOutBefore, site.url);
    assert.equal((await loggedOutBefore.post('/accounts/logout')).status, 303);
    const revoked = replayOf(revokedBefore, site.url);
    const revokedId = revokedBefore.cookie('sessionid')!.split('.')[0]!;
    assert.equal((await staying.submit('/accounts/sessions', `/accounts/sessions/${encodeURIComponent(revokedId)}/revoke`, {})).status, 303);
    await assertAnonymous(revoked);
    await assertAnonymous(replayBefore);

    // A form's token, taken while pages still render, so the logout below gets past CSRF.
    const token = csrfToken((await staying.get('/accounts/update')).body);
    await redis.shutDown();
    await repeatFor(outageMs, async () => {
      for (const path of ['/accounts/update', '/accounts/sessions', '/']) {
        const page = await staying.get(path);
        assert.equal(page.status, 503, `${path} while Redis is down`);
        assert.match(page.body, /<html lang="en">/);
      }
      assert.equal((await revoked.get('/accounts/update')).status, 503);
      assert.equal((await new Client(site.url).get('/')).status, 200, 'a visitor without a session still reads pages');
    });
    const refused = await staying.request('POST', '/accounts/logout', { form: { _csrf: token } });
    assert.equal(refused.status, 503, 'a logout the store cannot take is refused, not acknowledged');
    assert.equal(site.process.exitCode, null);

    await redis.restart();
    // A process answers 503 until it has reconnected, never 500, and never lets a revoked session in.
    await repeatFor(afterMs, async (round) => {
      const page = await staying.get('/accounts/update');
      assert.ok(page.status === 200 || page.status === 503, `the staying browser got ${page.status} (round ${round})`);
      for (const [name, gone] of Object.entries({ revokedBefore: revoked, replayBefore })) {
        const status = (await gone.get('/accounts/update')).status;
        assert.ok(status === 302 || status === 503, `${name}: ${status} once Redis came back (round ${round})`);
      }
    });
    for (let round = 0; round < 6; round += 1) {
      await assertLoggedInAs(staying, username);
      for (const gone of [revoked, replayBefore]) assert.equal((await gone.get('/accounts/update')).status, 302);
    }
    assert.ok((await siteConnections(redis.url)) >= processes, 'every process is back on Redis');
  });
});
