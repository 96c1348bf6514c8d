// GET, POST /accounts/login: any case, one message for every failure, remember choices, safe next.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import {
  assertAnonymous,
  assertLoggedInAs,
  assertSessionCookie,
  attribute,
  cookieNamed,
  deactivate,
  formFor,
  inputNamed,
  isCleared,
  logIn,
  newUser,
  newUsername,
  openDatabase,
  PASSWORD,
  sessionCount,
  signUp,
  withoutTokens,
} from './helpers.ts';

const invalidLogin = 'Please enter a correct username and password.';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

/** A user who exists but is logged out: their name, and a visitor with no session. */
async function existingUser(prefix = 'login'): Promise<string> {
  const { username } = await newUser(site.url, prefix);
  return username;
}

describe('login form', () => {
  test('GET shows username, password, both checkboxes and a CSRF token, and starts no session', async () => {
    const client = new Client(site.url);
    const page = await client.get('/accounts/login');
    assert.equal(page.status, 200);
    const form = formFor(page.body, '/accounts/login');
    for (const name of ['username', 'password', 'remember_username', 'remember_me', '_csrf']) assert.ok(inputNamed(form, name), `no input ${name}`);
    assert.equal(inputNamed(form, 'remember_username')?.type, 'checkbox');
    assert.equal(inputNamed(form, 'remember_me')?.type, 'checkbox');
    assert.equal(cookieNamed(page, 'sessionid'), undefined);
  });

  test('a logged-in visitor asking for the login form is redirected to /', async () => {
    const { client } = await newUser(site.url);
    const page = await client.get('/accounts/login');
    assert.ok(page.status === 302 || page.status === 303, `got ${page.status}`);
    assert.equal(page.location, '/');
    const next = await client.get('/accounts/login?next=%2Faccounts%2Fsessions');
    assert.equal(next.location, '/');
  });

  test('a logged-in visitor posting the login form is redirected to / and stays who they are', async () => {
    const { client, username } = await newUser(site.url);
    const other = await existingUser();
    const response = await client.post('/accounts/login', { username: other, password: PASSWORD });
    assert.ok(response.status === 302 || response.status === 303, `got ${response.status}`);
    assert.equal(response.location, '/');
    await assertLoggedInAs(client, username);
  });
});

describe('successful login', () => {
  test('redirects 303 to / with a 14-day HttpOnly SameSite=Lax sessionid, and names the user', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    const response = await logIn(client, username);
    assert.equal(response.status, 303);
    assert.equal(response.location, '/');
    assertSessionCookie(cookieNamed(response, 'sessionid'), { persistent: true });
    const home = await client.get('/');
    assert.ok(home.body.includes(username), 'expected home.body.includes(username)');
  });

  test('any case of the username logs in', async () => {
    const username = await existingUser('MixedCase');
    for (const variant of [username.toLowerCase(), username.toUpperCase(), username]) {
      const client = new Client(site.url);
      const response = await logIn(client, variant);
      assert.equal(response.status, 303, `${variant} did not log in`);
      await assertLoggedInAs(client, username);
    }
  });

  test('remember_me unticked gives a browser-session cookie: no Max-Age, no Expires', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    const response = await logIn(client, username, PASSWORD, {});
    assert.equal(response.status, 303);
    assertSessionCookie(cookieNamed(response, 'sessionid'), { persistent: false });
    await assertLoggedInAs(client, username);
  });

  test('remember_me ticked gives Max-Age=1209600', async () => {
    const username = await existingUser();
    const response = await logIn(new Client(site.url), username, PASSWORD, { remember_me: 'on' });
    assertSessionCookie(cookieNamed(response, 'sessionid'), { persistent: true });
  });

  test('remember_username sets an HttpOnly SameSite=Lax 30-day cookie that pre-fills the form', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    const response = await logIn(client, username, PASSWORD, { remember_me: 'on', remember_username: 'on' });
    assert.equal(response.status, 303);
    const remembered = cookieNamed(response, 'remembered_username');
    assert.ok(remembered, 'no remembered_username cookie');
    assert.equal(decodeURIComponent(remembered.value), username);
    assert.equal(attribute(remembered, 'httponly'), true);
    assert.equal(String(attribute(remembered, 'samesite')).toLowerCase(), 'lax');
    assert.equal(attribute(remembered, 'max-age'), '2592000');

    const logout = await client.post('/accounts/logout');
    assert.equal(logout.status, 303);
    const form = await client.get('/accounts/login');
    assert.equal(form.status, 200);
    const fields = formFor(form.body, '/accounts/login');
    assert.equal(inputNamed(fields, 'username')?.value, username);
    assert.ok(inputNamed(fields, 'remember_username')?.checked !== undefined, 'the box should stay ticked');
  });

  test('logging in later with remember_username unticked clears the cookie with Max-Age=0', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    await logIn(client, username, PASSWORD, { remember_username: 'on' });
    assert.ok(client.cookie('remembered_username'), 'expected client.cookie(\'remembered_username\')');
    await client.post('/accounts/logout');
    const response = await logIn(client, username, PASSWORD, {});
    assert.equal(response.status, 303);
    const cleared = cookieNamed(response, 'remembered_username');
    assert.ok(cleared, 'the cookie was not cleared');
    assert.ok(isCleared(cleared), 'the cookie was not expired');
    assert.equal(attribute(cleared, 'max-age'), '0');
    await client.post('/accounts/logout');
    const form = await client.get('/accounts/login');
    assert.equal(inputNamed(formFor(form.body, '/accounts/login'), 'username')?.value ?? '', '');
  });

  test('an HTML-ish remembered_username cookie is shown escaped', async () => {
    const client = new Client(site.url);
    client.jar.set('remembered_username', encodeURIComponent('"><script>alert(1)</script>'));
    const form = await client.get('/accounts/login');
    assert.equal(form.status, 200);
    assert.ok(!form.body.includes('<script>alert(1)</script>'), 'expected !form.body.includes(\'<script>alert(1)</script>\')');
  });

  test('next from the query is kept in a hidden field and followed', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    const page = await client.get('/accounts/login?next=%2Faccounts%2Fsessions%3Ftab%3D1');
    const next = inputNamed(formFor(page.body, '/accounts/login'), 'next');
    assert.equal(next?.type, 'hidden');
    assert.equal(next?.value, '/accounts/sessions?tab=1');
    const response = await client.request('POST', '/accounts/login', {
      form: { _csrf: csrfToken(page.body), username, password: PASSWORD, next: '/accounts/sessions?tab=1' },
    });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/accounts/sessions?tab=1');
  });

  test('next on the POST query string alone is followed too', async () => {
    const username = await existingUser();
    const response = await logIn(new Client(site.url), username, PASSWORD, {}, '?next=%2Faccounts%2Fupdate');
    assert.equal(response.status, 303);
    assert.equal(response.location, '/accounts/update');
  });

  test('next is kept on the form shown again after a failed login', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    const failed = await logIn(client, username, 'Wrong-Password-000', { next: '/accounts/sessions' });
    assert.equal(failed.status, 422);
    assert.equal(inputNamed(formFor(failed.body, '/accounts/login'), 'next')?.value, '/accounts/sessions');
  });
});

describe('login redirect safety (Django T-R4 and T-R1)', () => {
  const bad = [
    // T-R4 LoginTest.test_security_check
    'http://example.com', 'http:///example.com', 'https://example.com', 'ftp://example.com',
    '///example.com', '//example.com', 'javascript:alert("XSS")',
    // a selection of T-R1, plus the leading space and other forms the contract names
    '\\\\example.com', '/\\/example.com', '\\/example.com', '/\\example.com', 'http:/\\//example.com',
    '\njavascript:alert(x)', '\x08//example.com', 'http://testserver\\@example.com', ' //example.com',
    '/\t/example.com', '/\n/example.com', 'view/?param=//example.com',
    'https://testserver/', '//testserver/',
  ];
  let username: string;
  before(async () => {
    username = await existingUser('redirect');
  });

  for (const target of bad) {
    test(`next=${JSON.stringify(target)} falls back to /`, async () => {
      const client = new Client(site.url);
      const response = await logIn(client, username, PASSWORD, {}, `?next=${encodeURIComponent(target)}`);
      assert.equal(response.status, 303);
      assert.equal(response.location, '/');
    });
  }

  test('a next with non-ASCII text is followed, percent-encoded as UTF-8 (no 500)', async () => {
    const target = '/else/where/झ/?q=한글é';
    const response = await logIn(new Client(site.url), username, PASSWORD, {}, `?next=${encodeURIComponent(target)}`);
    assert.ok(response.status === 303 || response.status === 302, `got ${response.status}`);
    assert.match(response.location ?? '', /^[\x21-\x7e]+$/, 'the Location is not ASCII');
    assert.equal(response.location, '/else/where/%E0%A4%9D/?q=%ED%95%9C%EA%B8%80%C3%A9');
  });

  const good = ['/view/?param=http://example.com', '/view/?param=https://example.com', '/view?param=ftp://example.com', '/url%20with%20spaces/'];
  for (const target of good) {
    test(`next=${JSON.stringify(target)} is followed`, async () => {
      const response = await logIn(new Client(site.url), username, PASSWORD, {}, `?next=${encodeURIComponent(target)}`);
      assert.equal(response.status, 303);
      assert.equal(response.location, target);
    });
  }
});

describe('failed login', () => {
  test('a wrong password and an unknown user get the same page with 422', async () => {
    const username = await existingUser();
    const wrong = await logIn(new Client(site.url), username, 'Not-The-Password-41');
    const ghost = `${username}ghost`;
    const unknown = await logIn(new Client(site.url), ghost, 'Not-The-Password-41');
    assert.equal(wrong.status, 422);
    assert.equal(unknown.status, 422);
    assert.ok(wrong.body.includes(invalidLogin), 'expected wrong.body.includes(invalidLogin)');
    assert.ok(unknown.body.includes(invalidLogin), 'expected unknown.body.includes(invalidLogin)');
    // Apart from the username typed and the CSRF tokens, the two pages are the same.
    assert.equal(withoutTokens(unknown.body).replaceAll(ghost, 'NAME'), withoutTokens(wrong.body).replaceAll(username, 'NAME'));
  });

  test('the typed username is kept and the password never echoed', async () => {
    const username = await existingUser();
    const response = await logIn(new Client(site.url), username, 'Secret-Typed-Password-77');
    assert.equal(response.status, 422);
    assert.equal(inputNamed(formFor(response.body, '/accounts/login'), 'username')?.value, username);
    assert.ok(!response.body.includes('Secret-Typed-Password-77'), 'expected !response.body.includes(\'Secret-Typed-Password-77\')');
  });

  test('an inactive user with the right password gets the same message and 422', async () => {
    const username = await existingUser('inactive');
    deactivate(site.dataDir, username);
    const client = new Client(site.url);
    const response = await logIn(client, username);
    assert.equal(response.status, 422);
    assert.ok(response.body.includes(invalidLogin), 'expected response.body.includes(invalidLogin)');
    assert.equal(cookieNamed(response, 'sessionid'), undefined);
    await assertAnonymous(client);
  });

  test('a user deactivated while logged in is logged out on the next request', async () => {
    const { client, username } = await newUser(site.url, 'deactivated');
    deactivate(site.dataDir, username);
    await assertAnonymous(client);
  });

  test('passwords are taken as typed: surrounding spaces are part of them', async () => {
    const client = new Client(site.url);
    const username = newUsername('spaces');
    const padded = ` ${PASSWORD} `;
    assert.equal((await signUp(client, username, padded)).status, 303);
    assert.equal((await logIn(new Client(site.url), username, PASSWORD)).status, 422);
    assert.equal((await logIn(new Client(site.url), username, padded)).status, 303);
  });

  test('empty fields give 422 and the required message', async () => {
    const response = await logIn(new Client(site.url), '', '');
    assert.equal(response.status, 422);
    assert.ok(response.body.includes('This field is required.'), 'expected response.body.includes(\'This field is required.\')');
  });

  test('a failed login starts no session', async () => {
    const before = sessionCount(site.dataDir);
    const client = new Client(site.url);
    const response = await logIn(client, 'nobody-at-all', 'Not-The-Password-41');
    assert.equal(response.status, 422);
    assert.equal(client.cookie('sessionid'), undefined);
    assert.equal(sessionCount(site.dataDir), before);
  });
});

describe('login rotates secrets', () => {
  test('the csrftoken cookie changes at login, and a token from before no longer works (T-L6)', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    const page = await client.get('/accounts/login');
    const before = client.cookie('csrftoken');
    assert.ok(before, 'expected before');
    const oldToken = csrfToken(page.body);
    const response = await client.request('POST', '/accounts/login', { form: { _csrf: oldToken, username, password: PASSWORD } });
    assert.equal(response.status, 303);
    const rotated = cookieNamed(response, 'csrftoken');
    assert.ok(rotated, 'login did not set a new csrftoken');
    assert.notEqual(rotated.value, before);
    const stale = await client.request('POST', '/accounts/logout', { form: { _csrf: oldToken } });
    assert.equal(stale.status, 403);
    await assertLoggedInAs(client, username);
  });

  test('a session token planted before login is not reused', async () => {
    const username = await existingUser();
    // A well-formed token the visitor was given by someone else, and one that was real once.
    const victim = new Client(site.url);
    const first = await logIn(victim, username);
    const oldToken = cookieNamed(first, 'sessionid')!.value;
    await victim.post('/accounts/logout');
    for (const planted of [oldToken, `${'A'.repeat(22)}.${'B'.repeat(32)}`]) {
      const client = new Client(site.url);
      client.jar.set('sessionid', planted);
      const response = await logIn(client, username);
      assert.equal(response.status, 303);
      const issued = cookieNamed(response, 'sessionid');
      assert.ok(issued, 'expected issued');
      assert.notEqual(issued.value, planted);
      const attacker = new Client(site.url);
      attacker.jar.set('sessionid', planted);
      await assertAnonymous(attacker);
    }
  });

  test('logging in as another user from a logged-out visitor gives a fresh token each time', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    const first = cookieNamed(await logIn(client, username), 'sessionid')?.value;
    await client.post('/accounts/logout');
    const second = cookieNamed(await logIn(client, username), 'sessionid')?.value;
    assert.ok(first && second, 'expected first && second');
    assert.notEqual(first, second);
  });
});

describe('lazy sessions', () => {
  test('reading pages and showing forms sets no sessionid and stores no session', async () => {
    const before = sessionCount(site.dataDir);
    const client = new Client(site.url);
    for (const path of ['/', '/accounts/login', '/accounts/signup', '/accounts/login?next=%2Fx', '/no-such-page', '/accounts/update']) {
      const response = await client.get(path);
      assert.equal(cookieNamed(response, 'sessionid'), undefined, `${path} set a sessionid`);
    }
    assert.equal(client.cookie('sessionid'), undefined);
    assert.equal(sessionCount(site.dataDir), before);
  });

  for (const value of ['garbage', `${'A'.repeat(22)}.${'B'.repeat(32)}`, '%%%', 'x'.repeat(3000), '']) {
    test(`a sessionid of ${JSON.stringify(value.slice(0, 30))} is anonymous and the page works`, async () => {
      const client = new Client(site.url);
      client.jar.set('sessionid', value);
      for (const path of ['/', '/accounts/login', '/accounts/signup']) {
        const response = await client.get(path);
        assert.equal(response.status, 200, `${path} answered ${response.status}`);
        assert.ok(response.body.includes('href="/accounts/login"'), 'expected response.body.includes(\'href="/accounts/login"\')');
      }
    });
  }

  test('an expired session is anonymous and the page works', async () => {
    const { client, username } = await newUser(site.url, 'expired');
    const database = openDatabase(site.dataDir);
    try {
      database.prepare('update sessions set expires_at = 1 where user_id = (select id from users where username = ?)').run(username);
    } finally {
      database.close();
    }
    const home = await client.get('/');
    assert.equal(home.status, 200);
    assert.ok(!home.body.includes(username), 'an expired session still names the user');
    await assertAnonymous(client);
  });

  test('a session unused for longer than the idle timeout is anonymous', async () => {
    const { client, username } = await newUser(site.url, 'idle');
    const database = openDatabase(site.dataDir);
    try {
      database.prepare('update sessions set last_seen = 1 where user_id = (select id from users where username = ?)').run(username);
    } finally {
      database.close();
    }
    await assertAnonymous(client);
  });

  test('a visitor with an unknown sessionid can still sign in', async () => {
    const username = await existingUser();
    const client = new Client(site.url);
    client.jar.set('sessionid', 'garbage');
    const response = await logIn(client, username);
    assert.equal(response.status, 303);
    await assertLoggedInAs(client, username);
  });
});
