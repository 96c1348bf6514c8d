// The board on a real PostgreSQL: ids, order and pages, the reading list's conflicts, the cascade
// from a deleted user to their articles, and input SQLite takes but PostgreSQL refuses.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { createArticle, createArticles, logIn, newUser, PASSWORD, savedIds, listedIds } from './board-support.ts';

describe('the board on PostgreSQL', () => {
  let postgres: PostgresServer | null = null;
  let site: RunningSite | null = null;

  before(async () => {
    postgres = await startPostgres();
    if (postgres) site = await startSite({ env: { DATABASE_URL: postgres.url } });
  });

  after(async () => {
    await site?.stop();
    await postgres?.stop();
  });

  test('lists newest first, ten to a page, 404 past the last', async (t) => {
    if (!site) return skipOrFail(t, 'PostgreSQL binaries not installed');
    const { client } = await newUser(site.url);
    const ids = await createArticles(client, Array.from({ length: 12 }, (_, index) => `Pg article ${index + 1}`));
    const reader = new Client(site.url);
    const first = await reader.get('/articles');
    assert.equal(first.status, 200);
    assert.deepEqual(listedIds(first.body), ids.slice(-10).reverse());
    const second = await reader.get('/articles?page=2');
    assert.deepEqual(listedIds(second.body), ids.slice(0, 2).reverse());
    assert.equal((await reader.get('/articles?page=3')).status, 404);
    assert.equal((await reader.get(`/articles/${ids[0]}`)).status, 200);
    assert.equal((await reader.get('/articles/99999999')).status, 404);
  });

  test('deleting a user deletes their articles and the reading-list entries that named them', async (t) => {
    if (!site) return skipOrFail(t, 'PostgreSQL binaries not installed');
    const { client: leaver } = await newUser(site.url, 'leaver');
    const gone = await createArticle(leaver, 'Leaves with its author');
    const { client: stayer } = await newUser(site.url, 'stayer');
    const kept = await createArticle(stayer, 'Stays');
    assert.equal((await stayer.submit(`/articles/${gone}`, `/articles/${gone}/save`, {})).status, 303);
    assert.equal((await stayer.submit(`/articles/${kept}`, `/articles/${kept}/save`, {})).status, 303);
    assert.equal((await leaver.post('/accounts/delete', { password: PASSWORD })).status, 303);
    assert.equal((await new Client(site.url).get(`/articles/${gone}`)).status, 404);
    assert.ok(!listedIds((await new Client(site.url).get('/articles')).body).includes(gone));
    const list = await stayer.get('/reading-list');
    assert.equal(list.status, 200);
    assert.deepEqual(savedIds(list.body), [kept]);
  });

  test('a guest\'s list merges at login without duplicates, and saving twice keeps one', async (t) => {
    if (!site) return skipOrFail(t, 'PostgreSQL binaries not installed');
    const { client: author } = await newUser(site.url, 'author');
    const [both, guestOnly] = await createArticles(author, ['In both lists', 'Guest only']) as [number, number];
    const { client: account, username } = await newUser(site.url, 'merger');
    assert.equal((await account.submit(`/articles/${both}`, `/articles/${both}/save`, {})).status, 303);
    assert.equal((await account.submit(`/articles/${both}`, `/articles/${both}/save`, {})).status, 303);
    const guest = new Client(site.url);
    await guest.submit(`/articles/${both}`, `/articles/${both}/save`, {});
    await guest.submit(`/articles/${guestOnly}`, `/articles/${guestOnly}/save`, {});
    const login = await logIn(guest, username);
    assert.equal(login.status, 303);
    const merged = savedIds((await guest.get('/reading-list')).body);
    assert.equal(merged.length, 2);
    assert.deepEqual(new Set(merged), new Set([both, guestOnly]));
  });

  test('a NUL character in an article is a form error, not a server error', async (t) => {
    if (!site) return skipOrFail(t, 'PostgreSQL binaries not installed');
    const { client } = await newUser(site.url);
    const title = await client.submit('/articles/new', '/articles', { title: 'nul\u0000', content: '' });
    assert.equal(title.status, 422);
    const content = await client.submit('/articles/new', '/articles', { title: 'fine', content: 'nul\u0000' });
    assert.equal(content.status, 422);
  });
});
