// Password reset by email over real SMTP: the site sends to an smtp-server these tests start, and
// each test reads the link from the received mail and walks the flow over HTTP.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { Client } from '../../../test/support/client.ts';
import { linkIn, startMailServer, type MailServer } from '../../../test/support/mail-server.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, formFor, inputNamed, logIn, newUsername, openDatabase, PASSWORD, signUp } from './helpers.ts';

const NEW_PASSWORD = 'Amber-Harbor-Quill-57';

let mail: MailServer;
let site: RunningSite;

before(async () => {
  mail = await startMailServer();
  site = await startSite({ env: { EMAIL_URL: mail.url, DEFAULT_FROM_EMAIL: 'accounts@tessera.test', LOG_LEVEL: 'info' } });
});

after(async () => {
  await site?.stop();
  await mail?.close();
});

/** A new user with an address, signed up (and so logged in) in `client`. */
async function userWithEmail(base: string, client = new Client(base)): Promise<{ client: Client; username: string; email: string }> {
  const username = newUsername('reset');
  const email = `${username}@example.test`;
  const response = await signUp(client, username, PASSWORD, { email });
  assert.equal(response.status, 303, `signup failed: ${response.status}`);
  return { client, username, email };
}

function askForReset(client: Client, email: string) {
  return client.submit('/accounts/password-reset', '/accounts/password-reset', { email });
}

test('the login page links to the reset form, which asks for an email address', async () => {
  const client = new Client(site.url);
  const login = await client.get('/accounts/login');
  assert.ok(login.body.includes('href="/accounts/password-reset"'), 'no "forgot your password" link');
  const page = await client.get('/accounts/password-reset');
  assert.equal(page.status, 200);
  const form = formFor(page.body, '/accounts/password-reset');
  assert.ok(inputNamed(form, 'email') && inputNamed(form, '_csrf'));
  assert.match(page.headers.get('cache-control') ?? '', /no-store/);
});

test('the whole flow: the mail, the link, the new password; every session ends and the link dies', async () => {
  const { client: signedUp, username, email } = await userWithEmail(site.url);
  const visitor = new Client(site.url);
  // Any case of the address finds the account, as Django's iexact does.
  const asked = await askForReset(visitor, email.toUpperCase());
  assert.equal(asked.status, 303);
  assert.equal(asked.location, '/accounts/password-reset/done');
  const done = await visitor.get('/accounts/password-reset/done');
  assert.equal(done.status, 200);

  const message = await mail.waitFor(email);
  assert.equal(message.from, 'accounts@tessera.test');
  assert.match(message.subject, /Reset your password/);
  assert.ok(message.html.includes('<a href="http://127.0.0.1:'), 'the HTML part has no link');
  const link = linkIn(message, '/accounts/reset/');
  assert.equal(link.origin, site.url);
  assert.ok(message.text.includes(username), 'the mail names the account');

  const followed = await visitor.get(link.pathname);
  assert.equal(followed.status, 302);
  const [, , , uidb64] = link.pathname.split('/');
  assert.equal(followed.location, `/accounts/reset/${uidb64}/set-password`, 'the token must leave the address bar');
  const token = link.pathname.split('/')[4]!;
  // Tokens are hashed at rest: the session holds no copy of it.
  const database = openDatabase(site.dataDir);
  try {
    const rows = database.prepare('select data from sessions').all() as { data: string }[];
    assert.ok(rows.every((row) => !row.data.includes(token)), 'a session holds the reset token');
  } finally {
    database.close();
  }

  const form = await visitor.get(followed.location!);
  assert.equal(form.status, 200);
  const action = `/accounts/reset/${uidb64}/set-password`;
  assert.ok(inputNamed(formFor(form.body, action), 'new_password1'));
  const mismatch = await visitor.submit(action, action, { new_password1: NEW_PASSWORD, new_password2: `${NEW_PASSWORD}x` });
  assert.equal(mismatch.status, 422);
  const weak = await visitor.submit(action, action, { new_password1: '12345678', new_password2: '12345678' });
  assert.equal(weak.status, 422);
  const set = await visitor.submit(action, action, { new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
  assert.equal(set.status, 303);
  assert.equal(set.location, '/accounts/reset/done');
  const complete = await visitor.get('/accounts/reset/done');
  assert.ok(complete.body.includes('href="/accounts/login"'));
  await assertAnonymous(visitor);

  // The session that signed up is over; the new password works and the old one does not.
  await assertAnonymous(signedUp);
  assert.equal((await logIn(new Client(site.url), username, PASSWORD)).status, 422);
  const fresh = new Client(site.url);
  assert.equal((await logIn(fresh, username, NEW_PASSWORD)).status, 303);
  await assertLoggedInAs(fresh, username);

  // The link again: the password it was made for is gone, so it shows no form.
  const again = await new Client(site.url).get(link.pathname);
  assert.equal(again.status, 200);
  assert.ok(again.body.includes('This link does not work'));
  assert.equal(inputNamed(again.body, 'new_password1'), null);
});

test('an address no account has gets the same answer and no mail', async () => {
  const unknown = `${newUsername('nobody')}@example.test`;
  const answer = await askForReset(new Client(site.url), unknown);
  assert.equal(answer.status, 303);
  assert.equal(answer.location, '/accounts/password-reset/done');
  // CONTRACT.md: always the same 303, an empty or malformed address included.
  for (const typed of ['', 'not-an-address', `x<y@evil.example>`]) {
    const response = await askForReset(new Client(site.url), typed);
    assert.equal(response.status, 303, typed);
    assert.equal(response.location, '/accounts/password-reset/done', typed);
  }
  // A known address asked for after it: once its mail is in, the unknown one's would have been.
  const { email } = await userWithEmail(site.url);
  await askForReset(new Client(site.url), email);
  await mail.waitFor(email);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(mail.to(unknown).length, 0);
});

test('a tampered token, another user\'s id and garbage all show the invalid page, never a form or a 500', async () => {
  const first = await userWithEmail(site.url);
  const second = await userWithEmail(site.url);
  await askForReset(new Client(site.url), first.email);
  const link = linkIn(await mail.waitFor(first.email), '/accounts/reset/');
  const [, , , uidb64, token] = link.pathname.split('/') as [string, string, string, string, string];
  const secondUid = Buffer.from(String(Number(Buffer.from(uidb64, 'base64url').toString()) + 1)).toString('base64url');
  const last = token.at(-1) === 'a' ? 'b' : 'a';
  for (const path of [
    `/accounts/reset/${uidb64}/${token.slice(0, -1)}${last}`,
    `/accounts/reset/${secondUid}/${token}`,
    `/accounts/reset/${uidb64}/not-a-token`,
    `/accounts/reset/${'A'.repeat(150)}/${token}`,
    `/accounts/reset/${uidb64}/set-password`,
  ]) {
    const response = await new Client(site.url).get(path);
    assert.equal(response.status, 200, path);
    assert.ok(response.body.includes('This link does not work'), path);
    assert.equal(inputNamed(response.body, 'new_password1'), null, path);
  }
  // Bytes that are no UTF-8 make a malformed request: 400, as everywhere on the site.
  assert.equal((await new Client(site.url).get(`/accounts/reset/%00%ff/${token}`)).status, 400);
  // Nor does posting to the form without having followed a valid link set anything.
  const action = `/accounts/reset/${uidb64}/set-password`;
  const stranger = new Client(site.url);
  await stranger.get('/accounts/password-reset');
  const posted = await stranger.post(action, { new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
  assert.equal(posted.status, 200);
  assert.equal((await logIn(new Client(site.url), first.username, PASSWORD)).status, 303);
  assert.equal((await logIn(new Client(site.url), second.username, PASSWORD)).status, 303);
});

test('a login after the mail was sent ends its link, as Django\'s token does', async () => {
  const { username, email } = await userWithEmail(site.url);
  await askForReset(new Client(site.url), email);
  const link = linkIn(await mail.waitFor(email), '/accounts/reset/');
  // Last login is stored to the second: a login in the same second as the signup would not move it.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.equal((await logIn(new Client(site.url), username)).status, 303);
  const followed = await new Client(site.url).get(link.pathname);
  assert.equal(followed.status, 200);
  assert.ok(followed.body.includes('This link does not work'));
});

test('the mail is in the language of the visitor who asked', async () => {
  const { email } = await userWithEmail(site.url);
  const korean = new Client(site.url);
  korean.jar.set('lang', 'ko');
  await askForReset(korean, email);
  const message = await mail.waitFor(email);
  assert.match(message.subject, /비밀번호 재설정/);
  assert.ok(message.text.includes('새 비밀번호'), message.text);
});

test('no log line carries the address, the token or the link', async () => {
  const { email } = await userWithEmail(site.url);
  await askForReset(new Client(site.url), email);
  const link = linkIn(await mail.waitFor(email), '/accounts/reset/');
  await new Client(site.url).get(link.pathname);
  const output = site.output();
  assert.ok(!output.includes(email), 'the address is in the log');
  assert.ok(!output.includes(link.pathname.split('/')[4]!), 'the token is in the log');
});

describe('limits, expiry and the other transports', () => {
  let limited: RunningSite;
  let outbox: string;

  before(async () => {
    outbox = mkdtempSync(join(tmpdir(), 'tessera-outbox-'));
    limited = await startSite({ env: { EMAIL_URL: `file:${outbox}`, PASSWORD_RESET_TIMEOUT: '1', MAILS_PER_RECIPIENT: '2', MAIL_REQUESTS_PER_ADDRESS: '6' } });
  });

  after(async () => {
    await limited?.stop();
  });

  async function mailsTo(email: string, count: number): Promise<Awaited<ReturnType<typeof simpleParser>>[]> {
    const deadline = Date.now() + 10_000;
    for (let attempt = 0; attempt < 400 && Date.now() < deadline; attempt += 1) {
      const parsed = await Promise.all(readdirSync(outbox).filter((name) => name.endsWith('.eml')).map((name) => simpleParser(readFileSync(join(outbox, name)))));
      const mine = parsed.filter((message) => (Array.isArray(message.to) ? message.to[0] : message.to)?.value[0]?.address === email);
      if (mine.length >= count) return mine;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`fewer than ${count} mails to ${email} in ${outbox}`);
  }

  test('file: writes each mail as an .eml, whose link works until PASSWORD_RESET_TIMEOUT passes', async () => {
    const { email } = await userWithEmail(limited.url);
    await askForReset(new Client(limited.url), email);
    const [message] = await mailsTo(email, 1);
    const link = new URL(message!.text!.split('\n').find((line) => line.includes('/accounts/reset/'))!.trim());
    assert.equal((await new Client(limited.url).get(link.pathname)).status, 302, 'a fresh link works');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await new Client(limited.url).get(link.pathname);
    assert.equal(expired.status, 200);
    assert.ok(expired.body.includes('This link does not work'));
  });

  test('past MAILS_PER_RECIPIENT the answer is the same and nothing more is sent', async () => {
    const { email } = await userWithEmail(limited.url);
    for (let i = 0; i < 4; i += 1) {
      const answer = await askForReset(new Client(limited.url), email);
      assert.equal(answer.status, 303);
      assert.equal(answer.location, '/accounts/password-reset/done');
    }
    await mailsTo(email, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await mailsTo(email, 2)).length, 2);
  });

  test('past MAIL_REQUESTS_PER_ADDRESS a client\'s requests are answered the same and send nothing', async () => {
    // This site's earlier tests used some of the address's six requests; use up the rest.
    const { email } = await userWithEmail(limited.url);
    for (let i = 0; i < 8; i += 1) {
      const other = `${newUsername('burst')}@example.test`;
      assert.equal((await askForReset(new Client(limited.url), other)).status, 303);
    }
    const answer = await askForReset(new Client(limited.url), email);
    assert.equal(answer.status, 303);
    assert.equal(answer.location, '/accounts/password-reset/done');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = readdirSync(outbox).filter((name) => name.endsWith('.eml')).map((name) => readFileSync(join(outbox, name), 'utf8'));
    assert.ok(sent.every((text) => !text.includes(email)), 'a mail went out past the limit');
  });
});

describe('PASSWORD_RESET_LOGIN=1 and the console transport', () => {
  let console_: RunningSite;

  before(async () => {
    console_ = await startSite({ env: { PASSWORD_RESET_LOGIN: '1' } });
  });

  after(async () => {
    await console_?.stop();
  });

  test('the mail is printed whole on standard output, and a reset logs the user in', async () => {
    const { username, email } = await userWithEmail(console_.url);
    const visitor = new Client(console_.url);
    await askForReset(visitor, email);
    const deadline = Date.now() + 10_000;
    let printed = '';
    while (Date.now() < deadline && !printed.includes('/accounts/reset/')) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      printed = console_.output();
    }
    assert.ok(printed.includes(`To: ${email}`), 'the printed mail has no To');
    const line = printed.split('\n').find((text) => /^https?:\/\/\S+\/accounts\/reset\//.test(text.trim()));
    assert.ok(line, 'the printed mail has no whole link on a line of its own');
    const link = new URL(line.trim());
    const followed = await visitor.get(link.pathname);
    const action = followed.location!;
    await visitor.get(action);
    const set = await visitor.submit(action, action, { new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
    assert.equal(set.status, 303);
    await assertLoggedInAs(visitor, username);
  });
});
