// The accounts walk under every SESSION_STORE the contract names: db, redis, cached-db, cookie.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startRedis, type RedisServer } from '../../../test/support/redis.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';

const password = 'a long store passphrase';
const newPassword = 'another long store passphrase';

interface Variant {
  store: string;
  needsRedis: boolean;
  /** the server keeps the session, so it can list and revoke it */
  serverSide: boolean;
}

const variants: Variant[] = [
  { store: 'db', needsRedis: false, serverSide: true },
  { store: 'redis', needsRedis: true, serverSide: true },
  { store: 'cached-db', needsRedis: false, serverSide: true },
  { store: 'cached-db', needsRedis: true, serverSide: true },
  { store: 'cookie', needsRedis: false, serverSide: false },
];

let redis: RedisServer | null = null;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

for (const variant of variants) {
  describe(`SESSION_STORE=${variant.store}${variant.needsRedis ? ' with Redis' : ''}`, () => {
    let site: RunningSite | null = null;

    before(async () => {
      if (variant.needsRedis && !redis) return;
      site = await startSite({ env: { SESSION_STORE: variant.store, ...(variant.needsRedis && redis ? { REDIS_URL: redis.url } : {}) } });
    });
    after(async () => {
      await site?.stop();
    });

    test('signs up, logs out, logs in, and a password change logs the other browser out', async (t) => {
      if (!site) return skipOrFail(t, 'redis-server not installed');
      const username = `user-${variant.store}-${variant.needsRedis ? 'r' : 'l'}`;
      const first = new Client(site.url);
      assert.equal((await first.submit('/accounts/signup', '/accounts/signup', { username, password1: password, password2: password })).status, 303);
      assert.match((await first.get('/')).body, new RegExp(`class="username">${username}<`));
      assert.equal((await first.post('/accounts/logout')).status, 303);
      assert.doesNotMatch((await first.get('/')).body, /class="username"/);
      assert.equal((await first.submit('/accounts/login', '/accounts/login', { username, password, remember_me: 'on' })).status, 303);

      const second = new Client(site.url);
      assert.equal((await second.submit('/accounts/login', '/accounts/login', { username, password })).status, 303);
      assert.match((await second.get('/accounts/update')).body, /class="username"/);

      const change = await first.submit('/accounts/password', '/accounts/password', { old_password: password, new_password1: newPassword, new_password2: newPassword });
      assert.equal(change.status, 303);
      assert.equal((await first.get('/accounts/update')).status, 200, 'this browser stays logged in');
      const other = await second.get('/accounts/update');
      assert.equal(other.status, 302, 'the other browser is logged out');
      assert.match(other.location ?? '', /^\/accounts\/login\?next=/);
    });

    test('a logged-out cookie, replayed, gives an anonymous visitor', async (t) => {
      if (!site) return skipOrFail(t, 'redis-server not installed');
      const username = `out-${variant.store}-${variant.needsRedis ? 'r' : 'l'}`;
      const browser = new Client(site.url);
      assert.equal((await browser.submit('/accounts/signup', '/accounts/signup', { username, password1: password, password2: password })).status, 303);
      const loggedOut = browser.cookie('sessionid');
      assert.ok(loggedOut, 'sign-up set a session cookie');
      assert.equal((await browser.post('/accounts/logout')).status, 303);
      const replay = new Client(site.url);
      replay.jar.set('sessionid', loggedOut);
      const page = await replay.get('/accounts/update');
      assert.equal(page.status, 302, 'the logged-out cookie still logs in');
      assert.doesNotMatch((await replay.get('/')).body, /class="username"/);
    });

    test('"log out all other sessions" logs the other browser out and keeps this one', async (t) => {
      if (!site) return skipOrFail(t, 'redis-server not installed');
      const username = `others-${variant.store}-${variant.needsRedis ? 'r' : 'l'}`;
      const first = new Client(site.url);
      assert.equal((await first.submit('/accounts/signup', '/accounts/signup', { username, password1: password, password2: password })).status, 303);
      const second = new Client(site.url);
      assert.equal((await second.submit('/accounts/login', '/accounts/login', { username, password })).status, 303);
      const page = await first.get('/accounts/sessions');
      assert.match(page.body, /action="\/accounts\/sessions\/revoke-others"/, 'the page offers no way to log the others out');
      assert.equal((await first.submit('/accounts/sessions', '/accounts/sessions/revoke-others', {})).status, 303);
      assert.equal((await second.get('/accounts/update')).status, 302, 'the other browser is still logged in');
      assert.equal((await first.get('/accounts/update')).status, 200, 'this browser was logged out');
    });

    test('lists sessions, revokes another one, and deletes the account', async (t) => {
      if (!site) return skipOrFail(t, 'redis-server not installed');
      const username = `rev-${variant.store}-${variant.needsRedis ? 'r' : 'l'}`;
      const first = new Client(site.url);
      await first.submit('/accounts/signup', '/accounts/signup', { username, password1: password, password2: password });
      const second = new Client(site.url);
      await second.submit('/accounts/login', '/accounts/login', { username, password });
      const page = await first.get('/accounts/sessions');
      const ids = [...page.body.matchAll(/<tr id="session-([A-Za-z0-9_-]+)"/g)].map((match) => match[1]!);
      if (variant.serverSide) {
        assert.equal(ids.length, 2);
        const current = /<tr id="session-([A-Za-z0-9_-]+)" class="current"/.exec(page.body)?.[1];
        const otherId = ids.find((id) => id !== current)!;
        assert.equal((await first.post(`/accounts/sessions/${otherId}/revoke`)).status, 303);
        assert.equal((await second.get('/accounts/update')).status, 302, 'the revoked browser is logged out');
      } else {
        assert.equal(ids.length, 1, 'a cookie session can only show itself');
      }
      assert.equal((await first.post('/accounts/delete', { password })).status, 303);
      assert.equal((await first.get('/accounts/update')).status, 302);
      const again = new Client(site.url);
      assert.equal((await again.submit('/accounts/login', '/accounts/login', { username, password })).status, 422);
    });
  });
}
