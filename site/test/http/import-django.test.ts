// `tessera import-django` against the running site: a Django site's users log in with their old passwords, moved to argon2id as they do; inactive ones cannot.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { djangoHashes, djangoSite, writeDjangoSqlite } from '../../../test/support/django-site.ts';
import { runCli, startSite, type RunningSite } from '../../../test/support/site.ts';
import { assertAnonymous, assertLoggedInAs, logIn, openDatabase, PASSWORD, signUp, userRow } from './helpers.ts';

let site: RunningSite;
let dir: string;
let source: string;
const env = () => ({ DATA_DIR: site.dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn' });

function storedHash(username: string): string | undefined {
  const database = openDatabase(site.dataDir);
  try {
    return (database.prepare('select password from users where username_normalized = ?').get(username) as { password: string } | undefined)?.password;
  } finally {
    database.close();
  }
}

before(async () => {
  site = await startSite();
  dir = mkdtempSync(join(tmpdir(), 'tessera-django-'));
  source = join(dir, 'db.sqlite3');
  await writeDjangoSqlite(source);
  // Someone who signed up on the tessera site before the import, with a name a Django user has too.
  const response = await signUp(new Client(site.url), 'ivan');
  assert.equal(response.status, 303, 'the sign-up of ivan failed');
});

after(async () => {
  await site.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tessera import-django', () => {
  test('--help names SOURCE and --dry-run', async () => {
    const result = await runCli(['import-django', '--help'], env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^usage: tessera import-django SOURCE/);
    assert.match(result.stdout, /--dry-run/);
  });

  test('--dry-run says what it would import and writes nothing', async () => {
    const result = await runCli(['import-django', source, '--dry-run'], env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /dry run: nothing was written/);
    assert.match(result.stdout, /users: 11 would be imported, 0 already imported, 2 conflicts, 1 skipped \(of 14 in Django\)/);
    assert.equal(userRow(site.dataDir, 'alice'), undefined, 'the dry run imported alice');
    const alice = new Client(site.url);
    assert.equal((await logIn(alice, 'alice', djangoHashes.pbkdf2_sha256.plain)).status, 422);
  });

  test('imports the users and says how it went: imported, conflicts, skipped', async () => {
    const result = await runCli(['import-django', source], env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /users: 11 imported, 0 already imported, 2 conflicts, 1 skipped \(of 14 in Django\)/);
    assert.match(result.stdout, /conflict: Django user "Ivan" \(id 50\) has the username of tessera user "ivan"/);
    assert.match(result.stdout, /skipped: Django user "bad name" \(id 52\)/);
    assert.match(result.stdout, /1 user hashed with md5, which tessera cannot check: they must reset their password/);
    // Not a terminal: no progress bar in what a script or a log captures.
    assert.doesNotMatch(result.stderr, /\[#*-*\]/);
  });

  for (const username of ['alice', 'erin']) {
    const django = djangoSite.users.find((u) => u.username === username)!;
    test(`${username} (${django.password.split('$')[0]}) logs in with the Django password and is moved to argon2id at that login`, async () => {
      assert.equal(storedHash(username), django.password, 'the hash was not copied unchanged');
      const client = new Client(site.url);
      const response = await logIn(client, username, django.plain!);
      assert.equal(response.status, 303, `login of ${username}: ${response.status}`);
      await assertLoggedInAs(client, username);
      assert.match(storedHash(username) ?? '', /^\$argon2id\$/);
      // And the same password still works against the new hash.
      assert.equal((await logIn(new Client(site.url), username, django.plain!)).status, 303);
    });
  }

  test('an inactive Django user is imported inactive and cannot log in', async () => {
    assert.equal(userRow(site.dataDir, 'grace')?.is_active, 0);
    const client = new Client(site.url);
    assert.equal((await logIn(client, 'grace', djangoHashes.pbkdf2_sha256.plain)).status, 422);
    await assertAnonymous(client);
    assert.equal(storedHash('grace'), djangoHashes.pbkdf2_sha256.encoded, 'the inactive user was re-hashed');
  });

  test('the site\'s own ivan keeps his account: his password works, Django Ivan\'s does not', async () => {
    assert.equal((await logIn(new Client(site.url), 'ivan', djangoHashes.pbkdf2_sha256.plain)).status, 422);
    assert.equal((await logIn(new Client(site.url), 'ivan', PASSWORD)).status, 303);
  });

  test('a second run changes nothing and says so', async () => {
    const result = await runCli(['import-django', source], env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /nothing to import: everything is already here, nothing was changed/);
    assert.match(result.stdout, /users: 0 imported, 11 already imported, 2 conflicts, 1 skipped/);
  });

  test('a SOURCE that is not a Django database fails with the reason and exit code 1', async () => {
    const result = await runCli(['import-django', join(site.dataDir, 'db.sqlite3')], env());
    assert.equal(result.code, 1);
    assert.match(result.stderr, /has no auth_user table/);
    const missing = await runCli(['import-django', join(dir, 'missing.sqlite3')], env());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no SQLite database at/);
    // An unreachable Django server is named as such, not taken for the site's own DATABASE_URL.
    const unreachable = await runCli(['import-django', 'postgres://django:s3cret@127.0.0.1:1/mysite'], env());
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot read the Django database postgres:\/\/127\.0\.0\.1:1\/mysite/);
    assert.doesNotMatch(unreachable.stderr, /DATABASE_URL|s3cret/);
  });

  test('no SOURCE is a usage error', async () => {
    const result = await runCli(['import-django'], env());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /usage: tessera import-django SOURCE/);
  });
});
