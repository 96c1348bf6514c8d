// GET, POST /accounts/signup: Django's UserCreationForm rules, then logged in at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import {
  assertAnonymous,
  assertLoggedInAs,
  assertSessionCookie,
  cookieNamed,
  formFor,
  inputNamed,
  logIn,
  newUser,
  newUsername,
  PASSWORD,
  sessionCount,
  signUp,
  userRow,
} from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

/** A failed signup: 422, the typed username and email shown again, no password anywhere. */
async function assertRejected(response: Awaited<ReturnType<typeof signUp>>, typed: { username: string; email?: string; passwords: string[] }, message: string | RegExp) {
  assert.equal(response.status, 422);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  if (typeof message === 'string') assert.ok(response.body.includes(message), `missing the message ${message}`);
  else assert.match(response.body, message);
  const form = formFor(response.body, '/accounts/signup');
  assert.equal(inputNamed(form, 'username')?.value, typed.username);
  if (typed.email !== undefined) assert.equal(inputNamed(form, 'email')?.value, typed.email);
  for (const password of typed.passwords) assert.ok(!response.body.includes(password), 'a password was echoed back');
  assert.equal(inputNamed(form, 'password1')?.value ?? '', '');
  assert.equal(inputNamed(form, 'password2')?.value ?? '', '');
  assert.equal(cookieNamed(response, 'sessionid'), undefined, 'a failed signup must not start a session');
}

describe('signup form', () => {
  test('GET shows the form with a CSRF token and sets no sessionid', async () => {
    const client = new Client(site.url);
    const page = await client.get('/accounts/signup');
    assert.equal(page.status, 200);
    const form = formFor(page.body, '/accounts/signup');
    for (const name of ['username', 'email', 'password1', 'password2', '_csrf']) assert.ok(inputNamed(form, name), `no input ${name}`);
    assert.equal(cookieNamed(page, 'sessionid'), undefined);
    assert.ok(cookieNamed(page, 'csrftoken'), 'the form needs a csrftoken cookie');
  });

  test('a logged-in visitor asking for the signup form is redirected to /', async () => {
    const { client } = await newUser(site.url);
    const page = await client.get('/accounts/signup');
    assert.ok(page.status === 302 || page.status === 303, `got ${page.status}`);
    assert.equal(page.location, '/');
  });
});

describe('successful signup', () => {
  test('creates the user, logs them in and redirects 303 to /', async () => {
    const client = new Client(site.url);
    const username = newUsername('Signup');
    const response = await signUp(client, username, PASSWORD, { email: `${username}@example.com` });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/');
    assertSessionCookie(cookieNamed(response, 'sessionid'), { persistent: true });
    const home = await client.get('/');
    assert.equal(home.status, 200);
    assert.ok(home.body.includes(username), 'the username is not on the page');
    assert.ok(!home.body.includes('href="/accounts/login"'), 'a logged-in user is still offered the login link');
    await assertLoggedInAs(client, username);
    assert.equal(userRow(site.dataDir, username)?.email, `${username}@example.com`);
  });

  test('the email address is optional', async () => {
    const client = new Client(site.url);
    const username = newUsername();
    const response = await signUp(client, username, PASSWORD, { email: '' });
    assert.equal(response.status, 303);
    await assertLoggedInAs(client, username);
  });

  test('follows a safe next from the query, kept in a hidden field', async () => {
    const client = new Client(site.url);
    const form = await client.get('/accounts/signup?next=%2Faccounts%2Fsessions');
    assert.equal(inputNamed(formFor(form.body, '/accounts/signup'), 'next')?.value, '/accounts/sessions');
    const response = await signUp(client, newUsername(), PASSWORD, { next: '/accounts/sessions' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/accounts/sessions');
  });

  test('follows a safe next given only in the query of the POST', async () => {
    const client = new Client(site.url);
    const response = await signUp(client, newUsername(), PASSWORD, {}, '?next=%2Faccounts%2Fupdate');
    assert.equal(response.status, 303);
    assert.equal(response.location, '/accounts/update');
  });

  test('a non-ASCII next is followed, percent-encoded (no 500)', async () => {
    const response = await signUp(new Client(site.url), newUsername(), PASSWORD, { next: '/한글' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/%ED%95%9C%EA%B8%80');
  });

  for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
    test(`an unsafe next ${JSON.stringify(bad)} falls back to /`, async () => {
      const client = new Client(site.url);
      const form = await client.get(`/accounts/signup?next=${encodeURIComponent(bad)}`);
      assert.equal(inputNamed(formFor(form.body, '/accounts/signup'), 'next'), null, 'the unsafe next was put in the form');
      assert.ok(!form.body.includes('evil.example'), 'the unsafe next reached the page');
      const response = await signUp(client, newUsername(), PASSWORD, { next: bad });
      assert.equal(response.status, 303);
      assert.equal(response.location, '/');
    });
  }
});

describe('signup validation', () => {
  test('mismatched passwords: 422 with the typed username and email kept, no password echoed', async () => {
    const client = new Client(site.url);
    const username = newUsername();
    const response = await signUp(client, username, 'Amber-Falcon-1193', { email: 'kept@example.com', password2: 'Amber-Falcon-1194' });
    await assertRejected(response, { username, email: 'kept@example.com', passwords: ['Amber-Falcon-1193', 'Amber-Falcon-1194'] }, 'The two password fields didn’t match.');
    await assertAnonymous(client);
    assert.equal(userRow(site.dataDir, username), undefined);
  });

  test('missing fields: 422 saying the field is required', async () => {
    const client = new Client(site.url);
    const response = await client.submit('/accounts/signup', '/accounts/signup', { username: '', email: '', password1: '', password2: '' });
    await assertRejected(response, { username: '', passwords: [] }, 'This field is required.');
  });

  const validators: { name: string; password: (username: string) => string; message: string; email?: string }[] = [
    { name: 'too short', password: () => 'Ab3$xY', message: 'This password is too short. It must contain at least 8 characters.' },
    { name: 'too common', password: () => 'password123', message: 'This password is too common.' },
    { name: 'entirely numeric', password: () => '8473625193', message: 'This password is entirely numeric.' },
    { name: 'too similar to the username', password: (username) => `${username}!`, message: 'The password is too similar to the username.' },
    { name: 'too similar to the email address', password: () => 'Farnsworth9', email: 'zebulon.farnsworth@example.com', message: 'The password is too similar to the email address.' },
  ];
  for (const validator of validators) {
    test(`a password that is ${validator.name} is refused with 422`, async () => {
      const client = new Client(site.url);
      const username = newUsername('marigold');
      const password = validator.password(username);
      const response = await signUp(client, username, password, validator.email !== undefined ? { email: validator.email } : {});
      await assertRejected(response, { username, passwords: [password], ...(validator.email !== undefined && { email: validator.email }) }, validator.message);
      assert.equal(userRow(site.dataDir, username), undefined);
    });
  }

  test('an invalid email address: 422 with the typed values kept', async () => {
    const client = new Client(site.url);
    const username = newUsername();
    const response = await signUp(client, username, PASSWORD, { email: 'not an email' });
    await assertRejected(response, { username, email: 'not an email', passwords: [PASSWORD] }, 'Enter a valid email address.');
  });

  test('a username taken in another case is refused with 422', async () => {
    const { username } = await newUser(site.url, 'CaseKeeper');
    for (const variant of [username.toLowerCase(), username.toUpperCase()]) {
      const client = new Client(site.url);
      const response = await signUp(client, variant, 'Other-Password-5521');
      await assertRejected(response, { username: variant, passwords: ['Other-Password-5521'] }, 'A user with that username already exists.');
    }
    // The first account is untouched: its own password still works.
    const response = await logIn(new Client(site.url), username);
    assert.equal(response.status, 303);
  });

  for (const bad of ['has space', 'semi;colon', 'slash/name', 'quote"name', 'emoji😀', 'tab\tname', '<script>x</script>']) {
    test(`the username ${JSON.stringify(bad)} with disallowed characters is refused with 422`, async () => {
      const client = new Client(site.url);
      const response = await signUp(client, bad);
      assert.equal(response.status, 422);
      assert.ok(response.body.includes('Enter a valid username.'), 'no invalid-username message');
      assert.ok(!response.body.includes('<script>x</script>'), 'the typed username reached the page unescaped');
      assert.ok(!response.body.includes(PASSWORD), 'expected !response.body.includes(PASSWORD)');
      assert.equal(userRow(site.dataDir, bad), undefined);
    });
  }

  test('a username of 151 characters is refused, one of 150 is accepted', async () => {
    const stem = newUsername('long');
    const longest = stem + 'x'.repeat(150 - stem.length);
    assert.equal(longest.length, 150);
    const tooLong = await signUp(new Client(site.url), `${longest}y`);
    assert.equal(tooLong.status, 422);
    assert.ok(tooLong.body.includes('Ensure this value has at most 150 characters'), 'no length message');
    const client = new Client(site.url);
    const accepted = await signUp(client, longest);
    assert.equal(accepted.status, 303);
    await assertLoggedInAs(client, longest);
  });

  test('a username of 150 characters outside the BMP signs up and then logs in: one rule, in characters', async () => {
    const stem = newUsername('astral');
    const name = stem + '\u{20000}'.repeat(150 - stem.length);
    assert.equal([...name].length, 150);
    assert.ok(name.length > 150, 'longer than 150 in UTF-16 units');
    const client = new Client(site.url);
    assert.equal((await signUp(client, name)).status, 303);
    const logged = new Client(site.url);
    assert.equal((await logIn(logged, name)).status, 303);
    await assertLoggedInAs(logged, name);
  });

  for (const [what, char] of [['U+034F', '\u034F'], ['U+FE0F', '\uFE0F'], ['U+FE00', '\uFE00'], ['U+180B', '\u180B'], ['U+3164', '\u3164']] as const) {
    test(`a username ending in the invisible ${what} is refused with 422`, async () => {
      const client = new Client(site.url);
      const response = await signUp(client, `${newUsername('look')}${char}`);
      assert.equal(response.status, 422);
      await assertAnonymous(client);
    });
  }

  test('usernames may hold letters of any script, digits and @ . + - _', async () => {
    const client = new Client(site.url);
    const username = `${newUsername('한글')}.a+b-c_d@e`;
    const response = await signUp(client, username);
    assert.equal(response.status, 303);
    const logged = await logIn(new Client(site.url), username);
    assert.equal(logged.status, 303);
  });

  test('usernames are NFKC-normalised: full-width letters are the same account as ASCII', async () => {
    const ascii = newUsername('nfkc');
    const fullWidth = [...ascii].map((char) => String.fromCodePoint(char.codePointAt(0)! + 0xfee0)).join('');
    assert.notEqual(fullWidth, ascii);
    const client = new Client(site.url);
    const response = await signUp(client, fullWidth);
    assert.equal(response.status, 303);
    const page = await client.get('/accounts/update');
    assert.ok(page.body.includes(ascii), 'the stored username is not the NFKC form');
    // The ASCII spelling, in any case, names the same account.
    assert.equal((await logIn(new Client(site.url), ascii.toUpperCase())).status, 303);
    const taken = await signUp(new Client(site.url), ascii);
    assert.equal(taken.status, 422);
    assert.ok(taken.body.includes('A user with that username already exists.'), 'expected taken.body.includes(\'A user with that username already exists.\')');
  });

  test('a failed signup creates no session row', async () => {
    const before = sessionCount(site.dataDir);
    const client = new Client(site.url);
    const response = await signUp(client, newUsername(), 'short');
    assert.equal(response.status, 422);
    assert.equal(client.cookie('sessionid'), undefined);
    assert.equal(sessionCount(site.dataDir), before);
  });
});
