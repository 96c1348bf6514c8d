// The reading list: a guest's in the signed reading_list cookie (no session), a user's in the
// database; at login or signup the guest's list joins the account's and the cookie is cleared.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { cookieNamed, createArticle, createArticles, logIn, newUser, newUsername, savedIds, signUp, withDatabase } from './board-support.ts';

let site: RunningSite;
let author: Client;

before(async () => {
  site = await startSite();
  ({ client: author } = await newUser(site.url, 'author'));
});

after(async () => {
  await site.stop();
});

function save(client: Client, id: number, fields: Record<string, string> = {}, headers?: Record<string, string>) {
  return client.submit(`/articles/${id}`, `/articles/${id}/save`, fields, headers);
}

function unsave(client: Client, id: number, fields: Record<string, string> = {}) {
  return client.submit('/reading-list', `/articles/${id}/unsave`, fields);
}

async function shownList(client: Client): Promise<number[]> {
  const page = await client.get('/reading-list');
  assert.equal(page.status, 200, `the reading list answered ${page.status}`);
  return savedIds(page.body);
}

function sessionRows(): number {
  return withDatabase(site, (database) => (database.prepare('select count(*) as n from sessions').get() as { n: number }).n);
}

/** Changes one character of a cookie value at `index` (negative counts from the end). */
function tamper(value: string, index: number): string {
  const decoded = decodeURIComponent(value);
  const at = index < 0 ? decoded.length + index : index;
  const original = decoded[at]!;
  const replacement = original === '1' ? '2' : original === 'A' ? 'B' : /[0-9]/.test(original) ? '1' : 'A';
  return encodeURIComponent(decoded.slice(0, at) + replacement + decoded.slice(at + 1));
}

test('a guest saves two articles and finds both on the reading list, with no session', async () => {
  const [first, second] = await createArticles(author, ['Saved first', 'Saved second']) as [number, number];
  const rowsBefore = sessionRows();
  const guest = new Client(site.url);
  const saved = await save(guest, first, { next: `/articles/${first}` });
  assert.equal(saved.status, 303);
  assert.equal(saved.location, `/articles/${first}`);
  const cookie = cookieNamed(saved, 'reading_list');
  assert.ok(cookie, 'saving set no reading_list cookie');
  assert.equal(cookie.attributes.httponly, true, 'reading_list is not HttpOnly');
  assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'lax', 'reading_list is not SameSite=Lax');
  assert.equal((await save(guest, second, { next: '/reading-list' })).status, 303);
  assert.deepEqual(new Set(await shownList(guest)), new Set([first, second]));
  assert.equal(guest.cookie('sessionid'), undefined, 'a guest who saves got a sessionid');
  assert.equal(sessionRows(), rowsBefore, 'a guest who saves got a session row');
  const page = await guest.get(`/articles/${first}`);
  assert.ok(page.body.includes(`action="/articles/${first}/unsave"`), 'a saved article does not offer to unsave');
});

test('saving goes back to a safe next, else a safe Referer of the site, else the article', async () => {
  const id = await createArticle(author, 'Where to go back to');
  const guest = new Client(site.url);
  assert.equal((await save(guest, id, { next: '/reading-list' })).location, '/reading-list');
  assert.equal((await save(guest, id, {}, { referer: `${site.url}/articles?page=1` })).location, '/articles?page=1');
  assert.equal((await save(guest, id)).location, `/articles/${id}`);
  for (const next of ['//evil.example', 'https://evil.example/', '/\\evil.example', ' /x']) {
    const response = await save(guest, id, { next });
    assert.equal(response.status, 303);
    assert.equal(response.location, `/articles/${id}`, `next ${JSON.stringify(next)} was followed to ${response.location}`);
  }
  const foreign = await save(guest, id, {}, { referer: 'https://evil.example/articles' });
  assert.equal(foreign.location, `/articles/${id}`);
});

test('unsaving removes the article from a guest\'s list and goes back', async () => {
  const [keep, drop] = await createArticles(author, ['Kept', 'Dropped']) as [number, number];
  const guest = new Client(site.url);
  await save(guest, keep);
  await save(guest, drop);
  const response = await unsave(guest, drop, { next: '/reading-list' });
  assert.equal(response.status, 303);
  assert.equal(response.location, '/reading-list');
  assert.deepEqual(await shownList(guest), [keep]);
  assert.equal(guest.cookie('sessionid'), undefined);
});

test('saving the same article twice keeps it once', async () => {
  const id = await createArticle(author, 'Saved twice');
  const guest = new Client(site.url);
  await save(guest, id);
  await save(guest, id);
  assert.deepEqual(await shownList(guest), [id]);
});

test('a tampered reading_list cookie reads as an empty list, never an error', async () => {
  const [first, second] = await createArticles(author, ['Tamper one', 'Tamper two']) as [number, number];
  const guest = new Client(site.url);
  await save(guest, first);
  await save(guest, second);
  const genuine = guest.cookie('reading_list');
  assert.ok(genuine);
  const decoded = decodeURIComponent(genuine);
  const separator = decoded.lastIndexOf(':') >= 0 ? decoded.lastIndexOf(':') : decoded.lastIndexOf('.');
  const forged = [
    tamper(genuine, 0), // the first saved id
    tamper(genuine, -1), // the last character of the signature
    tamper(genuine, separator + 1), // the first character of the signature
    encodeURIComponent(`${first}-${second}-999999`),
    '',
    'garbage',
    encodeURIComponent(':'),
    encodeURIComponent(`${decoded}x`),
    encodeURIComponent(`-1${decoded}`),
    '%E0%A4%A',
    'x'.repeat(3000),
  ];
  for (const value of forged) {
    const visitor = new Client(site.url);
    visitor.jar.set('reading_list', value);
    const list = await visitor.get('/reading-list');
    assert.equal(list.status, 200, `reading_list=${value.slice(0, 60)} answered ${list.status}`);
    assert.deepEqual(savedIds(list.body), [], `reading_list=${value.slice(0, 60)} was believed`);
    assert.equal((await visitor.get(`/articles/${first}`)).status, 200);
  }
  // Saving on top of a forged cookie starts a fresh list.
  const visitor = new Client(site.url);
  visitor.jar.set('reading_list', tamper(genuine, -1));
  const response = await save(visitor, first);
  assert.equal(response.status, 303);
  assert.deepEqual(await shownList(visitor), [first]);
});

test('a guest\'s list keeps at most 50 articles, the most recently saved among them', async () => {
  const ids = await createArticles(author, Array.from({ length: 55 }, (_, index) => `Many ${index + 1}`));
  const guest = new Client(site.url);
  const token = csrfToken((await guest.get('/')).body);
  for (const id of ids) {
    const response = await guest.request('POST', `/articles/${id}/save`, { form: { _csrf: token } });
    assert.equal(response.status, 303);
  }
  const shown = await shownList(guest);
  assert.equal(shown.length, 50, `the list holds ${shown.length} articles`);
  assert.equal(new Set(shown).size, 50);
  assert.ok(shown.includes(ids.at(-1)!), 'the article saved last is not on the list');
  assert.ok(shown.every((id) => ids.includes(id)));
  assert.ok((guest.cookie('reading_list') ?? '').length < 4000, 'the cookie outgrows what browsers keep');
});

test('saving an article that does not exist, or was deleted, is 404', async () => {
  const gone = await createArticle(author, 'Deleted before saving');
  assert.equal((await author.submit(`/articles/${gone}`, `/articles/${gone}/delete`, {})).status, 303);
  const guest = new Client(site.url);
  for (const id of [String(gone), '999999', 'abc', '0']) {
    assert.equal((await guest.post(`/articles/${id}/save`)).status, 404, `saving ${id}`);
    assert.equal((await guest.post(`/articles/${id}/unsave`)).status, 404, `unsaving ${id}`);
  }
  assert.equal(guest.cookie('reading_list'), undefined);
  const { client: user } = await newUser(site.url, 'reader');
  assert.equal((await user.post(`/articles/${gone}/save`)).status, 404);
});

test('an article deleted after a guest saved it leaves the list, which still shows', async () => {
  const [kept, gone] = await createArticles(author, ['Still saved', 'Deleted after saving']) as [number, number];
  const guest = new Client(site.url);
  await save(guest, kept);
  await save(guest, gone);
  assert.equal((await author.submit(`/articles/${gone}`, `/articles/${gone}/delete`, {})).status, 303);
  assert.deepEqual(await shownList(guest), [kept]);
});

test('a user\'s list lives in the database: another browser of theirs sees it, and no cookie carries it', async () => {
  const [first, second] = await createArticles(author, ['User saved one', 'User saved two']) as [number, number];
  const { client, username } = await newUser(site.url, 'reader');
  const response = await save(client, first, { next: '/reading-list' });
  assert.equal(response.status, 303);
  assert.equal(response.location, '/reading-list');
  assert.equal(cookieNamed(response, 'reading_list'), undefined, 'a user\'s save set a reading_list cookie');
  await save(client, second);
  const other = new Client(site.url);
  assert.equal((await logIn(other, username)).status, 303);
  assert.deepEqual(new Set(await shownList(other)), new Set([first, second]));
  assert.equal((await unsave(other, first)).status, 303);
  assert.deepEqual(await shownList(client), [second]);
});

test('at login the guest\'s list joins the account\'s: no duplicates, deleted articles dropped, cookie cleared', async () => {
  const [shared, onlyAccount, onlyGuest, deletedMeanwhile] = await createArticles(author, ['Both lists', 'Account only', 'Guest only', 'Deleted meanwhile']) as [number, number, number, number];
  const { client: account, username } = await newUser(site.url, 'merger');
  await save(account, shared);
  await save(account, onlyAccount);

  const guest = new Client(site.url);
  await save(guest, shared);
  await save(guest, onlyGuest);
  await save(guest, deletedMeanwhile);
  assert.equal((await author.submit(`/articles/${deletedMeanwhile}`, `/articles/${deletedMeanwhile}/delete`, {})).status, 303);

  const login = await logIn(guest, username);
  assert.equal(login.status, 303);
  const cleared = cookieNamed(login, 'reading_list');
  assert.ok(cleared, 'login did not clear the reading_list cookie');
  assert.equal(cleared.attributes['max-age'], '0', 'the reading_list cookie is not expired with Max-Age=0');
  assert.equal(guest.cookie('reading_list'), undefined);

  const merged = await shownList(guest);
  assert.equal(merged.length, new Set(merged).size, 'the merged list has duplicates');
  assert.deepEqual(new Set(merged), new Set([shared, onlyAccount, onlyGuest]));
  assert.deepEqual(new Set(await shownList(account)), new Set([shared, onlyAccount, onlyGuest]), 'the merge is not in the database');
});

test('at signup the guest\'s list becomes the new account\'s, and the cookie is cleared', async () => {
  const [first, second] = await createArticles(author, ['Before signing up', 'Also before']) as [number, number];
  const guest = new Client(site.url);
  await save(guest, first);
  await save(guest, second);
  const username = newUsername('newcomer');
  const signup = await signUp(guest, username);
  assert.equal(signup.status, 303);
  assert.equal(cookieNamed(signup, 'reading_list')?.attributes['max-age'], '0', 'signup did not clear the reading_list cookie');
  assert.deepEqual(new Set(await shownList(guest)), new Set([first, second]));
  const elsewhere = new Client(site.url);
  assert.equal((await logIn(elsewhere, username)).status, 303);
  assert.deepEqual(new Set(await shownList(elsewhere)), new Set([first, second]));
});

test('a login without a guest list leaves the account\'s list as it was', async () => {
  const id = await createArticle(author, 'Saved by the account');
  const { client, username } = await newUser(site.url, 'plain');
  await save(client, id);
  const other = new Client(site.url);
  const login = await logIn(other, username);
  assert.equal(login.status, 303);
  assert.deepEqual(await shownList(other), [id]);
});

test('a tampered guest cookie at login merges nothing and still logs in', async () => {
  const id = await createArticle(author, 'Forged into a list');
  const { username } = await newUser(site.url, 'forged');
  const guest = new Client(site.url);
  await save(guest, id);
  guest.jar.set('reading_list', tamper(guest.cookie('reading_list')!, -1));
  const login = await logIn(guest, username);
  assert.equal(login.status, 303);
  assert.deepEqual(await shownList(guest), []);
});
