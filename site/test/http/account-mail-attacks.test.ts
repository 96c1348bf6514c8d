// Attacks on the mail flows (password reset, address verification), from a review that tried to
// break them: each test is one attack and the defence that now holds against it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { linkIn, startMailServer, type MailServer } from '../../../test/support/mail-server.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { inputNamed, logIn, newUsername, openDatabase, PASSWORD, raw, signUp } from './helpers.ts';

const NEW_PASSWORD = 'Amber-Harbor-Quill-57';
const ATTACKER_PASSWORD = 'Crimson-Falcon-Ledger-93';

let mail: MailServer;

before(async () => {
  mail = await startMailServer();
});

after(async () => {
  await mail?.close();
});

async function userWithEmail(base: string, email?: string, client = new Client(base)): Promise<{ client: Client; username: string; email: string }> {
  const username = newUsername('atk');
  const address = email ?? `${username}@example.test`;
  const response = await signUp(client, username, PASSWORD, { email: address });
  assert.equal(response.status, 303, `signup failed: ${response.status}`);
  return { client, username, email: address };
}

/** The newest mail to `email` carrying a link under `prefix` (sign-up may have sent a verification mail first). */
async function linkMailed(email: string, prefix: string): Promise<URL> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const mails = mail.to(email).filter((message) => message.text.includes(prefix));
    if (mails.length > 0) return linkIn(mails.at(-1)!, prefix);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${prefix} mail to ${email}`);
}

function resetLineFor(email: string): Promise<string> {
  return linkMailed(email, '/accounts/reset/').then((url) => url.href, async () => {
    // linkIn needs a link on this site; a poisoned link is found by its path instead
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const line = mail.to(email).flatMap((message) => message.text.split('\n')).find((text) => text.includes('/accounts/reset/'));
      if (line !== undefined) return line.trim();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no reset mail to ${email}`);
  });
}

function askForReset(client: Client, email: string) {
  return client.submit('/accounts/password-reset', '/accounts/password-reset', { email });
}

/** A reset request sent with raw headers (Host, X-Forwarded-*), with a valid CSRF pair. */
async function askForResetWithHeaders(base: string, email: string, headers: Record<string, string>) {
  const client = new Client(base);
  const page = await client.get('/accounts/password-reset');
  const token = csrfToken(page.body);
  const cookie = [...client.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const body = new URLSearchParams({ _csrf: token, email }).toString();
  return raw(base, 'POST', '/accounts/password-reset', { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), ...headers }, body);
}

function emailState(dataDir: string, username: string): { email: string; email_verified: number } {
  const database = openDatabase(dataDir);
  try {
    return database.prepare('select email, email_verified from users where lower(username) = lower(?)').get(username) as never;
  } finally {
    database.close();
  }
}

describe('no SITE_URL, TRUST_PROXY=1, EMAIL_VERIFICATION=optional', () => {
  let site: RunningSite;

  before(async () => {
    site = await startSite({
      env: { EMAIL_URL: mail.url, LOG_LEVEL: 'info', TRUST_PROXY: '1', EMAIL_VERIFICATION: 'optional', MAILS_PER_RECIPIENT: '1000', MAIL_REQUESTS_PER_ADDRESS: '100000' },
    });
  });

  after(async () => {
    await site?.stop();
  });

  // X-Forwarded-Proto is the client's text behind TRUST_PROXY: pasted before "://host", it moved the
  // link. (Without SITE_URL outside production the Host decides, as the README says.)
  test('X-Forwarded-Proto cannot move the reset link to another host: no mail with such a scheme', async () => {
    const { email } = await userWithEmail(site.url);
    const answer = await askForResetWithHeaders(site.url, email, { 'x-forwarded-proto': 'https://evil.example/catch?' });
    assert.equal(answer.status, 303);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lines = mail.to(email).flatMap((message) => message.text.split('\n')).filter((text) => text.includes('/accounts/reset/'));
    assert.deepEqual(lines, [], 'a reset link was mailed with a scheme the client wrote');
  });

  // The pending reset was written into whatever session the browser brought: a planted (fixated)
  // session id rode the victim's link. Following a link now gives the session a new id.
  test('following a reset link rotates the session id, so a planted session cannot ride the link', async () => {
    const attacker = await userWithEmail(site.url);
    // The attacker gets a real, stored session id of their own: any session will do (here their own reset link's).
    const attackerBrowser = new Client(site.url);
    await askForReset(new Client(site.url), attacker.email);
    await attackerBrowser.get((await linkMailed(attacker.email, '/accounts/reset/')).pathname);
    const planted = attackerBrowser.cookie('sessionid');
    assert.ok(planted, 'the attacker got no session');

    // The victim's browser carries the planted sessionid (cookie tossing from a sibling subdomain, or http MITM).
    const victim = await userWithEmail(site.url);
    const victimBrowser = new Client(site.url);
    victimBrowser.jar.set('sessionid', planted);
    await askForReset(new Client(site.url), victim.email);
    const link = await linkMailed(victim.email, '/accounts/reset/');
    const followed = await victimBrowser.get(link.pathname);
    assert.equal(followed.status, 302);

    // The attacker, still holding the planted id, opens the victim's set-password form.
    const action = followed.location!;
    const form = await attackerBrowser.get(action);
    const set = inputNamed(form.body, 'new_password1') === null ? null : await attackerBrowser.submit(action, action, { new_password1: ATTACKER_PASSWORD, new_password2: ATTACKER_PASSWORD });
    const takenOver = (await logIn(new Client(site.url), victim.username, ATTACKER_PASSWORD)).status === 303;
    assert.ok(!takenOver && set === null, 'the attacker set the victim\'s password through the planted session');
  });

  // The address check took display-name syntax, so the address stored (and then marked verified)
  // was not the mailbox the mail went to: such addresses are now refused.
  test('an address is stored only as the mailbox its mail is delivered to', async () => {
    const username = newUsername('atk');
    const stored = `${username}<${username}@evil.example>`;
    const signedUp = await signUp(new Client(site.url), username, PASSWORD, { email: stored });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const delivered = mail.to(`${username}@evil.example`);
    assert.ok(signedUp.status === 422 || delivered.length === 0, `"${stored}" was accepted and its mail went to ${username}@evil.example`);
  });

  // HELD: CONTRACT "A GET of a POST-only route answers 405" (the static route wins over :token).
  test('GET of the POST-only /accounts/verify-email/resend answers 405', async () => {
    const response = await new Client(site.url).get('/accounts/verify-email/resend');
    assert.equal(response.status, 405, `answered ${response.status}`);
  });

  // HELD: reuse of a pending reset after the password changed elsewhere, uid swap, form without link.
  test('a pending reset dies when the password changes meanwhile, and cannot be moved to another uid', async () => {
    const first = await userWithEmail(site.url);
    const second = await userWithEmail(site.url);
    await askForReset(new Client(site.url), first.email);
    const link = await linkMailed(first.email, '/accounts/reset/');
    const browser = new Client(site.url);
    const followed = await browser.get(link.pathname);
    assert.equal(followed.status, 302);
    const secondUid = Buffer.from(String(emailUserId(site.dataDir, second.username))).toString('base64url');
    const swapped = `/accounts/reset/${secondUid}/set-password`;
    assert.equal(inputNamed((await browser.get(swapped)).body, 'new_password1'), null);
    // password changed by the owner in another browser: the pending reset is over
    const owner = await secondLogin(site.url, first.username);
    const changed = await owner.submit('/accounts/password', '/accounts/password', { old_password: PASSWORD, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
    assert.equal(changed.status, 303);
    assert.equal(inputNamed((await browser.get(followed.location!)).body, 'new_password1'), null);
  });
});

function emailUserId(dataDir: string, username: string): number {
  const database = openDatabase(dataDir);
  try {
    return (database.prepare('select id from users where lower(username) = lower(?)').get(username) as { id: number }).id;
  } finally {
    database.close();
  }
}

async function secondLogin(base: string, username: string, password = PASSWORD): Promise<Client> {
  const client = new Client(base);
  assert.equal((await logIn(client, username, password)).status, 303);
  return client;
}

describe('WEB_CONCURRENCY=2, EMAIL_VERIFICATION=optional', () => {
  let site: RunningSite;

  before(async () => {
    site = await startSite({ env: { EMAIL_URL: mail.url, EMAIL_VERIFICATION: 'optional', WEB_CONCURRENCY: '2', MAILS_PER_RECIPIENT: '100000', MAIL_REQUESTS_PER_ADDRESS: '100000' } });
  });

  after(async () => {
    await site?.stop();
  });

  // A race: the verification route checked the token against the address it read, then set the flag
  // unconditionally, so an address changed in between was the one marked verified (and changing
  // back made the old token work again, for as many tries as wanted). The write is now conditional
  // on the address and the flag the token was checked against.
  test('a verification link cannot verify an address changed while it is being followed', async () => {
    const { client, username, email } = await userWithEmail(site.url);
    const token = (await linkMailed(email, '/accounts/verify-email/')).pathname;
    const victimAddress = `ceo.${username}@victim.test`;
    const csrf = csrfToken((await client.get('/accounts/update')).body);
    const follower = new Client(site.url);
    let won = 0;
    for (let round = 0; round < 400 && won === 0; round += 1) {
      // back to the attacker's own address: unverified again, so the same old token checks again
      await client.request('POST', '/accounts/update', { form: { _csrf: csrf, email, first_name: '', last_name: '' } });
      assert.deepEqual(emailState(site.dataDir, username), { email, email_verified: 0 });
      const change = client.request('POST', '/accounts/update', { form: { _csrf: csrf, email: victimAddress, first_name: '', last_name: '' } });
      const waitUs = (round % 40) * 50;
      const started = performance.now();
      while ((performance.now() - started) * 1000 < waitUs) await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([change, follower.get(token)]);
      const final = emailState(site.dataDir, username);
      if (final.email === victimAddress && final.email_verified === 1) won = round + 1;
    }
    assert.equal(won, 0, `the victim's address was marked verified by the attacker's link (round ${won})`);
  });
});

describe('NODE_ENV=production without SITE_URL', () => {
  let site: RunningSite;

  before(async () => {
    site = await startSite({ env: { NODE_ENV: 'production', SECRET_KEY: randomBytes(32).toString('hex'), EMAIL_URL: mail.url, LOG_LEVEL: 'info', TRUST_PROXY: '1' } });
  });

  after(async () => {
    await site?.stop();
  });

  // Production without SITE_URL mailed links to whatever Host (or X-Forwarded-Host) the requester
  // sent: now it mails no link at all, and says so once in the log.
  test('a forged Host or X-Forwarded-Host mails no link anywhere; the log says SITE_URL is missing', async () => {
    const { email } = await userWithEmail(site.url);
    for (const headers of [{ host: 'evil.example' }, { 'x-forwarded-host': 'evil.example' }, {}] as Record<string, string>[]) {
      const answer = await askForResetWithHeaders(site.url, email, headers);
      assert.equal(answer.status, 303);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(mail.to(email).length, 0, 'a mail with a link went out without SITE_URL in production');
    assert.match(site.output(), /SITE_URL is not set: in production no mail with a link is sent/);
  });
});

describe('MAILS_PER_RECIPIENT=1', () => {
  let site: RunningSite;

  before(async () => {
    site = await startSite({ env: { EMAIL_URL: mail.url, MAILS_PER_RECIPIENT: '1', MAIL_REQUESTS_PER_ADDRESS: '100000' } });
  });

  after(async () => {
    await site?.stop();
  });

  // One request mailed every account with the address (up to 20): accounts made with someone's
  // address multiplied the limit. Each mail now claims its own place under it.
  test('one address is sent at most MAILS_PER_RECIPIENT mails, however many accounts carry it', async () => {
    const target = `${newUsername('inbox')}@victim.test`;
    for (let i = 0; i < 5; i += 1) await userWithEmail(site.url, target);
    await askForReset(new Client(site.url), target);
    await mail.waitFor(target, { count: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(mail.to(target).length <= 1, `${mail.to(target).length} mails to one address under MAILS_PER_RECIPIENT=1`);
  });
});
