// The Fastify adapter in an application of its own: the guards, the POST-only rule and saving after the handler.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/core/config.ts';
import { TesseraError } from '../../src/core/errors.ts';
import { defaultPasswords } from '../../src/core/passwords/passwords.ts';
import { createTessera, type Tessera } from '../../src/core/tessera.ts';
import type { User } from '../../src/core/users/user.ts';
import { csrfProtect, loginRequired, permissionRequired, requirePost, tesseraPlugin, userPassesTest } from '../../src/fastify/index.ts';

describe('the Fastify adapter in a small application', () => {
  let dataDir: string;
  let tessera: Tessera;
  let app: FastifyInstance;
  let cookie = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-adapter-'));
    tessera = createTessera(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' }), { passwords: defaultPasswords() });
    await tessera.migrate();
    app = Fastify();
    await app.register(fastifyFormbody);
    await app.register(fastifyCookie);
    await app.register(tesseraPlugin, { tessera });
    app.setErrorHandler(async (error, _request, reply) => {
      if (error instanceof TesseraError) {
        for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
        return reply.code(error.status).send(error.code);
      }
      return reply.code(500).send('bug');
    });
    app.get('/me', { preHandler: loginRequired() }, async (request) => `hello ${request.user.username}`);
    app.get('/staff', { preHandler: userPassesTest((user) => user.isStaff, { reason: 'staff only' }) }, async () => 'staff area');
    app.get('/moderate', { preHandler: permissionRequired('articles.delete_article') }, async () => 'moderation');
    app.post('/action', { preHandler: [loginRequired({ getPage: () => '/me' }), csrfProtect()] }, async () => 'done');
    app.route({ method: ['GET', 'PUT'], url: '/action', handler: requirePost });
    app.post('/login', async (request, reply) => {
      const { username, password } = request.body as Record<string, string>;
      const user = await tessera.auth.authenticate(username ?? '', password ?? '');
      if (!user) return reply.code(422).send('no');
      await tessera.auth.login(request.session, user);
      return reply.redirect('/me', 303);
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
    const created = await tessera.users.create({ username: 'adapter', password: await tessera.passwords.hash('adapter passphrase') });
    assert.notEqual(created, 'username_taken');
    const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 'adapter', password: 'adapter passphrase' } });
    assert.equal(login.statusCode, 303);
    const session = login.cookies.find((c) => c.name === 'sessionid');
    assert.ok(session, 'login sets the session cookie');
    cookie = `sessionid=${session.value}`;
  });

  after(async () => {
    await app.close();
    await tessera.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('loginRequired sends an anonymous visitor to log in with next, and lets the user through', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/me?x=1' });
    assert.equal(anonymous.statusCode, 302);
    assert.equal(anonymous.headers.location, '/accounts/login?next=/me%3Fx%3D1');
    const user = await app.inject({ method: 'GET', url: '/me', headers: { cookie } });
    assert.equal(user.body, 'hello adapter');
  });

  test('userPassesTest answers 403 to a user who fails the test', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/staff', headers: { cookie } })).statusCode, 403);
    const user = (await tessera.users.getByUsername('adapter')) as User;
    await tessera.users.update(user.id, { isStaff: true });
    assert.equal((await app.inject({ method: 'GET', url: '/staff', headers: { cookie } })).body, 'staff area');
  });

  test('permissionRequired checks the permission, granted directly or through a group', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/moderate', headers: { cookie } })).statusCode, 403);
    const user = (await tessera.users.getByUsername('adapter')) as User;
    await tessera.permissions.store.ensurePermission('articles.delete_article', 'Can delete any article');
    await tessera.permissions.store.ensureGroup('moderators', ['articles.delete_article']);
    assert.equal(await tessera.permissions.store.addUserToGroup(user.id, 'moderators'), true);
    assert.equal((await app.inject({ method: 'GET', url: '/moderate', headers: { cookie } })).body, 'moderation');
  });

  test('a POST-only action sends an anonymous visitor to log in with a GET page as next', async () => {
    const response = await app.inject({ method: 'POST', url: '/action', payload: {} });
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, '/accounts/login?next=/me');
  });

  test('requirePost answers 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PUT'] as const) {
      const response = await app.inject({ method, url: '/action', headers: { cookie } });
      assert.equal(response.statusCode, 405);
      assert.equal(response.headers.allow, 'POST');
    }
  });

  test('a logged-in POST without the CSRF token is refused', async () => {
    assert.equal((await app.inject({ method: 'POST', url: '/action', headers: { cookie }, payload: {} })).statusCode, 403);
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
});
