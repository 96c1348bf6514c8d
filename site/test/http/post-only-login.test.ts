// The POST-only pitfall: an anonymous visitor sent to log in from a POST-only action must come
// back to a page that can be fetched with GET, never to the action (which would answer 405).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { createArticle, headerHas, logIn, loginNext, newUser, PASSWORD } from './board-support.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

interface PostOnlyAction {
  /** where the form is posted */
  action: string;
  /** false when the same URL also answers GET (a form posting to itself) */
  postOnly: boolean;
  /** the page a browser would have been on when it posted */
  formPage: string;
  /** the GET pages that may serve as `next` when there is no usable Referer */
  getPages: string[];
  /** who logs in afterwards (someone who may see those pages) */
  username: string;
  fields?: Record<string, string>;
}

/** Every POST-only action that needs a login, each with a user who may take it. */
const actions: Record<string, () => Promise<PostOnlyAction>> = {
  'POST /articles/:id/delete': async () => {
    const { client, username } = await newUser(site.url);
    const id = await createArticle(client, 'To be deleted by a returning author');
    return { action: `/articles/${id}/delete`, postOnly: true, formPage: `/articles/${id}`, getPages: [`/articles/${id}`, '/articles', '/'], username };
  },
  'POST /articles/:id/edit': async () => {
    const { client, username } = await newUser(site.url);
    const id = await createArticle(client, 'To be edited by a returning author');
    return { action: `/articles/${id}/edit`, postOnly: false, formPage: `/articles/${id}/edit`, getPages: [`/articles/${id}/edit`, `/articles/${id}`, '/'], username, fields: { title: 'edited', content: '' } };
  },
  'POST /articles': async () => {
    const { username } = await newUser(site.url);
    return { action: '/articles', postOnly: false, formPage: '/articles/new', getPages: ['/articles/new', '/'], username, fields: { title: 'Written while logged out', content: '' } };
  },
  'POST /accounts/delete': async () => {
    const { username } = await newUser(site.url);
    return { action: '/accounts/delete', postOnly: true, formPage: '/accounts/delete/confirm', getPages: ['/accounts/delete/confirm', '/accounts/update', '/'], username, fields: { password: PASSWORD } };
  },
  'POST /accounts/sessions/:id/revoke': async () => {
    const { client, username } = await newUser(site.url);
    const page = await client.get('/accounts/sessions');
    const id = /<tr id="session-([^"]+)"/.exec(page.body)?.[1];
    assert.ok(id, 'the sessions page shows no session id');
    return { action: `/accounts/sessions/${id}/revoke`, postOnly: true, formPage: '/accounts/sessions', getPages: ['/accounts/sessions', '/'], username };
  },
  'POST /accounts/sessions/revoke-others': async () => {
    const { username } = await newUser(site.url);
    return { action: '/accounts/sessions/revoke-others', postOnly: true, formPage: '/accounts/sessions', getPages: ['/accounts/sessions', '/'], username };
  },
};

/** An anonymous visitor with a CSRF token, as a browser that has shown a page would have. */
async function anonymousPost(action: PostOnlyAction, headers: Record<string, string> = {}) {
  const visitor = new Client(site.url);
  const response = await visitor.post(action.action, action.fields ?? {}, headers);
  return { visitor, response };
}

/** Logs in through the page the redirect names, and follows where login sends them with GET. */
async function logInAndFollow(visitor: Client, loginLocation: string, username: string, next: string): Promise<void> {
  const login = await logIn(visitor, username, loginLocation);
  assert.equal(login.status, 303, `login answered ${login.status}`);
  assert.equal(login.location, next, 'login did not return to next');
  const landing = await visitor.get(login.location);
  assert.notEqual(landing.status, 405, `logging in ended on a 405 at ${login.location}`);
  assert.equal(landing.status, 200, `logging in ended on ${landing.status} at ${login.location}`);
}

for (const [name, setUp] of Object.entries(actions)) {
  describe(`an anonymous ${name}`, () => {
    test('without a Referer is sent to log in with a GET page as next, and logging in ends on a 200 page', async () => {
      const action = await setUp();
      const { visitor, response } = await anonymousPost(action);
      const next = loginNext(response);
      if (action.postOnly) assert.notEqual(next, action.action, 'next is the POST-only URL');
      assert.ok(action.getPages.includes(next), `next is ${next}, not one of ${action.getPages.join(', ')}`);
      await logInAndFollow(visitor, response.location!, action.username, next);
    });

    test('with a Referer of the site is sent back to that page after logging in', async () => {
      const action = await setUp();
      const { visitor, response } = await anonymousPost(action, { referer: `${site.url}${action.formPage}` });
      const next = loginNext(response);
      if (action.postOnly) assert.notEqual(next, action.action, 'next is the POST-only URL');
      assert.ok([action.formPage, ...action.getPages].includes(next), `next is ${next}`);
      await logInAndFollow(visitor, response.location!, action.username, next);
    });

    test('with a Referer of another site is not sent there, and logging in ends on a 200 page', async () => {
      const action = await setUp();
      const { visitor, response } = await anonymousPost(action, { referer: `https://evil.example${action.formPage}` });
      const next = loginNext(response);
      assert.ok(action.getPages.includes(next), `next is ${next}`);
      await logInAndFollow(visitor, response.location!, action.username, next);
    });

    test('with a Referer that names the action itself still gets a GET page as next', async () => {
      const action = await setUp();
      const { visitor, response } = await anonymousPost(action, { referer: `${site.url}${action.action}` });
      const next = loginNext(response);
      if (action.postOnly) assert.notEqual(next, action.action, 'next is the POST-only URL');
      await logInAndFollow(visitor, response.location!, action.username, next);
    });
  });
}

describe('GET of a POST-only route', () => {
  let articleId: number;
  let sessionId: string;
  let member: Client;

  before(async () => {
    const user = await newUser(site.url);
    member = user.client;
    articleId = await createArticle(member, 'Only posted to');
    const page = await member.get('/accounts/sessions');
    sessionId = /<tr id="session-([^"]+)"/.exec(page.body)?.[1] ?? '';
    assert.ok(sessionId);
  });

  const postOnly = () => [
    '/accounts/logout',
    '/accounts/delete',
    `/accounts/sessions/${sessionId}/revoke`,
    '/accounts/sessions/revoke-others',
    `/articles/${articleId}/delete`,
    `/articles/${articleId}/save`,
    `/articles/${articleId}/unsave`,
    '/notice/dismiss',
    '/lang',
  ];

  test('answers 405 with Allow: POST to an anonymous visitor', async () => {
    const visitor = new Client(site.url);
    for (const path of postOnly()) {
      const response = await visitor.get(path);
      assert.equal(response.status, 405, `GET ${path} answered ${response.status}`);
      assert.ok(headerHas(response, 'allow', 'POST'), `GET ${path}: Allow is ${response.headers.get('allow')}`);
      assert.ok(!headerHas(response, 'allow', 'GET'), `GET ${path}: Allow names GET`);
    }
  });

  test('answers 405 with Allow: POST to a logged-in user, and changes nothing', async () => {
    for (const path of postOnly()) {
      const response = await member.get(path);
      assert.equal(response.status, 405, `GET ${path} answered ${response.status}`);
      assert.ok(headerHas(response, 'allow', 'POST'), `GET ${path}: Allow is ${response.headers.get('allow')}`);
    }
    assert.equal((await member.get('/accounts/sessions')).status, 200, 'a GET logged the user out');
    assert.equal((await member.get(`/articles/${articleId}`)).status, 200, 'a GET deleted the article');
  });

  test('other methods on the board answer 405 with the methods allowed', async () => {
    const visitor = new Client(site.url);
    const put = await visitor.request('PUT', '/articles');
    assert.equal(put.status, 405);
    assert.ok(headerHas(put, 'allow', 'GET') && headerHas(put, 'allow', 'POST'));
    const remove = await visitor.request('DELETE', `/articles/${articleId}`);
    assert.equal(remove.status, 405);
    assert.ok(headerHas(remove, 'allow', 'GET') && !headerHas(remove, 'allow', 'POST'));
    assert.equal((await visitor.get(`/articles/${articleId}`)).status, 200);
  });
});
