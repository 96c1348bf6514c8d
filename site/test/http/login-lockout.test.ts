// OWASP's device-cookie lockout over HTTP: failures counted per account and address and per
// address (IPv6 by its /64), a browser that logged in before never locked out by failures from
// elsewhere, and wrong old passwords counted like failed logins. Addresses are told to the site
// through X-Forwarded-For, with TRUST_PROXY=1, as a proxy in front of it would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { newUser, newUsername, PASSWORD, signUp } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite({ env: { TRUST_PROXY: '1', LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_FAILURES_PER_ADDRESS: '6' } });
});

after(async () => {
  await site.stop();
});

/** A browser at `address`, as the proxy in front of the site names it. */
function browserAt(address: string, client = new Client(site.url)) {
  const from = { 'x-forwarded-for': address };
  return {
    client,
    logIn: (username: string, password = PASSWORD) => client.submit('/accounts/login', '/accounts/login', { username, password, remember_me: 'on' }, from),
    submit: (page: string, action: string, fields: Record<string, string>) => client.submit(page, action, fields, from),
  };
}

async function userWithDevice(address: string) {
  const { client, username } = await newUser(site.url);
  const browser = browserAt(address, client);
  await browser.submit('/', '/accounts/logout', {});
  const login = await browser.logIn(username);
  assert.equal(login.status, 303);
  return { browser, username, login };
}

describe('the device cookie', () => {
  test('a login sets the signed device cookie: HttpOnly, SameSite=Lax, a year', async () => {
    const { login } = await userWithDevice('192.0.2.10');
    const device = login.cookies.find((cookie) => cookie.name === 'device');
    assert.ok(device, 'no device cookie');
    assert.equal(device.attributes.httponly, true);
    assert.equal(String(device.attributes.samesite).toLowerCase(), 'lax');
    assert.equal(device.attributes.path, '/');
    assert.equal(Number(device.attributes['max-age']), 365 * 24 * 3600);
  });

  test('failures of the account from other addresses never lock out the browser that logged in before', async () => {
    const { browser, username } = await userWithDevice('192.0.2.20');
    await browser.submit('/', '/accounts/logout', {});
    for (let i = 0; i < 2; i += 1) {
      const attacker = browserAt(`198.51.100.${i + 1}`);
      for (let attempt = 0; attempt < 3; attempt += 1) assert.equal((await attacker.logIn(username, 'not it')).status, 422);
      assert.equal((await attacker.logIn(username)).status, 429, 'that address is locked out of the account');
    }
    // Six failures from everywhere: the account-wide cap (LOGIN_FAILURES_PER_ADDRESS) for unknown browsers.
    assert.equal((await browserAt('198.51.100.99').logIn(username)).status, 429, 'an unknown browser anywhere waits');
    assert.equal((await browser.logIn(username)).status, 303, 'the known browser logs in');
  });

  test('the account is locked from one address only: another address still logs in', async () => {
    const { client, username } = await newUser(site.url);
    await client.post('/accounts/logout');
    const attacker = browserAt('203.0.113.50');
    for (let attempt = 0; attempt < 3; attempt += 1) await attacker.logIn(username, 'not it');
    const blocked = await attacker.logIn(username);
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    assert.equal((await browserAt('203.0.113.51').logIn(username)).status, 303);
  });

  test('a device cookie of another account, or a forged one, counts for nothing; the account\'s own does', async () => {
    const alice = await userWithDevice('192.0.2.30');
    const bob = await userWithDevice('192.0.2.32');
    await bob.browser.submit('/', '/accounts/logout', {});
    // Bob's account-wide limit for unknown browsers: six failures from elsewhere.
    for (let i = 0; i < 2; i += 1) for (let attempt = 0; attempt < 3; attempt += 1) await browserAt(`198.51.100.${40 + i}`).logIn(bob.username, 'not it');
    const withAlices = browserAt('192.0.2.31');
    withAlices.client.jar.set('device', alice.browser.client.cookie('device')!);
    assert.equal((await withAlices.logIn(bob.username)).status, 429, 'alice\'s device cookie is no pass for bob');
    const forged = browserAt('192.0.2.33');
    forged.client.jar.set('device', `${bob.browser.client.cookie('device')!.slice(0, -6)}AAAAAA`);
    assert.equal((await forged.logIn(bob.username)).status, 429, 'a forged one neither');
    assert.equal((await bob.browser.logIn(bob.username)).status, 303, 'bob\'s own gets him in');
  });
});

describe('counting by address', () => {
  test('IPv6 clients are counted by their /64: other addresses in it are locked out too', async () => {
    for (let i = 0; i < 6; i += 1) await browserAt(`2001:db8:aa:1::${i + 1}`).logIn(newUsername('nobody'), 'guess');
    assert.equal((await browserAt('2001:db8:aa:1:ffff::9').logIn(newUsername('nobody'), 'guess')).status, 429);
    const { client, username } = await newUser(site.url);
    await client.post('/accounts/logout');
    assert.equal((await browserAt('2001:db8:aa:2::1').logIn(username)).status, 303, 'the next /64 is another client');
  });
});

describe('the password change counts wrong old passwords as failed logins', () => {
  test('past the limit it answers 429 with Retry-After, and the password stays', async () => {
    const { client } = await newUser(site.url);
    const browser = browserAt('192.0.2.40', client);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const wrong = await browser.submit('/accounts/password', '/accounts/password', { old_password: 'not it', new_password1: 'Fresh-Meadow-Lamp-19', new_password2: 'Fresh-Meadow-Lamp-19' });
      assert.equal(wrong.status, 422);
    }
    const blocked = await browser.submit('/accounts/password', '/accounts/password', { old_password: PASSWORD, new_password1: 'Fresh-Meadow-Lamp-19', new_password2: 'Fresh-Meadow-Lamp-19' });
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    assert.equal((await client.get('/accounts/update')).status, 200, 'still logged in');
  });

  test('failed logins count too: a session without the account\'s device cookie meets the lockout they caused', async () => {
    const { client, username } = await newUser(site.url);
    const attacker = browserAt('192.0.2.41');
    for (let attempt = 0; attempt < 3; attempt += 1) await attacker.logIn(username, 'not it');
    client.jar.delete('device'); // a stolen session cookie, say, without the browser's device cookie
    const browser = browserAt('192.0.2.41', client);
    const response = await browser.submit('/accounts/password', '/accounts/password', { old_password: 'also not it', new_password1: 'Fresh-Meadow-Lamp-19', new_password2: 'Fresh-Meadow-Lamp-19' });
    assert.equal(response.status, 429);
  });
});

describe('account deletion asks for the password', () => {
  test('none, or a wrong one, gives 422 and deletes nothing; the right one deletes', async () => {
    const { client, username } = await newUser(site.url);
    const browser = browserAt('192.0.2.60', client);
    const page = await client.get('/accounts/delete/confirm');
    assert.match(page.body, /<input[^>]*name="password"[^>]*type="password"|<input[^>]*type="password"[^>]*name="password"/);
    assert.equal((await browser.submit('/accounts/delete/confirm', '/accounts/delete', {})).status, 422);
    const wrong = await browser.submit('/accounts/delete/confirm', '/accounts/delete', { password: 'not it' });
    assert.equal(wrong.status, 422);
    assert.ok(!wrong.body.includes('not it'), 'the password is not echoed');
    assert.equal((await client.get('/accounts/update')).status, 200, 'still there, still logged in');
    const right = await browser.submit('/accounts/delete/confirm', '/accounts/delete', { password: PASSWORD });
    assert.equal(right.status, 303);
    assert.equal((await browserAt('192.0.2.61').logIn(username)).status, 422);
  });
});

describe('the sign-up limit and the bounded hash queue', () => {
  let limited: RunningSite;

  before(async () => {
    // No password hash may wait: a third at once meets a full queue whatever the scheduler does.
    limited = await startSite({ env: { TRUST_PROXY: '1', SIGNUPS_PER_ADDRESS: '2', PASSWORD_HASHES_WAITING: '0' } });
  });

  after(async () => {
    await limited.stop();
  });

  test('SIGNUPS_PER_ADDRESS accounts from one address in an hour, then 429 with Retry-After; another address still signs up', async () => {
    // One at a time: with no hash waiting, sign-ups in parallel would meet the full queue instead.
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const signUpFrom = (address: string, username: string) =>
      new Client(limited.url).submit('/accounts/signup', '/accounts/signup', { username, email: '', password1: PASSWORD, password2: PASSWORD }, from(address));
    assert.equal((await signUpFrom('192.0.2.70', newUsername('s1'))).status, 303);
    assert.equal((await signUpFrom('192.0.2.70', newUsername('s2'))).status, 303);
    const third = await signUpFrom('192.0.2.70', newUsername('s3'));
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) > 3000, 'the window is an hour');
    assert.equal((await signUpFrom('192.0.2.71', newUsername('s4'))).status, 303);
    // A refused form (a taken name) is no account: it does not count.
    const taken = newUsername('taken');
    assert.equal((await signUpFrom('192.0.2.72', taken)).status, 303);
    assert.equal((await signUpFrom('192.0.2.72', taken)).status, 422);
    assert.equal((await signUpFrom('192.0.2.72', newUsername('s5'))).status, 303);
  });

  test('a flood of sign-ups meets a full hash queue: 503 with Retry-After at once, never a long wait or a 5xx of another kind', async () => {
    const flood = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        new Client(limited.url).submit('/accounts/signup', '/accounts/signup', { username: newUsername(`flood${i}`), email: '', password1: PASSWORD, password2: PASSWORD }, { 'x-forwarded-for': `198.51.100.${i + 1}` }),
      ),
    );
    const statuses = flood.map((response) => response.status);
    assert.deepEqual([...new Set(statuses)].filter((status) => status !== 303 && status !== 503), []);
    const refused = flood.filter((response) => response.status === 503);
    assert.ok(refused.length > 0, 'sixty hashes at once overflow two running and none waiting');
    for (const response of refused) assert.equal(response.headers.get('retry-after'), '1');
    assert.ok(statuses.filter((status) => status === 303).length >= 2, 'the two running are served');
  });
});

test('signUp helper still works with the limit raised for the suites', async () => {
  assert.equal((await signUp(new Client(site.url), newUsername('plain'))).status, 303);
});
