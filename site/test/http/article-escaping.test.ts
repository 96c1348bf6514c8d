// User text is escaped everywhere it appears: no HTML from a user is ever interpreted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, type Response } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { createArticle, decodeHtml, hiddenValue, newUser, textareaValue } from './board-support.ts';

let site: RunningSite;
let author: Client;
let id: number;

const title = `<script>alert("title")</script> "><img src=x onerror=alert(1)> & 'quotes'`;
const content = [
  '<script>alert("content")</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</textarea><script>alert(4)</script>',
  '</div></article><iframe src="javascript:alert(5)"></iframe>',
  '&lt;already escaped&gt; &amp; &#60;b&#62;',
].join('\n');

/** Markup the payloads would produce if any of them were interpreted. */
const injected = [/<script>alert/i, /<img src=x/i, /<svg onload/i, /<iframe/i, /<\/textarea><script>/i];

function assertNothingInjected(response: Response, where: string): void {
  assert.equal(response.status, 200, `${where} answered ${response.status}`);
  for (const pattern of injected) assert.doesNotMatch(response.body, pattern, `${where} lets ${pattern} through`);
}

before(async () => {
  site = await startSite();
  ({ client: author } = await newUser(site.url));
  id = await createArticle(author, title, content);
});

after(async () => {
  await site.stop();
});

test('the article page shows the title and content as text', async () => {
  const page = await new Client(site.url).get(`/articles/${id}`);
  assertNothingInjected(page, 'the article page');
  const h1 = /<article class="article">\s*<h1>([^<]*)<\/h1>/.exec(page.body)?.[1];
  assert.equal(decodeHtml(h1 ?? ''), title);
  const shown = /<div class="content">([^<]*)<\/div>/.exec(page.body)?.[1];
  assert.equal(decodeHtml(shown ?? ''), content, 'the content, with its line breaks, is not shown as typed');
  const pageTitle = /<title>([^<]*)<\/title>/.exec(page.body)?.[1] ?? '';
  assert.ok(decodeHtml(pageTitle).includes(title), 'the <title> does not show the title as text');
});

test('the board and the home page show the title as text', async () => {
  for (const path of ['/articles', '/']) {
    const page = await new Client(site.url).get(path);
    assertNothingInjected(page, path);
    const link = new RegExp(`<a class="article-title" href="/articles/${id}">([^<]*)</a>`).exec(page.body)?.[1];
    assert.equal(decodeHtml(link ?? ''), title, `${path} does not show the title as text`);
  }
});

test('the edit form holds the title and content as values, not markup', async () => {
  const form = await author.get(`/articles/${id}/edit`);
  assertNothingInjected(form, 'the edit form');
  assert.equal(hiddenValue(form.body, 'title'), title);
  assert.equal(textareaValue(form.body, 'content'), content);
});

test('a form shown again with errors keeps the typed text escaped', async () => {
  const response = await author.submit('/articles/new', '/articles', { title: `${title}${'x'.repeat(200)}`, content });
  assert.equal(response.status, 422);
  for (const pattern of injected) assert.doesNotMatch(response.body, pattern);
  assert.equal(hiddenValue(response.body, 'title'), `${title}${'x'.repeat(200)}`);
  assert.equal(textareaValue(response.body, 'content'), content);
});

test('the reading list shows the title as text, for a guest and for a user', async () => {
  const guest = new Client(site.url);
  assert.equal((await guest.submit(`/articles/${id}`, `/articles/${id}/save`, {})).status, 303);
  const { client: reader } = await newUser(site.url, 'reader');
  assert.equal((await reader.submit(`/articles/${id}`, `/articles/${id}/save`, {})).status, 303);
  for (const [who, client] of [['guest', guest], ['user', reader]] as const) {
    const page = await client.get('/reading-list');
    assertNothingInjected(page, `the ${who}'s reading list`);
    const link = new RegExp(`<a class="article-title" href="/articles/${id}">([^<]*)</a>`).exec(page.body)?.[1];
    assert.equal(decodeHtml(link ?? ''), title, `the ${who}'s reading list does not show the title as text`);
  }
});

test('a username is shown as text beside the article', async () => {
  // Usernames allow only letters, digits and @.+-_, so the author's name needs no escaping;
  // what matters is that the page names them exactly.
  const { client, username } = await newUser(site.url, 'a.b+c-d_e@');
  const other = await createArticle(client, 'By a name with punctuation');
  const page = await new Client(site.url).get(`/articles/${other}`);
  assert.ok(page.body.includes(username), 'expected page.body.includes(username)');
});
