// Anonymous visitors on logged-in-only pages and actions: sent to log in with a `next` that a GET
// can fetch, so that logging in never ends on a 405.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { formFor, inputNamed, loginNext, newUser, PASSWORD, unescapeHtml } from './helpers.ts';

let site: RunningSite;
let username: string;

before(async () => {
  site = await startSite();
  ({ username } = await newUser(site.url, 'redirects'));
});

after(async () => {
  await site.stop();
});

/** Logs in through the form the login redirect points at, as a browser would, and follows on. */
async function logInThrough(client: Client, location: string): Promise<{ status: number; location: string | null; landing: number }> {
  const form = await client.get(location);
  assert.equal(form.status, 200, `the login page ${location} answered ${form.status}`);
  const fields: Record<string, string> = { _csrf: csrfToken(form.body), username, password: PASSWORD };
  const next = inputNamed(formFor(form.body, '/accounts/login'), 'next');
  if (next) fields.next = unescapeHtml(next.value ?? '');
  const response = await client.request('POST', '/accounts/login', { form: fields });
  assert.equal(response.status, 303, `login answered ${response.status}`);
  const landing = await client.get(response.location!);
  return { status: response.status, location: response.location, landing: landing.status };
}

describe('logged-in-only pages', () => {
  for (const path of ['/accounts/update', '/accounts/password', '/accounts/sessions', '/accounts/delete/confirm']) {
    test(`anonymous GET ${path} redirects to /accounts/login?next=${path}, and logging in lands there`, async () => {
      const client = new Client(site.url);
      const response = await client.get(path);
      assert.ok(response.status === 302 || response.status === 303, `got ${response.status}`);
      assert.equal(loginNext(response.location), path);
      const after = await logInThrough(client, response.location!);
      assert.equal(after.location, path);
      assert.equal(after.landing, 200);
    });
  }

  test('next carries the query too, URL-encoded', async () => {
    const client = new Client(site.url);
    const response = await client.get('/accounts/sessions?sort=last&dir=desc');
    assert.ok(response.status === 302 || response.status === 303, 'expected response.status === 302 || response.status === 303');
    assert.equal(loginNext(response.location), '/accounts/sessions?sort=last&dir=desc');
    // '?', '&' and '=' of the page's own query are encoded, so they cannot split the login URL.
    const query = response.location!.slice(response.location!.indexOf('?') + 1);
    assert.equal(query.split('&').length, 1, `the next was not encoded: ${response.location}`);
    const after = await logInThrough(client, response.location!);
    assert.equal(after.location, '/accounts/sessions?sort=last&dir=desc');
    assert.equal(after.landing, 200);
  });

  test('non-ASCII in the query survives the round trip', async () => {
    const client = new Client(site.url);
    const response = await client.get('/accounts/update?q=%ED%95%9C');
    assert.equal(loginNext(response.location), '/accounts/update?q=%ED%95%9C');
  });

  test('HEAD of a logged-in-only page redirects the same way', async () => {
    const response = await new Client(site.url).request('HEAD', '/accounts/update');
    assert.ok(response.status === 302 || response.status === 303, `got ${response.status}`);
    assert.equal(loginNext(response.location), '/accounts/update');
  });
});

describe('POST-only actions', () => {
  const actions = ['/accounts/delete', '/accounts/sessions/revoke-others', '/accounts/sessions/AAAAAAAAAAAAAAAAAAAAAA/revoke'];

  for (const action of actions) {
    test(`anonymous POST ${action} redirects to log in with a next a GET can fetch, never the action`, async () => {
      const client = new Client(site.url);
      const response = await client.post(action);
      assert.ok(response.status === 302 || response.status === 303, `got ${response.status}`);
      const next = loginNext(response.location);
      assert.notEqual(next.split('?')[0], action);
      assert.ok(next.startsWith('/') && !next.startsWith('//'), `unsafe next ${next}`);
      const after = await logInThrough(client, response.location!);
      assert.equal(after.location, next);
      assert.equal(after.landing, 200, `logging in ended on ${after.landing} at ${next}`);
    });
  }

  test('without a token at all the anonymous POST still goes to log in (not a 405 page later)', async () => {
    const client = new Client(site.url);
    const response = await client.request('POST', '/accounts/delete', { form: {} });
    assert.ok([302, 303, 403].includes(response.status), `got ${response.status}`);
    if (response.status !== 403) assert.notEqual(loginNext(response.location), '/accounts/delete');
  });

  test('a POST from a page of this site comes back to that page', async () => {
    const client = new Client(site.url);
    const response = await client.post('/accounts/sessions/revoke-others', {}, { referer: `${site.url}/accounts/sessions` });
    assert.equal(loginNext(response.location), '/accounts/sessions');
  });

  test('a Referer of another site, or one naming the action itself, is not used', async () => {
    for (const referer of ['https://evil.example/accounts/sessions', 'http://evil.example/x', `${site.url}//evil.example/`]) {
      const response = await new Client(site.url).post('/accounts/delete', {}, { referer });
      const next = loginNext(response.location);
      assert.ok(!next.includes('evil.example'), `next ${next} came from ${referer}`);
      assert.ok(next.startsWith('/') && !next.startsWith('//'), 'expected next.startsWith(\'/\') && !next.startsWith(\'//\')');
    }
  });

  test('anonymous POST /accounts/update and /accounts/password never lead to a 405 after login', async () => {
    for (const path of ['/accounts/update', '/accounts/password']) {
      const client = new Client(site.url);
      const response = await client.post(path, { email: 'x@example.com' });
      assert.ok(response.status === 302 || response.status === 303, `got ${response.status}`);
      const after = await logInThrough(client, response.location!);
      assert.equal(after.landing, 200);
    }
  });
});
