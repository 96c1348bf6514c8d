// Issue 3's walk, tried as a new user would, in real Chromium against a started site: read
// articles without an account, save two to a reading list, hide the notice for today, sign up and
// find the list still there, write an article, fail to edit someone else's, and see a 304.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, newCheckedContext, screenshotDirectory, screenshots, type CheckedContext } from '../../../test/support/browser.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { follow, pathOf, submit } from './page-steps.ts';

const timeoutMs = 10_000;
const shots = screenshots(screenshotDirectory, 'articles-');
const notice = 'E2E notice: the reading room closes at nine tonight.';

const author = { username: 'hana.lee', password: 'amber-Compass-meadow-5521' };
const visitor = { username: 'joon.kim', password: 'silent-Harbor-lantern-7730' };
const markupTitle = 'Escaping <b>not bold</b> & friends';
const multiLineContent = 'First line of the story.\nSecond line, after a break.\n\nA paragraph after an empty line.';
const plainTitles = ['Notes on sessions', 'Why cookies are signed'];

let site: RunningSite | undefined;
let browser: Browser | null = null;

before(async () => {
  browser = await launchChromium();
  if (browser !== null) site = await startSite({ env: { SITE_NOTICE: notice } });
});

after(async () => {
  await browser?.close();
  await site?.stop();
});

function running(): { site: RunningSite; browser: Browser } {
  assert.ok(site !== undefined && browser !== null);
  return { site, browser };
}

function newContext(options: { locale?: string } = {}): Promise<CheckedContext> {
  return newCheckedContext(running().browser, timeoutMs, options);
}

/** Goes to `path`; resolves to the status of the main document's response. */
async function goto(page: Page, path: string): Promise<number> {
  const response = await page.goto(running().site.url + path, { waitUntil: 'load' });
  assert.ok(response, `a response for ${path}`);
  return response.status();
}

async function signUp(page: Page, username: string, password: string): Promise<void> {
  await goto(page, '/');
  await follow(page, page.getByRole('link', { name: 'Sign up', exact: true }), '/accounts/signup');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password confirmation').fill(password);
  assert.equal(await submit(page, page.getByRole('button', { name: 'Create account' })), 303);
  assert.equal(pathOf(page.url()), '/');
  assert.equal(await page.locator('.site-header .username').textContent(), username);
}

/** Writes an article through the form; resolves to its id. */
async function writeArticle(page: Page, title: string, content: string, options: { shot?: string } = {}): Promise<number> {
  await goto(page, '/articles');
  await follow(page, page.getByRole('link', { name: 'Write an article', exact: true }), '/articles/new');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'New article');
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Content', { exact: true }).fill(content);
  if (options.shot) await shots.take(page, options.shot);
  assert.equal(await submit(page, page.getByRole('button', { name: 'Publish', exact: true })), 303);
  const match = /^\/articles\/([1-9][0-9]*)$/.exec(pathOf(page.url()));
  assert.ok(match, `an article page after publishing, not ${page.url()}`);
  assert.equal(await page.locator('article.article h1').textContent(), title);
  return Number(match[1]);
}

async function cookieNamed(context: BrowserContext, name: string) {
  return (await context.cookies(running().site.url)).find((c) => c.name === name);
}

/**
 * The statuses of document responses as they came over the wire (a revalidated page is a 304
 * there, though Chromium reports the cached 200 it shows): `next(path)` resolves to the status
 * of the next document response for that path, within the bounded timeout.
 */
async function wireStatuses(context: BrowserContext, page: Page): Promise<{ next(path: string): Promise<number> }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const documents = new Map<string, string>();
  const waiting: Array<{ path: string; resolve: (status: number) => void }> = [];
  cdp.on('Network.requestWillBeSent', (event) => {
    if (event.type === 'Document') documents.set(event.requestId, pathOf(event.request.url));
  });
  cdp.on('Network.responseReceivedExtraInfo', (event) => {
    const path = documents.get(event.requestId);
    const index = waiting.findIndex((w) => w.path === path);
    if (index >= 0) waiting.splice(index, 1)[0]?.resolve(event.statusCode);
  });
  return {
    next(path) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no response for ${path} within ${timeoutMs} ms`)), timeoutMs);
        waiting.push({ path, resolve: (status) => { clearTimeout(timer); resolve(status); } });
      });
    },
  };
}

/** The titles of the article list on the current page, in order. */
async function listedTitles(page: Page): Promise<string[]> {
  return page.locator('ol.articles .article-title').allTextContents();
}

test('a new visitor reads, saves, hides the notice, signs up, writes, is refused an edit, and gets a 304', { timeout: 60_000 }, async (t) => {
  if (browser === null) return skipOrFail(t, 'Chromium not installed');

  // The author comes first, in a browser of their own: three articles, then logs out.
  const writer = await newContext();
  await signUp(writer.page, author.username, author.password);
  const markupId = await writeArticle(writer.page, markupTitle, multiLineContent);
  const firstPlainId = await writeArticle(writer.page, plainTitles[0] as string, 'Sessions live on the server.');
  const secondPlainId = await writeArticle(writer.page, plainTitles[1] as string, 'So that nobody can forge them.');
  assert.equal(await submit(writer.page, writer.page.getByRole('button', { name: 'Log out', exact: true })), 303);
  await writer.page.getByRole('link', { name: 'Log in', exact: true }).waitFor({ state: 'visible' });
  await writer.context.close();

  // A new visitor, no account: the list, newest first, the markup in the title shown as text.
  const { context, page, problems } = await newContext();
  assert.equal(await goto(page, '/articles'), 200);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Articles');
  assert.deepEqual(await listedTitles(page), [plainTitles[1], plainTitles[0], markupTitle]);
  assert.equal(await page.locator('ol.articles b').count(), 0, 'no HTML from users is interpreted');
  assert.equal(await page.getByRole('link', { name: 'Write an article' }).count(), 0);
  await shots.take(page, 'list');

  // The article: title as text, line breaks kept on screen.
  await follow(page, page.getByRole('link', { name: markupTitle, exact: true }), `/articles/${markupId}`);
  const heading = page.locator('article.article h1');
  assert.equal(await heading.textContent(), markupTitle);
  assert.equal(await heading.locator('b').count(), 0);
  const content = page.locator('article.article .content');
  assert.equal(await content.innerText(), multiLineContent, 'innerText keeps the line breaks');
  assert.match((await page.locator('article.article .meta').textContent()) ?? '', new RegExp(`by ${author.username}`));
  assert.equal(await page.getByRole('link', { name: 'Edit', exact: true }).count(), 0);
  await shots.take(page, 'article');

  // Save it, and a second one, to the reading list; the button turns into "remove".
  assert.equal(await submit(page, page.getByRole('button', { name: 'Save to reading list' })), 303);
  assert.equal(pathOf(page.url()), `/articles/${markupId}`);
  await page.getByRole('button', { name: 'Remove from reading list' }).waitFor({ state: 'visible' });
  await goto(page, `/articles/${secondPlainId}`);
  assert.equal(await submit(page, page.getByRole('button', { name: 'Save to reading list' })), 303);
  assert.equal(pathOf(page.url()), `/articles/${secondPlainId}`);
  await page.getByRole('button', { name: 'Remove from reading list' }).waitFor({ state: 'visible' });

  await follow(page, page.locator('.site-header').getByRole('link', { name: 'Reading list', exact: true }), '/reading-list');
  assert.deepEqual((await listedTitles(page)).sort(), [markupTitle, plainTitles[1]].sort());
  await page.locator('p.hint').waitFor({ state: 'visible' });
  await shots.take(page, 'reading-list-guest');

  // Saving made no session: the list travels in its own cookie.
  assert.equal(await cookieNamed(context, 'sessionid'), undefined, 'no sessionid for a guest');
  const readingCookie = await cookieNamed(context, 'reading_list');
  assert.ok(readingCookie, 'a reading_list cookie');
  assert.equal(readingCookie.httpOnly, true);

  // The notice on the home page, dismissed for today.
  await follow(page, page.locator('.site-header').getByRole('link', { name: 'Home', exact: true }), '/');
  const siteNotice = page.locator('#site-notice');
  await siteNotice.waitFor({ state: 'visible' });
  assert.equal((await siteNotice.locator('p').textContent())?.trim(), notice);
  await shots.take(page, 'home-with-notice');
  const dismissedAt = Date.now();
  assert.equal(await submit(page, siteNotice.getByRole('button', { name: /don.t show again today/i })), 303);
  assert.equal(pathOf(page.url()), '/');
  await page.getByRole('heading', { level: 1, name: 'Welcome' }).waitFor({ state: 'visible' });
  assert.equal(await siteNotice.count(), 0, 'the notice is gone');
  const hideNotice = await cookieNamed(context, 'hide_notice');
  assert.ok(hideNotice, 'a hide_notice cookie');
  assert.ok(hideNotice.expires > 0, 'hide_notice is not a browser-session cookie');
  assert.ok(hideNotice.expires * 1000 > dismissedAt, 'hide_notice expires in the future');
  assert.ok(hideNotice.expires * 1000 <= dismissedAt + 86_400_000 + 5_000, 'hide_notice lasts at most 24 hours');
  await shots.take(page, 'home-after-dismiss');
  assert.equal(await cookieNamed(context, 'sessionid'), undefined, 'still no sessionid for a guest');

  // Signs up: the reading list is still there, now from the account, and the cookie is gone.
  await signUp(page, visitor.username, visitor.password);
  assert.equal(await page.locator('#site-notice').count(), 0, 'the notice stays hidden after signing up');
  assert.equal(await cookieNamed(context, 'reading_list'), undefined, 'the reading_list cookie is cleared');
  assert.ok(await cookieNamed(context, 'sessionid'), 'a sessionid once signed up');
  await follow(page, page.locator('.site-header').getByRole('link', { name: 'Reading list', exact: true }), '/reading-list');
  assert.deepEqual((await listedTitles(page)).sort(), [markupTitle, plainTitles[1]].sort());
  assert.equal(await page.locator('p.hint').count(), 0, 'no guest hint once logged in');
  await shots.take(page, 'reading-list-after-signup');

  // Writes an article: first on the list.
  const ownTitle = 'A first article from a new member';
  const ownId = await writeArticle(page, ownTitle, 'Hello from the new member.', { shot: 'new-article-form' });
  assert.ok(![markupId, firstPlainId, secondPlainId].includes(ownId));
  await page.getByRole('link', { name: 'Edit', exact: true }).waitFor({ state: 'visible' });
  await goto(page, '/articles');
  assert.deepEqual(await listedTitles(page), [ownTitle, plainTitles[1], plainTitles[0], markupTitle]);

  // The author's article cannot be edited by someone else: 403, and the page says why.
  assert.equal(await goto(page, `/articles/${markupId}/edit`), 403);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Forbidden');
  assert.equal((await page.locator('.error-detail').textContent())?.trim(), 'Only the author of an article can edit it.');
  assert.equal(await page.getByLabel('Title', { exact: true }).count(), 0, 'no edit form');
  await shots.take(page, 'edit-forbidden');

  // Nothing changed: the browser's reload revalidates /articles with If-None-Match and is
  // answered 304. Chromium reports the cached 200 it then shows, so the status on the wire is
  // read from the DevTools protocol.
  const wire = await wireStatuses(context, page);
  const first = await page.goto(`${running().site.url}/articles`, { waitUntil: 'load' });
  assert.equal(first?.status(), 200);
  const etag = await first.headerValue('etag');
  assert.ok(etag, 'an ETag on /articles');
  const answered = wire.next('/articles');
  const reloaded = await page.reload({ waitUntil: 'load' });
  assert.equal(await reloaded?.request().headerValue('if-none-match'), etag, 'the reload asks with the ETag');
  assert.equal(await answered, 304, 'a reload of an unchanged page is answered 304');
  assert.deepEqual(await listedTitles(page), [ownTitle, plainTitles[1], plainTitles[0], markupTitle], 'the cached page is shown');
  await shots.take(page, 'list-after-304');
  // The same, asked explicitly with this context's cookies: no body, same ETag.
  const revalidated = await page.request.get(`${running().site.url}/articles`, { headers: { 'If-None-Match': etag }, maxRedirects: 0 });
  assert.equal(revalidated.status(), 304);
  assert.equal((await revalidated.body()).length, 0);
  assert.equal(revalidated.headers().etag, etag);

  // Deleting asks first: the article's Delete is a link to a confirmation page, whose button posts.
  await goto(page, `/articles/${ownId}`);
  await follow(page, page.getByRole('link', { name: 'Delete', exact: true }), `/articles/${ownId}/delete/confirm`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Delete this article?');
  assert.equal(await goto(page, `/articles/${ownId}`), 200, 'following the link deleted nothing');
  await follow(page, page.getByRole('link', { name: 'Delete', exact: true }), `/articles/${ownId}/delete/confirm`);
  await follow(page, page.getByRole('link', { name: 'Keep it', exact: true }), `/articles/${ownId}`);
  await follow(page, page.getByRole('link', { name: 'Delete', exact: true }), `/articles/${ownId}/delete/confirm`);
  await shots.take(page, 'delete-confirm');
  assert.equal(await submit(page, page.getByRole('button', { name: 'Delete the article', exact: true })), 303);
  assert.equal(pathOf(page.url()), '/articles');
  await page.getByRole('status').filter({ hasText: 'The article was deleted.' }).waitFor();
  assert.deepEqual(await listedTitles(page), [plainTitles[1], plainTitles[0], markupTitle]);
  assert.equal(await goto(page, `/articles/${ownId}`), 404);
  // Someone else's article offers no delete link, and its confirmation page is refused.
  assert.equal(await goto(page, `/articles/${markupId}`), 200);
  assert.equal(await page.getByRole('link', { name: 'Delete', exact: true }).count(), 0);
  assert.equal(await goto(page, `/articles/${markupId}/delete/confirm`), 403);

  assert.deepEqual(problems, []);
  await context.close();
});

test('in Korean, the articles list is in Korean', { timeout: 30_000 }, async (t) => {
  if (browser === null) return skipOrFail(t, 'Chromium not installed');
  const { context, page, problems } = await newContext({ locale: 'ko-KR' });

  assert.equal(await goto(page, '/articles'), 200);
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '글');
  const header = page.locator('.site-header');
  for (const name of ['홈', '읽기 목록', '로그인', '회원가입']) {
    assert.equal(await header.getByRole('link', { name, exact: true }).count(), 1, `the header links to ${name}`);
  }
  // The articles of the first test (when it ran) are listed as written, under Korean chrome.
  if ((await page.locator('ol.articles').count()) > 0) {
    assert.ok((await listedTitles(page)).includes(markupTitle));
    assert.equal(await page.locator('ol.articles b').count(), 0);
  } else {
    assert.equal((await page.locator('p.empty').textContent())?.trim(), '아직 글이 없습니다.');
  }
  await shots.take(page, 'list-ko');

  assert.deepEqual(problems, []);
  await context.close();
});
