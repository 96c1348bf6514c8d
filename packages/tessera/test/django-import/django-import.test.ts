// A Django database built from Django's own schema, imported into tessera's on SQLite and on PostgreSQL: every field and link arrives, nothing is merged, a second run and a dry run change nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { Auth } from '../../src/core/auth.ts';
import { DjangoDatabase, describeDjangoSource } from '../../src/core/django-import/django-database.ts';
import { importDjango } from '../../src/core/django-import/django-import.ts';
import { changedNothing, summaryLines, type ImportSummary } from '../../src/core/django-import/import-summary.ts';
import { TesseraError } from '../../src/core/errors.ts';
import { defaultPasswords } from '../../src/core/passwords/passwords.ts';
import { SqlPermissionStore } from '../../src/core/permissions/sql-permission-store.ts';
import { SqlUserStore } from '../../src/core/users/sql-user-store.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../../test/support/databases.ts';
import { djangoHashes, djangoMs, djangoSite, writeDjangoPostgres, writeDjangoSqlite } from '../../../../test/support/django-site.ts';
import { skipOrFail } from '../../../../test/support/requirements.ts';

const passwords = defaultPasswords();
const SECRET_KEY = 'test-secret-key-that-is-long-enough-0123456789abcdef';

/** A Django source and a migrated tessera target that already has a user "ivan" and a group "moderators". */
interface Setup {
  source: string;
  target: TestDatabase;
  close(): Promise<void>;
}

async function prepareTarget(db: Db): Promise<void> {
  await migrate(db);
  const ivan = await new SqlUserStore(db).create({ username: 'ivan', password: await passwords.hash('tessera ivan') });
  assert.notEqual(ivan, 'username_taken');
  // The site's own group: Django's moderators join it, and it keeps the permissions it has (none).
  await new SqlPermissionStore(db).ensureGroup('moderators', []);
}

const postgres = postgresForThisFile();

const dialects: Array<{ name: string; setup: () => Promise<Setup | null> }> = [
  {
    name: 'SQLite',
    setup: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tessera-django-'));
      const source = join(dir, 'db.sqlite3');
      await writeDjangoSqlite(source);
      const target = await openTempSqlite();
      await prepareTarget(target.db);
      return {
        source,
        target,
        close: async () => {
          await target.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    setup: async () => {
      const shared = postgres();
      if (shared === null) return null;
      const target = await shared.fresh();
      await prepareTarget(target.db);
      const source = await writeDjangoPostgres(target.url, 'django_site');
      return { source, target, close: () => target.close() };
    },
  },
];

async function runImport(setup: Setup, options: { dryRun?: boolean; batchSize?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<ImportSummary> {
  const source = await DjangoDatabase.open(setup.source);
  try {
    return await importDjango({ source, target: setup.target.db, passwords, ...options });
  } finally {
    await source.close();
  }
}

/** Every row of every table the import writes, in a stable order. */
async function snapshot(db: Db): Promise<unknown> {
  const k = db.kysely;
  return {
    users: await k.selectFrom('users').selectAll().orderBy('id').execute(),
    groups: await k.selectFrom('groups').selectAll().orderBy('id').execute(),
    permissions: await k.selectFrom('permissions').selectAll().orderBy('id').execute(),
    userGroups: await k.selectFrom('user_groups').selectAll().orderBy('user_id').orderBy('group_id').execute(),
    userPermissions: await k.selectFrom('user_permissions').selectAll().orderBy('user_id').orderBy('permission_id').execute(),
    groupPermissions: await k.selectFrom('group_permissions').selectAll().orderBy('group_id').orderBy('permission_id').execute(),
  };
}

const imported = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ｊｕｄｙ', 'mallory', 'nopass'];

for (const dialect of dialects) {
  describe(`import-django from and into ${dialect.name}`, () => {
    function importTest(name: string, body: (setup: Setup) => Promise<void>): void {
      test(name, async (t) => {
        const setup = await dialect.setup();
        if (setup === null) {
          skipOrFail(t, `PostgreSQL binaries not installed: import-django on ${dialect.name} not tested`);
          return;
        }
        try {
          await body(setup);
        } finally {
          await setup.close();
        }
      });
    }

    importTest('every field of every user arrives, the password hash unchanged, under tessera ids of its own', async (setup) => {
      // Four users a batch: links and conflicts must come out right across batch boundaries.
      const summary = await runImport(setup, { batchSize: 4 });
      assert.equal(summary.users.read, djangoSite.users.length);
      assert.equal(summary.users.imported, imported.length);
      const users = new SqlUserStore(setup.target.db);
      for (const django of djangoSite.users.filter((u) => imported.includes(u.username))) {
        const user = await users.getByUsername(django.username);
        assert.ok(user, `${django.username} was not imported`);
        assert.equal(user.username, django.username.normalize('NFKC'));
        assert.equal(user.password, django.password, `${django.username}'s hash changed`);
        assert.equal(user.email, django.email);
        // Django keeps no such flag: nothing has proved an imported address.
        assert.equal(user.emailVerified, false, `${django.username}'s address arrived verified`);
        assert.equal(user.firstName, django.firstName);
        assert.equal(user.lastName, django.lastName);
        assert.equal(user.isActive, django.isActive);
        assert.equal(user.isStaff, django.isStaff);
        assert.equal(user.isSuperuser, django.isSuperuser);
        assert.equal(user.dateJoined.getTime(), djangoMs(django.dateJoined), `${django.username}'s date joined`);
        assert.equal(user.lastLogin?.getTime() ?? null, django.lastLogin === null ? null : djangoMs(django.lastLogin));
        // Django's ids start at 41; tessera's count on from its own (ivan is 1).
        assert.ok(user.id < 41, `${django.username} kept Django's id ${user.id}`);
      }
      const alice = await users.getByUsername('alice');
      assert.equal(alice?.lastLogin?.toISOString(), '2023-04-15T05:04:44.389Z');
      assert.equal((await users.getByUsername('judy'))?.username, 'judy', 'fullwidth letters are stored NFKC-normalised');
    });

    importTest('each imported user has an "imported" event in the audit trail, and a second run adds none', async (setup) => {
      await runImport(setup);
      const events = async () => setup.target.db.kysely.selectFrom('auth_events').select(['user_id', 'kind']).where('kind', '=', 'imported').execute();
      const first = await events();
      assert.equal(first.length, imported.length);
      const alice = await new SqlUserStore(setup.target.db).getByUsername('alice');
      assert.ok(first.some((row) => Number(row.user_id) === alice?.id));
      await runImport(setup);
      assert.equal((await events()).length, imported.length);
    });

    importTest('permissions arrive as app_label.codename, groups with theirs, memberships through tessera ids', async (setup) => {
      const summary = await runImport(setup);
      const db = setup.target.db;
      const codenames = (await db.kysely.selectFrom('permissions').select('codename').execute()).map((row) => row.codename);
      // 8 models of 4 default permissions each, and articles' own publish_article.
      assert.equal(codenames.length, 33);
      for (const codename of ['admin.add_logentry', 'auth.view_user', 'sessions.delete_session', 'articles.publish_article']) assert.ok(codenames.includes(codename), codename);
      assert.equal(summary.permissions.created, 33);
      assert.deepEqual(summary.permissions.skipped.map((refusal) => refusal.name), ['reports.export-csv']);

      const store = new SqlPermissionStore(db);
      const users = new SqlUserStore(db);
      const permissionsOf = async (username: string) => [...(await store.permissionsOf((await users.getByUsername(username))!.id))].sort();
      // Through the editors group (created here, with Django's permissions) and one of her own;
      // the one tessera cannot name is dropped.
      assert.deepEqual(await permissionsOf('alice'), ['articles.add_article', 'articles.change_article', 'articles.delete_article', 'articles.publish_article']);
      // moderators was tessera's already: bob joins it, and it keeps the permissions it had (none).
      assert.deepEqual(await permissionsOf('bob'), []);
      const groupsOf = async (username: string) =>
        (await db.kysely.selectFrom('user_groups').innerJoin('groups', 'groups.id', 'user_groups.group_id').select('groups.name').where('user_groups.user_id', '=', (await users.getByUsername(username))!.id).orderBy('groups.name').execute()).map((row) => row.name);
      assert.deepEqual(await groupsOf('bob'), ['moderators']);
      assert.deepEqual(await groupsOf('erin'), ['editors', 'moderators']);
      assert.deepEqual(await permissionsOf('frank'), ['articles.view_article']);
      assert.deepEqual(summary.groups.existing, ['moderators']);
      assert.equal(summary.groups.created, 1);
      assert.deepEqual(summary.added, { userGroups: 5, userPermissions: 2, groupPermissions: 3 });
    });

    importTest('a username taken in any case or width is reported and skipped, never merged', async (setup) => {
      const db = setup.target.db;
      const users = new SqlUserStore(db);
      const before = await users.getByUsername('ivan');
      const summary = await runImport(setup);
      assert.deepEqual(
        summary.users.conflicts.map((conflict) => [conflict.username, conflict.takenBy.username]),
        [
          ['Ivan', 'ivan'],
          ['ALICE', 'alice'],
        ],
      );
      // tessera's ivan is untouched: same row, and none of Django Ivan's groups or permissions.
      assert.deepEqual(await users.getByUsername('ivan'), before);
      assert.equal((await new SqlPermissionStore(db).permissionsOf(before!.id)).size, 0);
      assert.equal((await db.kysely.selectFrom('user_groups').selectAll().where('user_id', '=', before!.id).execute()).length, 0);
      assert.equal((await db.kysely.selectFrom('users').select('id').where('username_normalized', '=', 'alice').execute()).length, 1);
      const lines = summaryLines(summary).join('\n');
      assert.match(lines, /conflict: Django user "Ivan" \(id 50\) has the username of tessera user "ivan" \(id \d+\)/);
      assert.match(lines, /conflict: Django user "ALICE" \(id 51\) has the username of Django user "alice" \(id 41\), imported first/);
    });

    importTest('a username tessera cannot store is skipped with the reason', async (setup) => {
      const summary = await runImport(setup);
      assert.deepEqual(summary.users.skipped.map((refusal) => [refusal.djangoId, refusal.name]), [[52, 'bad name']]);
      assert.match(summary.users.skipped[0]!.reason, /characters tessera refuses/);
      assert.equal(await new SqlUserStore(setup.target.db).getByUsername('bad name'), null);
      assert.match(summaryLines(summary).join('\n'), /skipped: Django user "bad name" \(id 52\): the username holds characters tessera refuses/);
    });

    importTest('unusable passwords stay unusable, and hashes tessera cannot check are counted by algorithm', async (setup) => {
      const summary = await runImport(setup);
      const users = new SqlUserStore(setup.target.db);
      const heidi = await users.getByUsername('heidi');
      assert.equal(heidi?.password, djangoSite.users.find((u) => u.username === 'heidi')!.password);
      assert.equal(passwords.isUsable(heidi!.password), false);
      assert.equal((await users.getByUsername('nopass'))?.password, '');
      assert.deepEqual(summary.passwords, { unusable: 2, unreadable: { md5: 1 } });
      const auth = new Auth({ users, passwords, secretKey: SECRET_KEY });
      assert.equal(await auth.verifyCredentials('heidi', ''), null);
      assert.equal(await auth.verifyCredentials('heidi', heidi!.password), null);
      assert.equal(await auth.verifyCredentials('nopass', ''), null);
    });

    importTest('a second run changes nothing and says so', async (setup) => {
      const first = await runImport(setup, { batchSize: 5 });
      assert.equal(changedNothing(first), false);
      const before = await snapshot(setup.target.db);
      const second = await runImport(setup, { batchSize: 5 });
      assert.deepEqual(await snapshot(setup.target.db), before);
      assert.equal(changedNothing(second), true);
      assert.equal(second.users.imported, 0);
      assert.equal(second.users.alreadyImported, imported.length);
      assert.equal(second.users.conflicts.length, 2, 'the conflicts are still reported');
      assert.equal(second.permissions.created, 0);
      assert.equal(second.permissions.existing, 33);
      assert.deepEqual(second.groups.existing, ['editors', 'moderators']);
      assert.deepEqual(second.added, { userGroups: 0, userPermissions: 0, groupPermissions: 0 });
      assert.match(summaryLines(second).join('\n'), /nothing to import: everything is already here, nothing was changed/);
    });

    importTest('a dry run reports what the import would do and writes nothing', async (setup) => {
      const before = await snapshot(setup.target.db);
      const dry = await runImport(setup, { dryRun: true });
      assert.deepEqual(await snapshot(setup.target.db), before);
      assert.equal(dry.dryRun, true);
      const lines = summaryLines(dry).join('\n');
      assert.match(lines, /dry run: nothing was written/);
      assert.match(lines, /users: 11 would be imported/);
      // The real run, in batches of another size, does what the dry run said.
      const real = await runImport(setup, { batchSize: 3 });
      assert.deepEqual({ ...dry, dryRun: false }, real);
    });

    importTest('an imported user logs in with the Django password and is moved to argon2id; an inactive one cannot log in', async (setup) => {
      await runImport(setup);
      const users = new SqlUserStore(setup.target.db);
      const auth = new Auth({ users, passwords, secretKey: SECRET_KEY });
      // Every hasher on SQLite; on PostgreSQL the stored bytes are the same (checked above), so one is proof enough.
      const logins = dialect.name === 'SQLite' ? ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] : ['alice'];
      for (const username of logins) {
        const django = djangoSite.users.find((u) => u.username === username)!;
        assert.equal(await auth.verifyCredentials(username, `${django.plain!}x`), null, `${username} with a wrong password`);
        assert.equal((await users.getByUsername(username))?.password, django.password, 'a failed login leaves the hash alone');
        const user = await auth.verifyCredentials(username, django.plain!);
        assert.ok(user, `${username} (${django.password.split('$')[0]}) could not log in`);
        assert.match((await users.getByUsername(username))!.password, /^\$argon2id\$/, `${username} was not moved to argon2id`);
        assert.ok(await auth.verifyCredentials(username, django.plain!), `${username} cannot log in after the upgrade`);
      }
      assert.equal(await auth.verifyCredentials('grace', djangoHashes.pbkdf2_sha256.plain), null, 'an inactive user logged in');
      assert.equal((await users.getByUsername('grace'))?.password, djangoHashes.pbkdf2_sha256.encoded, 'an inactive user was re-hashed');
    });

    importTest('progress is told after every batch, up to the number of Django users', async (setup) => {
      const seen: Array<[number, number]> = [];
      await runImport(setup, { batchSize: 5, onProgress: (done, total) => seen.push([done, total]) });
      const total = djangoSite.users.length;
      assert.deepEqual(seen, [[0, total], [5, total], [10, total], [total, total]]);
    });

    importTest('the Django database is opened read-only', async (setup) => {
      const source = openDatabase(dialect.name === 'SQLite' ? `sqlite:${setup.source}` : setup.source, { readOnly: true, poolSize: 1 });
      try {
        await assert.rejects(source.kysely.deleteFrom('auth_user' as never).execute(), /read-?only/i);
      } finally {
        await source.close();
      }
      if (dialect.name === 'SQLite') {
        const bytes = createHash('sha256').update(readFileSync(setup.source)).digest('hex');
        await runImport(setup);
        assert.equal(createHash('sha256').update(readFileSync(setup.source)).digest('hex'), bytes, 'the import changed the Django file');
        assert.equal(existsSync(`${setup.source}-wal`), false, 'the import switched the Django file to WAL');
      }
    });

    importTest('a database without Django\'s tables is refused, saying why', async (setup) => {
      const notDjango = dialect.name === 'SQLite' ? setup.target.url.slice('sqlite:'.length) : setup.target.url;
      await assert.rejects(DjangoDatabase.open(notDjango), (error: unknown) => error instanceof TesseraError && /has no auth_user table/.test(error.message));
    });
  });
}

test('a SOURCE that is no file says so', async () => {
  await assert.rejects(DjangoDatabase.open('/nonexistent/django/db.sqlite3'), /no SQLite database at \/nonexistent\/django\/db\.sqlite3/);
});

test('a PostgreSQL SOURCE is named without its user, password or parameters', () => {
  assert.equal(describeDjangoSource('postgres://django:s3cret@db.internal:5433/mysite?sslmode=require'), 'postgres://db.internal:5433/mysite');
  assert.equal(describeDjangoSource('path/to/db.sqlite3'), 'path/to/db.sqlite3');
});

test('an unreachable PostgreSQL SOURCE is named in the error, its password hidden', async () => {
  await assert.rejects(DjangoDatabase.open('postgres://django:s3cret@127.0.0.1:1/mysite'), (error: unknown) => {
    assert.ok(error instanceof TesseraError);
    assert.match(error.message, /^cannot read the Django database postgres:\/\/127\.0\.0\.1:1\/mysite: /);
    assert.doesNotMatch(error.message, /s3cret/);
    return true;
  });
});
