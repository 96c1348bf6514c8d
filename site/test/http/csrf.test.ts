// CSRF: every state-changing POST needs the _csrf field (or X-CSRF-Token) matching the csrftoken
// cookie, and no Origin of another site; a refused request is 403 and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, cookieNamed, logIn, newUser, newUsername, PASSWORD, raw, signUp, userRow } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

function signupFields(username: string): Record<string, string> {
  return { username, email: '', password1: PASSWORD, password2: PASSWORD };
}

/** The refused signup created nobody: the same name can still be signed up. */
async function assertNotCreated(username: string): Promise<void> {
  assert.equal(userRow(site.dataDir, username), undefined, `${username} was created`);
  const response = await signUp(new Client(site.url), username);
  assert.equal(response.status, 303);
}

/** A visitor who has seen the signup form: csrftoken cookie set, token in hand. */
async function visitorWithToken(): Promise<{ client: Client; token: string }> {
  const client = new Client(site.url);
  const page = await client.get('/accounts/signup');
  return { client, token: csrfToken(page.body) };
}

describe('refused signups (403, nothing created)', () => {
  test('no token at all', async () => {
    const { client } = await visitorWithToken();
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: signupFields(username) });
    assert.equal(response.status, 403);
    assert.equal(cookieNamed(response, 'sessionid'), undefined);
    await assertNotCreated(username);
  });

  test('an empty token', async () => {
    const { client } = await visitorWithToken();
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: '', ...signupFields(username) } });
    assert.equal(response.status, 403);
    await assertNotCreated(username);
  });

  test('a wrong token of the right shape', async () => {
    const { client } = await visitorWithToken();
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: 'a'.repeat(64), ...signupFields(username) } });
    assert.equal(response.status, 403);
    await assertNotCreated(username);
  });

  test('a token but no csrftoken cookie', async () => {
    const { client, token } = await visitorWithToken();
    client.jar.delete('csrftoken');
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: token, ...signupFields(username) } });
    assert.equal(response.status, 403);
    await assertNotCreated(username);
  });

  test('a token with someone else\'s csrftoken cookie', async () => {
    const { client, token } = await visitorWithToken();
    const stranger = await visitorWithToken();
    client.jar.set('csrftoken', stranger.client.cookie('csrftoken')!);
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: token, ...signupFields(username) } });
    assert.equal(response.status, 403);
    await assertNotCreated(username);
  });

  test('a valid token but Origin: https://evil.example', async () => {
    const { client, token } = await visitorWithToken();
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: token, ...signupFields(username) }, headers: { origin: 'https://evil.example' } });
    assert.equal(response.status, 403);
    await assertNotCreated(username);
  });

  test('a valid token but Origin: null', async () => {
    const { client, token } = await visitorWithToken();
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: token, ...signupFields(username) }, headers: { origin: 'null' } });
    assert.equal(response.status, 403);
    await assertNotCreated(username);
  });

  test('a text/plain body carrying the fields is 403, not 415 or 500', async () => {
    const { client, token } = await visitorWithToken();
    const username = newUsername();
    const body = new URLSearchParams({ _csrf: token, ...signupFields(username) }).toString();
    const response = await client.request('POST', '/accounts/signup', { body, headers: { 'content-type': 'text/plain' } });
    assert.equal(response.status, 403);
    await assertNotCreated(username);
  });

  for (const type of ['application/json', 'multipart/form-data; boundary=x', 'application/xml', 'text/plain;charset=UTF-8']) {
    test(`a ${type} body is 403, not 415 or 500`, async () => {
      const { client, token } = await visitorWithToken();
      const username = newUsername();
      const body = type.startsWith('application/json') ? JSON.stringify({ _csrf: token, ...signupFields(username) }) : `_csrf=${token}&username=${username}`;
      const response = await client.request('POST', '/accounts/signup', { body, headers: { 'content-type': type } });
      assert.equal(response.status, 403);
      assert.equal(userRow(site.dataDir, username), undefined);
    });
  }

  test('the 403 page is an HTML page of the site saying why', async () => {
    const { client } = await visitorWithToken();
    const response = await client.request('POST', '/accounts/signup', { form: signupFields(newUsername()) });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.body, /<html lang="en">/);
    assert.ok(response.body.includes('CSRF'), 'the 403 page does not say the CSRF check failed');
  });
});

describe('accepted CSRF tokens', () => {
  test('the X-CSRF-Token header works in place of the field', async () => {
    const { client, token } = await visitorWithToken();
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: signupFields(username), headers: { 'x-csrf-token': token } });
    assert.equal(response.status, 303);
    await assertLoggedInAs(client, username);
  });

  test('a wrong X-CSRF-Token header is refused', async () => {
    const { client } = await visitorWithToken();
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: signupFields(username), headers: { 'x-csrf-token': 'b'.repeat(64) } });
    assert.equal(response.status, 403);
    assert.equal(userRow(site.dataDir, username), undefined);
  });

  test('an Origin naming this very site is accepted', async () => {
    const { client, token } = await visitorWithToken();
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: token, ...signupFields(username) }, headers: { origin: site.url } });
    assert.equal(response.status, 303);
  });

  test('a token from an older page of the same visitor still works (the secret, not the mask, counts)', async () => {
    const client = new Client(site.url);
    const first = csrfToken((await client.get('/accounts/signup')).body);
    const second = csrfToken((await client.get('/accounts/signup')).body);
    assert.notEqual(first, second, 'every page should carry a freshly masked token');
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: first, ...signupFields(username) } });
    assert.equal(response.status, 303);
  });

  test('a malformed csrftoken cookie is replaced when a form is shown, and that form works', async () => {
    const client = new Client(site.url);
    client.jar.set('csrftoken', 'not-a-secret');
    const page = await client.get('/accounts/signup');
    const replaced = cookieNamed(page, 'csrftoken');
    assert.ok(replaced && replaced.value !== 'not-a-secret', 'the malformed cookie was kept');
    const username = newUsername();
    const response = await client.request('POST', '/accounts/signup', { form: { _csrf: csrfToken(page.body), ...signupFields(username) } });
    assert.equal(response.status, 303);
  });

  test('a form body whose content type names a charset is read as a form', async () => {
    const { client, token } = await visitorWithToken();
    const username = newUsername();
    const body = new URLSearchParams({ _csrf: token, ...signupFields(username) }).toString();
    const response = await client.request('POST', '/accounts/signup', { body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } });
    assert.equal(response.status, 303);
  });

  test('the csrftoken cookie is SameSite=Lax, Path=/', async () => {
    const page = await new Client(site.url).get('/accounts/login');
    const cookie = cookieNamed(page, 'csrftoken');
    assert.ok(cookie, 'expected cookie');
    assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'lax');
    assert.equal(cookie.attributes.path, '/');
  });
});

describe('login and logged-in actions are protected too', () => {
  test('a login without a token is refused 403 and does not log in', async () => {
    const { username } = await newUser(site.url);
    const client = new Client(site.url);
    await client.get('/accounts/login');
    const response = await client.request('POST', '/accounts/login', { form: { username, password: PASSWORD } });
    assert.equal(response.status, 403);
    assert.equal(cookieNamed(response, 'sessionid'), undefined);
    await assertAnonymous(client);
  });

  test('a login from another Origin is refused 403', async () => {
    const { username } = await newUser(site.url);
    const client = new Client(site.url);
    const response = await logIn(client, username, PASSWORD, {}, '');
    assert.equal(response.status, 303);
    const attacker = new Client(site.url);
    const page = await attacker.get('/accounts/login');
    const refused = await attacker.request('POST', '/accounts/login', { form: { _csrf: csrfToken(page.body), username, password: PASSWORD }, headers: { origin: 'https://evil.example' } });
    assert.equal(refused.status, 403);
    await assertAnonymous(attacker);
  });

  test('a logged-in user\'s token is checked on logout, update and delete', async () => {
    const { client, username } = await newUser(site.url);
    for (const path of ['/accounts/logout', '/accounts/update', '/accounts/delete', '/accounts/password', '/accounts/sessions/revoke-others']) {
      const response = await client.request('POST', path, { form: { _csrf: 'c'.repeat(64), email: 'changed@example.com' } });
      assert.equal(response.status, 403, path);
    }
    await assertLoggedInAs(client, username);
    assert.equal(userRow(site.dataDir, username)?.email, '');
  });

  test('a raw POST with no cookies at all is 403', async () => {
    const response = await raw(site.url, 'POST', '/accounts/signup', { 'content-type': 'application/x-www-form-urlencoded' }, `username=${newUsername()}&password1=${PASSWORD}&password2=${PASSWORD}`);
    assert.equal(response.status, 403);
  });
});

describe('CSRF comes before the login redirect, as in Django', () => {
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
});
