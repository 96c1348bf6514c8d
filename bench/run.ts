// npm run bench: tessera against what users would pick instead, one system at a time on loopback,
// in one run on this machine; prints the tables and writes them to BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { NullCache } from 'tessera';
import { startRedis } from '../test/support/redis.ts';
import { queriesPerThousandViews } from './cache-queries.ts';
import { load, type LoadResult } from './lib/load.ts';
import { root, siteCommand, Skipped } from './lib/servers.ts';
import { countSessions, databaseBytes, seedSessions } from './lib/session-scale.ts';
import { queriesPerThousand, type StoreQueries } from './lib/store-queries.ts';
import { renderSpeed } from './lib/render-speed.ts';
import { benchPages, benchSecretKey, startFlags, startPeer, startTessera, type BenchPage, type System } from './lib/systems.ts';
import { peers, type PeerSpec } from './peers/peers.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 50;
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (section: string) => only === undefined || only.includes(section);
const notes: string[] = [];
const sections: string[] = [];

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function fmt(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';
}

interface Row {
  name: string;
  result: LoadResult;
}

/** Page views of `path` (the profile form unless said otherwise) with the logged-in user's cookie. */
async function pageView(system: System, path = '/accounts/update'): Promise<LoadResult> {
  return load({ url: system.server.url + path, connections, seconds, headers: { cookie: system.cookie }, rss: system.server.rssMiB });
}

/** One system, started once, under load on each measured page in turn: its row in each page's table. */
async function measure(start: () => Promise<System>): Promise<Record<BenchPage, Row> | null> {
  let system: System | null = null;
  try {
    system = await start();
    const rows: Partial<Record<BenchPage, Row>> = {};
    for (const page of benchPages) {
      log(`  ${system.name}, ${page.path}…`);
      rows[page.id] = { name: system.name, result: await pageView(system, page.path) };
    }
    return rows as Record<BenchPage, Row>;
  } catch (error) {
    if (error instanceof Skipped) {
      notes.push(error.message.split('\n')[0] ?? 'skipped');
      return null;
    }
    throw error;
  } finally {
    await system?.stop();
  }
}

/** Every system in turn, each on both pages: one list of rows per page, tessera's first. */
async function measureAll(starts: (() => Promise<System>)[]): Promise<Record<BenchPage, Row[]>> {
  const rows: Record<BenchPage, Row[]> = { profile: [], home: [] };
  for (const start of starts) {
    const measured = await measure(start);
    if (measured) for (const page of benchPages) rows[page.id].push(measured[page.id]);
  }
  return rows;
}

/**
 * Besides req/s, what each system adds to the bare route's cost per view: the ceiling renders the
 * same page with nothing else, so the ratio of req/s understates how much cheaper one system's
 * own work is than another's.
 */
function pageTable(title: string, rows: Row[]): string {
  const base = rows[0]!.result.requestsPerSecond;
  const bare = rows.find((row) => row.name.startsWith('bare Fastify'))?.result.requestsPerSecond;
  const overhead = (rate: number) => (bare === undefined ? Number.NaN : (1 / rate - 1 / bare) * 1e6);
  return [
    `### ${title}`,
    '',
    '| system | req/s | p50 ms | p99 ms | errors | peak RSS MiB | tessera ÷ system | µs per view over the bare route |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(({ name, result }) =>
      `| ${name} | ${fmt(result.requestsPerSecond)} | ${result.p50} | ${result.p99} | ${result.errors} | ${fmt(result.peakRssMiB)} | ${fmt(base / result.requestsPerSecond, 2)}× | ${name.startsWith('bare') ? '—' : fmt(overhead(result.requestsPerSecond))} |`),
  ].join('\n');
}

const pageTitle = (id: BenchPage, processes: string) => `${benchPages.find((page) => page.id === id)!.title[0]!.toUpperCase()}${benchPages.find((page) => page.id === id)!.title.slice(1)}, logged in, ${processes} (${connections} connections, ${seconds} s)`;

const peer = (id: string): PeerSpec => peers.find((p) => p.id === id)!;
const ratios: Record<string, number> = {};

if (only?.includes('quick') || wanted('render')) {
  log('One render of the profile page:');
  const speed = await renderSpeed(startFlags, only?.includes('quick') ? 2 : 5);
  ratios.render = speed.bundled.microseconds;
  sections.push([
    '### One render of the profile page (Layout + AuthForm, preact-render-to-string)',
    '',
    '| code path | CPU µs per render (median batch) | fastest batch | renders | characters |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| bundled with esbuild, as the \`tessera\` CLI runs the site | ${fmt(speed.bundled.microseconds, 1)} | ${fmt(speed.bundled.best, 1)} | ${fmt(speed.bundled.renders)} | ${fmt(speed.bundled.bytes)} |`,
    `| the TypeScript source loaded by tsx, as the ceiling peer runs it | ${fmt(speed.tsx.microseconds, 1)} | ${fmt(speed.tsx.best, 1)} | ${fmt(speed.tsx.renders)} | ${fmt(speed.tsx.bytes)} |`,
  ].join('\n'));
}

if (only?.includes('quick')) {
  // A short loop for performance work: tessera against the ceiling only.
  const rows = await measureAll([() => startTessera(), () => startPeer(peer('bare-fastify'), 1)]);
  for (const page of benchPages) sections.push(pageTable(pageTitle(page.id, 'one process'), rows[page.id]));
}

if (wanted('pages')) {
  log('Authenticated page views, one process:');
  const single = await measureAll([
    () => startTessera(),
    () => startPeer(peer('bare-fastify'), 1),
    () => startPeer(peer('express-passport'), 1),
    () => startPeer(peer('better-auth'), 1),
    () => startPeer(peer('better-auth-cookie-cache'), 1),
  ]);
  for (const page of benchPages) sections.push(pageTable(pageTitle(page.id, 'one process'), single[page.id]));
  const profile = single.profile;
  const t1 = profile[0]!.result;
  const rate = (prefix: string) => profile.find((row) => row.name.startsWith(prefix))?.result.requestsPerSecond ?? Number.NaN;
  ratios.vsExpress = t1.requestsPerSecond / rate('express');
  ratios.vsBetterAuth = t1.requestsPerSecond / rate('better-auth (SQLite)');
  ratios.ofBare = t1.requestsPerSecond / rate('bare Fastify');
  ratios.rss = Math.max(...benchPages.map((page) => single[page.id][0]!.result.peakRssMiB));

  log('Authenticated page views, two processes:');
  const double = await measureAll([
    () => startTessera({ workers: 2 }),
    () => startPeer(peer('bare-fastify'), 2),
    () => startPeer(peer('express-passport'), 2),
    () => startPeer(peer('better-auth'), 2),
    () => startPeer(peer('better-auth-cookie-cache'), 2),
    () => startPeer(peer('django'), 2),
  ]);
  for (const page of benchPages) sections.push(pageTable(pageTitle(page.id, 'two processes'), double[page.id]));
  const django = double.profile.find((row) => row.name.startsWith('Django'));
  ratios.vsDjango = django ? double.profile[0]!.result.requestsPerSecond / django.result.requestsPerSecond : Number.NaN;
}

if (wanted('logins')) {
  log('Logins per second:');
  const rows: string[] = [];
  for (const start of [() => startTessera(), () => startPeer(peer('express-passport'), 1), () => startPeer(peer('better-auth'), 1), () => startPeer(peer('django'), 2)]) {
    let system: System | null = null;
    try {
      system = await start();
      log(`  ${system.name}…`);
      const result = await load({ url: system.login.url, method: 'POST', connections: 10, seconds, warmupSeconds: 1, headers: system.login.headers, body: system.login.body, expect: system.login.expect });
      rows.push(`| ${system.name} | ${fmt(result.requestsPerSecond, 1)} | ${result.p50} | ${result.p99} | ${result.errors} | \`${JSON.stringify(system.hashParams)}\` |`);
    } catch (error) {
      if (!(error instanceof Skipped)) throw error;
    } finally {
      await system?.stop();
    }
  }
  sections.push(['### Logins per second (10 connections, each a full login with its own hash parameters)', '', '| system | logins/s | p50 ms | p99 ms | errors | password hash |', '| --- | ---: | ---: | ---: | ---: | --- |', ...rows].join('\n'));

  log('Page views while logins run:');
  const system = await startTessera();
  try {
    const alone = await pageView(system);
    const [during] = await Promise.all([
      pageView(system),
      load({ url: system.login.url, method: 'POST', connections: 10, seconds: seconds + 2, warmupSeconds: 0, headers: system.login.headers, body: system.login.body, expect: system.login.expect }),
    ]);
    ratios.p99UnderLogins = during.p99 / alone.p99;
    sections.push([
      '### tessera page views while 10 connections log in continuously (argon2id m=19 MiB, t=2, p=1)',
      '',
      '| | req/s | p50 ms | p99 ms |',
      '| --- | ---: | ---: | ---: |',
      `| page views alone | ${fmt(alone.requestsPerSecond)} | ${alone.p50} | ${alone.p99} |`,
      `| page views during logins | ${fmt(during.requestsPerSecond)} | ${during.p50} | ${during.p99} |`,
      `| p99 ratio | | | ${fmt(ratios.p99UnderLogins, 2)}× |`,
    ].join('\n'));
  } finally {
    await system.stop();
  }
}

if (wanted('scale')) {
  log('Stored sessions: 10^3 against 10^6:');
  const results: Record<number, LoadResult> = {};
  let bytesPerSession = Number.NaN;
  for (const count of [1_000, 1_000_000]) {
    const first = await startTessera();
    const dataDir = first.dataDir;
    await first.server.stop();
    const database = join(dataDir, 'db.sqlite3');
    const before = databaseBytes(database);
    const started = Date.now();
    seedSessions(database, { count, expired: false, userId: null });
    log(`  seeded ${fmt(count)} sessions in ${fmt((Date.now() - started) / 1000, 1)} s`);
    if (count === 1_000_000) bytesPerSession = (databaseBytes(database) - before) / count;
    const system = await startTessera({ dataDir });
    try {
      results[count] = await pageView(system);
    } finally {
      await system.stop();
    }
    // A million expired sessions, then clearsessions.
    if (count === 1_000_000) {
      seedSessions(database, { count: 1_000_000, expired: true, userId: null });
      const total = countSessions(database);
      const t0 = Date.now();
      execFileSync(process.execPath, siteCommand('clearsessions'), { cwd: root, env: { ...process.env, DATA_DIR: dataDir, SECRET_KEY: benchSecretKey, NODE_ENV: 'production' }, stdio: 'ignore' });
      const clearSeconds = (Date.now() - t0) / 1000;
      const left = countSessions(database);
      ratios.clearSeconds = clearSeconds;
      notes.push(`clearsessions deleted ${fmt(total - left)} expired of ${fmt(total)} sessions in ${fmt(clearSeconds, 1)} s (the process's whole run, start-up included), leaving ${fmt(left)}.`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  const small = results[1_000]!;
  const large = results[1_000_000]!;
  ratios.scale = small.requestsPerSecond / large.requestsPerSecond;
  ratios.bytesPerSession = bytesPerSession;
  sections.push([
    '### Stored sessions (SQLite, one process)',
    '',
    '| sessions stored | req/s | p50 ms | p99 ms | cost relative to 10^3 |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| 10^3 | ${fmt(small.requestsPerSecond)} | ${small.p50} | ${small.p99} | 1.00× |`,
    `| 10^6 | ${fmt(large.requestsPerSecond)} | ${large.p50} | ${large.p99} | ${fmt(ratios.scale, 2)}× |`,
    '',
    `Bytes stored per session (row and its indexes, measured over 10^6 sessions): ${fmt(bytesPerSession)}.`,
  ].join('\n'));
}

if (wanted('queries')) {
  log('Queries per 1,000 authenticated views:');
  const redis = await startRedis();
  const rows: StoreQueries[] = [];
  try {
    rows.push(await queriesPerThousand('db'));
    rows.push(await queriesPerThousand('cached-db'));
    if (redis) {
      rows.push(await queriesPerThousand('cached-db', redis.url));
      rows.push({ ...(await queriesPerThousand('redis', redis.url)), store: 'redis (sessions in Redis; users in SQL)' });
    } else notes.push('redis-server is not installed: the Redis stores were not measured.');
    rows.push(await queriesPerThousand('cookie'));
  } finally {
    await redis?.stop();
  }
  ratios.dbQueries = rows[0]!.queries / 1000;
  ratios.dbWrites = rows[0]!.writes;
  sections.push(['### SQL queries per 1,000 authenticated page views, by session store', '', '| SESSION_STORE | queries | of which writes |', '| --- | ---: | ---: |', ...rows.map((row) => `| ${row.store} | ${row.queries} | ${row.writes} |`)].join('\n'));

  const withoutCache = await queriesPerThousandViews(new NullCache());
  const withCache = await queriesPerThousandViews(undefined);
  const anonymous = await startTessera();
  let listRate: LoadResult;
  try {
    listRate = await load({ url: `${anonymous.server.url}/articles`, connections, seconds, headers: { cookie: 'hide_notice=1' }, rss: anonymous.server.rssMiB });
  } finally {
    await anonymous.stop();
  }
  sections.push([
    '### Anonymous readers of the article list',
    '',
    '| | without the cache | with the cache |',
    '| --- | ---: | ---: |',
    `| SQL queries per 1,000 views of /articles?page=2 | ${withoutCache.list} | ${withCache.list} |`,
    `| SQL queries per 1,000 views of / | ${withoutCache.home} | ${withCache.home} |`,
    '',
    `Anonymous views of /articles, one process: ${fmt(listRate.requestsPerSecond)} req/s, p99 ${listRate.p99} ms.`,
  ].join('\n'));
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
const versions = ['fastify', 'kysely', 'better-sqlite3', 'preact-render-to-string', 'argon2', 'express', 'express-session', 'passport', 'better-auth', 'autocannon']
  .map((name) => {
    try {
      return `${name} ${(JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`;
    } catch {
      return `${name} ?`;
    }
  })
  .join(', ');

const targets = [
  ['profile page, one process: ≥ 4× express-session + passport', ratios.vsExpress, (v: number) => v >= 4],
  ['profile page, one process: ≥ 5× better-auth without cookie cache', ratios.vsBetterAuth, (v: number) => v >= 5],
  ['profile page, one process: ≥ 0.8× the bare Fastify ceiling', ratios.ofBare, (v: number) => v >= 0.8],
  ['profile page, two processes: ≥ 10× Django + gunicorn, 2 workers', ratios.vsDjango, (v: number) => v >= 10],
  ['one render of the profile page ≤ 20 µs (bundled, as the CLI runs it)', ratios.render, (v: number) => v <= 20],
  ['RSS under load ≤ 120 MiB, one process (MiB)', ratios.rss, (v: number) => v <= 120],
  ['p99 while logins run ≤ 3× p99 without', ratios.p99UnderLogins, (v: number) => v <= 3],
  ['page view at 10^6 sessions ≤ 1.2× the cost at 10^3', ratios.scale, (v: number) => v <= 1.2],
  ['≤ 1 query per authenticated view with the db store', ratios.dbQueries, (v: number) => v <= 1],
  ['no write per authenticated view with the db store', ratios.dbWrites, (v: number) => v === 0],
] as const;
const targetTable = [
  '### Targets',
  '',
  '| target | measured | met |',
  '| --- | ---: | :---: |',
  ...targets.map(([name, value, ok]) => `| ${name} | ${value === undefined ? 'not run' : fmt(value, 2)} | ${value === undefined || !Number.isFinite(value) ? '–' : ok(value) ? 'yes' : 'no'} |`),
].join('\n');

const report = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Every system ran on this machine, one after another, on loopback, in one run.`,
  '',
  `Machine: ${machine}.`,
  `Versions: ${versions}.`,
  '',
  'Each page view is the profile form (`GET /accounts/update`) or the home page (`GET /`) with the logged-in user\'s cookie: the session is looked up, the user loaded, and the page rendered. The peers send the same HTML as tessera\'s page (checked byte for byte but the CSRF values), written as a plain template literal, so the tables compare the auth stacks and not template engines; the ceiling is bare Fastify rendering tessera\'s own page components for a fixed user with no auth. Ratios are tessera ÷ system. A 2-second warm-up precedes every measured run.',
  '',
  targetTable,
  '',
  ...sections.flatMap((section) => [section, '']),
  ...(notes.length > 0 ? ['### Notes', '', ...notes.map((note) => `- ${note}`), ''] : []),
].join('\n');

console.log(report);
if (only === undefined) writeFileSync(join(root, 'BENCHMARKS.md'), report);
