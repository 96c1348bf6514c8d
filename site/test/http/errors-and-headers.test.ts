// Status codes and headers every response must get right, whatever is sent: trailing slashes,
// malformed URLs, big bodies, wrong methods, security and cache headers, ETags, and no 500s.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { newUser, raw, type RawResponse } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

function assertSecurityHeaders(headers: Headers | RawResponse['headers'], what: string): void {
  const get = (name: string): string => {
    const value = headers instanceof Headers ? headers.get(name) : headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  assert.equal(get('x-content-type-options').toLowerCase(), 'nosniff', `${what}: no nosniff`);
  const framing = /frame-ancestors\s+'none'/.test(get('content-security-policy')) || get('x-frame-options').toUpperCase() === 'DENY';
  assert.ok(framing, `${what}: may be framed`);
  assert.notEqual(get('referrer-policy'), '', `${what}: no Referrer-Policy`);
}

function assertHtmlPage(response: { status: number; headers: Headers; body: string }, what: string): void {
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/, `${what}: not HTML`);
  assert.match(response.body, /<html lang="(en|ko)">/, `${what}: no <html lang>`);
  assertSecurityHeaders(response.headers, what);
}

describe('trailing slashes', () => {
  for (const [path, target] of [
    ['/accounts/login/', '/accounts/login'],
    ['/accounts/login/?next=%2Faccounts%2Fsessions&x=1', '/accounts/login?next=%2Faccounts%2Fsessions&x=1'],
    ['/accounts/signup/', '/accounts/signup'],
    ['/accounts/update/', '/accounts/update'],
    ['/no-such-page/', '/no-such-page'],
    // A path whose slash would otherwise reach a route with an empty parameter (/articles/:id).
    ['/articles/', '/articles'],
    ['/articles/?page=2', '/articles?page=2'],
    ['/articles/1/', '/articles/1'],
  ] as const) {
    test(`${path} answers 308 to ${target}`, async () => {
      const response = await raw(site.url, 'GET', path);
      assert.equal(response.status, 308);
      assert.equal(response.headers.location, target);
    });
  }

  test('a POST with a trailing slash is redirected 308 too (the method is kept)', async () => {
    const response = await raw(site.url, 'POST', '/accounts/login/', { 'content-type': 'application/x-www-form-urlencoded' }, 'username=x');
    assert.equal(response.status, 308);
    assert.equal(response.headers.location, '/accounts/login');
  });

  for (const path of ['//evil.com/', '/\\evil.com/', '//evil.com//', '/\\/evil.com/', '///evil.com/', '//evil.com/?next=/', '/\\\\evil.com/', '/\t/evil.com/', '/%09/evil.com/']) {
    test(`${JSON.stringify(path)} answers 404, never a redirect`, async () => {
      const response = await raw(site.url, 'GET', path.replace('\t', '%09'));
      assert.ok(response.status === 404 || response.status === 400, `got ${response.status}`);
      assert.equal(response.headers.location, undefined, `redirected to ${response.headers.location}`);
    });
  }

  test('"//evil.com/" via fetch answers 404 with the site\'s page', async () => {
    const response = await new Client(site.url).get('//evil.com/');
    assert.equal(response.status, 404);
    assert.equal(response.location, null);
    assertHtmlPage(response, '404');
  });
});

describe('malformed requests', () => {
  for (const path of ['/%', '/accounts/%', '/%zz', '/accounts/login%']) {
    test(`GET ${path} answers 400`, async () => {
      const response = await raw(site.url, 'GET', path);
      assert.equal(response.status, 400);
      assertSecurityHeaders(response.headers, path);
    });
  }

  test('a percent sequence that is not UTF-8 is no 500', async () => {
    for (const path of ['/%C0%AF', '/accounts/%FF', '/accounts/sessions/%FF%FE/revoke', '/%E0%A4/']) {
      const response = await raw(site.url, 'GET', path);
      assert.ok(response.status >= 400 && response.status < 500, `${path} answered ${response.status}`);
    }
  });

  test('a body over 1 MiB answers 413', async () => {
    const client = new Client(site.url);
    const page = await client.get('/accounts/login');
    const big = `_csrf=${csrfToken(page.body)}&username=x&password=${'a'.repeat(1024 * 1024)}`;
    const response = await client.request('POST', '/accounts/login', { body: big, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(response.status, 413);
    assertHtmlPage(response, '413');
  });

  test('a body over 1 MiB of any content type answers 413', async () => {
    const response = await raw(site.url, 'POST', '/accounts/signup', { 'content-type': 'text/plain' }, Buffer.alloc(1024 * 1024 + 10, 'a'));
    assert.equal(response.status, 413);
  });

  test('a chunked body over 1 MiB answers 413', async () => {
    const response = await raw(site.url, 'POST', '/accounts/login', { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, Buffer.alloc(1024 * 1024 + 10, 'a'));
    assert.equal(response.status, 413);
  });

  test('a body just under 1 MiB is read (not 413)', async () => {
    const client = new Client(site.url);
    const page = await client.get('/accounts/login');
    const prefix = `_csrf=${csrfToken(page.body)}&username=x&password=`;
    const body = prefix + 'a'.repeat(1000 * 1000 - prefix.length);
    const response = await client.request('POST', '/accounts/login', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(response.status, 422);
  });
});

describe('methods', () => {
  const routes: [string, string[]][] = [
    ['/', ['GET']],
    ['/accounts/signup', ['GET', 'POST']],
    ['/accounts/login', ['GET', 'POST']],
    ['/accounts/logout', ['POST']],
    ['/accounts/update', ['GET', 'POST']],
    ['/accounts/password', ['GET', 'POST']],
    ['/accounts/delete', ['POST']],
    ['/accounts/sessions', ['GET']],
    ['/accounts/sessions/AAAAAAAAAAAAAAAAAAAAAA/revoke', ['POST']],
    ['/accounts/sessions/revoke-others', ['POST']],
    ['/lang', ['POST']],
  ];
  for (const [path, allowed] of routes) {
    test(`PUT, DELETE and PATCH on ${path} answer 405 with Allow: ${allowed.join(', ')}`, async () => {
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        const response = await new Client(site.url).request(method, path, { form: { a: 'b' } });
        assert.equal(response.status, 405, `${method} ${path}`);
        const allow = (response.headers.get('allow') ?? '').split(/\s*,\s*/);
        for (const method of allowed) assert.ok(allow.includes(method), `Allow "${allow.join(', ')}" lacks ${method}`);
        assert.ok(!allow.includes('PUT') && !allow.includes('DELETE'), `Allow "${allow.join(', ')}" names a refused method`);
      }
    });
  }

  test('GET of every POST-only route answers 405 with Allow: POST, anonymous or logged in', async () => {
    const { client } = await newUser(site.url);
    for (const visitor of [new Client(site.url), client]) {
      for (const [path, allowed] of routes) {
        if (allowed.includes('GET')) continue;
        const response = await visitor.get(path);
        assert.equal(response.status, 405, path);
        assert.match(response.headers.get('allow') ?? '', /\bPOST\b/);
        assertHtmlPage(response, `GET ${path}`);
      }
    }
  });

  test('HEAD of a page answers 200 with no body', async () => {
    const response = await new Client(site.url).request('HEAD', '/accounts/login');
    assert.equal(response.status, 200);
    assert.equal(response.body, '');
  });
});

describe('headers on every page', () => {
  test('pages, form errors and error pages all carry lang, nosniff, no framing and a Referrer-Policy', async () => {
    const anonymous = new Client(site.url);
    const { client } = await newUser(site.url);
    const responses: [string, Awaited<ReturnType<Client['get']>>][] = [
      ['home', await anonymous.get('/')],
      ['login', await anonymous.get('/accounts/login')],
      ['signup', await anonymous.get('/accounts/signup')],
      ['404', await anonymous.get('/no/such/page')],
      ['405', await anonymous.get('/accounts/logout')],
      ['403', await anonymous.request('POST', '/accounts/login', { form: { username: 'x' } })],
      ['422', await anonymous.submit('/accounts/login', '/accounts/login', { username: 'x', password: 'y' })],
      ['home, logged in', await client.get('/')],
      ['update', await client.get('/accounts/update')],
      ['password', await client.get('/accounts/password')],
      ['sessions', await client.get('/accounts/sessions')],
    ];
    for (const [what, response] of responses) assertHtmlPage(response, what);
  });

  test('every page a logged-in user sees names them, error pages included', async () => {
    const { client, username } = await newUser(site.url, 'everywhere');
    const pages: [string, Awaited<ReturnType<Client['get']>>][] = [
      ['home', await client.get('/')],
      ['update', await client.get('/accounts/update')],
      ['password', await client.get('/accounts/password')],
      ['sessions', await client.get('/accounts/sessions')],
      ['404', await client.get('/no/such/page')],
      ['405 GET', await client.get('/accounts/logout')],
      ['405 PUT', await client.request('PUT', '/accounts/update')],
      ['403', await client.request('POST', '/accounts/update', { form: { email: 'x@example.com' } })],
      ['422', await client.submit('/accounts/update', '/accounts/update', { email: 'bad' })],
    ];
    for (const [what, page] of pages) {
      assert.match(page.body, /<html lang=/, `${what}: not a page`);
      assert.ok(page.body.includes(username), `${what} does not name the user`);
    }
  });

  test('every page an anonymous visitor sees links to /accounts/login, error pages included', async () => {
    const client = new Client(site.url);
    const pages: [string, Awaited<ReturnType<Client['get']>>][] = [
      ['home', await client.get('/')],
      ['signup', await client.get('/accounts/signup')],
      ['404', await client.get('/no/such/page')],
      ['405', await client.get('/accounts/logout')],
      ['403', await client.request('POST', '/accounts/signup', { form: { username: 'x' } })],
    ];
    for (const [what, page] of pages) assert.ok(page.body.includes('href="/accounts/login"'), `${what} has no login link`);
  });

  test('static files have content-hashed names and a long max-age', async () => {
    const home = await new Client(site.url).get('/');
    const hrefs = [...home.body.matchAll(/<link\b[^>]*href="(\/[^"]+)"/g)].map((match) => match[1]!);
    assert.ok(hrefs.length > 0, 'the page links no static file');
    for (const href of hrefs) {
      assert.match(href, /[.-][0-9a-zA-Z_-]{8,}\.[a-z0-9]+$/, `${href} has no content hash in its name`);
      const response = await new Client(site.url).get(href);
      assert.equal(response.status, 200, href);
      const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1] ?? 0);
      assert.ok(maxAge >= 30 * 24 * 3600, `${href}: max-age ${maxAge} is not long`);
      assert.equal(response.cookies.length, 0, `${href} sets cookies`);
    }
  });

  test('redirects carry the security headers too', async () => {
    const response = await new Client(site.url).get('/accounts/update');
    assert.ok(response.status === 302 || response.status === 303, 'expected response.status === 302 || response.status === 303');
    assertSecurityHeaders(response.headers, 'redirect');
  });

  test('pages that depend on the visitor are private or no-store, with Vary: Cookie where cacheable', async () => {
    const anonymous = new Client(site.url);
    const { client } = await newUser(site.url);
    for (const [what, response] of [
      ['login', await anonymous.get('/accounts/login')],
      ['signup', await anonymous.get('/accounts/signup')],
      ['home', await anonymous.get('/')],
      ['home, logged in', await client.get('/')],
      ['update', await client.get('/accounts/update')],
      ['password', await client.get('/accounts/password')],
      ['sessions', await client.get('/accounts/sessions')],
      ['422', await anonymous.submit('/accounts/login', '/accounts/login', { username: 'x', password: 'y' })],
    ] as const) {
      const cacheControl = (response.headers.get('cache-control') ?? '').toLowerCase();
      assert.match(cacheControl, /\b(private|no-store)\b/, `${what}: Cache-Control "${cacheControl}"`);
      if (!/\bno-store\b/.test(cacheControl)) {
        assert.match(response.headers.get('vary') ?? '', /\bcookie\b/i, `${what}: may be cached without Vary: Cookie`);
      }
    }
  });
});

describe('ETags', () => {
  for (const path of ['/', '/accounts/login', '/accounts/signup']) {
    test(`GET ${path} by one visitor gives the same ETag twice although the CSRF token differs, and 304 for it`, async () => {
      const client = new Client(site.url);
      const first = await client.get(path);
      const second = await client.get(path);
      const third = await client.get(path);
      assert.equal(second.status, 200);
      const etag = second.headers.get('etag');
      assert.ok(etag, 'no ETag');
      assert.equal(third.headers.get('etag'), etag);
      assert.equal(first.headers.get('etag'), etag);
      if (path !== '/') assert.notEqual(csrfToken(second.body), csrfToken(third.body), 'the masked token should differ per response');
      const cached = await client.get(path, { 'if-none-match': etag });
      assert.equal(cached.status, 304);
      assert.equal(cached.body, '');
      const listed = await client.get(path, { 'if-none-match': `"nope", ${etag}` });
      assert.equal(listed.status, 304);
      const stale = await client.get(path, { 'if-none-match': '"something-else"' });
      assert.equal(stale.status, 200);
      assert.notEqual(stale.body, '');
    });
  }

  test('a logged-in page has an ETag and answers 304 to it', async () => {
    const { client } = await newUser(site.url);
    const page = await client.get('/accounts/update');
    const etag = page.headers.get('etag');
    assert.ok(etag, 'no ETag');
    const cached = await client.get('/accounts/update', { 'if-none-match': etag });
    assert.equal(cached.status, 304);
    assert.equal(cached.body, '');
  });

  test('the token of a page answered 304 still works: the ETag page\'s token is valid', async () => {
    const client = new Client(site.url);
    const page = await client.get('/accounts/login');
    const etag = page.headers.get('etag')!;
    const cached = await client.get('/accounts/login', { 'if-none-match': etag });
    assert.equal(cached.status, 304);
    const response = await client.request('POST', '/accounts/login', { form: { _csrf: csrfToken(page.body), username: 'nobody', password: 'wrong-password' } });
    assert.equal(response.status, 422);
  });

  test('a logged-in user and an anonymous visitor do not share an ETag for the home page', async () => {
    const { client } = await newUser(site.url);
    const anonymous = await new Client(site.url).get('/');
    const mine = await client.get('/');
    assert.notEqual(mine.headers.get('etag'), anonymous.headers.get('etag'));
    const cached = await client.get('/', { 'if-none-match': anonymous.headers.get('etag')! });
    assert.equal(cached.status, 200);
  });
});

describe('no input is answered 500', () => {
  test('odd bodies, fields, content types, cookies and headers never give 5xx, and the server stays up', async () => {
    const { client: loggedIn } = await newUser(site.url, 'fuzz');
    const visitor = new Client(site.url);
    const token = csrfToken((await visitor.get('/accounts/login')).body);
    const userToken = csrfToken((await loggedIn.get('/accounts/update')).body);
    const form = 'application/x-www-form-urlencoded';
    const bodies = [
      `_csrf=${token}&username=a&username=b&password=x&password=y`,
      `_csrf=${token}&_csrf=${token}&username=a&password=b`,
      `_csrf=${token}&username[]=a&password[x]=b`,
      `_csrf=${token}&__proto__=x&constructor=y&toString=z&hasOwnProperty=1&username=a&password=b`,
      `_csrf=${token}&username=${'a'.repeat(200_000)}&password=${'b'.repeat(200_000)}`,
      `_csrf=${token}&username=%FF%FE%FD&password=%C0%AF`,
      `_csrf=${token}&username=%&password=%E0%A4&next=%`,
      `_csrf=${token}&username=%00%01&password=%00&next=%00`,
      `_csrf=${token}&lang=ko&next=%2F%ED%95%9C%E2%80%A8x%C2%85`,
      `_csrf=${token}&lang=ko&next=%2F%ED%A0%80`,
      `_csrf=${token}&=&&&==&username`,
      `_csrf=${token}&next=${encodeURIComponent('/'.repeat(5000))}&username=a&password=b`,
      // U+202E, U+FEFF and a lone surrogate (not UTF-8 at all)
      `_csrf=${token}&username=%E2%80%AE%EF%BB%BF%ED%A0%80&password=x`,
      '',
      '&&&',
      '%',
    ];
    const cases: { method: string; path: string; headers?: Record<string, string>; body?: string; client?: Client }[] = [];
    for (const path of ['/accounts/login', '/accounts/signup', '/lang']) {
      for (const body of bodies) cases.push({ method: 'POST', path, headers: { 'content-type': form }, body });
    }
    for (const body of bodies.slice(0, 11)) {
      const mine = body.replaceAll(token, userToken);
      for (const path of ['/accounts/update', '/accounts/password', '/accounts/sessions/revoke-others', '/accounts/sessions/%FF/revoke']) {
        cases.push({ method: 'POST', path, headers: { 'content-type': form }, body: mine, client: loggedIn });
      }
    }
    for (const type of ['application/json', 'multipart/form-data', 'multipart/form-data; boundary=----x', 'text/xml', ';;;', 'application/x-www-form-urlencoded; charset=utf-16', 'application/octet-stream', 'x/y; a="b']) {
      cases.push({ method: 'POST', path: '/accounts/login', headers: { 'content-type': type }, body: `{"_csrf":"${token}","username":{"$gt":""}}` });
    }
    cases.push({ method: 'POST', path: '/accounts/login', body: `_csrf=${token}&username=a&password=b` });
    for (const cookie of ['sessionid=%', `sessionid=${'a'.repeat(4000)}`, 'csrftoken=%ZZ', 'lang=xx', 'lang=ko; lang=en', 'sessionid=A.B', '=x; ; ;=', 'remembered_username=%FF', 'remembered_username=%3Cscript%3E', 'sessionid="quoted"', 'sessionid=AAAAAAAAAAAAAAAAAAAAAA.%00%00']) {
      for (const path of ['/', '/accounts/login', '/accounts/update']) cases.push({ method: 'GET', path, headers: { cookie } });
      cases.push({ method: 'POST', path: '/accounts/login', headers: { cookie, 'content-type': form }, body: 'username=a&password=b' });
    }
    const oddHeaders: Record<string, string>[] = [
      { 'accept-language': ';q=abc,,,*;q=-1,ko;q=NaN' },
      { 'accept-language': 'x'.repeat(5000) },
      { referer: 'http://[::1' },
      { referer: '%%%' },
      { 'if-none-match': '*' },
      { 'if-none-match': '"' },
      { origin: '' },
    ];
    for (const headers of oddHeaders) {
      cases.push({ method: 'GET', path: '/accounts/login', headers });
      cases.push({ method: 'POST', path: '/lang', headers: { ...headers, 'content-type': form }, body: `_csrf=${token}&lang=ko` });
    }
    for (const path of ['/accounts/login?next=%', '/accounts/login?next[]=x&next=y', '/accounts/login?next=' + 'a'.repeat(5000), '/accounts/signup?next=%2F%2F%2F', `/accounts/sessions/${'a'.repeat(300)}/revoke`, '/accounts/sessions/../revoke', '/?' + '&'.repeat(2000)]) {
      cases.push({ method: 'GET', path });
    }

    for (const item of cases) {
      const client = item.client ?? visitor;
      const options: { headers?: Record<string, string>; body?: string } = {};
      if (item.headers) options.headers = item.headers;
      if (item.body !== undefined) options.body = item.body;
      let response: { status: number };
      if (item.headers?.cookie !== undefined) {
        response = await raw(site.url, item.method, item.path, item.headers, item.body);
      } else {
        response = await client.request(item.method, item.path, options);
      }
      assert.ok(response.status < 500, `${item.method} ${item.path} ${JSON.stringify(item.headers ?? {})} ${(item.body ?? '').slice(0, 80)} answered ${response.status}`);
    }
    const health = await new Client(site.url).get('/healthz');
    assert.equal(health.status, 200);
    assert.equal(site.process.exitCode, null);
  });
});

describe('error pages of a logged-in user', () => {
  test('the 413 page of a logged-in user still shows who they are', async () => {
    const { client, username } = await newUser(site.url, 'big');
    const token = csrfToken((await client.get('/accounts/update')).body);
    const response = await client.request('POST', '/accounts/update', { form: { _csrf: token, first_name: 'x'.repeat(1_100_000) } });
    assert.equal(response.status, 413);
    assert.match(response.body, new RegExp(`class="username">${username}<`));
  });

  test('an unknown static file name gets the site\'s 404 page', async () => {
    const response = await new Client(site.url).get('/static/nothing.0123456789ab.css');
    assert.equal(response.status, 404);
    assert.match(response.body, /<html lang="en">/);
  });
});

describe('requests the HTTP parser cannot read', () => {
  /** Writes raw bytes on a socket of its own and reads everything until the server closes it. */
  function exchange(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(site.port, '127.0.0.1', () => socket.write(bytes));
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
  }

  test('a broken request line gets 400 with no body, Connection: close and the security headers, even to a HEAD', async () => {
    const answer = await exchange('HEAD %2Farticles HTTP/1.1\r\nHost: x\r\n\r\n');
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 400 /);
    assert.match(head, /\r\nConnection: close(\r\n|$)/i);
    assert.match(head, /\r\nContent-Length: 0(\r\n|$)/i);
    assert.match(head, /\r\nX-Content-Type-Options: nosniff(\r\n|$)/i);
    assert.equal(body, '');
  });

  test('headers over 16 KiB get 431 with no body and Connection: close', async () => {
    const answer = await exchange(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.match(answer, /\r\nConnection: close\r\n/i);
    assert.equal(answer.split('\r\n\r\n')[1], '');
  });
});

test('a login-only page asked with a huge query sends the visitor to log in with a next of bounded length', async () => {
  const response = await raw(site.url, 'GET', `/accounts/password?q=${'x'.repeat(15_000)}`);
  assert.equal(response.status, 302);
  assert.equal(response.headers.location, '/accounts/login?next=/accounts/password');
});
