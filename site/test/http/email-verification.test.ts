// EMAIL_VERIFICATION=optional and mandatory over real SMTP: the mail at sign-up and at a change of
// address, the profile's notice, the link (single-use), and no login before it under mandatory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { linkIn, startMailServer, type MailServer } from '../../../test/support/mail-server.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, logIn, newUsername, PASSWORD, signUp } from './helpers.ts';

let mail: MailServer;

before(async () => {
  mail = await startMailServer();
});

after(async () => {
  await mail?.close();
});

const notice = 'is not verified yet';

describe('EMAIL_VERIFICATION=optional', () => {
  let site: RunningSite;

  before(async () => {
    site = await startSite({ env: { EMAIL_URL: mail.url, EMAIL_VERIFICATION: 'optional' } });
  });

  after(async () => {
    await site?.stop();
  });

  test('sign-up sends the link; the profile says so until it is followed; the link works once', async () => {
    const client = new Client(site.url);
    const username = newUsername('verify');
    const email = `${username}@example.test`;
    assert.equal((await signUp(client, username, PASSWORD, { email })).status, 303);
    await assertLoggedInAs(client, username);
    const message = await mail.waitFor(email);
    assert.match(message.subject, /Confirm your email address/);
    const link = linkIn(message, '/accounts/verify-email/');

    const before_ = await client.get('/accounts/update');
    assert.ok(before_.body.includes(notice), 'no notice before verification');
    assert.ok(before_.body.includes('action="/accounts/verify-email/resend"'));

    const followed = await client.get(link.pathname);
    assert.equal(followed.status, 303);
    assert.equal(followed.location, '/accounts/update');
    const after_ = await client.get('/accounts/update');
    assert.ok(after_.body.includes('Your email address is verified.'));
    assert.ok(!after_.body.includes(notice), 'the notice stays after verification');

    const again = await new Client(site.url).get(link.pathname);
    assert.equal(again.status, 200);
    assert.ok(again.body.includes('This link does not work'));
  });

  test('a new address is unverified again and gets its own link; the old link no longer works', async () => {
    const client = new Client(site.url);
    const username = newUsername('verify');
    const first = `${username}@example.test`;
    await signUp(client, username, PASSWORD, { email: first });
    const oldLink = linkIn(await mail.waitFor(first), '/accounts/verify-email/');
    const second = `${username}.new@example.test`;
    const saved = await client.submit('/accounts/update', '/accounts/update', { email: second, first_name: '', last_name: '' });
    assert.equal(saved.status, 303);
    const newLink = linkIn(await mail.waitFor(second), '/accounts/verify-email/');
    assert.equal((await client.get(oldLink.pathname)).status, 200, 'the old address\'s link must not verify the new one');
    assert.ok((await client.get('/accounts/update')).body.includes(notice));
    assert.equal((await client.get(newLink.pathname)).status, 303);
    assert.ok(!(await client.get('/accounts/update')).body.includes(notice));
  });

  test('"send the link again" sends another mail, with the same answer', async () => {
    const client = new Client(site.url);
    const username = newUsername('verify');
    const email = `${username}@example.test`;
    await signUp(client, username, PASSWORD, { email });
    await mail.waitFor(email);
    const resent = await client.submit('/accounts/update', '/accounts/verify-email/resend', {});
    assert.equal(resent.status, 303);
    assert.equal(resent.location, '/accounts/update');
    const second = await mail.waitFor(email, { count: 2 });
    assert.equal((await client.get(linkIn(second, '/accounts/verify-email/').pathname)).status, 303);
  });

  test('a tampered or garbage token shows a page saying so, never a 500', async () => {
    const client = new Client(site.url);
    const username = newUsername('verify');
    const email = `${username}@example.test`;
    await signUp(client, username, PASSWORD, { email });
    const token = linkIn(await mail.waitFor(email), '/accounts/verify-email/').pathname.split('/').pop()!;
    const last = token.at(-1) === 'a' ? 'b' : 'a';
    for (const bad of [`${token.slice(0, -1)}${last}`, 'x', '%00', 'A'.repeat(190), `${token}${token}`]) {
      const response = await client.get(`/accounts/verify-email/${bad}`);
      assert.equal(response.status, 200, bad);
      assert.ok(response.body.includes('This link does not work'), bad);
    }
    assert.ok((await client.get('/accounts/update')).body.includes(notice), 'a bad token verified the address');
  });
});

describe('EMAIL_VERIFICATION=mandatory', () => {
  let site: RunningSite;

  before(async () => {
    site = await startSite({ env: { EMAIL_URL: mail.url, EMAIL_VERIFICATION: 'mandatory' } });
  });

  after(async () => {
    await site?.stop();
  });

  test('sign-up needs an address, logs no one in, and login waits for the link', async () => {
    const client = new Client(site.url);
    const username = newUsername('must');
    assert.equal((await signUp(client, username, PASSWORD, { email: '' })).status, 422);
    const email = `${username}@example.test`;
    const signedUp = await signUp(client, username, PASSWORD, { email });
    assert.equal(signedUp.status, 303);
    assert.equal(signedUp.location, '/accounts/login');
    await assertAnonymous(client);
    await mail.waitFor(email);

    const refused = await logIn(new Client(site.url), username);
    assert.equal(refused.status, 403);
    assert.ok(refused.body.includes('not verified yet'));
    // A wrong password says nothing about verification: it is the usual failure.
    const wrong = await logIn(new Client(site.url), username, 'Not-The-Password-42');
    assert.equal(wrong.status, 422);
    assert.ok(!wrong.body.includes('not verified yet'));

    // From the refused login page, the mail again: only to the account whose password was right.
    const visitor = new Client(site.url);
    await logIn(visitor, username);
    const resent = await visitor.submit('/accounts/login', '/accounts/verify-email/resend', {});
    assert.equal(resent.status, 303);
    const second = await mail.waitFor(email, { count: 2 });
    const followed = await visitor.get(linkIn(second, '/accounts/verify-email/').pathname);
    assert.equal(followed.status, 303);
    assert.equal(followed.location, '/accounts/login');

    const loggedIn = new Client(site.url);
    assert.equal((await logIn(loggedIn, username)).status, 303);
    await assertLoggedInAs(loggedIn, username);
  });

  test('a new address waits for its link; the verified one stays until then, and mail goes there', async () => {
    const client = new Client(site.url);
    const username = newUsername('must');
    const first = `${username}@example.test`;
    await signUp(client, username, PASSWORD, { email: first });
    await client.get(linkIn(await mail.waitFor(first), '/accounts/verify-email/').pathname);
    assert.equal((await logIn(client, username)).status, 303);

    const second = `${username}.new@example.test`;
    const saved = await client.submit('/accounts/update', '/accounts/update', { email: second, first_name: 'Ada', last_name: '' });
    assert.equal(saved.status, 303);
    const profile = await client.get('/accounts/update');
    assert.ok(profile.body.includes(`value="${first}"`), 'the verified address was replaced before the new one was proved');
    assert.ok(profile.body.includes(`Your new address ${second} is waiting`));
    assert.ok(profile.body.includes('value="Ada"'), 'the rest of the form was not saved');
    // Still logged in: the account keeps a verified address.
    await assertLoggedInAs(client, username);
    // Emptying a verified address is refused.
    assert.equal((await client.submit('/accounts/update', '/accounts/update', { email: '', first_name: '', last_name: '' })).status, 422);
    // Saving the rest of the form (which shows the verified address) leaves the new one waiting.
    assert.equal((await client.submit('/accounts/update', '/accounts/update', { email: first, first_name: 'Ada', last_name: 'L' })).status, 303);
    assert.ok((await client.get('/accounts/update')).body.includes(`Your new address ${second} is waiting`), 'saving the names dropped the waiting address');

    const link = linkIn(await mail.waitFor(second), '/accounts/verify-email/');
    assert.equal((await client.get(link.pathname)).status, 303);
    const after_ = await client.get('/accounts/update');
    assert.ok(after_.body.includes(`value="${second}"`), 'the new address did not take over');
    assert.ok(!after_.body.includes('is waiting'));
    await assertLoggedInAs(client, username);
    assert.equal((await new Client(site.url).get(link.pathname)).status, 200, 'the link works twice');
  });

  test('a visitor who has not logged in cannot have mail sent to anyone', async () => {
    const before_ = mail.received.length;
    const response = await new Client(site.url).post('/accounts/verify-email/resend');
    assert.equal(response.status, 303);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(mail.received.length, before_);
  });
});

describe('EMAIL_VERIFICATION switched from optional to mandatory', () => {
  let dataDir: string;
  let site: RunningSite | undefined;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-mandatory-'));
  });

  after(async () => {
    await site?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a session of an account that never verified ends once mandatory is on; the link lets it back in', async () => {
    site = await startSite({ dataDir, env: { EMAIL_URL: mail.url, EMAIL_VERIFICATION: 'optional' } });
    const client = new Client(site.url);
    const username = newUsername('switch');
    const email = `${username}@example.test`;
    await signUp(client, username, PASSWORD, { email });
    await assertLoggedInAs(client, username);
    const link = linkIn(await mail.waitFor(email), '/accounts/verify-email/');
    await site.stop();
    site = await startSite({ dataDir, env: { EMAIL_URL: mail.url, EMAIL_VERIFICATION: 'mandatory' } });
    // Same browser, same cookie (the restarted site listens on another port): no longer logged in.
    const same = new Client(site.url);
    for (const [name, value] of client.jar) same.jar.set(name, value);
    const page = await same.get('/');
    assert.ok(page.body.includes('this site now needs a verified email address'), 'no word of why the session ended');
    await assertAnonymous(same);
    assert.equal((await logIn(new Client(site.url), username)).status, 403);
    assert.equal((await new Client(site.url).get(link.pathname)).status, 303);
    assert.equal((await logIn(new Client(site.url), username)).status, 303);
  });
});
