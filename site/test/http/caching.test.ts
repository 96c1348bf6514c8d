// HTTP caching: ETag and 304 on every GET page, private pages that vary on Cookie, an article list
// cache that a change clears at once, and static files under content-hashed, immutable names.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, csrfToken, type Response } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { createArticle, headerHas, listedIds, newUser } from './board-support.ts';

let site: RunningSite;
let author: Client;
let authorName: string;
let articleId: number;

before(async () => {
  site = await startSite();
  ({ client: author, username: authorName } = await newUser(site.url, 'cacher'));
  articleId = await createArticle(author, 'Cached article', 'Its content');
});

after(async () => {
  await site.stop();
});

const anonymousPages = () => ['/', '/articles', '/articles?page=1', `/articles/${articleId}`, '/reading-list', '/accounts/login', '/accounts/signup'];
const userPages = () => [
  '/',
  '/articles',
  `/articles/${articleId}`,
  `/articles/${articleId}/edit`,
  '/articles/new',
  '/reading-list',
  '/accounts/update',
  '/accounts/password',
  '/accounts/sessions',
  '/accounts/delete/confirm',
];

function assertPrivate(response: Response, where: string): void {
  const cacheControl = response.headers.get('cache-control') ?? '';
  assert.ok(headerHas(response, 'cache-control', 'private') || headerHas(response, 'cache-control', 'no-store'), `${where}: Cache-Control is "${cacheControl}"`);
  assert.ok(!headerHas(response, 'cache-control', 'public'), `${where}: Cache-Control is public`);
  if (!headerHas(response, 'cache-control', 'no-store')) {
    assert.ok(headerHas(response, 'vary', 'Cookie') || headerHas(response, 'vary', '*'), `${where}: Vary is "${response.headers.get('vary')}"`);
  }
}

async function assertEtagAnd304(client: Client, path: string): Promise<void> {
  const first = await client.get(path);
  assert.equal(first.status, 200, `${path} answered ${first.status}`);
  const etag = first.headers.get('etag');
  assert.ok(etag, `${path} has no ETag`);
  const again = await client.get(path, { 'if-none-match': etag });
  assert.equal(again.status, 304, `${path} with its own ETag answered ${again.status}`);
  assert.equal(again.body, '', `${path}: the 304 has a body`);
  assert.equal(again.headers.get('etag'), etag, `${path}: the 304 names another ETag`);
}

test('every GET page an anonymous visitor sees has an ETag, and If-None-Match with it is 304 with no body', async () => {
  const visitor = new Client(site.url);
  for (const path of anonymousPages()) await assertEtagAnd304(visitor, path);
});

test('every GET page a logged-in user sees has an ETag, and If-None-Match with it is 304 with no body', async () => {
  for (const path of userPages()) await assertEtagAnd304(author, path);
});

test('a guest with a reading list gets an ETag and 304 on the reading list', async () => {
  const guest = new Client(site.url);
  assert.equal((await guest.submit(`/articles/${articleId}`, `/articles/${articleId}/save`, {})).status, 303);
  await assertEtagAnd304(guest, '/reading-list');
});

test('two GETs of an unchanged page get the same ETag, though each carries a fresh CSRF token', async () => {
  const visitor = new Client(site.url);
  for (const path of ['/accounts/login', `/articles/${articleId}`, '/']) {
    const first = await visitor.get(path);
    const second = await visitor.get(path);
    assert.notEqual(csrfToken(first.body), csrfToken(second.body), `${path}: the CSRF token was not masked afresh`);
    assert.equal(second.headers.get('etag'), first.headers.get('etag'), `${path}: the ETag changed`);
  }
  const first = await author.get('/articles/new');
  const second = await author.get('/articles/new');
  assert.equal(second.headers.get('etag'), first.headers.get('etag'));
});

test('If-None-Match that does not match gets the whole page; a list containing the ETag gets 304', async () => {
  const visitor = new Client(site.url);
  const page = await visitor.get('/articles');
  const etag = page.headers.get('etag')!;
  const other = await visitor.get('/articles', { 'if-none-match': '"not-the-etag"' });
  assert.equal(other.status, 200);
  assert.deepEqual(listedIds(other.body), listedIds(page.body));
  const listed = await visitor.get('/articles', { 'if-none-match': `"not-the-etag", ${etag}` });
  assert.equal(listed.status, 304);
});

test('pages carry Cache-Control private or no-store, and Vary: Cookie where they may be cached', async () => {
  const visitor = new Client(site.url);
  for (const path of anonymousPages()) assertPrivate(await visitor.get(path), `anonymous ${path}`);
  for (const path of userPages()) assertPrivate(await author.get(path), `logged-in ${path}`);
  assertPrivate(await visitor.get('/articles/999999'), 'a 404 page');
  const { client: other } = await newUser(site.url, 'stranger');
  assertPrivate(await other.get(`/articles/${articleId}/edit`), 'a 403 page');
});

test('a page that differs by visitor has a different ETag, so one visitor\'s ETag never gets another a 304', async () => {
  const mine = await author.get('/articles');
  assert.ok(mine.body.includes(`<strong class="username">${authorName}</strong>`));
  const visitor = new Client(site.url);
  const theirs = await visitor.get('/articles', { 'if-none-match': mine.headers.get('etag')! });
  assert.equal(theirs.status, 200);
  assert.notEqual(theirs.headers.get('etag'), mine.headers.get('etag'));
  assert.ok(!theirs.body.includes('class="username"'), 'an anonymous visitor was shown the logged-in user\'s page');
  assert.ok(!theirs.body.includes('href="/articles/new"'), 'an anonymous visitor was offered to write an article');
  assert.ok(theirs.body.includes('href="/accounts/login"'));
});

test('a new article changes the ETag of the board and the home page, and shows at once to anonymous readers', async () => {
  const reader = new Client(site.url);
  const board = await reader.get('/articles');
  const home = await reader.get('/');
  const id = await createArticle(author, 'Breaking news');
  const boardAfter = await reader.get('/articles', { 'if-none-match': board.headers.get('etag')! });
  assert.equal(boardAfter.status, 200, 'the board still answers 304 after a new article');
  assert.notEqual(boardAfter.headers.get('etag'), board.headers.get('etag'));
  assert.equal(listedIds(boardAfter.body)[0], id);
  const homeAfter = await reader.get('/', { 'if-none-match': home.headers.get('etag')! });
  assert.equal(homeAfter.status, 200, 'the home page still answers 304 after a new article');
  assert.equal(listedIds(homeAfter.body)[0], id);
});

test('an edited title shows at once on the board, with a new ETag', async () => {
  const id = await createArticle(author, 'Title before the edit');
  const reader = new Client(site.url);
  const board = await reader.get('/articles');
  assert.ok(board.body.includes('Title before the edit'));
  const edit = await author.submit(`/articles/${id}/edit`, `/articles/${id}/edit`, { title: 'Title after the edit', content: '' });
  assert.equal(edit.status, 303);
  const after = await reader.get('/articles', { 'if-none-match': board.headers.get('etag')! });
  assert.equal(after.status, 200);
  assert.ok(after.body.includes('Title after the edit'));
  assert.ok(!after.body.includes('Title before the edit'));
  const home = await reader.get('/');
  assert.ok(home.body.includes('Title after the edit'));
});

test('a deleted article leaves the board and the home page at once, with a new ETag', async () => {
  const id = await createArticle(author, 'About to vanish');
  const reader = new Client(site.url);
  const board = await reader.get('/articles');
  const home = await reader.get('/');
  assert.ok(listedIds(board.body).includes(id) && listedIds(home.body).includes(id));
  assert.equal((await author.submit(`/articles/${id}`, `/articles/${id}/delete`, {})).status, 303);
  const after = await reader.get('/articles', { 'if-none-match': board.headers.get('etag')! });
  assert.equal(after.status, 200);
  assert.ok(!listedIds(after.body).includes(id));
  const homeAfter = await reader.get('/', { 'if-none-match': home.headers.get('etag')! });
  assert.equal(homeAfter.status, 200);
  assert.ok(!listedIds(homeAfter.body).includes(id));
});

test('an edited article page gets a new ETag', async () => {
  const id = await createArticle(author, 'Page before');
  const reader = new Client(site.url);
  const before = await reader.get(`/articles/${id}`);
  await author.submit(`/articles/${id}/edit`, `/articles/${id}/edit`, { title: 'Page after', content: '' });
  const after = await reader.get(`/articles/${id}`, { 'if-none-match': before.headers.get('etag')! });
  assert.equal(after.status, 200);
  assert.ok(after.body.includes('Page after'));
});

test('the stylesheet is served under a content-hashed name, immutable for a year', async () => {
  const page = await new Client(site.url).get('/');
  const href = /<link rel="stylesheet" href="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(href, 'the page links no stylesheet');
  assert.match(href, /^\/static\/[\w-]+\.[0-9a-f]{8,}\.css$/, `${href} is not a content-hashed name`);
  const css = await new Client(site.url).get(href);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  assert.ok(css.body.length > 0);
  assert.ok(headerHas(css, 'cache-control', 'max-age=31536000'), `Cache-Control is ${css.headers.get('cache-control')}`);
  assert.ok(headerHas(css, 'cache-control', 'immutable'), `Cache-Control is ${css.headers.get('cache-control')}`);
  const korean = new Client(site.url);
  korean.jar.set('lang', 'ko');
  const koPage = await korean.get('/articles');
  assert.ok(koPage.body.includes('<html lang="ko">'));
  assert.ok(koPage.body.includes(`href="${href}"`), 'another page links another stylesheet name');
});

test('a static name that is not the hashed one is 404, and not cached for a year', async () => {
  const page = await new Client(site.url).get('/');
  const href = /<link rel="stylesheet" href="([^"]+)"/.exec(page.body)?.[1]!;
  const stem = href.replace(/\.[0-9a-f]+\.css$/, '');
  const hash = /\.([0-9a-f]+)\.css$/.exec(href)?.[1]!;
  const wrongHash = hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  const client = new Client(site.url);
  for (const path of [`${stem}.css`, `${stem}.${wrongHash}.css`, '/static/nope.css', `${href}x`, '/static/..%2Fapp.ts', '/static/%2e%2e%2f%2e%2e%2fpackage.json']) {
    const response = await client.get(path);
    assert.equal(response.status, 404, `${path} answered ${response.status}`);
    assert.ok(!headerHas(response, 'cache-control', 'immutable'), `${path}: a 404 is cached as immutable`);
  }
});
