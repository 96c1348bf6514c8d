// Starting the site: readiness, a second start against the same data, and refusing a weak
// SECRET_KEY in production. Each test here starts the binary itself.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { answeringPids, runCli, startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertLoggedInAs, csrfToken, logIn, newUser, raw, signUp } from './helpers.ts';

describe('a running site', () => {
  let site: RunningSite;

  before(async () => {
    site = await startSite();
  });

  after(async () => {
    await site.stop();
  });

  test('GET /healthz answers 200 with JSON {"status":"ok"}', async () => {
    const response = await new Client(site.url).get('/healthz');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(response.body), { status: 'ok' });
    assert.equal(response.cookies.length, 0, 'a health check sets no cookies');
  });

  test('a superuser made with `tessera createsuperuser` beside the running site can log in on it', async () => {
    const username = 'chiefadmin';
    const password = 'Granite-Harbor-Lamp-58';
    const result = await runCli(['createsuperuser', '--username', username, '--email', 'chief@example.com'], { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATA_DIR: site.dataDir }, `${password}\n`);
    assert.equal(result.code, 0, result.stderr);
    const client = new Client(site.url);
    assert.equal((await logIn(client, username.toUpperCase(), password)).status, 303);
    await assertLoggedInAs(client, username);
  });

  test('the home page offers an anonymous visitor the login link', async () => {
    const response = await new Client(site.url).get('/');
    assert.equal(response.status, 200);
    assert.ok(response.body.includes('href="/accounts/login"'), 'no login link');
  });
});

describe('a second start against the same data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-restart-'));
  let site: RunningSite | undefined;

  after(async () => {
    await site?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('neither fails nor loses users or sessions', async () => {
    const first = await startSite({ dataDir });
    const { client, username } = await newUser(first.url, 'restart');
    await first.stop();

    site = await startSite({ dataDir });
    const health = await new Client(site.url).get('/healthz');
    assert.equal(health.status, 200);
    // The same visitor, still logged in: the session and the secret key were both kept.
    const again = new Client(site.url);
    again.jar.set('sessionid', client.cookie('sessionid')!);
    await assertLoggedInAs(again, username);
    // The account is there: its password works and its name is taken.
    assert.equal((await logIn(new Client(site.url), username)).status, 303);
    assert.equal((await signUp(new Client(site.url), username)).status, 422);
  });
});

describe('WEB_CONCURRENCY=2: two processes share the port and all state', () => {
  let site: RunningSite;

  before(async () => {
    site = await startSite({ env: { WEB_CONCURRENCY: '2', LOG_LEVEL: 'debug' } });
  });

  after(async () => {
    await site.stop();
  });

  test('a session and CSRF token made by one process work in every process', async () => {
    const { client, username } = await newUser(site.url, 'cluster');
    // A new connection per request, so the requests are spread over the processes.
    const cookie = `sessionid=${client.cookie('sessionid')!}; csrftoken=${client.cookie('csrftoken')!}`;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const page = await raw(site.url, 'GET', '/accounts/update', { cookie });
      assert.equal(page.status, 200, `request ${attempt} was not logged in`);
      assert.ok(page.body.includes(username), `request ${attempt} does not name the user`);
    }
    const token = csrfToken((await raw(site.url, 'GET', '/accounts/update', { cookie })).body);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await raw(site.url, 'POST', '/accounts/update', { cookie, 'content-type': 'application/x-www-form-urlencoded' }, `_csrf=${token}&email=n${attempt}%40example.com`);
      assert.equal(response.status, 303, `post ${attempt} answered ${response.status}`);
    }
  });

  test('a logout in one process is seen by every process', async () => {
    const { client } = await newUser(site.url, 'clusterout');
    const cookie = `sessionid=${client.cookie('sessionid')!}`;
    assert.equal((await client.post('/accounts/logout')).status, 303);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const page = await raw(site.url, 'GET', '/accounts/update', { cookie });
      assert.ok(page.status === 302 || page.status === 303, `request ${attempt} was still logged in`);
    }
  });

  test('both processes answered the tests above', () => {
    assert.equal(answeringPids(site).size, 2, `answered by ${[...answeringPids(site)].join(', ')}`);
  });
});

describe('the SECRET_KEY in production', () => {
  // An empty SECRET_KEY stands for a missing one, whatever the parent environment holds.
  for (const [what, secret] of [
    ['missing', ''],
    ['too short', 'short-secret'],
    ['long but of low entropy', 'a'.repeat(64)],
  ] as const) {
    test(`a ${what} SECRET_KEY stops the start with a non-zero exit and a message naming SECRET_KEY`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'tessera-weak-'));
      let started: RunningSite | undefined;
      try {
        // startSite rejects when the process exits before it answers /healthz.
        await assert.rejects(
          (async () => {
            started = await startSite({ dataDir, env: { NODE_ENV: 'production', SECRET_KEY: secret } });
          })(),
          (error: Error) => {
            assert.match(error.message, /exited with [1-9]\d*/, `did not exit non-zero: ${error.message}`);
            assert.match(error.message, /SECRET_KEY/, `the message does not name SECRET_KEY: ${error.message}`);
            return true;
          },
        );
      } finally {
        await started?.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
