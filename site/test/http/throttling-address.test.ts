// Login throttling per client address: LOGIN_FAILURES_PER_ADDRESS failures, on any usernames, then 429.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { logIn, newUser, PASSWORD } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite({ env: { LOGIN_FAILURES_PER_ADDRESS: '5' } });
});

after(async () => {
  await site.stop();
});

test('many usernames tried from one client get 429 with Retry-After, whatever the account', async () => {
  const { username } = await newUser(site.url, 'spray');
  for (let index = 0; index < 5; index += 1) {
    const response = await logIn(new Client(site.url), `sprayed${index}`, 'Wrong-Password-000');
    assert.equal(response.status, 422, `attempt ${index + 1}`);
  }
  for (const name of ['sprayed-next', username]) {
    const blocked = await logIn(new Client(site.url), name, name === username ? PASSWORD : 'Wrong-Password-000');
    assert.equal(blocked.status, 429, name);
    assert.match(blocked.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  }
});

test('X-Forwarded-For is not trusted by default: a forged address does not escape the limit', async () => {
  const response = await logIn(new Client(site.url), 'another-name', 'Wrong-Password-000', {}, '');
  assert.equal(response.status, 429);
  const client = new Client(site.url);
  const page = await client.get('/accounts/login');
  const token = /name="_csrf" value="([A-Za-z0-9]+)"/.exec(page.body)![1]!;
  const forged = await client.request('POST', '/accounts/login', { form: { _csrf: token, username: 'forged-name', password: 'x' }, headers: { 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(forged.status, 429);
});
