// The articles board: reading (anyone), writing (logged in), and the form's limits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { articleRows, createArticle, decodeHtml, hiddenValue, listedIds, loginNext, newUser, textareaValue, withDatabase } from './board-support.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

function articleCount(): number {
  return articleRows(site).length;
}

/** The decoded text of the article page's heading and content element. */
function shownArticle(html: string): { title: string; content: string } {
  const article = /<article class="article">([\s\S]*?)<\/article>/.exec(html)?.[1];
  assert.ok(article, 'no <article> element');
  const title = /<h1>([^<]*)<\/h1>/.exec(article)?.[1];
  const content = /<div class="content">([^<]*)<\/div>/.exec(article)?.[1];
  assert.ok(title !== undefined && content !== undefined, 'the article shows no title or content element');
  return { title: decodeHtml(title), content: decodeHtml(content) };
}

test('an anonymous visitor reads an article with its title, content, author and date', async () => {
  const { client, username } = await newUser(site.url);
  const id = await createArticle(client, 'Reading without an account', 'Anyone may read this.');
  const page = await new Client(site.url).get(`/articles/${id}`);
  assert.equal(page.status, 200);
  assert.deepEqual(shownArticle(page.body), { title: 'Reading without an account', content: 'Anyone may read this.' });
  const meta = /<p class="meta">([\s\S]*?)<\/p>/.exec(page.body)?.[1] ?? '';
  assert.ok(meta.includes(username), 'the article does not name its author');
  const row = articleRows(site).find((article) => article.id === id);
  assert.ok(row, 'expected row');
  assert.match(meta, new RegExp(`<time datetime="${new Date(row.created_at).toISOString()}">[^<]+</time>`), 'the creation date is not shown');
});

test('an article edited after it was written shows when it was edited', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Written long ago', 'first version');
  // As if it had been written an hour ago.
  withDatabase(site, (database) => database.prepare('update articles set created_at = created_at - 3600000, updated_at = updated_at - 3600000 where id = ?').run(id));
  const edit = await client.submit(`/articles/${id}/edit`, `/articles/${id}/edit`, { title: 'Written long ago', content: 'second version' });
  assert.equal(edit.status, 303);
  const row = articleRows(site).find((article) => article.id === id)!;
  assert.ok(row.updated_at > row.created_at, 'expected row.updated_at > row.created_at');
  const page = await new Client(site.url).get(`/articles/${id}`);
  assert.equal(shownArticle(page.body).content, 'second version');
  assert.ok(page.body.includes(`<time datetime="${new Date(row.created_at).toISOString()}">`), 'the creation date is gone');
  assert.ok(page.body.includes(`<time datetime="${new Date(row.updated_at).toISOString()}">`), 'the edit date is not shown');
});

test('the board lists an article with its author and date', async () => {
  const { client, username } = await newUser(site.url);
  const id = await createArticle(client, 'Listed with its author');
  const list = await new Client(site.url).get('/articles');
  assert.equal(list.status, 200);
  const item = new RegExp(`<li class="article-item" id="article-${id}">([\\s\\S]*?)</li>`).exec(list.body)?.[1] ?? '';
  assert.ok(item.includes(`href="/articles/${id}"`), 'the item does not link to the article');
  assert.ok(item.includes('Listed with its author'), 'expected item.includes(\'Listed with its author\')');
  assert.ok(item.includes(username), 'the item does not name the author');
  assert.match(item, /<time datetime="[0-9T:.Z-]+">/);
});

test('an article that does not exist, or an id that is not a number, is 404', async () => {
  const { client } = await newUser(site.url);
  const deleted = await createArticle(client, 'Soon gone');
  assert.equal((await client.post(`/articles/${deleted}/delete`)).status, 303);
  const reader = new Client(site.url);
  for (const id of [String(deleted), '999999', '0', '-1', 'abc', '1.5', '1e3', '0x1', '%20', '99999999999999999999999', '1%00']) {
    const page = await reader.get(`/articles/${id}`);
    assert.equal(page.status, 404, `/articles/${id} answered ${page.status}`);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  }
});

test('an anonymous visitor asking for the new-article form is sent to log in, and back', async () => {
  const response = await new Client(site.url).get('/articles/new');
  assert.equal(loginNext(response), '/articles/new');
});

test('an anonymous visitor asking for an edit form is sent to log in with that form as next', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Edit me later');
  const response = await new Client(site.url).get(`/articles/${id}/edit`);
  assert.equal(loginNext(response), `/articles/${id}/edit`);
});

test('an anonymous POST to /articles creates nothing', async () => {
  const before = articleCount();
  const visitor = new Client(site.url);
  const response = await visitor.submit('/', '/articles', { title: 'Anonymous', content: 'no' });
  assert.ok(response.status === 302 || response.status === 303, `got ${response.status}`);
  assert.equal(articleCount(), before);
});

test('writing an article redirects 303 to its page, which shows it', async () => {
  const { client } = await newUser(site.url);
  const form = await client.get('/articles/new');
  assert.equal(form.status, 200);
  assert.match(form.body, /<form\b[^>]*method="post"[^>]*action="\/articles"/);
  const id = await createArticle(client, 'A first article', 'Hello, board.');
  const page = await client.get(`/articles/${id}`);
  assert.equal(page.status, 200);
  assert.deepEqual(shownArticle(page.body), { title: 'A first article', content: 'Hello, board.' });
});

test('a title is required: empty or blank is 422 and the content typed is kept', async () => {
  const { client } = await newUser(site.url);
  const before = articleCount();
  for (const title of ['', '    ']) {
    const response = await client.submit('/articles/new', '/articles', { title, content: 'Content without a title' });
    assert.equal(response.status, 422, `title ${JSON.stringify(title)} answered ${response.status}`);
    assert.equal(textareaValue(response.body, 'content'), 'Content without a title');
  }
  assert.equal(articleCount(), before);
});

test('a title of 201 characters is 422 with the typed title and content kept, and nothing is written', async () => {
  const { client } = await newUser(site.url);
  const before = articleCount();
  const title = `${'t'.repeat(200)}!`;
  const response = await client.submit('/articles/new', '/articles', { title, content: 'kept "content" & <more>' });
  assert.equal(response.status, 422);
  assert.equal(hiddenValue(response.body, 'title'), title);
  assert.equal(textareaValue(response.body, 'content'), 'kept "content" & <more>');
  assert.equal(articleCount(), before);
});

test('a title of exactly 200 characters is accepted, counted in characters not bytes', async () => {
  const { client } = await newUser(site.url);
  for (const title of ['t'.repeat(200), '가'.repeat(200)]) {
    const id = await createArticle(client, title);
    const page = await client.get(`/articles/${id}`);
    assert.equal(shownArticle(page.body).title, title);
  }
  const response = await client.submit('/articles/new', '/articles', { title: '가'.repeat(201), content: '' });
  assert.equal(response.status, 422);
});

test('content of 20,001 characters is 422 with the typed text kept; 20,000 is accepted', async () => {
  const { client } = await newUser(site.url);
  const before = articleCount();
  const tooLong = `${'c'.repeat(19_990)}0123456789X`;
  assert.equal(tooLong.length, 20_001);
  const rejected = await client.submit('/articles/new', '/articles', { title: 'Too long', content: tooLong });
  assert.equal(rejected.status, 422);
  assert.equal(textareaValue(rejected.body, 'content'), tooLong);
  assert.equal(hiddenValue(rejected.body, 'title'), 'Too long');
  assert.equal(articleCount(), before);

  const longest = 'c'.repeat(20_000);
  const id = await createArticle(client, 'Just fits', longest);
  const page = await client.get(`/articles/${id}`);
  assert.equal(shownArticle(page.body).content, longest);
});

test('an article may have no content', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Title only', '');
  assert.equal((await client.get(`/articles/${id}`)).status, 200);
});

test('editing with a title too long is 422 with the text kept, and the article stays as it was', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Original title', 'Original content');
  const title = 'e'.repeat(201);
  const response = await client.submit(`/articles/${id}/edit`, `/articles/${id}/edit`, { title, content: 'New content' });
  assert.equal(response.status, 422);
  assert.equal(hiddenValue(response.body, 'title'), title);
  assert.equal(textareaValue(response.body, 'content'), 'New content');
  const page = await client.get(`/articles/${id}`);
  assert.deepEqual(shownArticle(page.body), { title: 'Original title', content: 'Original content' });
});

test('the edit form shows the article as it is, and saving redirects 303 to the article', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Before', 'old\ntext');
  const form = await client.get(`/articles/${id}/edit`);
  assert.equal(form.status, 200);
  assert.equal(hiddenValue(form.body, 'title'), 'Before');
  assert.equal(textareaValue(form.body, 'content'), 'old\ntext');
  const saved = await client.submit(`/articles/${id}/edit`, `/articles/${id}/edit`, { title: 'After', content: 'new text' });
  assert.equal(saved.status, 303);
  assert.equal(saved.location, `/articles/${id}`);
  assert.deepEqual(shownArticle((await client.get(`/articles/${id}`)).body), { title: 'After', content: 'new text' });
});

test('line breaks in content are kept, inside an element the stylesheet shows with pre-wrap', async () => {
  const { client } = await newUser(site.url);
  const content = 'first line\nsecond line\n\n    indented after a blank line\n';
  const id = await createArticle(client, 'Lines', content);
  const page = await new Client(site.url).get(`/articles/${id}`);
  assert.equal(shownArticle(page.body).content, content);
  const href = /<link rel="stylesheet" href="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(href, 'no stylesheet');
  const css = await new Client(site.url).get(href);
  assert.equal(css.status, 200);
  assert.match(css.body, /\.article \.content\s*\{[^}]*white-space:\s*pre-wrap/);
});

test('content that starts with a line break keeps it in the edit form and in a form shown again', async () => {
  const { client } = await newUser(site.url);
  const content = '\nopens with a blank line';
  const id = await createArticle(client, 'Blank first line', content);
  assert.equal(shownArticle((await client.get(`/articles/${id}`)).body).content, content);
  const form = await client.get(`/articles/${id}/edit`);
  assert.equal(textareaValue(form.body, 'content'), content, 'a browser would drop the leading line break');
  const rejected = await client.submit('/articles/new', '/articles', { title: '', content });
  assert.equal(rejected.status, 422);
  assert.equal(textareaValue(rejected.body, 'content'), content, 'a browser would drop the leading line break');
});

test('a NUL character in the title or content is a form error, never a server error', async () => {
  const { client } = await newUser(site.url);
  const before = articleCount();
  for (const fields of [{ title: 'nul\u0000title', content: '' }, { title: 'nul content', content: 'before\u0000after' }]) {
    const response = await client.submit('/articles/new', '/articles', fields);
    assert.equal(response.status, 422, `${JSON.stringify(fields)} answered ${response.status}`);
  }
  assert.equal(articleCount(), before);
  const id = await createArticle(client, 'Clean', 'clean');
  const edit = await client.submit(`/articles/${id}/edit`, `/articles/${id}/edit`, { title: 'Clean', content: 'dirty\u0000' });
  assert.equal(edit.status, 422);
});

test('line breaks a browser sends as CRLF are kept as line breaks', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Windows lines', 'one\r\ntwo\r\nthree');
  const shown = shownArticle((await client.get(`/articles/${id}`)).body).content;
  assert.equal(shown.replace(/\r\n/g, '\n'), 'one\ntwo\nthree');
});

test('a new article is on the board and on the home page at once', async () => {
  const { client } = await newUser(site.url);
  const reader = new Client(site.url);
  await reader.get('/articles');
  await reader.get('/');
  const id = await createArticle(client, 'Fresh off the press');
  assert.equal(listedIds((await reader.get('/articles')).body)[0], id);
  assert.equal(listedIds((await reader.get('/')).body)[0], id);
});
