// GET /articles: newest first (creation time, then id), ten to a page with ?page=N, 404 past the last.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { articleRows, createArticle, createArticles, listedIds, newUser, withDatabase } from './board-support.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

const badPages = ['0', '-1', 'abc', '1e3', '1.5', '01x', ' 1', '99999999999999999999', '%00'];

/** Every id the board shows, page after page, and how many pages there were. */
async function wholeBoard(client: Client): Promise<{ ids: number[]; pages: number[][] }> {
  const pages: number[][] = [];
  for (let page = 1; ; page += 1) {
    const response = await client.get(`/articles?page=${page}`);
    if (response.status === 404) break;
    assert.equal(response.status, 200, `page ${page} answered ${response.status}`);
    pages.push(listedIds(response.body));
    assert.ok(page < 100, 'the board never ends');
  }
  return { ids: pages.flat(), pages };
}

/** The order the contract asks for, computed from the rows themselves. */
function newestFirst(): number[] {
  return articleRows(site)
    .sort((a, b) => b.created_at - a.created_at || b.id - a.id)
    .map((row) => row.id);
}

describe('an empty board', () => {
  test('page 1 answers 200 and says there are no articles', async () => {
    const client = new Client(site.url);
    for (const path of ['/articles', '/articles?page=1']) {
      const response = await client.get(path);
      assert.equal(response.status, 200, `${path} answered ${response.status}`);
      assert.deepEqual(listedIds(response.body), []);
      assert.ok(response.body.includes('No articles yet.'), 'expected response.body.includes(\'No articles yet.\')');
    }
  });

  test('page 2 of an empty board is 404', async () => {
    assert.equal((await new Client(site.url).get('/articles?page=2')).status, 404);
  });

  test('a page number that is not a positive integer is 404', async () => {
    const client = new Client(site.url);
    for (const page of badPages) {
      const response = await client.get(`/articles?page=${page}`);
      assert.equal(response.status, 404, `page=${page} answered ${response.status}`);
    }
  });
});

describe('a board of 23 articles', () => {
  let written: number[];

  before(async () => {
    const { client } = await newUser(site.url);
    written = await createArticles(client, Array.from({ length: 23 }, (_, index) => `Article number ${index + 1}`));
  });

  test('page 1 shows the ten newest, newest first', async () => {
    const response = await new Client(site.url).get('/articles');
    assert.equal(response.status, 200);
    assert.deepEqual(listedIds(response.body), written.slice(-10).reverse());
    assert.deepEqual(listedIds((await new Client(site.url).get('/articles?page=1')).body), written.slice(-10).reverse());
  });

  test('pages 2 and 3 hold the rest, ten and three, with nothing repeated or lost', async () => {
    const { ids, pages } = await wholeBoard(new Client(site.url));
    assert.deepEqual(pages.map((page) => page.length), [10, 10, 3]);
    assert.deepEqual(ids, [...written].reverse());
  });

  test('the page after the last is 404, and so is any page beyond', async () => {
    const client = new Client(site.url);
    assert.equal((await client.get('/articles?page=3')).status, 200);
    for (const page of ['4', '5', '1000']) assert.equal((await client.get(`/articles?page=${page}`)).status, 404, `page ${page}`);
  });

  test('a page number that is not a positive integer is 404 on a full board too', async () => {
    const client = new Client(site.url);
    for (const page of badPages) {
      const response = await client.get(`/articles?page=${page}`);
      assert.equal(response.status, 404, `page=${page} answered ${response.status}`);
    }
  });

  test('the pages link to their neighbours', async () => {
    const client = new Client(site.url);
    const first = await client.get('/articles?page=1');
    assert.ok(first.body.includes('href="/articles?page=2"'), 'expected first.body.includes(\'href="/articles?page=2"\')');
    const middle = await client.get('/articles?page=2');
    assert.ok(middle.body.includes('href="/articles?page=1"') && middle.body.includes('href="/articles?page=3"'), 'expected middle.body.includes(\'href="/articles?page=1"\') && middle.body.includes(\'href="/articles?page=3"\')');
    const last = await client.get('/articles?page=3');
    assert.ok(!last.body.includes('href="/articles?page=4"'), 'expected !last.body.includes(\'href="/articles?page=4"\')');
  });

  test('the home page shows the newest articles, newest first', async () => {
    const home = await new Client(site.url).get('/');
    const shown = listedIds(home.body);
    assert.ok(shown.length > 0 && shown.length <= 10, `the home page shows ${shown.length} articles`);
    assert.deepEqual(shown, [...written].reverse().slice(0, shown.length));
  });
});

describe('order by creation time, then id', () => {
  test('articles are ordered by when they were written, and by id among those written at the same time', async () => {
    const { client } = await newUser(site.url);
    const reader = new Client(site.url);
    await reader.get('/articles');
    const ids = await createArticles(client, ['Tie one', 'Tie two', 'Tie three', 'Backdated', 'Future']);
    const [tieOne, tieTwo, tieThree, backdated, future] = ids as [number, number, number, number, number];
    // Three written in the same millisecond, one whose clock was behind, one whose clock was ahead.
    withDatabase(site, (database) => {
      const latest = (database.prepare('select max(created_at) as t from articles').get() as { t: number }).t;
      const set = database.prepare('update articles set created_at = ?, updated_at = ? where id = ?');
      for (const id of [tieTwo, tieOne, tieThree]) set.run(latest + 10, latest + 10, id);
      set.run(latest - 86_400_000, latest - 86_400_000, backdated);
      set.run(latest + 20, latest + 20, future);
    });
    // A change made through the site clears whatever the board had cached.
    const last = await createArticle(client, 'Written through the site');
    withDatabase(site, (database) => database.prepare('update articles set created_at = 1, updated_at = 1 where id = ?').run(last));
    const other = await createArticle(client, 'And one more');

    const expected = newestFirst();
    assert.ok(expected.includes(other));
    const { ids: shown } = await wholeBoard(reader);
    assert.deepEqual(shown, expected);
    const position = (id: number) => shown.indexOf(id);
    assert.ok(position(future) < position(tieThree), 'expected position(future) < position(tieThree)');
    assert.ok(position(tieThree) < position(tieTwo) && position(tieTwo) < position(tieOne), 'a tie is not broken by id, newest first');
    assert.ok(position(backdated) > position(tieOne), 'expected position(backdated) > position(tieOne)');
    assert.equal(shown.at(-1), last);
  });
});

describe('the page count follows the board', () => {
  test('a new article opens a new page at once, and deleting it closes that page at once', async () => {
    const { client } = await newUser(site.url);
    const reader = new Client(site.url);
    const missing = 10 - (articleRows(site).length % 10);
    if (missing < 10) await createArticles(client, Array.from({ length: missing }, (_, index) => `Filler ${index + 1}`));
    const full = articleRows(site).length;
    assert.equal(full % 10, 0);
    const nextPage = `/articles?page=${full / 10 + 1}`;
    assert.equal((await reader.get(`/articles?page=${full / 10}`)).status, 200);
    assert.equal((await reader.get(nextPage)).status, 404);
    const id = await createArticle(client, 'Eleventh of its ten');
    const opened = await reader.get(nextPage);
    assert.equal(opened.status, 200, 'the new page is still 404: the article count was cached');
    assert.equal(listedIds(opened.body).length, 1);
    assert.equal((await client.submit(`/articles/${id}`, `/articles/${id}/delete`, {})).status, 303);
    assert.equal((await reader.get(nextPage)).status, 404, 'the emptied page still answers: the article count was cached');
  });
});
