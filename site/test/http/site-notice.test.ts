// The site notice: shown on the home page from SITE_NOTICE, hidden for the rest of the day by
// POST /notice/dismiss, which goes back through the safe-redirect guard.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { cookieNamed, decodeHtml, formFor, newUser } from './board-support.ts';

const notice = 'Maintenance tonight at 22:00 <b>UTC</b> & "briefly"';

let site: RunningSite;

before(async () => {
  site = await startSite({ env: { SITE_NOTICE: notice } });
});

after(async () => {
  await site.stop();
});

/** The text of the element with id="site-notice", decoded, or null when there is none. */
function noticeText(html: string): string | null {
  const match = /<(\w+)\b[^>]*\bid="site-notice"[^>]*>([\s\S]*?)<\/\1>/.exec(html);
  if (!match) return null;
  return decodeHtml((match[2] ?? '').replace(/<form\b[\s\S]*?<\/form>/g, '').replace(/<[^>]*>/g, '')).trim();
}

function dismiss(client: Client, fields: Record<string, string> = {}, headers?: Record<string, string>) {
  return client.submit('/', '/notice/dismiss', fields, headers);
}

test('the home page shows the notice from SITE_NOTICE, as text, in an element with id="site-notice"', async () => {
  const home = await new Client(site.url).get('/');
  assert.equal(home.status, 200);
  assert.equal(noticeText(home.body), notice);
  assert.doesNotMatch(home.body, /<b>UTC<\/b>/, 'the notice is not escaped');
});

test('the notice offers a button that posts to /notice/dismiss', async () => {
  const home = await new Client(site.url).get('/');
  const element = /<(\w+)\b[^>]*\bid="site-notice"[^>]*>([\s\S]*?)<\/\1>/.exec(home.body)?.[2] ?? '';
  assert.match(element, /<form\b[^>]*method="post"[^>]*action="\/notice\/dismiss"/);
  assert.match(formFor(element, '/notice/dismiss'), /name="_csrf"/);
});

test('a logged-in user sees the notice too', async () => {
  const { client } = await newUser(site.url);
  assert.equal(noticeText((await client.get('/')).body), notice);
});

test('dismissing sets hide_notice for at most a day, and the notice is gone for that visitor only', async () => {
  const visitor = new Client(site.url);
  const response = await dismiss(visitor, { next: '/' });
  assert.equal(response.status, 303);
  assert.equal(response.location, '/');
  const cookie = cookieNamed(response, 'hide_notice');
  assert.ok(cookie, 'no hide_notice cookie');
  const maxAge = Number(cookie.attributes['max-age']);
  assert.ok(Number.isInteger(maxAge) && maxAge > 0 && maxAge <= 86_400, `hide_notice Max-Age is ${cookie.attributes['max-age']}`);
  assert.equal(cookie.attributes.path, '/');

  const home = await visitor.get('/');
  assert.equal(home.status, 200);
  assert.equal(noticeText(home.body), null, 'the notice is still shown after dismissing it');
  assert.ok(!home.body.includes('id="site-notice"'));
  assert.equal(noticeText((await new Client(site.url).get('/')).body), notice, 'another visitor no longer sees the notice');
});

test('a logged-in user dismisses it for themselves', async () => {
  const { client } = await newUser(site.url);
  assert.equal((await dismiss(client)).status, 303);
  assert.equal(noticeText((await client.get('/')).body), null);
  const { client: other } = await newUser(site.url);
  assert.equal(noticeText((await other.get('/')).body), notice);
});

test('dismissing goes back to a safe next', async () => {
  const visitor = new Client(site.url);
  for (const next of ['/articles', '/articles?page=2', '/reading-list']) {
    const response = await dismiss(visitor, { next });
    assert.equal(response.status, 303);
    assert.equal(response.location, next);
  }
});

test('a next with non-ASCII text is followed, percent-encoded in Location', async () => {
  const visitor = new Client(site.url);
  const response = await dismiss(visitor, { next: '/articles?q=공지사항' });
  assert.equal(response.status, 303);
  assert.equal(decodeURIComponent(response.location ?? ''), '/articles?q=공지사항');
});

test('without a next, dismissing goes back to a same-site Referer, else to /', async () => {
  const visitor = new Client(site.url);
  const back = await dismiss(visitor, {}, { referer: `${site.url}/articles?page=1` });
  assert.equal(back.location, '/articles?page=1');
  assert.equal((await dismiss(visitor)).location, '/');
  for (const referer of ['https://evil.example/articles', `http://evil.example:${site.port}/x`, `${site.url}//evil.example/`, 'not a url']) {
    const response = await dismiss(visitor, {}, { referer });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/', `Referer ${referer} was followed to ${response.location}`);
  }
});

test('an unsafe next goes to /, never to another site', async () => {
  const visitor = new Client(site.url);
  for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example', '\\\\evil.example', 'http:/evil.example', '///evil.example', '/\t/evil.example', ' /articles', 'javascript:alert(1)', '/%2F/evil.example', '/%5Cevil.example']) {
    const response = await dismiss(visitor, { next });
    assert.equal(response.status, 303, `next ${JSON.stringify(next)} answered ${response.status}`);
    assert.equal(response.location, '/', `next ${JSON.stringify(next)} was followed to ${response.location}`);
  }
});

test('a dismissal without the CSRF token is 403 and hides nothing', async () => {
  const visitor = new Client(site.url);
  await visitor.get('/');
  const response = await visitor.request('POST', '/notice/dismiss', { form: { next: '/' } });
  assert.equal(response.status, 403);
  assert.equal(cookieNamed(response, 'hide_notice'), undefined);
  assert.equal(noticeText((await visitor.get('/')).body), notice);
});

test('a dismissal from another site is 403', async () => {
  const visitor = new Client(site.url);
  const response = await dismiss(visitor, { next: '/' }, { origin: 'https://evil.example' });
  assert.equal(response.status, 403);
  assert.equal(cookieNamed(response, 'hide_notice'), undefined);
});
