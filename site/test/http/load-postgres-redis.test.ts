// A bounded load on two processes (WEB_CONCURRENCY=2) over PostgreSQL + Redis (SESSION_STORE=cached-db),
// mixing page views, logins, article writes and logouts from many users: no 5xx, no lost write,
// both processes answer, and their memory stays flat after warm-up. LOAD_SECONDS (default 60)
// sets the length; LOAD_MAX_REQUESTS caps the count.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres.ts';
import { startRedis, type RedisServer } from '../../../test/support/redis.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';

const PASSWORD = 'Amber-Harbour-Quill-47';
const LOAD_SECONDS = Math.max(5, Number(process.env.LOAD_SECONDS ?? 60) || 60);
/** The hard cap, far above what two cores serve in LOAD_SECONDS, so time is what normally ends the load. */
const MAX_REQUESTS = Number(process.env.LOAD_MAX_REQUESTS ?? 0) || Math.max(10_000, LOAD_SECONDS * 3000);
const BROWSERS = 16;
const USERS = 40;
const REQUEST_TIMEOUT_MS = 20_000;
/** Memory is sampled this often: about 30 samples a run, never less than every 2 s. */
const SAMPLE_MS = Math.min(2000, Math.max(500, Math.round((LOAD_SECONDS * 1000) / 30)));
/**
 * The memory bound, worker by worker: the highest RSS of the last third of the run (after
 * warm-up) may be at most 1.5 times the highest of the first third. Why 1.5: a healthy worker
 * here sits at 250 to 300 MiB and moves by up to a fifth between samples without leaking: V8
 * grows its heap in steps and lets the old generation fill before a full collection, and each
 * argon2id hash holds 19 MiB of native memory while it runs. 1.5× stays clear of that noise and
 * still fails a leak of the size that matters in 60 s: about 8 KiB kept per request (a request,
 * a rendered page or a session record never let go) adds ~140 MiB over the ~17,000 requests a
 * worker serves between the two thirds. Smaller leaks need a longer LOAD_SECONDS. Maxima, not
 * single samples, so that where a collection happens to fall does not decide.
 */
const MEMORY_GROWTH_BOUND = 1.5;
/** Samples before this share of the run are warm-up: caches fill, JIT tiers up, pools open. */
const WARM_UP_SHARE = 0.2;

// ---------------------------------------------------------------------------------------------
// The processes, seen from /proc: no change to the product is needed to tell them apart.

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The pids whose parent is `parent`: the cluster's workers. */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^[0-9]+$/.test(name))
    .map(Number)
    .filter((pid) => Number(statFields(pid)?.[1]) === parent)
    .sort((a, b) => a - b);
}

/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  if (fields === null) return Number.NaN;
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+([0-9]+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Established connections to `port` each process holds open: who the cluster gave connections to. */
function connectionsHeld(pids: number[], port: number): Map<number, number> {
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address, rem_address, st (01 = ESTABLISHED), …, inode
      if (fields[1]?.endsWith(portHex) && fields[3] === '01' && fields[9]) inodes.add(fields[9]);
    }
  }
  const held = new Map<number, number>();
  for (const pid of pids) {
    let count = 0;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[([0-9]+)\]$/.exec(target)?.[1];
          if (inode !== undefined && inodes.has(inode)) count += 1;
        } catch {
          // the descriptor closed while we looked
        }
      }
    } catch {
      // the process is gone: counted as none
    }
    held.set(pid, count);
  }
  return held;
}

// ---------------------------------------------------------------------------------------------
// The simulated users.

interface Figures {
  requests: number;
  latenciesMs: number[];
  statuses: Map<number, number>;
  serverErrors: string[];
  unexpected: string[];
  views: number;
  writes: number;
  logins: number;
  logouts: number;
}

interface Ledger {
  articles: { id: number; title: string; userId: number }[];
  /** sessions acknowledged by a 303 and not logged out since */
  liveSessions: Map<string, { cookie: string; username: string; userId: number }>;
  /** sessions a 303 to POST /accounts/logout ended */
  endedSessions: { cookie: string; username: string }[];
}

class LoadClient extends Client {
  username: string | null = null;
  userId = 0;
  token: string | null = null;
  readonly figures: Figures;

  constructor(base: string, figures: Figures) {
    super(base);
    this.figures = figures;
  }

  override async request(method: string, path: string, options: Parameters<Client['request']>[2] = {}) {
    const figures = this.figures;
    figures.requests += 1;
    const started = performance.now();
    const response = await Promise.race([
      super.request(method, path, options),
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS).unref()),
    ]);
    figures.latenciesMs.push(performance.now() - started);
    figures.statuses.set(response.status, (figures.statuses.get(response.status) ?? 0) + 1);
    if (response.status >= 500) figures.serverErrors.push(`${method} ${path} as ${this.username ?? 'anonymous'}: ${response.status}`);
    return response;
  }
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** The cookie a session is known by: its public id is the first 22 characters. */
const sessionIdOf = (cookie: string) => cookie.slice(0, 22);

async function logInAs(client: LoadClient, username: string, userId: number, ledger: Ledger): Promise<boolean> {
  const response = await client.submit('/accounts/login', '/accounts/login', { username, password: PASSWORD, remember_me: 'on' });
  if (response.status !== 303 || !client.cookie('sessionid')) {
    client.figures.unexpected.push(`login of ${username}: ${response.status}`);
    return false;
  }
  client.figures.logins += 1;
  client.username = username;
  client.userId = userId;
  ledger.liveSessions.set(sessionIdOf(client.cookie('sessionid')!), { cookie: client.cookie('sessionid')!, username, userId });
  // Login rotated the CSRF secret: the forms of this session need a token of the new one.
  const form = await client.get('/articles/new');
  client.token = form.status === 200 ? csrfToken(form.body) : null;
  return true;
}

async function browse(client: LoadClient, users: { username: string; id: number }[], ledger: Ledger, until: () => boolean): Promise<void> {
  const figures = client.figures;
  for (let serial = 0; !until(); serial += 1) {
    const roll = Math.random();
    if (client.username === null) {
      if (roll < 0.1) {
        const user = pick(users);
        await logInAs(client, user.username, user.id, ledger);
        continue;
      }
      figures.views += 1;
      const path = pick(['/', '/articles', '/reading-list', ledger.articles.length > 0 ? `/articles/${pick(ledger.articles).id}` : '/']);
      const page = await client.get(path);
      if (page.status !== 200) figures.unexpected.push(`anonymous GET ${path}: ${page.status}`);
      continue;
    }
    if (roll < 0.84) {
      figures.views += 1;
      const path = pick(['/', '/articles', '/accounts/update', '/accounts/sessions', '/reading-list', ledger.articles.length > 0 ? `/articles/${pick(ledger.articles).id}` : '/accounts/update']);
      const page = await client.get(path);
      if (page.status !== 200) figures.unexpected.push(`GET ${path} as ${client.username}: ${page.status} ${page.location ?? ''}`);
      else if (!page.body.includes(client.username)) figures.unexpected.push(`GET ${path} as ${client.username} does not name them`);
    } else if (roll < 0.985) {
      if (client.token === null) continue;
      const title = `Load ${client.username} ${serial} ${Date.now().toString(36)}`;
      const response = await client.request('POST', '/articles', { form: { _csrf: client.token, title, content: `Under load, ${serial}.` } });
      const id = /^\/articles\/([0-9]+)$/.exec(response.location ?? '')?.[1];
      if (response.status !== 303 || id === undefined) {
        figures.unexpected.push(`POST /articles as ${client.username}: ${response.status} ${response.location ?? ''}`);
        continue;
      }
      figures.writes += 1;
      ledger.articles.push({ id: Number(id), title, userId: client.userId });
      // Read your write, on whichever process answers.
      if (Math.random() < 0.3) {
        const page = await client.get(`/articles/${id}`);
        if (page.status !== 200 || !page.body.includes(title)) figures.unexpected.push(`GET /articles/${id} right after writing it: ${page.status}`);
      }
    } else {
      if (client.token === null) continue;
      const cookie = client.cookie('sessionid')!;
      const response = await client.request('POST', '/accounts/logout', { form: { _csrf: client.token } });
      if (response.status !== 303) {
        figures.unexpected.push(`logout of ${client.username}: ${response.status}`);
        continue;
      }
      figures.logouts += 1;
      ledger.liveSessions.delete(sessionIdOf(cookie));
      ledger.endedSessions.push({ cookie, username: client.username });
      client.username = null;
      client.token = null;
    }
  }
}

/** A GET on a connection of its own, so that each replay may land on either process. */
function freshGet(port: number, path: string, cookie: string): Promise<{ status: number; location: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { cookie, connection: 'close' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: typeof response.headers.location === 'string' ? response.headers.location : null, body }));
      response.on('error', reject);
    });
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => outgoing.destroy(new Error(`GET ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Runs `task` over `items`, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------------------------------------

describe(`${LOAD_SECONDS} s of load on two processes over PostgreSQL + Redis (cached-db)`, () => {
  let postgres: PostgresServer | null = null;
  let redis: RedisServer | null = null;
  let site: RunningSite | null = null;
  let database: pg.Pool | null = null;
  let workers: number[] = [];
  let workersAfter: number[] = [];
  const figures: Figures = { requests: 0, latenciesMs: [], statuses: new Map(), serverErrors: [], unexpected: [], views: 0, writes: 0, logins: 0, logouts: 0 };
  const ledger: Ledger = { articles: [], liveSessions: new Map(), endedSessions: [] };
  const rss = new Map<number, { atMs: number; kib: number }[]>();
  const cpuGrowth = new Map<number, number>();
  const connections = new Map<number, number>();
  let elapsedMs = 0;

  before(async () => {
    postgres = await startPostgres();
    redis = await startRedis();
    if (!postgres || !redis) return;
    site = await startSite({
      env: {
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        SESSION_STORE: 'cached-db',
        WEB_CONCURRENCY: '2',
        SIGNUPS_PER_ADDRESS: '1000000',
        LOGIN_FAILURES_PER_ADDRESS: '1000000',
      },
    });
    database = new pg.Pool({ connectionString: postgres.url, max: 4 });
    const primary = site.process.pid!;
    for (let attempt = 0; attempt < 100 && childrenOf(primary).length < 2; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    workers = childrenOf(primary);

    // The users, each signed up (and so logged in) through the form; the first BROWSERS keep that session.
    const users: { username: string; id: number }[] = [];
    const browsers: LoadClient[] = [];
    await eachLimited(Array.from({ length: USERS }, (_unused, index) => index), 4, async (index) => {
      const client = new LoadClient(site!.url, figures);
      const username = `load${index}u${Date.now().toString(36)}`;
      const response = await client.submit('/accounts/signup', '/accounts/signup', { username, email: '', password1: PASSWORD, password2: PASSWORD });
      assert.equal(response.status, 303, `setting up: the sign-up of ${username} answered ${response.status}`);
      const { rows } = await database!.query<{ id: string }>('select id from users where username = $1', [username]);
      const id = Number(rows[0]!.id);
      users.push({ username, id });
      const cookie = client.cookie('sessionid')!;
      ledger.liveSessions.set(sessionIdOf(cookie), { cookie, username, userId: id });
      if (index < BROWSERS) {
        client.username = username;
        client.userId = id;
        client.token = csrfToken((await client.get('/articles/new')).body);
        browsers.push(client);
      }
    });
    const setUpRequests = figures.requests;

    const started = Date.now();
    const deadline = started + LOAD_SECONDS * 1000;
    const until = () => Date.now() >= deadline || figures.requests - setUpRequests >= MAX_REQUESTS;
    const cpuBefore = new Map(workers.map((pid) => [pid, cpuSeconds(pid)]));
    for (const pid of workers) rss.set(pid, []);
    const sampler = setInterval(() => {
      const atMs = Date.now() - started;
      for (const pid of workers) rss.get(pid)!.push({ atMs, kib: rssKiB(pid) });
      for (const [pid, count] of connectionsHeld(workers, site!.port)) connections.set(pid, Math.max(connections.get(pid) ?? 0, count));
    }, SAMPLE_MS);
    try {
      await Promise.all(browsers.map((client) => browse(client, users, ledger, until)));
    } finally {
      clearInterval(sampler);
    }
    elapsedMs = Date.now() - started;
    for (const pid of workers) cpuGrowth.set(pid, cpuSeconds(pid) - cpuBefore.get(pid)!);
    workersAfter = childrenOf(primary);

    const requests = figures.requests - setUpRequests;
    const sorted = figures.latenciesMs.slice(setUpRequests).sort((a, b) => a - b);
    const totalCpu = [...cpuGrowth.values()].reduce((sum, value) => sum + value, 0);
    process.stdout.write(`# load: ${requests} requests in ${(elapsedMs / 1000).toFixed(1)} s = ${(requests / (elapsedMs / 1000)).toFixed(0)} req/s from ${BROWSERS} browsers over ${USERS} users (cap ${MAX_REQUESTS})\n`);
    process.stdout.write(`# load latency: p50 ${percentile(sorted, 50).toFixed(1)} ms, p90 ${percentile(sorted, 90).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? Number.NaN).toFixed(1)} ms\n`);
    process.stdout.write(`# load mix: ${figures.views} page views, ${figures.writes} article writes, ${figures.logins} logins, ${figures.logouts} logouts; statuses ${[...figures.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`).join(' ')}\n`);
    for (const pid of workers) {
      const share = totalCpu > 0 ? (100 * cpuGrowth.get(pid)!) / totalCpu : 0;
      process.stdout.write(`# worker ${pid}: CPU +${cpuGrowth.get(pid)!.toFixed(1)} s (${share.toFixed(0)}%), held up to ${connections.get(pid) ?? 0} client connections\n`);
      process.stdout.write(`# worker ${pid} RSS MiB every ${SAMPLE_MS / 1000} s: ${rss.get(pid)!.map((sample) => (sample.kib / 1024).toFixed(0)).join(' ')}\n`);
    }
    if (figures.serverErrors.length > 0) process.stdout.write(`# 5xx: ${figures.serverErrors.slice(0, 10).join('; ')}\n`);
    if (figures.unexpected.length > 0) process.stdout.write(`# unexpected: ${figures.unexpected.slice(0, 10).join('; ')}\n`);
  });

  after(async () => {
    await database?.end();
    await site?.stop();
    await redis?.stop();
    await postgres?.stop();
  });

  /** false (after skipping, or failing under REQUIRE_ALL=1) when PostgreSQL or Redis is missing */
  function running(t: TestContext): boolean {
    if (site) return true;
    skipOrFail(t, !postgres ? 'PostgreSQL binaries not installed' : 'redis-server not installed');
    return false;
  }

  test('answers no request with a 5xx', async (t) => {
    if (!running(t)) return;
    assert.ok(figures.requests > 0);
    assert.deepEqual(figures.serverErrors, [], `${figures.serverErrors.length} answers were 5xx`);
  });

  test('answers every request of the mix as a working site does (no logged-in page loses its user)', async (t) => {
    if (!running(t)) return;
    assert.deepEqual(figures.unexpected.slice(0, 20), [], `${figures.unexpected.length} unexpected answers`);
  });

  test('loses no acknowledged article: each is in PostgreSQL with its title and author', async (t) => {
    if (!running(t)) return;
    assert.ok(ledger.articles.length > 0, 'no article was written: the test proved nothing');
    const { rows } = await database!.query<{ id: string; title: string; author_id: string }>('select id, title, author_id from articles where id = any($1::bigint[])', [ledger.articles.map((article) => article.id)]);
    const stored = new Map(rows.map((row) => [Number(row.id), row]));
    const lost = ledger.articles.filter((article) => {
      const row = stored.get(article.id);
      return row === undefined || row.title !== article.title || Number(row.author_id) !== article.userId;
    });
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} of ${ledger.articles.length} acknowledged articles are missing or changed`);
  });

  test('loses no acknowledged session: each is in PostgreSQL and still logs in, on either process', async (t) => {
    if (!running(t)) return;
    const live = [...ledger.liveSessions.values()];
    const { rows } = await database!.query<{ id: string; user_id: string }>('select id, user_id from sessions where id = any($1::text[])', [live.map((session) => sessionIdOf(session.cookie))]);
    const stored = new Map(rows.map((row) => [row.id, Number(row.user_id)]));
    const missing = live.filter((session) => stored.get(sessionIdOf(session.cookie)) !== session.userId).map((session) => session.username);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${live.length} acknowledged sessions are not in the database`);
    const loggedOut: string[] = [];
    await eachLimited(live, 8, async (session) => {
      for (let replay = 0; replay < 2; replay += 1) {
        const page = await freshGet(site!.port, '/accounts/update', `sessionid=${session.cookie}`);
        if (page.status !== 200 || !page.body.includes(session.username)) loggedOut.push(`${session.username}: ${page.status}`);
      }
    });
    assert.deepEqual(loggedOut.slice(0, 10), [], `${loggedOut.length} replays of acknowledged sessions were not logged in`);
  });

  test('keeps every logged-out session ended: gone from PostgreSQL, anonymous on either process', async (t) => {
    if (!running(t)) return;
    assert.ok(ledger.endedSessions.length > 0, 'nobody logged out: the test proved nothing');
    const { rows } = await database!.query<{ id: string }>('select id from sessions where id = any($1::text[])', [ledger.endedSessions.map((session) => sessionIdOf(session.cookie))]);
    assert.deepEqual(rows.map((row) => row.id), [], 'logged-out sessions are still in the database');
    const revived: string[] = [];
    await eachLimited(ledger.endedSessions, 8, async (session) => {
      for (let replay = 0; replay < 2; replay += 1) {
        const page = await freshGet(site!.port, '/accounts/update', `sessionid=${session.cookie}`);
        if (page.status !== 302 && page.status !== 303) revived.push(`${session.username}: ${page.status}`);
      }
    });
    assert.deepEqual(revived.slice(0, 10), [], `${revived.length} replays of logged-out sessions were logged in`);
  });

  test('both processes answered, and neither died', async (t) => {
    if (!running(t)) return;
    assert.equal(workers.length, 2, `expected 2 worker processes, found ${workers.join(', ')}`);
    assert.deepEqual(workersAfter, workers, 'a worker was replaced during the load (it died)');
    const total = [...cpuGrowth.values()].reduce((sum, value) => sum + value, 0);
    for (const pid of workers) {
      assert.ok((connections.get(pid) ?? 0) > 0, `worker ${pid} never held a client connection`);
      // A worker that answered nothing would only run its timers: well under a tenth of the work.
      assert.ok(cpuGrowth.get(pid)! >= 0.1 * total, `worker ${pid} did ${cpuGrowth.get(pid)!.toFixed(1)} s of ${total.toFixed(1)} s of CPU: it hardly answered`);
    }
  });

  test(`keeps each worker's memory flat after warm-up (last third at most ${MEMORY_GROWTH_BOUND}× the first)`, async (t) => {
    if (!running(t)) return;
    for (const pid of workers) {
      const steady = rss.get(pid)!.filter((sample) => sample.atMs >= WARM_UP_SHARE * elapsedMs && Number.isFinite(sample.kib));
      assert.ok(steady.length >= 3, `only ${steady.length} RSS samples of worker ${pid} after warm-up`);
      const third = Math.floor(steady.length / 3);
      const first = Math.max(...steady.slice(0, Math.max(1, third)).map((sample) => sample.kib));
      const last = Math.max(...steady.slice(steady.length - Math.max(1, third)).map((sample) => sample.kib));
      assert.ok(last <= MEMORY_GROWTH_BOUND * first, `worker ${pid} grew from ${(first / 1024).toFixed(0)} MiB to ${(last / 1024).toFixed(0)} MiB`);
    }
  });
});
