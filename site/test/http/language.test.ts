// Language: the lang cookie (set by POST /lang), else Accept-Language, else English; every page
// says which in <html lang>, and form errors come in the visitor's language.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { attribute, cookieNamed, logIn, newUser, newUsername, raw, signUp } from './helpers.ts';

const korean = { 'accept-language': 'ko-KR,ko;q=0.9' };

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

/** A visitor whose browser asks for Korean on every request. */
function koreanVisitor(): Client {
  const client = new Client(site.url);
  const request = client.request.bind(client);
  client.request = (method, path, options = {}) => request(method, path, { ...options, headers: { ...korean, ...options.headers } });
  return client;
}

function htmlLang(body: string): string | undefined {
  return /<html lang="([^"]*)">/.exec(body)?.[1];
}

describe('choosing the language from the request', () => {
  test('without Accept-Language or cookie the page is English', async () => {
    const response = await raw(site.url, 'GET', '/accounts/login');
    assert.equal(response.status, 200);
    assert.equal(htmlLang(response.body), 'en');
    assert.ok(response.body.includes('Log in'), 'no English text');
  });

  test('Accept-Language ko-KR,ko;q=0.9 gives <html lang="ko"> and Korean text', async () => {
    const response = await new Client(site.url).get('/accounts/login', korean);
    assert.equal(htmlLang(response.body), 'ko');
    assert.ok(response.body.includes('로그인'), 'no Korean text');
  });

  for (const [header, lang] of [
    ['en-US,en;q=0.9,ko;q=0.8', 'en'],
    ['ko;q=0.5,en;q=0.9', 'en'],
    ['fr-FR,fr;q=0.9,ko;q=0.5', 'ko'],
    ['fr-FR,de;q=0.9', 'en'],
    ['KO', 'ko'],
    ['*', 'en'],
  ] as const) {
    test(`Accept-Language ${header} gives ${lang}`, async () => {
      const response = await new Client(site.url).get('/', { 'accept-language': header });
      assert.equal(htmlLang(response.body), lang);
    });
  }

  test('the lang cookie beats Accept-Language', async () => {
    const client = new Client(site.url);
    client.jar.set('lang', 'en');
    assert.equal(htmlLang((await client.get('/', korean)).body), 'en');
    client.jar.set('lang', 'ko');
    assert.equal(htmlLang((await client.get('/', { 'accept-language': 'en' })).body), 'ko');
  });

  test('an unknown lang cookie is ignored', async () => {
    const client = new Client(site.url);
    client.jar.set('lang', 'xx');
    assert.equal(htmlLang((await client.get('/', korean)).body), 'ko');
  });

  test('error pages are in the visitor\'s language too', async () => {
    const client = new Client(site.url);
    for (const path of ['/no-such-page', '/accounts/logout']) {
      const response = await client.get(path, korean);
      assert.equal(htmlLang(response.body), 'ko', path);
    }
    const malformed = await raw(site.url, 'GET', '/%', korean);
    assert.equal(malformed.status, 400);
    assert.equal(htmlLang(malformed.body), 'ko');
    const chosen = await raw(site.url, 'GET', '/%', { 'accept-language': 'en', cookie: 'csrftoken=x; lang=ko' });
    assert.equal(chosen.status, 400);
    assert.equal(htmlLang(chosen.body), 'ko', 'the 400 page ignores the lang cookie');
  });
});

describe('POST /lang', () => {
  test('sets a one-year SameSite=Lax lang cookie and redirects 303 to a safe next', async () => {
    const client = new Client(site.url);
    const response = await client.post('/lang', { lang: 'ko', next: '/accounts/signup' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/accounts/signup');
    const cookie = cookieNamed(response, 'lang');
    assert.ok(cookie, 'no lang cookie');
    assert.equal(cookie.value, 'ko');
    assert.equal(String(attribute(cookie, 'samesite')).toLowerCase(), 'lax');
    assert.ok(Number(attribute(cookie, 'max-age')) >= 365 * 24 * 3600, `Max-Age ${String(attribute(cookie, 'max-age'))} is under a year`);
    const page = await client.get('/accounts/signup', { 'accept-language': 'en' });
    assert.equal(htmlLang(page.body), 'ko');
    assert.ok(page.body.includes('회원가입'), 'no Korean text');
  });

  test('a non-ASCII next is followed, percent-encoded (no 500)', async () => {
    const response = await new Client(site.url).post('/lang', { lang: 'ko', next: '/한글?q=é' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/%ED%95%9C%EA%B8%80?q=%C3%A9');
  });

  test('switching back to English works', async () => {
    const client = new Client(site.url);
    await client.post('/lang', { lang: 'ko', next: '/' });
    const response = await client.post('/lang', { lang: 'en', next: '/' });
    assert.equal(response.status, 303);
    assert.equal(client.cookie('lang'), 'en');
    assert.equal(htmlLang((await client.get('/', korean)).body), 'en');
  });

  test('sets no sessionid', async () => {
    const response = await new Client(site.url).post('/lang', { lang: 'ko', next: '/' });
    assert.equal(cookieNamed(response, 'sessionid'), undefined);
  });

  test('without next, goes back to a safe Referer of this site', async () => {
    const response = await new Client(site.url).post('/lang', { lang: 'ko' }, { referer: `${site.url}/accounts/login?next=%2Faccounts%2Fsessions` });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/accounts/login?next=%2Faccounts%2Fsessions');
  });

  test('without next or Referer, goes to /', async () => {
    const response = await new Client(site.url).post('/lang', { lang: 'ko' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/');
  });

  for (const referer of ['https://evil.example/accounts/login', 'http://evil.example/', 'javascript:alert(1)', 'not a url']) {
    test(`a Referer of ${referer} is not followed`, async () => {
      const response = await new Client(site.url).post('/lang', { lang: 'ko' }, { referer });
      assert.equal(response.status, 303);
      assert.equal(response.location, '/');
    });
  }

  for (const next of ['//evil.com', 'https://evil.com/', '/\\evil.com', 'http:evil.com', ' //evil.com', '/\t/evil.com']) {
    test(`an unsafe next ${JSON.stringify(next)} is not followed`, async () => {
      const bare = await new Client(site.url).post('/lang', { lang: 'ko', next });
      assert.equal(bare.status, 303);
      assert.equal(bare.location, '/');
      const withReferer = await new Client(site.url).post('/lang', { lang: 'ko', next }, { referer: `${site.url}/accounts/signup` });
      assert.equal(withReferer.location, '/accounts/signup');
    });
  }

  test('without a CSRF token it is refused 403 and sets no cookie', async () => {
    const client = new Client(site.url);
    const response = await client.request('POST', '/lang', { form: { lang: 'ko', next: '/' } });
    assert.equal(response.status, 403);
    assert.equal(cookieNamed(response, 'lang'), undefined);
  });

  test('a language other than ko or en sets no cookie and is no 5xx', async () => {
    const client = new Client(site.url);
    const response = await client.post('/lang', { lang: 'fr', next: '/' });
    assert.ok(response.status < 500, `got ${response.status}`);
    assert.equal(cookieNamed(response, 'lang'), undefined);
  });
});

describe('Korean form errors', () => {
  test('signup errors are in Korean for a Korean visitor', async () => {
    const client = koreanVisitor();
    const response = await signUp(client, newUsername(), 'Amber-Falcon-1193', { password2: 'Amber-Falcon-1194' });
    assert.equal(response.status, 422);
    assert.equal(htmlLang(response.body), 'ko');
    assert.ok(response.body.includes('두 비밀번호가 일치하지 않습니다'), 'no Korean mismatch message');
    assert.ok(!response.body.includes('didn’t match'), 'the English message is shown');
  });

  test('password validator messages are in Korean', async () => {
    const response = await signUp(koreanVisitor(), newUsername(), 'Ab3$xY');
    assert.equal(response.status, 422);
    assert.ok(response.body.includes('비밀번호가 너무 짧습니다'), 'no Korean length message');
    assert.ok(!response.body.includes('This password is too short'), 'expected !response.body.includes(\'This password is too short\')');
  });

  test('a failed login says so in Korean', async () => {
    const { username } = await newUser(site.url);
    const response = await logIn(koreanVisitor(), username, 'Wrong-Password-000');
    assert.equal(response.status, 422);
    assert.ok(response.body.includes('올바른 사용자 이름과 비밀번호를 입력하세요'), 'no Korean login message');
  });

  test('a Korean lang cookie gives Korean errors whatever the browser asks for', async () => {
    const client = new Client(site.url);
    client.jar.set('lang', 'ko');
    const response = await signUp(client, 'bad name', 'Quiet-Lantern-Drift-82');
    assert.equal(response.status, 422);
    assert.ok(response.body.includes('올바른 사용자 이름을 입력하세요'), 'no Korean username message');
  });
});
