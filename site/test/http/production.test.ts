// NODE_ENV=production: every cookie Secure, and no stack trace in any response, a 500 included.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { attribute, cookieNamed, logIn, newUser, openDatabase, raw, signUp, newUsername, PASSWORD } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite({ env: { NODE_ENV: 'production', SECRET_KEY: randomBytes(48).toString('base64url') } });
});

after(async () => {
  await site.stop();
});

/** What a stack trace or an internal error leaks: frames, file paths, driver names. */
function assertNoStack(body: string, what: string): void {
  assert.doesNotMatch(body, /\bat [^\n]*\(?[^\s()]+:\d+:\d+\)?/, `${what}: a stack frame is shown`);
  assert.doesNotMatch(body, /node_modules|\/src\/|\.ts:\d+|SqliteError|no such table/i, `${what}: internals are shown`);
}

test('every cookie the site sets is Secure: csrftoken, sessionid, remembered_username, lang', async () => {
  const client = new Client(site.url);
  const form = await client.get('/accounts/signup');
  assert.equal(attribute(cookieNamed(form, 'csrftoken')!, 'secure'), true, 'csrftoken is not Secure');
  const username = newUsername('prod');
  const signup = await signUp(client, username);
  assert.equal(signup.status, 303);
  const session = cookieNamed(signup, 'sessionid');
  assert.ok(session, 'no sessionid');
  assert.equal(attribute(session, 'secure'), true, 'sessionid is not Secure');
  assert.equal(attribute(session, 'httponly'), true);

  const other = new Client(site.url);
  const login = await logIn(other, username, PASSWORD, { remember_username: 'on', remember_me: 'on' });
  assert.equal(login.status, 303);
  for (const name of ['sessionid', 'csrftoken', 'remembered_username']) {
    assert.equal(attribute(cookieNamed(login, name)!, 'secure'), true, `${name} is not Secure`);
  }
  const logout = await other.post('/accounts/logout');
  assert.equal(attribute(cookieNamed(logout, 'sessionid')!, 'secure'), true, 'the cleared sessionid is not Secure');

  const lang = await new Client(site.url).post('/lang', { lang: 'ko', next: '/' });
  assert.equal(attribute(cookieNamed(lang, 'lang')!, 'secure'), true, 'lang is not Secure');
});

test('error pages show no stack trace', async () => {
  const client = new Client(site.url);
  const responses = [
    await client.get('/no-such-page'),
    await client.get('/accounts/logout'),
    await client.request('POST', '/accounts/login', { form: { username: 'x' } }),
    await client.request('PUT', '/accounts/login'),
  ];
  for (const response of responses) assertNoStack(response.body, String(response.status));
  const malformed = await raw(site.url, 'GET', '/%');
  assert.equal(malformed.status, 400);
  assertNoStack(malformed.body, '400');
});

test('a 500 shows no stack trace, and the site keeps serving', async () => {
  const { client } = await newUser(site.url, 'broken');
  // Take the sessions table away under the running server, so loading a session fails.
  const database = openDatabase(site.dataDir);
  try {
    database.exec('alter table sessions rename to sessions_away');
    const response = await client.get('/');
    assert.ok(response.status === 500 || response.status === 503, `expected a server error, got ${response.status}`);
    assertNoStack(response.body, String(response.status));
    assert.match(response.body, /<html lang="(en|ko)">/);
  } finally {
    database.exec('alter table sessions_away rename to sessions');
    database.close();
  }
  assert.equal((await client.get('/')).status, 200);
  assert.equal((await new Client(site.url).get('/healthz')).status, 200);
});
