// GET /accounts/sessions, POST /accounts/sessions/:id/revoke and /accounts/sessions/revoke-others.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, loginNext, newUser, PASSWORD, secondSession } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

interface Row {
  id: string;
  current: boolean;
  html: string;
}

/** The sessions listed: each row's revoke id, and whether it is marked as this one. */
async function sessionsOf(client: Client): Promise<{ rows: Row[]; body: string }> {
  const page = await client.get('/accounts/sessions');
  assert.equal(page.status, 200);
  const rows: Row[] = [];
  for (const match of page.body.matchAll(/<tr\b[\s\S]*?<\/tr>/g)) {
    const html = match[0];
    const id = /action="\/accounts\/sessions\/([^"/]+)\/revoke"/.exec(html)?.[1];
    if (id === undefined) continue;
    rows.push({ id: decodeURIComponent(id), current: /aria-current="true"|This session/.test(html), html });
  }
  return { rows, body: page.body };
}

test('an anonymous visitor is sent to log in with next=/accounts/sessions', async () => {
  const response = await new Client(site.url).get('/accounts/sessions');
  assert.ok(response.status === 302 || response.status === 303, 'expected response.status === 302 || response.status === 303');
  assert.equal(loginNext(response.location), '/accounts/sessions');
});

test('lists both sessions of the user, one marked as this one, with device and IP', async () => {
  const { client, username } = await newUser(site.url);
  const other = await secondSession(site.url, username);
  const { rows, body } = await sessionsOf(client);
  assert.equal(rows.length, 2);
  assert.equal(rows.filter((row) => row.current).length, 1);
  assert.ok(body.includes('Firefox'), 'the other browser is not named');
  assert.ok(body.includes('127.0.0.1'), 'no IP address shown');
  // The same two sessions, seen from the other browser, with the other one marked.
  const seen = await sessionsOf(other);
  assert.deepEqual(seen.rows.map((row) => row.id).sort(), rows.map((row) => row.id).sort());
  assert.notEqual(seen.rows.find((row) => row.current)?.id, rows.find((row) => row.current)?.id);
});

test('the ids shown are public ids, never the session token', async () => {
  const { client, username } = await newUser(site.url);
  const other = await secondSession(site.url, username);
  const { rows, body } = await sessionsOf(client);
  for (const token of [client.cookie('sessionid')!, other.cookie('sessionid')!]) {
    assert.ok(!body.includes(token), 'a session token is on the page');
    assert.ok(!rows.some((row) => row.id === token), 'expected !rows.some((row) => row.id === token)');
    // Nor the token's secret part, however the token is built.
    for (const part of token.split(/[^A-Za-z0-9_-]/).filter((piece) => piece.length >= 16)) {
      if (!rows.some((row) => row.id === part)) assert.ok(!body.includes(part), 'part of a token is on the page');
    }
  }
});

test('another user\'s sessions are not listed', async () => {
  const { client } = await newUser(site.url);
  const stranger = await newUser(site.url);
  const mine = await sessionsOf(client);
  const theirs = await sessionsOf(stranger.client);
  assert.equal(mine.rows.length, 1);
  assert.ok(!theirs.rows.some((row) => row.id === mine.rows[0]!.id), 'expected !theirs.rows.some((row) => row.id === mine.rows[0]!.id)');
});

test('revoking the other session logs that browser out and keeps this one', async () => {
  const { client, username } = await newUser(site.url);
  const other = await secondSession(site.url, username);
  const { rows } = await sessionsOf(client);
  const target = rows.find((row) => !row.current)!;
  const response = await client.submit('/accounts/sessions', `/accounts/sessions/${encodeURIComponent(target.id)}/revoke`, {});
  assert.equal(response.status, 303);
  assert.equal((await client.get(response.location!)).status, 200);
  await assertAnonymous(other);
  await assertLoggedInAs(client, username);
  const left = await sessionsOf(client);
  assert.equal(left.rows.length, 1);
  assert.ok(left.rows[0]!.current, 'expected left.rows[0]!.current');
});

test('revoking this very session logs this browser out', async () => {
  const { client } = await newUser(site.url);
  const { rows } = await sessionsOf(client);
  const response = await client.submit('/accounts/sessions', `/accounts/sessions/${encodeURIComponent(rows[0]!.id)}/revoke`, {});
  assert.ok(response.status === 303, `got ${response.status}`);
  await assertAnonymous(client);
});

test('revoking another user\'s session id answers 404 and that session lives on', async () => {
  const { client, username } = await newUser(site.url);
  const victim = await newUser(site.url);
  const victimId = (await sessionsOf(victim.client)).rows[0]!.id;
  const response = await client.submit('/accounts/sessions', `/accounts/sessions/${encodeURIComponent(victimId)}/revoke`, {});
  assert.equal(response.status, 404);
  await assertLoggedInAs(victim.client, victim.username);
  await assertLoggedInAs(client, username);
});

test('revoking an id that does not exist answers 404', async () => {
  const { client } = await newUser(site.url);
  for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'nope', '0']) {
    const response = await client.submit('/accounts/sessions', `/accounts/sessions/${id}/revoke`, {});
    assert.equal(response.status, 404, id);
  }
});

test('revoking with the session token itself in place of the id does nothing', async () => {
  const { client, username } = await newUser(site.url);
  const other = await secondSession(site.url, username);
  const response = await client.submit('/accounts/sessions', `/accounts/sessions/${encodeURIComponent(other.cookie('sessionid')!)}/revoke`, {});
  assert.equal(response.status, 404);
  await assertLoggedInAs(other, username);
});

test('revoke-others ends every other session of the user and keeps this one', async () => {
  const { client, username } = await newUser(site.url);
  const second = await secondSession(site.url, username);
  const third = await secondSession(site.url, username, undefined, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36');
  const stranger = await newUser(site.url);
  assert.equal((await sessionsOf(client)).rows.length, 3);
  const response = await client.submit('/accounts/sessions', '/accounts/sessions/revoke-others', {});
  assert.equal(response.status, 303);
  assert.equal((await client.get(response.location!)).status, 200);
  await assertAnonymous(second);
  await assertAnonymous(third);
  await assertLoggedInAs(client, username);
  await assertLoggedInAs(stranger.client, stranger.username);
  assert.equal((await sessionsOf(client)).rows.length, 1);
});

test('revoking without a CSRF token is refused 403 and changes nothing', async () => {
  const { client, username } = await newUser(site.url);
  const other = await secondSession(site.url, username);
  const target = (await sessionsOf(client)).rows.find((row) => !row.current)!;
  const one = await client.request('POST', `/accounts/sessions/${encodeURIComponent(target.id)}/revoke`, { form: {} });
  assert.equal(one.status, 403);
  const all = await client.request('POST', '/accounts/sessions/revoke-others', { form: { _csrf: 'wrong' } });
  assert.equal(all.status, 403);
  await assertLoggedInAs(other, username);
});

test('GET of the revoke actions answers 405 with Allow: POST', async () => {
  const { client } = await newUser(site.url);
  const id = (await sessionsOf(client)).rows[0]!.id;
  for (const visitor of [client, new Client(site.url)]) {
    for (const path of [`/accounts/sessions/${encodeURIComponent(id)}/revoke`, '/accounts/sessions/revoke-others']) {
      const response = await visitor.get(path);
      assert.equal(response.status, 405, path);
      assert.match(response.headers.get('allow') ?? '', /\bPOST\b/);
    }
  }
});

// The cookie store keeps no list of a user's sessions: the page shows this one alone and offers
// only what that store can do, logging out of this session and of every other.
describe('with SESSION_STORE=cookie', () => {
  let cookieSite: RunningSite;

  before(async () => {
    cookieSite = await startSite({ env: { SESSION_STORE: 'cookie' } });
  });

  after(async () => {
    await cookieSite.stop();
  });

  /** The actions of the page's own forms (the layout's logout and language forms left out). */
  function sessionActions(body: string): string[] {
    return [...body.matchAll(/<form\b[^>]*action="([^"]+)"/g)].map((match) => match[1]!).filter((action) => action.startsWith('/accounts/sessions'));
  }

  test('the page lists this session alone, says other browsers are not listed, and offers logging out of this one and of the others', async () => {
    const { client, username } = await newUser(cookieSite.url);
    await secondSession(cookieSite.url, username);
    const { rows, body } = await sessionsOf(client);
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.current, 'the one row is not marked as this session');
    assert.match(rows[0]!.html, /Log out of this session/);
    assert.deepEqual(sessionActions(body), [`/accounts/sessions/${rows[0]!.id}/revoke`, '/accounts/sessions/revoke-others']);
    assert.match(body, /id="sessions-not-listed"/, 'the page does not say why other browsers are missing');
  });

  test('"Log out of this session" logs this browser out, and its old cookie stays anonymous', async () => {
    const { client } = await newUser(cookieSite.url);
    const loggedOut = client.cookie('sessionid')!;
    const { rows } = await sessionsOf(client);
    const response = await client.submit('/accounts/sessions', `/accounts/sessions/${encodeURIComponent(rows[0]!.id)}/revoke`, {});
    assert.equal(response.status, 303);
    assert.equal(response.location, '/');
    await assertAnonymous(client);
    const replay = new Client(cookieSite.url);
    replay.jar.set('sessionid', loggedOut);
    await assertAnonymous(replay);
  });

  test('"Log out all other sessions" logs every other browser out and keeps this one', async () => {
    const { client, username } = await newUser(cookieSite.url);
    const second = await secondSession(cookieSite.url, username);
    const third = await secondSession(cookieSite.url, username, undefined, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36');
    const stranger = await newUser(cookieSite.url);
    const response = await client.submit('/accounts/sessions', '/accounts/sessions/revoke-others', {});
    assert.equal(response.status, 303);
    assert.equal((await client.get(response.location!)).status, 200);
    await assertAnonymous(second);
    await assertAnonymous(third);
    await assertLoggedInAs(client, username);
    await assertLoggedInAs(stranger.client, stranger.username);
    // Logging in again afterwards is a new session, which the earlier "log out the others" does not end.
    const again = await secondSession(cookieSite.url, username);
    await assertLoggedInAs(again, username);
  });

  test('revoking another browser\'s id, which the page never offers, answers 404 and that browser stays in', async () => {
    const { client, username } = await newUser(cookieSite.url);
    const other = await secondSession(cookieSite.url, username);
    const otherId = (await sessionsOf(other)).rows[0]!.id;
    const response = await client.submit('/accounts/sessions', `/accounts/sessions/${encodeURIComponent(otherId)}/revoke`, {});
    assert.equal(response.status, 404);
    await assertLoggedInAs(other, username);
    await assertLoggedInAs(client, username);
  });
});

describe('recent activity', () => {
  test('the sessions page shows the user their own recent events: logins, failures, a revocation, a password change', async () => {
    const { client, username } = await newUser(site.url, 'activity');
    await new Client(site.url).submit('/accounts/login', '/accounts/login', { username, password: 'not the password' });
    const other = await secondSession(site.url, username);
    const page = await client.get('/accounts/sessions');
    const otherId = [...page.body.matchAll(/<tr id="session-([A-Za-z0-9_-]+)"(?! class="current")/g)].map((match) => match[1]!)[0];
    assert.ok(otherId);
    assert.equal((await client.post(`/accounts/sessions/${otherId}/revoke`)).status, 303);
    const changed = await client.submit('/accounts/password', '/accounts/password', { old_password: PASSWORD, new_password1: 'Fresh-Meadow-Lamp-19', new_password2: 'Fresh-Meadow-Lamp-19' });
    assert.equal(changed.status, 303);
    const activity = (await client.get('/accounts/sessions')).body;
    const table = /<table class="activity" id="activity">([\s\S]*?)<\/table>/.exec(activity)?.[1] ?? '';
    const whats = [...table.matchAll(/<tr><td>([^<]+)<\/td>/g)].map((match) => match[1]);
    assert.deepEqual(whats, ['Password changed', 'Session ended', 'Logged in', 'Failed login', 'Logged in']);
    assert.ok(!activity.includes('not the password'), 'a failure shows no password and no reason');
    assert.equal((await other.get('/accounts/update')).status, 302);
  });

  test('a user never sees another user\'s events', async () => {
    const { username: victim } = await newUser(site.url, 'victim');
    await new Client(site.url).submit('/accounts/login', '/accounts/login', { username: victim, password: 'guess' });
    const { client } = await newUser(site.url, 'onlooker');
    const table = /<table class="activity" id="activity">([\s\S]*?)<\/table>/.exec((await client.get('/accounts/sessions')).body)?.[1] ?? '';
    assert.deepEqual([...table.matchAll(/<tr><td>([^<]+)<\/td>/g)].map((match) => match[1]), ['Logged in']);
  });
});
