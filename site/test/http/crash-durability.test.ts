// kill -9 of the site in the middle of a burst of sign-ups, logins and article writes, then a
// restart on the same data: every acknowledged (303) user, session and article is there, and no
// row is half-written. On SQLite (the default) and on PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';

const PASSWORD = 'Amber-Harbour-Quill-47';
const WORKERS = 8;
/** Each burst ends with the kill: after this many acknowledged writes, or this long, whichever first. */
const ACKS_BEFORE_KILL = 60;
const MAX_BURST_MS = 4000;
/** A hard cap on one burst's requests, in case the kill never finds requests in flight. */
const MAX_BURST_REQUESTS = 600;
const ROUNDS = 2;
const REQUEST_TIMEOUT_MS = 15_000;

interface Acknowledged {
  users: Map<string, { password: string }>;
  sessions: { username: string; cookie: string }[];
  articles: { id: number; title: string; content: string; username: string }[];
  /** 503 with Retry-After (the contract's "hashing queue full"): not acknowledged, not an error */
  busy: number;
  /** anything else 5xx while the server was up */
  serverErrors: string[];
}

/** The rows the checks read, whatever the database. */
interface Rows {
  users: { id: number; username: string; password: string; date_joined: number }[];
  sessions: { id: string; user_id: number | null; secret_hash: string; data: string; expires_at: number }[];
  articles: { id: number; author_id: number; title: string; content: string; created_at: number }[];
  /** problems the database itself reports (integrity, foreign keys) */
  damage: string[];
}

interface Database {
  env: Record<string, string>;
  rows(): Promise<Rows>;
  close(): Promise<void>;
}

function sqliteDatabase(dataDir: string): Database {
  return {
    env: {},
    async rows() {
      const database = new BetterSqlite3(join(dataDir, 'db.sqlite3'), { readonly: true, fileMustExist: true });
      database.pragma('busy_timeout = 5000');
      try {
        const integrity = (database.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check).filter((result) => result !== 'ok');
        const foreignKeys = (database.pragma('foreign_key_check') as unknown[]).map((row) => `foreign key: ${JSON.stringify(row)}`);
        return {
          users: database.prepare('select id, username, password, date_joined from users').all() as Rows['users'],
          sessions: database.prepare('select id, user_id, secret_hash, data, expires_at from sessions').all() as Rows['sessions'],
          articles: database.prepare('select id, author_id, title, content, created_at from articles').all() as Rows['articles'],
          damage: [...integrity, ...foreignKeys],
        };
      } finally {
        database.close();
      }
    },
    async close() {},
  };
}

function postgresDatabase(server: PostgresServer): Database {
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  return {
    env: { DATABASE_URL: server.url },
    async rows() {
      const read = async <T>(sql: string) => (await pool.query(sql)).rows as T[];
      const numbers = <T extends Record<string, unknown>>(rows: T[], keys: (keyof T)[]) =>
        rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, keys.includes(key) && value !== null ? Number(value) : value])) as T);
      return {
        users: numbers(await read<Rows['users'][number]>('select id, username, password, date_joined from users'), ['id', 'date_joined']),
        sessions: numbers(await read<Rows['sessions'][number]>('select id, user_id, secret_hash, data, expires_at from sessions'), ['user_id', 'expires_at']),
        articles: numbers(await read<Rows['articles'][number]>('select id, author_id, title, content, created_at from articles'), ['id', 'author_id', 'created_at']),
        // Foreign keys are always enforced by PostgreSQL; the orphan checks below say the rest.
        damage: [],
      };
    },
    close: () => pool.end(),
  };
}

/** A Client whose requests give up after a while: the server may die under them. */
class BurstClient extends Client {
  token: string | null = null;
  username = '';

  override async request(method: string, path: string, options: Parameters<Client['request']>[2] = {}) {
    return Promise.race([
      super.request(method, path, options),
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('timed out')), REQUEST_TIMEOUT_MS).unref()),
    ]);
  }
}

/**
 * Runs writes from WORKERS workers until the kill: once ACKS_BEFORE_KILL writes were answered 303
 * (or MAX_BURST_MS passed) it waits for a moment with requests in flight and sends SIGKILL.
 */
async function burstThenKill(site: RunningSite, acknowledged: Acknowledged, round: number): Promise<{ requests: number; inFlightAtKill: number }> {
  let requests = 0;
  let inFlight = 0;
  let killed = false;
  let acksThisRound = 0;
  const started = Date.now();
  const sessions: BurstClient[] = [];

  async function send<T>(action: () => Promise<T>): Promise<T | null> {
    if (killed || requests >= MAX_BURST_REQUESTS) return null;
    requests += 1;
    inFlight += 1;
    try {
      return await action();
    } catch {
      // The server is gone (or going): this write was never acknowledged.
      return null;
    } finally {
      inFlight -= 1;
    }
  }

  function judge(response: Awaited<ReturnType<Client['request']>>, what: string): boolean {
    if (response.status === 503 && response.headers.get('retry-after') !== null) acknowledged.busy += 1;
    else if (response.status >= 500 && !killed) acknowledged.serverErrors.push(`${what}: ${response.status}`);
    return response.status === 303;
  }

  async function signUp(worker: number, serial: number): Promise<void> {
    const client = new BurstClient(site.url);
    const username = `crash${round}w${worker}n${serial}`;
    const page = await send(() => client.get('/accounts/signup'));
    if (page === null || page.status !== 200) return;
    const response = await send(() => client.request('POST', '/accounts/signup', { form: { _csrf: csrfToken(page.body), username, email: '', password1: PASSWORD, password2: PASSWORD } }));
    if (response === null || !judge(response, `sign-up ${username}`) || !client.cookie('sessionid')) return;
    acknowledged.users.set(username, { password: PASSWORD });
    acknowledged.sessions.push({ username, cookie: client.cookie('sessionid')! });
    acksThisRound += 1;
    client.username = username;
    sessions.push(client);
  }

  async function logIn(): Promise<void> {
    const usernames = [...acknowledged.users.keys()];
    if (usernames.length === 0) return;
    const username = usernames[Math.floor(Math.random() * usernames.length)]!;
    const client = new BurstClient(site.url);
    const page = await send(() => client.get('/accounts/login'));
    if (page === null || page.status !== 200) return;
    const response = await send(() => client.request('POST', '/accounts/login', { form: { _csrf: csrfToken(page.body), username, password: PASSWORD, remember_me: 'on' } }));
    if (response === null || !judge(response, `login ${username}`) || !client.cookie('sessionid')) return;
    acknowledged.sessions.push({ username, cookie: client.cookie('sessionid')! });
    acksThisRound += 1;
    client.username = username;
    sessions.push(client);
  }

  async function write(worker: number, serial: number): Promise<void> {
    const client = sessions[Math.floor(Math.random() * sessions.length)];
    if (client === undefined) return;
    if (client.token === null) {
      const page = await send(() => client.get('/articles/new'));
      if (page === null || page.status !== 200) return;
      client.token = csrfToken(page.body);
    }
    const title = `Crash ${round}.${worker}.${serial} — 글 ${'😀'.repeat(serial % 3)}`.trim();
    const content = `Written just before the kill.\n${'x'.repeat((serial * 37) % 3000)}`;
    const response = await send(() => client.request('POST', '/articles', { form: { _csrf: client.token!, title, content } }));
    if (response === null || !judge(response, `article by ${client.username}`)) return;
    const id = /^\/articles\/([0-9]+)$/.exec(response.location ?? '')?.[1];
    if (id === undefined) return;
    acknowledged.articles.push({ id: Number(id), title, content, username: client.username });
    acksThisRound += 1;
  }

  const worker = async (index: number) => {
    for (let serial = 0; !killed && requests < MAX_BURST_REQUESTS; serial += 1) {
      const roll = Math.random();
      if (sessions.length === 0 || roll < 0.3) await signUp(index, serial);
      else if (roll < 0.5) await logIn();
      else await write(index, serial);
    }
  };

  const killer = (async () => {
    while (acksThisRound < ACKS_BEFORE_KILL && Date.now() - started < MAX_BURST_MS && requests < MAX_BURST_REQUESTS) await new Promise((resolve) => setTimeout(resolve, 5));
    // Mid-burst: wait (briefly) for a moment with several writes in flight.
    for (let wait = 0; wait < 200 && inFlight < 4; wait += 1) await new Promise((resolve) => setTimeout(resolve, 1));
    const inFlightAtKill = inFlight;
    const exited = new Promise((resolve) => site.process.once('exit', resolve));
    site.process.kill('SIGKILL');
    killed = true;
    await exited;
    return inFlightAtKill;
  })();

  await Promise.all(Array.from({ length: WORKERS }, (_unused, index) => worker(index)));
  const inFlightAtKill = await killer;
  return { requests, inFlightAtKill };
}

async function assertEverythingAcknowledgedIsThere(site: RunningSite, database: Database, acknowledged: Acknowledged): Promise<void> {
  const rows = await database.rows();
  const users = new Map(rows.users.map((user) => [user.username, user]));
  const userIds = new Set(rows.users.map((user) => Number(user.id)));

  // No half-written row: the database itself is sound, and every row is whole.
  assert.deepEqual(rows.damage, [], 'the database reports damage');
  assert.deepEqual(rows.users.filter((user) => user.username === '' || user.password.length < 20 || !(user.date_joined > 0)).map((user) => user.username), [], 'users with an empty name or password');
  assert.deepEqual(rows.sessions.filter((session) => session.user_id !== null && !userIds.has(Number(session.user_id))).map((session) => session.id), [], 'sessions of users that do not exist');
  assert.deepEqual(rows.sessions.filter((session) => session.secret_hash === '' || session.data === '' || !(session.expires_at > 0)).map((session) => session.id), [], 'sessions without a secret, data or expiry');
  assert.deepEqual(rows.articles.filter((article) => article.title.trim() === '' || !userIds.has(Number(article.author_id)) || !(article.created_at > 0)).map((article) => article.id), [], 'articles without a title, an author or a date');

  // Every acknowledged user, session and article is stored, whole.
  for (const username of acknowledged.users.keys()) assert.ok(users.has(username), `user ${username} was acknowledged (303) but is not stored`);
  const sessions = new Map(rows.sessions.map((session) => [session.id, session]));
  for (const { username, cookie } of acknowledged.sessions) {
    const stored = sessions.get(cookie.slice(0, 22));
    assert.ok(stored, `a session of ${username} was acknowledged (303) but is not stored`);
    assert.equal(Number(stored.user_id), Number(users.get(username)?.id), `the session of ${username} belongs to someone else`);
  }
  const articles = new Map(rows.articles.map((article) => [Number(article.id), article]));
  for (const article of acknowledged.articles) {
    const stored = articles.get(article.id);
    assert.ok(stored, `article ${article.id} was acknowledged (303) but is not stored`);
    assert.deepEqual({ title: stored.title, content: stored.content, author: Number(stored.author_id) }, { title: article.title, content: article.content, author: Number(users.get(article.username)?.id) }, `article ${article.id} is stored differently`);
  }

  // And the restarted site serves them: each session cookie still logs in, each article shows.
  for (const { username, cookie } of acknowledged.sessions) {
    const client = new Client(site.url);
    client.jar.set('sessionid', cookie);
    const page = await client.get('/accounts/update');
    assert.equal(page.status, 200, `the acknowledged session of ${username} no longer logs in (${page.status})`);
    assert.ok(page.body.includes(username), `the session cookie of ${username} shows someone else`);
  }
  for (const article of acknowledged.articles) {
    const page = await new Client(site.url).get(`/articles/${article.id}`);
    assert.equal(page.status, 200, `article ${article.id} answers ${page.status} after the restart`);
  }
  // Each password hash is whole: every acknowledged user logs in with it.
  for (const [username, { password }] of acknowledged.users) {
    const client = new Client(site.url);
    const login = await client.submit('/accounts/login', '/accounts/login', { username, password });
    assert.equal(login.status, 303, `${username} cannot log in after the restart (${login.status})`);
  }
}

async function runCrashRounds(database: Database, dataDir: string): Promise<void> {
  const acknowledged: Acknowledged = { users: new Map(), sessions: [], articles: [], busy: 0, serverErrors: [] };
  const env = { ...database.env, SIGNUPS_PER_ADDRESS: '1000000', LOGIN_FAILURES_PER_ADDRESS: '1000000' };
  let site = await startSite({ dataDir, env });
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const { requests, inFlightAtKill } = await burstThenKill(site, acknowledged, round);
      process.stdout.write(`# round ${round}: ${requests} requests, SIGKILL with ${inFlightAtKill} in flight; acknowledged so far: ${acknowledged.users.size} users, ${acknowledged.sessions.length} sessions, ${acknowledged.articles.length} articles; ${acknowledged.busy} busy (503)\n`);
      assert.equal(site.process.signalCode, 'SIGKILL');
      // A second start against the same database must neither fail nor lose data.
      site = await startSite({ dataDir, env });
      assert.equal((await fetch(`${site.url}/healthz`)).status, 200);
      assert.deepEqual(acknowledged.serverErrors, [], 'answered 5xx (other than a busy 503) while up');
      await assertEverythingAcknowledgedIsThere(site, database, acknowledged);
    }
    assert.ok(acknowledged.users.size > 0 && acknowledged.articles.length > 0, 'the bursts acknowledged nothing: the test proved nothing');
  } finally {
    await site.stop();
  }
}

describe('kill -9 during a burst of writes, then a restart on the same data', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  test('on SQLite: every acknowledged user, session and article is there, and no row is half-written', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-crash-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const database = sqliteDatabase(dataDir);
    await runCrashRounds(database, dataDir);
  });

  test('on PostgreSQL: every acknowledged user, session and article is there, and no row is half-written', async (t) => {
    const server = await startPostgres();
    if (!server) return skipOrFail(t, 'PostgreSQL binaries not installed');
    cleanup.push(() => server.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-crash-pg-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const database = postgresDatabase(server);
    cleanup.push(() => database.close());
    await runCrashRounds(database, dataDir);
  });
});
