// Behaviours a review asked for: the login throttle holds against a burst, CSRF comes before the
// login redirect, error pages know the user, unknown static names get the 404 page, one ETag
// for every process, and clearsessions also forgets finished login-failure counters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { runCli, startSite, type RunningSite } from '../../../test/support/site.ts';
import { newUser, openDatabase, PASSWORD } from './helpers.ts';

describe('a site with a low per-account limit', () => {
  let site: RunningSite;
  before(async () => {
    site = await startSite({ env: { LOGIN_FAILURES_PER_ACCOUNT: '3' } });
  });
  after(async () => {
    await site.stop();
  });

  test('a burst of parallel wrong passwords cannot pass the limit: each attempt is counted before its check', async () => {
    const { username } = await newUser(site.url, 'burst');
    const client = new Client(site.url);
    const token = csrfToken((await client.get('/accounts/login')).body);
    const attempts = await Promise.all(
      Array.from({ length: 12 }, () => client.request('POST', '/accounts/login', { form: { _csrf: token, username, password: 'wrong guess number one' } })),
    );
    const statuses = attempts.map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 422).length, 3, `only the limit may be tried: ${statuses.join(',')}`);
    assert.equal(statuses.filter((status) => status === 429).length, 9);
  });

  test('clearsessions also deletes login-failure counters whose window is over', async () => {
    const db = openDatabase(site.dataDir);
    db.prepare("insert into login_failures (key, count, window_start) values ('account:old-spray', 5, ?)").run(Date.now() - 3_600_000);
    db.close();
    const result = await runCli(['clearsessions'], { DATA_DIR: site.dataDir, NODE_ENV: 'test' });
    assert.equal(result.code, 0, result.stderr);
    const check = openDatabase(site.dataDir);
    const left = check.prepare("select count(*) as n from login_failures where key = 'account:old-spray'").get() as { n: number };
    check.close();
    assert.equal(left.n, 0);
  });
});

describe('the site in one process', () => {
  let site: RunningSite;
  before(async () => {
    site = await startSite();
  });
  after(async () => {
    await site.stop();
  });

  test('an anonymous POST without a CSRF token to a logged-in-only action is refused with 403, not redirected', async () => {
    const response = await new Client(site.url).request('POST', '/accounts/delete', { form: {} });
    assert.equal(response.status, 403);
  });

  test('with its token, the same anonymous POST is sent to log in', async () => {
    const client = new Client(site.url);
    const response = await client.post('/accounts/delete');
    assert.equal(response.status, 302);
    assert.match(response.location ?? '', /^\/accounts\/login\?next=/);
  });

  test('the 413 page of a logged-in user still shows who they are', async () => {
    const { client, username } = await newUser(site.url, 'big');
    const token = csrfToken((await client.get('/accounts/update')).body);
    const response = await client.request('POST', '/accounts/update', { form: { _csrf: token, first_name: 'x'.repeat(1_100_000) } });
    assert.equal(response.status, 413);
    assert.match(response.body, new RegExp(`class="username">${username}<`));
  });

  test('an unknown static file name gets the site\'s 404 page', async () => {
    const response = await new Client(site.url).get('/static/nothing.0123456789ab.css');
    assert.equal(response.status, 404);
    assert.match(response.body, /<html lang="en">/);
  });
});

describe('the site in two processes', () => {
  let site: RunningSite;
  before(async () => {
    site = await startSite({ env: { WEB_CONCURRENCY: '2' } });
  });
  after(async () => {
    await site.stop();
  });

  test('an unchanged page has one ETag, whichever process answers', async () => {
    const { client } = await newUser(site.url, 'etag', PASSWORD);
    const etags = new Set<string>();
    // Fresh connections, so the kernel spreads them over both workers.
    for (let i = 0; i < 16; i += 1) {
      const response = await client.get('/accounts/update', { connection: 'close' });
      etags.add(response.headers.get('etag') ?? '');
    }
    assert.equal(etags.size, 1, [...etags].join(' '));
  });
});
