// GET, POST /accounts/password: this session stays logged in (under a new token), every other one ends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, cookieNamed, formFor, inputNamed, logIn, loginNext, newUser, PASSWORD, secondSession } from './helpers.ts';

const NEW_PASSWORD = 'Brisk-Meadow-Signal-39';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

function change(client: Client, fields: { old_password: string; new_password1: string; new_password2: string }) {
  return client.submit('/accounts/password', '/accounts/password', fields);
}

test('an anonymous visitor is sent to log in with next=/accounts/password', async () => {
  const response = await new Client(site.url).get('/accounts/password');
  assert.ok(response.status === 302 || response.status === 303, 'expected response.status === 302 || response.status === 303');
  assert.equal(loginNext(response.location), '/accounts/password');
});

test('the form has the old password and both new password fields', async () => {
  const { client } = await newUser(site.url);
  const page = await client.get('/accounts/password');
  assert.equal(page.status, 200);
  const form = formFor(page.body, '/accounts/password');
  for (const name of ['old_password', 'new_password1', 'new_password2', '_csrf']) assert.ok(inputNamed(form, name), `no input ${name}`);
});

test('a wrong old password gives 422 with Django\'s message, echoes nothing and changes nothing (T-V1)', async () => {
  const { client, username } = await newUser(site.url);
  const response = await change(client, { old_password: 'Wrong-Old-Password-12', new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
  assert.equal(response.status, 422);
  assert.ok(response.body.includes('Your old password was entered incorrectly. Please enter it again.'), 'expected response.body.includes(\'Your old password was entered incorrectly. Please enter it again.\')');
  assert.ok(!response.body.includes('Wrong-Old-Password-12'), 'expected !response.body.includes(\'Wrong-Old-Password-12\')');
  assert.ok(!response.body.includes(NEW_PASSWORD), 'expected !response.body.includes(NEW_PASSWORD)');
  assert.equal((await logIn(new Client(site.url), username, PASSWORD)).status, 303);
  assert.equal((await logIn(new Client(site.url), username, NEW_PASSWORD)).status, 422);
});

test('mismatched new passwords give 422 with Django\'s message (T-V2)', async () => {
  const { client } = await newUser(site.url);
  const response = await change(client, { old_password: PASSWORD, new_password1: NEW_PASSWORD, new_password2: `${NEW_PASSWORD}x` });
  assert.equal(response.status, 422);
  assert.ok(response.body.includes('The two password fields didn’t match.'), 'expected response.body.includes(\'The two password fields didn’t match.\')');
  assert.ok(!response.body.includes(PASSWORD), 'expected !response.body.includes(PASSWORD)');
  assert.ok(!response.body.includes(NEW_PASSWORD), 'expected !response.body.includes(NEW_PASSWORD)');
});

test('a new password the validators refuse gives 422', async () => {
  const { client, username } = await newUser(site.url);
  for (const [weak, message] of [
    ['short1!', 'This password is too short.'],
    ['password123', 'This password is too common.'],
    ['5647382910', 'This password is entirely numeric.'],
    [`${username}!`, 'The password is too similar to the username.'],
  ] as const) {
    const response = await change(client, { old_password: PASSWORD, new_password1: weak, new_password2: weak });
    assert.equal(response.status, 422, weak);
    assert.ok(response.body.includes(message), `missing ${message}`);
  }
  await assertLoggedInAs(client, username);
});

test('a change keeps this visitor logged in under a new token and logs out the other session (T-V3)', async () => {
  const { client, username } = await newUser(site.url);
  const other = await secondSession(site.url, username);
  const before = client.cookie('sessionid');
  const response = await change(client, { old_password: PASSWORD, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
  assert.equal(response.status, 303);
  const landing = await client.get(response.location!);
  assert.equal(landing.status, 200);
  const after = cookieNamed(response, 'sessionid');
  assert.ok(after, 'no new sessionid');
  assert.notEqual(after.value, before);
  await assertLoggedInAs(client, username);
  await assertAnonymous(other);
  // The token from before the change is no longer any good either.
  const replay = new Client(site.url);
  replay.jar.set('sessionid', before!);
  await assertAnonymous(replay);
  assert.equal((await logIn(new Client(site.url), username, PASSWORD)).status, 422);
  assert.equal((await logIn(new Client(site.url), username, NEW_PASSWORD)).status, 303);
});

test('a change keeps a browser-session login a browser-session login', async () => {
  const { username } = await newUser(site.url);
  const client = new Client(site.url);
  assert.equal((await logIn(client, username, PASSWORD, {})).status, 303);
  const response = await change(client, { old_password: PASSWORD, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
  assert.equal(response.status, 303);
  const cookie = cookieNamed(response, 'sessionid');
  assert.ok(cookie, 'no new sessionid');
  assert.equal(cookie.attributes['max-age'], undefined, 'the session became persistent');
  assert.equal(cookie.attributes.expires, undefined, 'the session became persistent');
  await assertLoggedInAs(client, username);
});

test('a change without a CSRF token is refused 403 and the password stays', async () => {
  const { client, username } = await newUser(site.url);
  const response = await client.request('POST', '/accounts/password', { form: { old_password: PASSWORD, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD } });
  assert.equal(response.status, 403);
  assert.equal((await logIn(new Client(site.url), username, PASSWORD)).status, 303);
});
