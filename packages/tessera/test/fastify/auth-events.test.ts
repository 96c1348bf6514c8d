// The audit trail through the adapter: logins, failures (with their reason, kept server-side),
// throttling, logouts and the application's own events, each one row and one log line with the
// user, the session's public id, the address and the User-Agent; never a password or a token.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/core/config.ts';
import { createTessera, type Tessera } from '../../src/core/tessera.ts';
import type { User } from '../../src/core/users/user.ts';
import { tesseraPlugin } from '../../src/fastify/index.ts';

const password = 'audit trail passphrase';
let dataDir: string;
let tessera: Tessera;
let app: FastifyInstance;
let log = '';
let alice: User;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tessera-audit-'));
  tessera = createTessera(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', LOGIN_FAILURES_PER_ACCOUNT: '2' }));
  await tessera.migrate();
  const stream = new Writable({ write: (chunk, _encoding, done) => ((log += String(chunk)), done()) });
  app = Fastify({ logger: { level: 'info', stream } });
  await app.register(fastifyFormbody);
  await app.register(tesseraPlugin, { tessera });
  // Routes that take no token, to keep the test about the trail; CSRF has tests of its own.
  const open = { config: { csrf: false } };
  app.post('/login', open, async (request, reply) => {
    const { username = '', password: given = '' } = request.body as Record<string, string>;
    const result = await request.authenticate(username, given);
    if (!result.ok) return reply.code(result.reason === 'throttled' ? 429 : 422).send(result.reason);
    await request.login(result.user);
    return reply.code(303).send();
  });
  app.post('/logout', open, async (request, reply) => {
    await request.logout();
    return reply.code(303).send();
  });
  app.post('/changed', open, async (request) => {
    await request.recordAuthEvent('password_changed');
    return 'ok';
  });
  const created = await tessera.users.create({ username: 'alice', password: await tessera.passwords.hash(password) });
  assert.notEqual(created, 'username_taken');
  alice = created as User;
});

after(async () => {
  await app.close();
  await tessera.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a login, the application\'s own event, a logout, failures and throttling are each recorded with who, where and which session', async () => {
  const headers = { 'user-agent': 'AuditBrowser/1.0' };
  const login = await app.inject({ method: 'POST', url: '/login', headers, payload: { username: 'alice', password } });
  assert.equal(login.statusCode, 303);
  const cookie = login.cookies.find((c) => c.name === 'sessionid')!;
  const sessionId = cookie.value.split('.')[0];
  await app.inject({ method: 'POST', url: '/changed', headers: { ...headers, cookie: `sessionid=${cookie.value}` } });
  await app.inject({ method: 'POST', url: '/logout', headers: { ...headers, cookie: `sessionid=${cookie.value}` } });
  await app.inject({ method: 'POST', url: '/login', headers, payload: { username: 'alice', password: 'not it' } });
  await app.inject({ method: 'POST', url: '/login', headers, payload: { username: 'nobody', password: 'not it' } });
  await app.inject({ method: 'POST', url: '/login', headers, payload: { username: 'alice', password: 'not it' } });
  const throttled = await app.inject({ method: 'POST', url: '/login', headers, payload: { username: 'alice', password } });
  assert.equal(throttled.statusCode, 429);

  const events = await tessera.events.recentFor(alice.id, 20);
  assert.deepEqual(events.map((event) => event.kind).reverse(), ['login', 'password_changed', 'logout', 'login_failed', 'login_failed']);
  for (const event of events.filter((e) => e.kind !== 'login_failed')) assert.equal(event.sessionId, sessionId, event.kind);
  for (const event of events) {
    assert.equal(event.address, '127.0.0.1');
    assert.equal(event.userAgent, 'AuditBrowser/1.0');
  }
  assert.deepEqual(events.filter((e) => e.kind === 'login_failed').map((e) => e.reason), ['wrong_password', 'wrong_password']);
  const anonymous = await tessera.db.kysely.selectFrom('auth_events').select(['kind', 'reason']).where('user_id', 'is', null).execute();
  assert.deepEqual(anonymous.map((row) => row.kind).sort(), ['login_failed', 'login_throttled']);
  assert.ok(anonymous.some((row) => row.reason === 'unknown_user'), 'an unknown username is told apart, on the server only');

  const lines = log.split('\n').filter((line) => line.includes('"msg":"auth event"'));
  assert.equal(lines.length, 7, 'one log line an event');
  assert.ok(!log.includes(password) && !log.includes('not it'), 'no password in the log');
  assert.ok(!log.includes(cookie.value.split('.')[1]!), 'no session secret in the log');
  assert.ok(!/\$argon2id\$/.test(log), 'no hash in the log');
});
