// POST /accounts/delete: the user, and every session of theirs, gone; GET answers 405.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, logIn, newUser, PASSWORD, secondSession, sessionCount, signUp, userRow } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

test('POST delete redirects 303 to /, and the user can no longer log in', async () => {
  const { client, username } = await newUser(site.url);
  const response = await client.post('/accounts/delete', { password: PASSWORD });
  assert.equal(response.status, 303);
  assert.equal(response.location, '/');
  assert.equal(userRow(site.dataDir, username), undefined);
  await assertAnonymous(client);
  const login = await logIn(new Client(site.url), username);
  assert.equal(login.status, 422);
  assert.ok(login.body.includes('Please enter a correct username and password.'), 'expected login.body.includes(\'Please enter a correct username and password.\')');
});

test('every session of the deleted user ends, in every browser', async () => {
  const { client, username } = await newUser(site.url);
  const other = await secondSession(site.url, username);
  const userId = userRow(site.dataDir, username)!.id;
  assert.equal(sessionCount(site.dataDir, userId), 2);
  const response = await client.post('/accounts/delete', { password: PASSWORD });
  assert.equal(response.status, 303);
  await assertAnonymous(other);
  assert.equal(sessionCount(site.dataDir, userId), 0);
});

test('deleting one user leaves the others alone', async () => {
  const { client } = await newUser(site.url);
  const bystander = await newUser(site.url);
  await client.post('/accounts/delete', { password: PASSWORD });
  await assertLoggedInAs(bystander.client, bystander.username);
});

test('the name of a deleted user can be signed up again', async () => {
  const { client, username } = await newUser(site.url);
  await client.post('/accounts/delete', { password: PASSWORD });
  const again = await signUp(new Client(site.url), username);
  assert.equal(again.status, 303);
});

test('the confirmation page posts to /accounts/delete', async () => {
  const { client } = await newUser(site.url);
  const page = await client.get('/accounts/delete/confirm');
  assert.equal(page.status, 200);
  assert.match(page.body, /<form\b[^>]*method="post"[^>]*action="\/accounts\/delete"/);
});

test('GET /accounts/delete answers 405 with Allow: POST, whoever asks, and deletes nothing', async () => {
  const { client, username } = await newUser(site.url);
  for (const visitor of [new Client(site.url), client]) {
    const response = await visitor.get('/accounts/delete');
    assert.equal(response.status, 405);
    assert.match(response.headers.get('allow') ?? '', /\bPOST\b/);
  }
  await assertLoggedInAs(client, username);
});

test('a delete without a valid CSRF token, or from another site, is refused 403 and deletes nothing', async () => {
  const { client, username } = await newUser(site.url);
  const missing = await client.request('POST', '/accounts/delete', { form: {} });
  assert.equal(missing.status, 403);
  const foreign = await client.post('/accounts/delete', {}, { origin: 'https://evil.example' });
  assert.equal(foreign.status, 403);
  assert.ok(userRow(site.dataDir, username), 'expected userRow(site.dataDir, username)');
  await assertLoggedInAs(client, username);
});
