// POST /accounts/logout: ends the session (row deleted, cookie expired); GET answers 405.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, attribute, cookieNamed, isCleared, logIn, newUser, sessionCount, userRow } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

test('POST logout redirects 303 to / and expires the sessionid cookie', async () => {
  const { client } = await newUser(site.url);
  const response = await client.post('/accounts/logout');
  assert.equal(response.status, 303);
  assert.equal(response.location, '/');
  const cleared = cookieNamed(response, 'sessionid');
  assert.ok(cleared, 'logout did not touch the sessionid cookie');
  assert.ok(isCleared(cleared), 'the sessionid cookie was not expired');
  assert.equal(attribute(cleared, 'max-age'), '0');
  assert.equal(attribute(cleared, 'path'), '/');
  await assertAnonymous(client);
});

test('after logout the old token no longer logs anyone in, and its row is gone', async () => {
  const { client, username } = await newUser(site.url);
  const token = client.cookie('sessionid')!;
  const userId = userRow(site.dataDir, username)!.id;
  assert.equal(sessionCount(site.dataDir, userId), 1);
  await client.post('/accounts/logout');
  const replay = new Client(site.url);
  replay.jar.set('sessionid', token);
  await assertAnonymous(replay);
  assert.equal(sessionCount(site.dataDir, userId), 0);
});

test('logging out one browser leaves the user logged in elsewhere', async () => {
  const { client, username } = await newUser(site.url);
  const other = new Client(site.url);
  assert.equal((await logIn(other, username)).status, 303);
  await client.post('/accounts/logout');
  await assertAnonymous(client);
  await assertLoggedInAs(other, username);
});

test('an anonymous visitor may post logout: 303 to / and no session is started', async () => {
  const client = new Client(site.url);
  const response = await client.post('/accounts/logout');
  assert.equal(response.status, 303);
  assert.equal(response.location, '/');
  assert.equal(client.cookie('sessionid'), undefined);
});

test('GET logout answers 405 with Allow naming POST, for anonymous and logged-in visitors alike', async () => {
  const { client, username } = await newUser(site.url);
  for (const visitor of [new Client(site.url), client]) {
    const response = await visitor.get('/accounts/logout');
    assert.equal(response.status, 405);
    assert.match(response.headers.get('allow') ?? '', /\bPOST\b/);
  }
  // The GET changed nothing.
  await assertLoggedInAs(client, username);
});

test('logout without a CSRF token is refused 403 and the session stays', async () => {
  const { client, username } = await newUser(site.url);
  const response = await client.request('POST', '/accounts/logout', { form: {} });
  assert.equal(response.status, 403);
  await assertLoggedInAs(client, username);
});
