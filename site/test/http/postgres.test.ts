// The site on a real PostgreSQL: the accounts walk, 503 while the database is gone, recovery after.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';

const password = 'a sturdy postgres passphrase';

async function waitForHealth(url: string, status: number): Promise<number> {
  let last = 0;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    last = (await fetch(`${url}/healthz`)).status;
    if (last === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}

describe('the site on PostgreSQL', () => {
  let postgres: PostgresServer | null = null;
  let site: RunningSite | null = null;

  before(async () => {
    postgres = await startPostgres();
    if (postgres) site = await startSite({ env: { DATABASE_URL: postgres.url } });
  });

  after(async () => {
    await site?.stop();
    await postgres?.stop();
  });

  test('signs up, logs out and logs in again', async (t) => {
    if (!site) return skipOrFail(t, 'PostgreSQL binaries not installed');
    const client = new Client(site.url);
    const signup = await client.submit('/accounts/signup', '/accounts/signup', { username: 'Pg-User', password1: password, password2: password });
    assert.equal(signup.status, 303);
    assert.match((await client.get('/')).body, /Pg-User/);
    assert.equal((await client.post('/accounts/logout')).status, 303);
    const login = await client.submit('/accounts/login', '/accounts/login', { username: 'pg-user', password });
    assert.equal(login.status, 303);
    assert.match((await client.get('/accounts/sessions')).body, /Pg-User/);
  });

  test('answers 503 while the database is down, keeps running, and recovers by itself', async (t) => {
    if (!site || !postgres) return skipOrFail(t, 'PostgreSQL binaries not installed');
    const client = new Client(site.url);
    const signup = await client.submit('/accounts/signup', '/accounts/signup', { username: 'outage', password1: password, password2: password });
    assert.equal(signup.status, 303);

    await postgres.pause();
    try {
      assert.equal((await fetch(`${site.url}/healthz`)).status, 503);
      const page = await client.get('/accounts/sessions');
      assert.equal(page.status, 503);
      assert.match(page.body, /<html lang="en">/);
      assert.equal(site.process.exitCode, null, 'the process must keep running');
    } finally {
      await postgres.resume();
    }
    assert.equal(await waitForHealth(site.url, 200), 200);
    const page = await client.get('/accounts/sessions');
    assert.equal(page.status, 200, 'the session survived the outage');
    assert.match(page.body, /outage/);
  });

  test('a NUL character in any field is a form error, never a 500 from PostgreSQL', async (t) => {
    if (!site) return skipOrFail(t, 'PostgreSQL binaries not installed');
    const client = new Client(site.url);
    const bad = await client.submit('/accounts/signup', '/accounts/signup', { username: 'nul-user', email: 'a\0b@example.com', password1: password, password2: password });
    assert.equal(bad.status, 422);
    assert.equal((await client.submit('/accounts/login', '/accounts/login', { username: 'nul\0user', password })).status, 422);
    assert.equal((await client.submit('/accounts/signup', '/accounts/signup', { username: 'nul-user', password1: password, password2: password })).status, 303);
    assert.equal((await client.submit('/accounts/update', '/accounts/update', { email: '', first_name: 'a\0', last_name: '' })).status, 422);
    assert.equal((await client.submit('/articles/new', '/articles', { title: 't\0', content: 'c' })).status, 422);
    assert.equal((await client.submit('/articles/new', '/articles', { title: 't', content: 'c\0' })).status, 422);
    assert.equal((await client.get('/')).status, 200);
  });

  test('more processes × DATABASE_POOL_SIZE than the server allows stops the start, naming both settings', async (t) => {
    if (!postgres) return skipOrFail(t, 'PostgreSQL binaries not installed');
    // The test server allows 50 connections, 3 of them kept for superusers.
    await assert.rejects(
      startSite({ env: { DATABASE_URL: postgres.url, WEB_CONCURRENCY: '5', DATABASE_POOL_SIZE: '10' } }),
      /WEB_CONCURRENCY \(5\) × DATABASE_POOL_SIZE \(10\) = 50 connections, more than the database server allows \(47/,
    );
    const fits = await startSite({ env: { DATABASE_URL: postgres.url, WEB_CONCURRENCY: '2', DATABASE_POOL_SIZE: '20' } });
    await fits.stop();
  });

  test('a second start against the same database keeps its users', async (t) => {
    if (!site || !postgres) return skipOrFail(t, 'PostgreSQL binaries not installed');
    const client = new Client(site.url);
    await client.submit('/accounts/signup', '/accounts/signup', { username: 'survivor', password1: password, password2: password });
    await site.stop();
    site = await startSite({ env: { DATABASE_URL: postgres.url } });
    const again = new Client(site.url);
    const login = await again.submit('/accounts/login', '/accounts/login', { username: 'survivor', password });
    assert.equal(login.status, 303);
  });
});
