// Who may do what to an article: the author edits and deletes; a user with articles.delete_article
// (the "moderators" group, a direct grant, a superuser) deletes any; everyone else gets 403.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { cli, createArticle, decodeHtml, listedIds, loggedInAs, newUser, newUsername, PASSWORD, savedIds, withDatabase } from './board-support.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

const editReason = 'Only the author of an article can edit it.';
const deleteReason = 'Only the author of an article, or a moderator, can delete it.';

async function articleStatus(id: number): Promise<number> {
  return (await new Client(site.url).get(`/articles/${id}`)).status;
}

/** The article's title as its page shows it to an anonymous reader. */
async function shownTitle(id: number): Promise<string | null> {
  const page = await new Client(site.url).get(`/articles/${id}`);
  const title = /<article class="article">\s*<h1>([^<]*)<\/h1>/.exec(page.body)?.[1];
  return title === undefined ? null : decodeHtml(title);
}

test('the author edits their article', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Mine to edit', 'v1');
  assert.equal((await client.get(`/articles/${id}/edit`)).status, 200);
  const saved = await client.submit(`/articles/${id}/edit`, `/articles/${id}/edit`, { title: 'Mine, edited', content: 'v2' });
  assert.equal(saved.status, 303);
  assert.equal(await shownTitle(id), 'Mine, edited');
});

test('the author deletes their article: 303, and it is gone', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Mine to delete');
  const response = await client.submit(`/articles/${id}`, `/articles/${id}/delete`, {});
  assert.equal(response.status, 303);
  assert.equal((await client.get(response.location ?? '/')).status, 200, 'the page after deleting cannot be fetched');
  assert.equal(await articleStatus(id), 404);
});

test('the author sees edit and delete on their article; another user sees neither', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Buttons');
  const own = await client.get(`/articles/${id}`);
  assert.ok(own.body.includes(`href="/articles/${id}/edit"`), 'expected own.body.includes(`href="/articles/${id}/edit"`)');
  // Delete is a link to the confirmation page, whose form posts to the POST-only route.
  assert.ok(own.body.includes(`href="/articles/${id}/delete/confirm"`), 'expected own.body.includes(`href="/articles/${id}/delete/confirm"`)');
  assert.ok(!own.body.includes(`action="/articles/${id}/delete"`), 'no one-click delete form on the article page');
  const confirm = await client.get(`/articles/${id}/delete/confirm`);
  assert.equal(confirm.status, 200);
  assert.ok(confirm.body.includes(`action="/articles/${id}/delete"`), 'the confirmation page posts to the delete route');
  assert.match(confirm.headers.get('cache-control') ?? '', /no-store/);
  const { client: other } = await newUser(site.url, 'other');
  const theirs = await other.get(`/articles/${id}`);
  assert.ok(!theirs.body.includes(`href="/articles/${id}/edit"`), 'expected !theirs.body.includes(`href="/articles/${id}/edit"`)');
  assert.ok(!theirs.body.includes(`/articles/${id}/delete`), 'another user is offered no delete');
  assert.equal((await other.get(`/articles/${id}/delete/confirm`)).status, 403);
  const anonymous = await new Client(site.url).get(`/articles/${id}/delete/confirm`);
  assert.ok([302, 303].includes(anonymous.status), `an anonymous visitor is sent to log in, not ${anonymous.status}`);
  assert.equal(new URL(anonymous.location ?? '', site.url).searchParams.get('next'), `/articles/${id}/delete/confirm`);
  assert.equal((await other.get(`/articles/${id}/delete`)).status, 405);
});

test('another user asking for the edit form gets 403 with a page that says why', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Not yours');
  const { client: other } = await newUser(site.url, 'other');
  const response = await other.get(`/articles/${id}/edit`);
  assert.equal(response.status, 403);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(response.body.includes(editReason), 'the 403 page does not say why');
});

test('another user posting an edit gets 403 with a page that says why, and the article is unchanged', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Untouched', 'as written');
  const { client: other } = await newUser(site.url, 'other');
  const response = await other.submit('/', `/articles/${id}/edit`, { title: 'Defaced', content: 'by someone else' });
  assert.equal(response.status, 403);
  assert.ok(response.body.includes(editReason), 'the 403 page does not say why');
  assert.equal(await shownTitle(id), 'Untouched');
});

test('another user deleting gets 403 with a page that says why, and the article stays', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Still here');
  const { client: other } = await newUser(site.url, 'other');
  const response = await other.submit(`/articles/${id}`, `/articles/${id}/delete`, {});
  assert.equal(response.status, 403);
  assert.ok(response.body.includes(deleteReason), 'the 403 page does not say why');
  assert.equal(await articleStatus(id), 200);
});

test('editing or deleting an article that does not exist is 404 for a logged-in user', async () => {
  const { client } = await newUser(site.url);
  assert.equal((await client.get('/articles/987654/edit')).status, 404);
  assert.equal((await client.submit('/', '/articles/987654/edit', { title: 'x', content: '' })).status, 404);
  assert.equal((await client.submit('/', '/articles/987654/delete', {})).status, 404);
  assert.equal((await client.get('/articles/abc/edit')).status, 404);
  assert.equal((await client.submit('/', '/articles/abc/delete', {})).status, 404);
});

test('a delete without the CSRF token is 403 and deletes nothing, even for the author', async () => {
  const { client } = await newUser(site.url);
  const id = await createArticle(client, 'Guarded by a token');
  const response = await client.request('POST', `/articles/${id}/delete`, { form: {} });
  assert.equal(response.status, 403);
  assert.equal(await articleStatus(id), 200);
});

test('a moderator (the "moderators" group) deletes anyone\'s article but cannot edit it', async () => {
  const { client: author } = await newUser(site.url);
  const first = await createArticle(author, 'Moderated away');
  const second = await createArticle(author, 'Moderated but not edited', 'original');
  const { client: moderator, username } = await newUser(site.url, 'moderator');
  // Before joining the group: 403, like anyone.
  assert.equal((await moderator.submit(`/articles/${first}`, `/articles/${first}/delete`, {})).status, 403);
  await cli(site, ['addtogroup', '--username', username, '--group', 'moderators']);

  const page = await moderator.get(`/articles/${first}`);
  assert.ok(page.body.includes(`href="/articles/${first}/delete/confirm"`), 'a moderator is not offered the delete button');
  assert.equal((await moderator.get(`/articles/${first}/delete/confirm`)).status, 200);
  assert.ok(!page.body.includes(`href="/articles/${first}/edit"`), 'a moderator is offered the edit link');
  const deleted = await moderator.submit(`/articles/${first}`, `/articles/${first}/delete`, {});
  assert.equal(deleted.status, 303);
  assert.equal(await articleStatus(first), 404);

  assert.equal((await moderator.get(`/articles/${second}/edit`)).status, 403);
  const edit = await moderator.submit('/', `/articles/${second}/edit`, { title: 'Moderator was here', content: '' });
  assert.equal(edit.status, 403);
  assert.equal(await shownTitle(second), 'Moderated but not edited');
});

test('a user granted articles.delete_article directly deletes anyone\'s article', async () => {
  const { client: author } = await newUser(site.url);
  const id = await createArticle(author, 'Deleted by a grant');
  const other = await createArticle(author, 'Not edited by a grant');
  const { client: granted, username } = await newUser(site.url, 'granted');
  await cli(site, ['grant', '--username', username, '--permission', 'articles.delete_article']);
  const response = await granted.submit(`/articles/${id}`, `/articles/${id}/delete`, {});
  assert.equal(response.status, 303);
  assert.equal(await articleStatus(id), 404);
  assert.equal((await granted.get(`/articles/${other}/edit`)).status, 403, 'deleting is not editing');
});

test('a superuser deletes anyone\'s article', async () => {
  const { client: author } = await newUser(site.url);
  const id = await createArticle(author, 'Deleted by the superuser');
  const username = newUsername('admin');
  await cli(site, ['createsuperuser', '--username', username, '--email', `${username}@example.com`], { TESSERA_PASSWORD: PASSWORD });
  const admin = await loggedInAs(site.url, username);
  const response = await admin.submit(`/articles/${id}`, `/articles/${id}/delete`, {});
  assert.equal(response.status, 303);
  assert.equal(await articleStatus(id), 404);
});

test('deleting a user deletes their articles, from every page and every reading list', async () => {
  const { client: leaver, username } = await newUser(site.url, 'leaver');
  const first = await createArticle(leaver, 'Leaving with me');
  const second = await createArticle(leaver, 'Also leaving');
  const { client: stayer } = await newUser(site.url, 'stayer');
  const kept = await createArticle(stayer, 'Staying');
  assert.equal((await stayer.submit(`/articles/${first}`, `/articles/${first}/save`, {})).status, 303);
  assert.equal((await stayer.submit(`/articles/${kept}`, `/articles/${kept}/save`, {})).status, 303);
  const reader = new Client(site.url);
  assert.ok(listedIds((await reader.get('/articles')).body).includes(first), 'expected listedIds((await reader.get(\'/articles\')).body).includes(first)');

  const response = await leaver.post('/accounts/delete', { password: PASSWORD });
  assert.equal(response.status, 303);
  assert.equal(await articleStatus(first), 404);
  assert.equal(await articleStatus(second), 404);
  assert.equal(withDatabase(site, (database) => (database.prepare('select count(*) as n from articles where id in (?, ?)').get(first, second) as { n: number }).n), 0);
  for (const path of ['/articles', '/']) {
    const page = await reader.get(path);
    assert.equal(page.status, 200);
    const ids = listedIds(page.body);
    assert.ok(!ids.includes(first) && !ids.includes(second), `${path} still lists the deleted user's articles`);
    assert.ok(!page.body.includes(username), `${path} still names the deleted user`);
  }
  const list = await stayer.get('/reading-list');
  assert.equal(list.status, 200);
  assert.deepEqual(savedIds(list.body), [kept]);
});
