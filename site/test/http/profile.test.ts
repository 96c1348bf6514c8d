// GET, POST /accounts/update: email, first and last name, for the logged-in user only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { formFor, inputNamed, loginNext, newUser, userRow } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

test('an anonymous visitor is sent to log in with next=/accounts/update', async () => {
  const response = await new Client(site.url).get('/accounts/update');
  assert.ok(response.status === 302 || response.status === 303, 'expected response.status === 302 || response.status === 303');
  assert.equal(loginNext(response.location), '/accounts/update');
});

test('the form shows the current values', async () => {
  const { client, username } = await newUser(site.url);
  const page = await client.get('/accounts/update');
  assert.equal(page.status, 200);
  const form = formFor(page.body, '/accounts/update');
  for (const name of ['email', 'first_name', 'last_name', '_csrf']) assert.ok(inputNamed(form, name), `no input ${name}`);
  assert.ok(page.body.includes(username), 'expected page.body.includes(username)');
});

test('a valid update saves the fields and redirects 303 to a GET page that shows them', async () => {
  const { client, username } = await newUser(site.url);
  const response = await client.submit('/accounts/update', '/accounts/update', { email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' });
  assert.equal(response.status, 303);
  assert.ok(response.location?.startsWith('/'), `bad Location ${response.location}`);
  const landing = await client.get(response.location!);
  assert.equal(landing.status, 200);
  const page = await client.get('/accounts/update');
  const form = formFor(page.body, '/accounts/update');
  assert.equal(inputNamed(form, 'email')?.value, 'ada@example.com');
  assert.equal(inputNamed(form, 'first_name')?.value, 'Ada');
  assert.equal(inputNamed(form, 'last_name')?.value, 'Lovelace');
  const row = userRow(site.dataDir, username);
  assert.deepEqual([row?.email, row?.first_name, row?.last_name], ['ada@example.com', 'Ada', 'Lovelace']);
});

test('fields can be emptied again', async () => {
  const { client, username } = await newUser(site.url);
  await client.submit('/accounts/update', '/accounts/update', { email: 'x@example.com', first_name: 'X', last_name: 'Y' });
  const response = await client.submit('/accounts/update', '/accounts/update', { email: '', first_name: '', last_name: '' });
  assert.equal(response.status, 303);
  const row = userRow(site.dataDir, username);
  assert.deepEqual([row?.email, row?.first_name, row?.last_name], ['', '', '']);
});

test('a bad email gives 422 with every typed value kept, and saves nothing', async () => {
  const { client, username } = await newUser(site.url);
  const response = await client.submit('/accounts/update', '/accounts/update', { email: 'not-an-email', first_name: 'Grace', last_name: 'Hopper' });
  assert.equal(response.status, 422);
  assert.ok(response.body.includes('Enter a valid email address.'), 'expected response.body.includes(\'Enter a valid email address.\')');
  const form = formFor(response.body, '/accounts/update');
  assert.equal(inputNamed(form, 'email')?.value, 'not-an-email');
  assert.equal(inputNamed(form, 'first_name')?.value, 'Grace');
  assert.equal(inputNamed(form, 'last_name')?.value, 'Hopper');
  const row = userRow(site.dataDir, username);
  assert.deepEqual([row?.email, row?.first_name], ['', '']);
});

test('a first name over 150 characters gives 422', async () => {
  const { client } = await newUser(site.url);
  const response = await client.submit('/accounts/update', '/accounts/update', { email: '', first_name: 'n'.repeat(151), last_name: '' });
  assert.equal(response.status, 422);
  assert.ok(response.body.includes('Ensure this value has at most 150 characters.'), 'expected response.body.includes(\'Ensure this value has at most 150 characters.\')');
});

test('markup in a name is shown escaped', async () => {
  const { client } = await newUser(site.url);
  const response = await client.submit('/accounts/update', '/accounts/update', { email: '', first_name: '<img src=x onerror=alert(1)>', last_name: '"><b>' });
  assert.equal(response.status, 303);
  const page = await client.get('/accounts/update');
  assert.ok(!page.body.includes('<img src=x'), 'expected !page.body.includes(\'<img src=x\')');
  assert.ok(!page.body.includes('"><b>'), 'expected !page.body.includes(\'"><b>\')');
});

test('an update with a wrong CSRF token is refused 403 and saves nothing', async () => {
  const { client, username } = await newUser(site.url);
  const response = await client.request('POST', '/accounts/update', { form: { _csrf: 'x'.repeat(64), email: 'evil@example.com', first_name: 'Evil', last_name: '' } });
  assert.equal(response.status, 403);
  assert.equal(userRow(site.dataDir, username)?.email, '');
});
