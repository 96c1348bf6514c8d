// tessera as a user gets it: the packed tarball installed into a new app outside the repository,
// with fastify from the registry; the README's app compiled by the app's own strict tsc, run with
// plain node, walked over HTTP; and `tessera migrate --config` on that app's database.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { freePort } from '../support/site.ts';

const repository = fileURLToPath(new URL('../..', import.meta.url));
const example = join(repository, 'examples', 'fastify-app');
const rootManifest = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const siteManifest = JSON.parse(readFileSync(join(repository, 'site', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The tables tessera's own migrations make, and the migration tables; an app on tessera has these and its own. */
const tesseraTables = ['auth_events', 'group_permissions', 'groups', 'login_failures', 'permissions', 'revoked_sessions', 'sessions', 'tessera_migrations', 'tessera_migrations_lock', 'user_groups', 'user_permissions', 'user_session_cutoffs', 'users'];

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 15 * 60_000 });
  return { code: result.status ?? -1, stdout: result.stdout ?? '', output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Runs a command that must succeed; its standard output. */
function must(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const result = run(command, args, cwd, env);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} failed:\n${result.output}`);
  return result.stdout;
}

/** A browser's cookie jar, enough for one visitor. */
class Visitor {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async fetch(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const response = await fetch(`${this.base}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(init.form && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(init.form && { body: new URLSearchParams(init.form).toString() }),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return { status: response.status, location: response.headers.get('location'), body: await response.text() };
  }

  /** GETs the form's page, then posts it with the token the page carries. */
  async submit(page: string, action: string, fields: Record<string, string>) {
    const shown = await this.fetch(page);
    const token = /name="_csrf" value="([^"]+)"/.exec(shown.body)?.[1];
    assert.ok(token, `${page} has a CSRF token:\n${shown.body}`);
    return this.fetch(action, { form: { ...fields, _csrf: token } });
  }
}

function tablesOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as { name: string }[];
    return rows.map((row) => row.name);
  } finally {
    db.close();
  }
}

describe('the packed tarball in an app of its own', { timeout: 25 * 60_000 }, () => {
  let work: string;
  let app: string;
  let tarball: string;
  let server: ChildProcess | undefined;
  let dataDir: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'tessera-consumer-'));
    app = join(work, 'app');
    dataDir = join(work, 'data');
    // Packed from a copy of the package, so that prepack's build (dist/ made anew: the tarball is
    // what `npm publish` would send) never pulls dist/ from under the suites running beside this.
    const copy = join(work, 'package');
    const library = join(repository, 'packages', 'tessera');
    for (const part of ['package.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'src', 'scripts']) cpSync(join(library, part), join(copy, part), { recursive: true });
    symlinkSync(join(repository, 'node_modules'), join(copy, 'node_modules'));
    const packed = must('npm', ['pack', '--json', '--pack-destination', work], copy);
    const info = JSON.parse(packed) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    tarball = join(work, info[0]!.filename);
    process.stdout.write(`# tarball ${info[0]!.filename}: ${info[0]!.size} bytes packed, ${info[0]!.unpackedSize} unpacked, ${info[0]!.files.length} files\n`);
  });

  /** Starts `node dist/app.js` on a free loopback port with the app's data folder; its base URL. */
  async function startApp(): Promise<string> {
    const port = await freePort();
    let log = '';
    const child = spawn(process.execPath, ['dist/app.js'], { cwd: app, env: { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    child.stdout?.on('data', (chunk) => (log += String(chunk)));
    child.stderr?.on('data', (chunk) => (log += String(chunk)));
    const base = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if (child.exitCode !== null) assert.fail(`the app exited with ${child.exitCode}:\n${log}`);
      if (/listening on http/.test(log)) return base;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`the app did not say it was listening:\n${log}`);
  }

  async function stopApp(): Promise<void> {
    const child = server;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }

  after(async () => {
    await stopApp();
    rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the built package and nothing of the repository besides', () => {
    const listed = must('tar', ['-tzf', tarball], work).trim().split('\n').sort();
    assert.ok(listed.includes('package/dist/index.js') && listed.includes('package/dist/index.d.ts'));
    assert.ok(listed.includes('package/dist/fastify/index.d.ts') && listed.includes('package/dist/db/index.d.ts'));
    assert.ok(listed.includes('package/dist/cli/bin.js'));
    assert.ok(listed.includes('package/dist/core/passwords/common-passwords.txt.gz'), 'the data a module reads ships beside it');
    assert.ok(listed.includes('package/LICENSE') && listed.includes('package/README.md'));
    const strays = listed.filter((path) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE$)/.test(path) || /\.test\./.test(path));
    assert.deepEqual(strays, []);
  });

  test('an app installs the tarball beside fastify from the registry, compiles it under strict nodenext, and runs it with plain node', async () => {
    must('mkdir', ['-p', app], work);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer-app', private: true, type: 'module', allowScripts: { argon2: true, 'better-sqlite3': true, esbuild: true } }, null, 2),
    );
    for (const file of ['app.ts', 'tessera.config.ts', 'tsconfig.json']) copyFileSync(join(example, file), join(app, file));
    must('npm', [
      'install', '--no-audit', '--no-fund', '--prefer-offline',
      tarball,
      `fastify@${siteManifest.dependencies.fastify}`,
      `@fastify/formbody@${siteManifest.dependencies['@fastify/formbody']}`,
      `zod@${siteManifest.dependencies.zod}`,
      `typescript@${rootManifest.devDependencies.typescript}`,
      // Most users still compile with TypeScript 5: the declarations must suit it too.
      'typescript5@npm:typescript@^5.9',
      `@types/node@${rootManifest.devDependencies['@types/node']}`,
    ], app);
    must(process.execPath, [join('node_modules', 'typescript5', 'bin', 'tsc'), '-p', '.', '--noEmit'], app);
    must('npx', ['tsc', '-p', '.'], app);
    assert.ok(statSync(join(app, 'dist', 'app.js')).isFile());

    const base = await startApp();

    const alice = new Visitor(base);
    const anonymous = await alice.fetch('/me');
    assert.ok(anonymous.status === 302 || anonymous.status === 303, `anonymous /me: ${anonymous.status}`);
    assert.equal(anonymous.location, '/login?next=/me');

    const noToken = await alice.fetch('/signup', { form: { username: 'alice', password: 'a long passphrase', bio: 'hi' } });
    assert.equal(noToken.status, 403, 'a POST without a token is refused, though the app wrote no csrfProtect()');

    const signup = await alice.submit('/signup', '/signup', { username: 'alice', password: 'a long passphrase', bio: 'Writes <b>tests</b>' });
    assert.equal(signup.status, 303, signup.body);
    const me = await alice.fetch('/me');
    assert.equal(me.status, 200);
    assert.match(me.body, /Hello alice\. Writes &#60;b&#62;tests&#60;\/b&#62;/, 'the user field is stored and read back');

    const loggedInCookie = alice.cookies.get('sessionid');
    assert.ok(loggedInCookie);
    const logout = await alice.submit('/me', '/logout', {});
    assert.equal(logout.status, 303);
    const replay = new Visitor(base);
    replay.cookies.set('sessionid', loggedInCookie);
    const replayed = await replay.fetch('/me');
    assert.ok(replayed.status === 302 || replayed.status === 303, 'the logged-out cookie is anonymous');

    const bob = new Visitor(base);
    const wrong = await bob.submit('/login', '/login', { username: 'alice', password: 'not it' });
    assert.equal(wrong.status, 422);
    const offsite = await new Visitor(base).submit('/login', '/login', { username: 'alice', password: 'a long passphrase', next: '//evil.example/' });
    assert.equal(offsite.location, '/me', 'a next that leaves the site falls back to /me');
    const shown = await bob.fetch('/login?next=%22%3E%3Cscript%3E');
    assert.match(shown.body, /name="next" value="&#34;&#62;&#60;script&#62;"/, 'the next field is escaped');
    const login = await bob.submit('/login', '/login', { username: 'alice', password: 'a long passphrase', next: '/me?welcome=1' });
    assert.equal(login.status, 303, login.body);
    assert.equal(login.location, '/me?welcome=1');
    assert.equal((await bob.fetch('/me')).status, 200);

    await stopApp();
    // The app's database holds tessera's tables and its own change (users.bio), nothing else.
    assert.deepEqual(tablesOf(join(dataDir, 'db.sqlite3')), tesseraTables);

    // What once broke an app: the command line migrating its database, then the app starting.
    const migrated = must('npx', ['tessera', 'migrate'], app, { DATA_DIR: dataDir, NODE_ENV: 'development' });
    assert.match(migrated, /migrations applied/);
    assert.deepEqual(tablesOf(join(dataDir, 'db.sqlite3')), tesseraTables);
    const again = new Visitor(await startApp());
    const back = await again.submit('/login', '/login', { username: 'alice', password: 'a long passphrase' });
    assert.equal(back.status, 303, 'the app starts on its database after the command line migrated it, and alice logs in');
    await stopApp();
  });

  test('tessera migrate --config applies tessera\'s migrations and the app\'s, and no other\'s', () => {
    for (const [name, args] of [
      ['compiled', ['migrate', '--config', 'dist/tessera.config.js']],
      ['TypeScript, found by default', ['migrate']],
    ] as const) {
      const dataDir = join(work, `migrate-${name.split(',')[0]}`);
      const output = must('npx', ['tessera', ...args], app, { DATA_DIR: dataDir, NODE_ENV: 'development' });
      assert.match(output, /migrations applied/);
      const file = join(dataDir, 'db.sqlite3');
      assert.deepEqual(tablesOf(file), tesseraTables, name);
      const db = new Database(file, { readonly: true });
      try {
        const applied = (db.prepare('select name from tessera_migrations order by name').all() as { name: string }[]).map((row) => row.name);
        assert.deepEqual(applied, ['0001-accounts', '0002-permissions', '0003-revoked-sessions', '0004-auth-events', '0005-email-verified', 'app-0001-bio'], name);
        const columns = (db.prepare('pragma table_info(users)').all() as { name: string }[]).map((column) => column.name);
        assert.ok(columns.includes('bio'), name);
      } finally {
        db.close();
      }
      // A second run finds nothing to do and changes nothing.
      must('npx', ['tessera', ...args], app, { DATA_DIR: dataDir, NODE_ENV: 'development' });
      assert.deepEqual(tablesOf(file), tesseraTables);
    }
    const cache = join(app, 'node_modules', '.cache', 'tessera');
    const leftovers = [...readdirSync(app), ...readdirSync(cache)].filter((name) => name.endsWith('.mjs'));
    assert.deepEqual(leftovers, [], 'loading a TypeScript config leaves no file behind, in the app or its cache');
  });

  test('tessera help, and a missing config module named clearly', () => {
    assert.match(must('npx', ['tessera', '--help'], app), /--config PATH/);
    const missing = run('npx', ['tessera', 'migrate', '--config', 'nowhere.config.ts'], app);
    assert.equal(missing.code, 1);
    assert.match(missing.output, /no config module at .*nowhere\.config\.ts/);
  });
});
