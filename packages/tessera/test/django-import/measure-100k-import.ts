// Times an import of 100,000 Django users and the first login after it (a Django PBKDF2 hash checked, then moved to argon2id).
// Not a test file (the default run stays fast): run it by hand, on SQLite or on a throwaway PostgreSQL:
//   node --import tsx packages/tessera/test/django-import/measure-100k-import.ts [--postgres] [--users N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Auth } from '../../src/core/auth.ts';
import { DjangoDatabase } from '../../src/core/django-import/django-database.ts';
import { importDjango } from '../../src/core/django-import/django-import.ts';
import { summaryLines } from '../../src/core/django-import/import-summary.ts';
import { defaultPasswords } from '../../src/core/passwords/passwords.ts';
import { SqlUserStore } from '../../src/core/users/sql-user-store.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { djangoHashes, djangoSite, manyDjangoUsers, writeDjangoPostgres, writeDjangoSqlite } from '../../../../test/support/django-site.ts';
import { startPostgres } from '../../../../test/support/postgres.ts';

const { values } = parseArgs({ options: { postgres: { type: 'boolean' }, users: { type: 'string', default: '100000' } } });
const count = Number(values.users);
const site = { ...djangoSite, users: manyDjangoUsers(count) };

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`${label}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return result;
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-100k-'));
const server = values.postgres ? await startPostgres() : null;
if (values.postgres && server === null) throw new Error('no PostgreSQL binaries installed');
try {
  const source = server
    ? await timed(`writing ${count} Django users to PostgreSQL`, () => writeDjangoPostgres(server.url, 'django_site', site))
    : await timed(`writing ${count} Django users to SQLite`, async () => {
        const path = join(dir, 'django.sqlite3');
        await writeDjangoSqlite(path, site);
        return path;
      });
  const target = openDatabase(server ? server.url : `sqlite:${join(dir, 'tessera.sqlite3')}`);
  await migrate(target);
  const passwords = defaultPasswords();

  const run = async (dryRun: boolean) => {
    const django = await DjangoDatabase.open(source);
    try {
      return await importDjango({ source: django, target, passwords, dryRun });
    } finally {
      await django.close();
    }
  };
  const rssBefore = process.memoryUsage().rss;
  await timed('dry run', () => run(true));
  const summary = await timed(`import of ${count} users into ${server ? 'PostgreSQL' : 'SQLite'}`, () => run(false));
  console.log(summaryLines(summary).map((line) => `  ${line}`).join('\n'));
  console.log(`resident memory: ${Math.round(rssBefore / 2 ** 20)} MiB before, ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB after`);
  await timed('second run (nothing to do)', () => run(false));

  const users = new SqlUserStore(target);
  const auth = new Auth({ users, passwords, secretKey: 'measure-100k-import-secret-key-0123456789abcdef' });
  const username = 'user0000001';
  console.log(`stored hash before the first login: ${(await users.getByUsername(username))!.password}`);
  await timed('first login (Django pbkdf2_sha256, 600,000 iterations, checked; argon2id made and stored)', () => auth.verifyCredentials(username, djangoHashes.pbkdf2_sha256.plain));
  console.log(`stored hash after it: ${(await users.getByUsername(username))!.password.replace(/\$[^$]+\$[^$]+$/, '$…')}`);
  await timed('second login (argon2id only)', () => auth.verifyCredentials(username, djangoHashes.pbkdf2_sha256.plain));
  await target.close();
} finally {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
