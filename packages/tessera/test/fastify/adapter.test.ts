// The Fastify adapter in an application of its own: CSRF on every unsafe method, login and
// logout as Django does them, the guards, the registration options and saving after the handler.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/core/config.ts';
import { TrustedOrigins } from '../../src/core/csrf.ts';
import { TesseraError } from '../../src/core/errors.ts';
import { defaultPasswords } from '../../src/core/passwords/passwords.ts';
import { createTessera, type Tessera } from '../../src/core/tessera.ts';
import type { User } from '../../src/core/users/user.ts';
import { loginRequired, permissionRequired, requirePost, tesseraPlugin, userPassesTest, type TesseraPluginOptions } from '../../src/fastify/index.ts';

const password = 'adapter passphrase';

interface Visitor {
  cookies: Map<string, string>;
  header(): string;
  take(response: LightMyRequestResponse): void;
}

function visitor(): Visitor {
  const cookies = new Map<string, string>();
  return {
    cookies,
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    take(response) {
      for (const cookie of response.cookies) {
        if (cookie.maxAge === 0 || cookie.value === '') cookies.delete(cookie.name);
        else cookies.set(cookie.name, cookie.value);
      }
    },
  };
}

/** An app as a user writes one: no csrfProtect() anywhere, request.login and request.logout. */
async function buildApp(tessera: Tessera, options: Omit<TesseraPluginOptions, 'tessera'> = {}): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyFormbody);
  await app.register(tesseraPlugin, { tessera, ...options });
  app.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) => {
    if (error instanceof TesseraError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return reply.code(error.status).send(error.code);
    }
    return reply.code(error.statusCode ?? 500).send(error.statusCode ? 'client error' : 'bug');
  });
  app.get('/token', async (request) => request.csrfToken());
  app.get('/me', { preHandler: loginRequired() }, async (request) => `hello ${request.user.username}`);
  app.get('/staff', { preHandler: userPassesTest((user) => user.isStaff, { reason: 'staff only' }) }, async () => 'staff area');
  app.get('/moderate', { preHandler: permissionRequired('articles.delete_article') }, async () => 'moderation');
  app.post('/action', { preHandler: loginRequired({ getPage: () => '/me' }) }, async () => 'done');
  app.route({ method: ['GET', 'PUT'], url: '/action', handler: requirePost, config: { csrf: false } });
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) app.route({ method, url: '/thing', handler: async () => `${method} done` });
  app.post('/webhook', { config: { csrf: false } }, async () => 'hooked');
  app.get('/health', { config: { session: false } }, async (request) => (request.session.isEmpty ? 'empty session' : 'loaded'));
  app.post('/login', async (request, reply) => {
    const { username = '', password: given = '' } = request.body as Partial<Record<string, string>>;
    const result = await request.authenticate(username, given);
    if (!result.ok) {
      if (result.reason === 'throttled') reply.header('Retry-After', String(result.retryAfterSeconds));
      return reply.code(result.reason === 'throttled' ? 429 : 422).send(result.reason);
    }
    await request.login(result.user, { persistent: (request.body as Record<string, string>).remember !== 'no' });
    return reply.redirect('/me', 303);
  });
  app.post('/logout', async (request, reply) => {
    await request.logout();
    return reply.redirect('/', 303);
  });
  app.get('/count', async (request) => {
    const count = (request.session.get<number>('count') ?? 0) + 1;
    request.session.set('count', count);
    return String(count);
  });
  app.get('/fail', async (request) => {
    request.session.set('half-done', true);
    throw new Error('boom');
  });
  return app;
}

/** GET a token as the visitor, then POST the form with it. */
async function post(app: FastifyInstance, who: Visitor, url: string, payload: Record<string, string>, headers: Record<string, string> = {}) {
  const token = await app.inject({ method: 'GET', url: '/token', headers: { cookie: who.header() } });
  who.take(token);
  const response = await app.inject({ method: 'POST', url, headers: { cookie: who.header(), ...headers }, payload: { ...payload, _csrf: token.body } });
  who.take(response);
  return response;
}

async function logIn(app: FastifyInstance, username = 'adapter'): Promise<Visitor> {
  const who = visitor();
  const response = await post(app, who, '/login', { username, password });
  assert.equal(response.statusCode, 303, response.body);
  return who;
}

describe('the Fastify adapter in a small application', () => {
  let dataDir: string;
  let tessera: Tessera;
  let app: FastifyInstance;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-adapter-'));
    tessera = createTessera(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', LOGIN_FAILURES_PER_ACCOUNT: '3' }), { passwords: defaultPasswords() });
    await tessera.migrate();
    app = await buildApp(tessera);
    for (const username of ['adapter', 'other', 'throttled', 'victim']) {
      const created = await tessera.users.create({ username, password: await tessera.passwords.hash(password) });
      assert.notEqual(created, 'username_taken');
    }
  });

  after(async () => {
    await app.close();
    await tessera.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every unsafe method without the token is refused 403, though no route asked for CSRF', async () => {
    const who = await logIn(app);
    for (const [method, url] of [['POST', '/action'], ['PUT', '/thing'], ['PATCH', '/thing'], ['DELETE', '/thing']] as const) {
      const response = await app.inject({ method, url, headers: { cookie: who.header() }, payload: {} });
      assert.equal(response.statusCode, 403, `${method} ${url}`);
    }
    const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 'adapter', password } });
    assert.equal(login.statusCode, 403, 'logging in is protected too');
  });

  test('the token is taken from the _csrf field or the X-CSRF-Token header', async () => {
    const who = await logIn(app);
    assert.equal((await post(app, who, '/action', {})).body, 'done');
    const token = await app.inject({ method: 'GET', url: '/token', headers: { cookie: who.header() } });
    const put = await app.inject({ method: 'PUT', url: '/thing', headers: { cookie: who.header(), 'x-csrf-token': token.body } });
    assert.equal(put.body, 'PUT done');
  });

  test('a POST from another origin is refused even with the token', async () => {
    const who = await logIn(app);
    const response = await post(app, who, '/action', {}, { origin: 'https://evil.example', host: 'localhost:80' });
    assert.equal(response.statusCode, 403);
  });

  test('a route that opts out with config.csrf false takes a POST without a token', async () => {
    const response = await app.inject({ method: 'POST', url: '/webhook', payload: {} });
    assert.equal(response.body, 'hooked');
  });

  test('an unknown URL answers 404 to a POST, as Django resolves the URL before checking CSRF', async () => {
    assert.equal((await app.inject({ method: 'POST', url: '/nowhere', payload: {} })).statusCode, 404);
  });

  test('request.login gives a new session token and a new CSRF secret, and stores the user', async () => {
    const who = visitor();
    assert.equal((await app.inject({ method: 'GET', url: '/count' })).statusCode, 200);
    const before = await app.inject({ method: 'GET', url: '/count' });
    who.take(before);
    const anonymousToken = who.cookies.get('sessionid');
    assert.ok(anonymousToken, 'the anonymous session exists');
    const token = await app.inject({ method: 'GET', url: '/token', headers: { cookie: who.header() } });
    who.take(token);
    const csrfBefore = who.cookies.get('csrftoken');
    await post(app, who, '/login', { username: 'adapter', password });
    assert.notEqual(who.cookies.get('sessionid'), anonymousToken, 'a new token against fixation');
    assert.notEqual(who.cookies.get('csrftoken'), csrfBefore, 'the CSRF secret is rotated');
    assert.equal((await app.inject({ method: 'GET', url: '/me', headers: { cookie: who.header() } })).body, 'hello adapter');
    const old = await app.inject({ method: 'GET', url: '/me', headers: { cookie: `sessionid=${anonymousToken}` } });
    assert.equal(old.statusCode, 302, 'the pre-login token is worth nothing');
  });

  test('request.logout ends the session on the server: the old cookie is anonymous afterwards', async () => {
    const who = await logIn(app);
    const loggedIn = who.cookies.get('sessionid')!;
    const response = await post(app, who, '/logout', {});
    assert.equal(response.statusCode, 303);
    assert.ok(response.cookies.some((cookie) => cookie.name === 'sessionid' && cookie.maxAge === 0), 'the cookie is expired');
    const replay = await app.inject({ method: 'GET', url: '/me', headers: { cookie: `sessionid=${loggedIn}` } });
    assert.equal(replay.statusCode, 302);
  });

  test('request.authenticate throttles an account from one address, and says for how long', async () => {
    const who = visitor();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      assert.equal((await post(app, who, '/login', { username: 'throttled', password: 'wrong' })).statusCode, 422);
    }
    const blocked = await post(app, who, '/login', { username: 'throttled', password });
    assert.equal(blocked.statusCode, 429, 'even the right password waits');
    assert.match(String(blocked.headers['retry-after']), /^[1-9][0-9]*$/);
  });

  test('a browser that logged in before holds a signed device cookie and is not locked out by others\' failures', async () => {
    const own = await logIn(app, 'victim');
    const device = own.cookies.get('device');
    assert.ok(device, 'login gives the device cookie');
    await post(app, own, '/logout', {});
    const attacker = visitor();
    for (let attempt = 0; attempt < 4; attempt += 1) await post(app, attacker, '/login', { username: 'victim', password: 'guess' });
    assert.equal((await post(app, visitor(), '/login', { username: 'victim', password })).statusCode, 429, 'an unknown browser is locked out');
    assert.equal((await post(app, own, '/login', { username: 'victim', password })).statusCode, 303, 'the known browser logs in');
    const forged = visitor();
    forged.cookies.set('device', `${device.slice(0, -4)}AAAA`);
    assert.equal((await post(app, forged, '/login', { username: 'victim', password })).statusCode, 429, 'a forged device cookie is no device cookie');
  });

  test('loginRequired sends an anonymous visitor to log in with next, and lets the user through', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/me?x=1' });
    assert.equal(anonymous.statusCode, 302);
    assert.equal(anonymous.headers.location, '/accounts/login?next=/me%3Fx%3D1');
    const who = await logIn(app);
    assert.equal((await app.inject({ method: 'GET', url: '/me', headers: { cookie: who.header() } })).body, 'hello adapter');
  });

  test('userPassesTest answers 403 to a user who fails the test', async () => {
    const who = await logIn(app, 'other');
    assert.equal((await app.inject({ method: 'GET', url: '/staff', headers: { cookie: who.header() } })).statusCode, 403);
    const user = (await tessera.users.getByUsername('other')) as User;
    await tessera.users.update(user.id, { isStaff: true });
    assert.equal((await app.inject({ method: 'GET', url: '/staff', headers: { cookie: who.header() } })).body, 'staff area');
  });

  test('permissionRequired checks the permission, granted directly or through a group', async () => {
    const who = await logIn(app);
    assert.equal((await app.inject({ method: 'GET', url: '/moderate', headers: { cookie: who.header() } })).statusCode, 403);
    const user = (await tessera.users.getByUsername('adapter')) as User;
    await tessera.permissions.store.ensurePermission('articles.delete_article', 'Can delete any article');
    await tessera.permissions.store.ensureGroup('moderators', ['articles.delete_article']);
    assert.equal(await tessera.permissions.store.addUserToGroup(user.id, 'moderators'), true);
    assert.equal((await app.inject({ method: 'GET', url: '/moderate', headers: { cookie: who.header() } })).body, 'moderation');
  });

  test('a POST-only action sends an anonymous visitor with a token to log in with a GET page as next', async () => {
    const response = await post(app, visitor(), '/action', {});
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, '/accounts/login?next=/me');
  });

  test('requirePost answers 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PUT'] as const) {
      const response = await app.inject({ method, url: '/action' });
      assert.equal(response.statusCode, 405);
      assert.equal(response.headers.allow, 'POST');
    }
  });

  test('a route with config.session false still has a request.session, empty and never saved', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(response.body, 'empty session');
    assert.equal(response.cookies.length, 0);
  });

  test('the session is saved after the handler, and not after a 500', async () => {
    const first = await app.inject({ method: 'GET', url: '/count' });
    const set = first.cookies.find((c) => c.name === 'sessionid');
    assert.ok(set, 'storing a value creates the session');
    const again = await app.inject({ method: 'GET', url: '/count', headers: { cookie: `sessionid=${set.value}` } });
    assert.equal(again.body, '2');
    const failed = await app.inject({ method: 'GET', url: '/fail' });
    assert.equal(failed.statusCode, 500);
    assert.equal(failed.cookies.find((c) => c.name === 'sessionid'), undefined, 'a 5xx saves nothing');
  });

  test('a browser-session login sets a cookie with no Max-Age', async () => {
    const who = visitor();
    const response = await post(app, who, '/login', { username: 'adapter', password, remember: 'no' });
    const cookie = response.cookies.find((c) => c.name === 'sessionid');
    assert.ok(cookie);
    assert.equal(cookie.maxAge, undefined);
  });
});

describe('the options given once at registration', () => {
  let dataDir: string;
  let tessera: Tessera;
  let app: FastifyInstance;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-adapter-options-'));
    tessera = createTessera(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' }), { passwords: defaultPasswords() });
    await tessera.migrate();
    app = await buildApp(tessera, {
      loginUrl: '/signin',
      cookies: { session: 'app_session', csrf: 'app_csrf' },
      domain: 'example.test',
      secure: true,
      sameSite: 'strict',
      trustedOrigins: ['https://*.partner.test'],
      bodyLimit: 1024,
    });
    const created = await tessera.users.create({ username: 'adapter', password: await tessera.passwords.hash(password) });
    assert.notEqual(created, 'username_taken');
  });

  after(async () => {
    await app.close();
    await tessera.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('loginRequired sends visitors to the loginUrl given at registration', async () => {
    const response = await app.inject({ method: 'GET', url: '/me' });
    assert.equal(response.headers.location, '/signin?next=/me');
  });

  test('the cookies carry the names, Domain, Secure and SameSite given at registration', async () => {
    const who = await logIn(app);
    const response = await app.inject({ method: 'GET', url: '/count', headers: { cookie: who.header() } });
    assert.equal(response.statusCode, 200);
    const login = await post(app, visitor(), '/login', { username: 'adapter', password });
    const session = login.cookies.find((cookie) => cookie.name === 'app_session');
    const csrf = login.cookies.find((cookie) => cookie.name === 'app_csrf');
    assert.ok(session && csrf, `cookies: ${login.cookies.map((cookie) => cookie.name).join(', ')}`);
    for (const cookie of [session, csrf]) {
      assert.equal(cookie.domain, 'example.test');
      assert.equal(cookie.secure, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(cookie.path, '/');
    }
    assert.equal(session.httpOnly, true);
    assert.equal(login.cookies.some((cookie) => cookie.name === 'sessionid' || cookie.name === 'csrftoken'), false);
  });

  test('a trusted origin may post; another origin may not', async () => {
    const fromPartner = await post(app, visitor(), '/action', {}, { origin: 'https://shop.partner.test', host: 'example.test' });
    assert.equal(fromPartner.statusCode, 302, 'the trusted origin reaches the guard');
    const fromElsewhere = await post(app, visitor(), '/action', {}, { origin: 'https://partner.test.evil', host: 'example.test' });
    assert.equal(fromElsewhere.statusCode, 403);
    const fromTheDomainItself = await post(app, visitor(), '/action', {}, { origin: 'https://partner.test', host: 'example.test' });
    assert.equal(fromTheDomainItself.statusCode, 403, '*.partner.test names its subdomains only');
    assert.throws(() => new TrustedOrigins(['https://*.com']), /whole top-level domain/);
  });

  test('a server\'s own stricter bodyLimit stays when the plugin is given none', async () => {
    const strict = Fastify({ bodyLimit: 512 });
    await strict.register(fastifyFormbody);
    await strict.register(tesseraPlugin, { tessera });
    strict.post('/open', { config: { csrf: false } }, async () => 'taken');
    try {
      const small = await strict.inject({ method: 'POST', url: '/open', payload: { a: 'x' } });
      assert.equal(small.body, 'taken');
      const large = await strict.inject({ method: 'POST', url: '/open', payload: { a: 'x'.repeat(2048) } });
      assert.equal(large.statusCode, 413);
    } finally {
      await strict.close();
    }
  });

  test('a method the server adds (PROPFIND) needs the token too: only GET, HEAD, OPTIONS and TRACE are safe', async () => {
    const dav = Fastify();
    dav.addHttpMethod('PROPFIND', { hasBody: true });
    await dav.register(tesseraPlugin, { tessera });
    dav.route({ method: 'PROPFIND', url: '/files', handler: async () => 'listed' });
    dav.route({ method: ['GET', 'OPTIONS'], url: '/files', handler: async () => 'read' });
    try {
      assert.equal((await dav.inject({ method: 'PROPFIND', url: '/files' })).statusCode, 403);
      assert.equal((await dav.inject({ method: 'GET', url: '/files' })).body, 'read');
      assert.equal((await dav.inject({ method: 'OPTIONS', url: '/files' })).body, 'read');
    } finally {
      await dav.close();
    }
  });

  test('request.login on a route whose session is never saved is an error, not a login that did nothing', async () => {
    const other = Fastify();
    await other.register(fastifyFormbody);
    await other.register(tesseraPlugin, { tessera });
    other.get('/quick-login', { config: { session: false } }, async (request) => {
      const user = (await tessera.users.getByUsername('adapter')) as User;
      await request.login(user);
      return 'logged in?';
    });
    try {
      const response = await other.inject({ method: 'GET', url: '/quick-login' });
      assert.equal(response.statusCode, 500);
      assert.equal(response.cookies.length, 0);
    } finally {
      await other.close();
    }
  });

  test('a body over the bodyLimit given at registration is refused 413', async () => {
    const who = visitor();
    const response = await post(app, who, '/action', { filler: 'x'.repeat(2048) });
    assert.equal(response.statusCode, 413);
  });

  test('when the session cannot be read, the error handler still finds an empty session and the anonymous user', async () => {
    const brokenDir = mkdtempSync(join(tmpdir(), 'tessera-adapter-broken-'));
    const broken = createTessera(loadConfig({ DATA_DIR: brokenDir, NODE_ENV: 'test' }));
    await broken.migrate();
    const failing = Fastify();
    await failing.register(tesseraPlugin, { tessera: broken });
    failing.setErrorHandler(async (_error, request, reply) => reply.code(503).send(`${request.session.isEmpty} ${request.user.isAuthenticated}`));
    failing.get('/count', async (request) => {
      request.session.set('count', 1);
      return 'counted';
    });
    try {
      const first = await failing.inject({ method: 'GET', url: '/count' });
      const cookie = first.cookies.find((c) => c.name === 'sessionid');
      assert.ok(cookie);
      await broken.db.close(); // the database is gone: loading the session throws
      const response = await failing.inject({ method: 'GET', url: '/count', headers: { cookie: `sessionid=${cookie.value}` } });
      assert.equal(response.statusCode, 503);
      assert.equal(response.body, 'true false');
    } finally {
      await failing.close();
      rmSync(brokenDir, { recursive: true, force: true });
    }
  });

  test('sameSite none without secure is refused at registration', async () => {
    const other = Fastify();
    await assert.rejects(async () => {
      await other.register(tesseraPlugin, { tessera, sameSite: 'none', secure: false });
      await other.ready();
    }, /sameSite "none" needs secure/);
    await other.close().catch(() => {});
  });
});
