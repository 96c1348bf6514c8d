// Login throttling per account: LOGIN_FAILURES_PER_ACCOUNT failures in 15 minutes, then 429.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, cookieNamed, logIn, newUser, PASSWORD } from './helpers.ts';

const WRONG = 'Wrong-Password-000';

let site: RunningSite;

before(async () => {
  site = await startSite({ env: { LOGIN_FAILURES_PER_ACCOUNT: '3' } });
});

after(async () => {
  await site.stop();
});

function assertRetryAfter(response: { status: number; headers: Headers }): void {
  assert.equal(response.status, 429);
  const retryAfter = response.headers.get('retry-after');
  assert.match(retryAfter ?? '', /^\d+$/, `Retry-After "${retryAfter}" is not in seconds`);
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 15 * 60, `Retry-After ${retryAfter} is outside the 15-minute window`);
}

test('three failures, then 429 with Retry-After even with the right password', async () => {
  const { username } = await newUser(site.url, 'throttled');
  const client = new Client(site.url);
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const response = await logIn(client, username, WRONG);
    assert.equal(response.status, 422, `attempt ${attempt}`);
  }
  const blocked = await logIn(client, username, PASSWORD);
  assertRetryAfter(blocked);
  assert.match(blocked.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(cookieNamed(blocked, 'sessionid'), undefined);
  assert.ok(!blocked.body.includes(PASSWORD), 'the password was echoed');
  await assertAnonymous(client);
  // Another browser gets the same answer: the account is what is counted.
  assertRetryAfter(await logIn(new Client(site.url), username, PASSWORD));
});

test('failures in any case of the username count against the one account', async () => {
  const { username } = await newUser(site.url, 'CaseCount');
  assert.equal((await logIn(new Client(site.url), username, WRONG)).status, 422);
  assert.equal((await logIn(new Client(site.url), username.toUpperCase(), WRONG)).status, 422);
  assert.equal((await logIn(new Client(site.url), username.toLowerCase(), WRONG)).status, 422);
  assertRetryAfter(await logIn(new Client(site.url), username, PASSWORD));
});

test('another account from the same client still logs in', async () => {
  const { username: blockedName } = await newUser(site.url, 'blocked');
  const { username: otherName } = await newUser(site.url, 'other');
  const client = new Client(site.url);
  for (let attempt = 0; attempt < 3; attempt += 1) await logIn(client, blockedName, WRONG);
  assertRetryAfter(await logIn(client, blockedName, PASSWORD));
  const response = await logIn(client, otherName, PASSWORD);
  assert.equal(response.status, 303);
});

test('a success before the limit clears the account\'s count', async () => {
  const { username } = await newUser(site.url, 'resets');
  for (let attempt = 0; attempt < 2; attempt += 1) assert.equal((await logIn(new Client(site.url), username, WRONG)).status, 422);
  assert.equal((await logIn(new Client(site.url), username, PASSWORD)).status, 303);
  for (let attempt = 0; attempt < 2; attempt += 1) assert.equal((await logIn(new Client(site.url), username, WRONG)).status, 422);
  assert.equal((await logIn(new Client(site.url), username, PASSWORD)).status, 303);
});

test('an unknown username is throttled like a real one', async () => {
  const ghost = 'nobody-here-at-all';
  for (let attempt = 0; attempt < 3; attempt += 1) assert.equal((await logIn(new Client(site.url), ghost, WRONG)).status, 422);
  assertRetryAfter(await logIn(new Client(site.url), ghost, WRONG));
});

test('a burst of parallel wrong passwords cannot pass the limit: each attempt is counted before its check', async () => {
  const { username } = await newUser(site.url, 'burst');
  const client = new Client(site.url);
  const token = csrfToken((await client.get('/accounts/login')).body);
  const attempts = await Promise.all(
    Array.from({ length: 12 }, () => client.request('POST', '/accounts/login', { form: { _csrf: token, username, password: 'wrong guess number one' } })),
  );
  const statuses = attempts.map((response) => response.status);
  assert.equal(statuses.filter((status) => status === 422).length, 3, `only the limit may be tried: ${statuses.join(',')}`);
  assert.equal(statuses.filter((status) => status === 429).length, 9);
});
