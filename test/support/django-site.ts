// A Django project's database as `manage.py migrate` and its users would leave it, on SQLite or
// PostgreSQL: every hasher Django has shipped by default, groups, permissions, memberships, and
// the awkward cases an import meets (inactive, unusable, case-colliding, unstorable usernames).
import { createHash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { djangoPostgresSchema, djangoSqliteSchema } from './django-schema.ts';

export interface DjangoUser {
  id: number;
  username: string;
  /** the encoded hash, as Django stored it */
  password: string;
  /** the password that matches it, when one does */
  plain?: string;
  email: string;
  firstName: string;
  lastName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  /** UTC, as Django's SQLite backend writes it: "YYYY-MM-DD HH:MM:SS[.ffffff]" */
  dateJoined: string;
  lastLogin: string | null;
  groups: string[];
  /** held directly, as `app_label.codename` */
  permissions: string[];
}

export interface DjangoSite {
  /** [app_label, model, [codename, name] of its custom permissions] */
  models: Array<[string, string, Array<[string, string]>?]>;
  groups: Record<string, string[]>;
  users: DjangoUser[];
}

/** Known-answer hashes from Django's own tests (and bcrypt's from Django's output, see django-bcrypt.test.ts). */
export const djangoHashes = {
  pbkdf2_sha256: { encoded: 'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=', plain: 'lètmein' },
  pbkdf2_sha1: { encoded: 'pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE=', plain: 'lètmein' },
  argon2: { encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw', plain: 'secret' },
  scrypt: { encoded: 'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==', plain: 'lètmein' },
  bcrypt_sha256: { encoded: 'bcrypt_sha256$$2b$12$PpQIsCsElwF9xdT/dhH7Je0tb/xW0MctV.Yvd/zH3vicM5ZAOP85i', plain: 'test' },
  bcrypt: { encoded: 'bcrypt$$2b$12$6oJ78FYHcl05aSm4QElRBOGvtnIlmCjl0QVYmqPzQg2QhUNIMHeZe', plain: 'test' },
  // Django's MD5PasswordHasher (removed from the defaults long ago): md5 of salt + password.
  md5: { encoded: `md5$seasalt$${createHash('md5').update('seasaltlètmein', 'utf8').digest('hex')}`, plain: 'lètmein' },
} as const;

function user(id: number, username: string, hash: { encoded: string; plain?: string }, fields: Partial<DjangoUser> = {}): DjangoUser {
  return {
    id,
    username,
    password: hash.encoded,
    ...(hash.plain !== undefined && { plain: hash.plain }),
    email: `${username.toLowerCase().replace(/[^a-z]/g, '')}@example.com`,
    firstName: '',
    lastName: '',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    dateJoined: `2023-04-${String(id % 28 + 1).padStart(2, '0')} 05:55:45.715058`,
    lastLogin: null,
    groups: [],
    permissions: [],
    ...fields,
  };
}

/** The site the tests import. Django's ids start at 41 with gaps, so a test can tell them from tessera's. */
export const djangoSite: DjangoSite = {
  models: [
    ['admin', 'logentry'],
    ['auth', 'permission'],
    ['auth', 'group'],
    ['auth', 'user'],
    ['contenttypes', 'contenttype'],
    ['sessions', 'session'],
    ['articles', 'article', [['publish_article', 'Can publish article']]],
    // A codename tessera cannot name (a hyphen): the permission is skipped, with its reason.
    ['reports', 'report', [['export-csv', 'Can export reports as CSV']]],
  ],
  groups: {
    editors: ['articles.add_article', 'articles.change_article', 'articles.publish_article'],
    moderators: ['articles.delete_article', 'articles.view_article'],
  },
  users: [
    user(41, 'alice', djangoHashes.pbkdf2_sha256, {
      email: 'alice@example.com',
      firstName: 'Alice',
      lastName: 'Liddell',
      isStaff: true,
      dateJoined: '2023-04-09 05:55:45.715058',
      lastLogin: '2023-04-15 05:04:44.389890',
      groups: ['editors'],
      permissions: ['articles.delete_article', 'reports.export-csv'],
    }),
    user(42, 'bob', djangoHashes.pbkdf2_sha1, { groups: ['moderators'], lastLogin: '2024-01-02 03:04:05' }),
    user(43, 'carol', djangoHashes.argon2, { isStaff: true, isSuperuser: true }),
    user(45, 'dave', djangoHashes.scrypt, { dateJoined: '2021-10-01 08:53:15' }),
    user(46, 'erin', djangoHashes.bcrypt_sha256, { groups: ['editors', 'moderators'] }),
    user(47, 'frank', djangoHashes.bcrypt, { permissions: ['articles.view_article'] }),
    user(48, 'grace', djangoHashes.pbkdf2_sha256, { isActive: false, groups: ['editors'] }),
    user(49, 'heidi', { encoded: '!Xb7rTq2LmN9vC4kJ8hG3fD6sA1zW5yE0uR7iO2pQ' }),
    // Collides with the user the target already has (see the tests): reported, never merged.
    user(50, 'Ivan', djangoHashes.pbkdf2_sha256, { groups: ['editors'], permissions: ['articles.delete_article'] }),
    // Django's database allows it (its unique index is case-sensitive); tessera's does not.
    user(51, 'ALICE', djangoHashes.pbkdf2_sha256),
    // Written past Django's form validation (a shell, a fixture): tessera cannot store it.
    user(52, 'bad name', djangoHashes.pbkdf2_sha256),
    // Fullwidth letters, which NFKC makes "judy".
    user(53, 'ｊｕｄｙ', djangoHashes.pbkdf2_sha256),
    user(54, 'mallory', djangoHashes.md5),
    // What User.objects.create() without a password leaves.
    user(55, 'nopass', { encoded: '' }),
  ],
};

/** Epoch milliseconds of a Django datetime text, microseconds dropped. */
export function djangoMs(text: string): number {
  return Date.parse(`${text.replace(' ', 'T').slice(0, 23)}Z`);
}

interface Writer {
  run(statement: string): Promise<void>;
  insert(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  close(): Promise<void>;
}

function sqliteWriter(path: string): Writer {
  const database = new BetterSqlite3(path);
  return {
    run: async (statement) => {
      database.exec(statement);
    },
    insert: async (table, columns, rows) => {
      const statement = database.prepare(`INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      // SQLite has no boolean: Django stores 1 and 0.
      database.transaction(() => {
        for (const row of rows) statement.run(...row.map((value) => (typeof value === 'boolean' ? Number(value) : value)));
      })();
    },
    close: async () => {
      database.close();
    },
  };
}

async function postgresWriter(url: string): Promise<Writer> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    run: async (statement) => {
      await client.query(statement);
    },
    insert: async (table, columns, rows) => {
      for (let start = 0; start < rows.length; start += 1000) {
        const chunk = rows.slice(start, start + 1000);
        const values = chunk.map((_, row) => `(${columns.map((__, column) => `$${row * columns.length + column + 1}`).join(', ')})`);
        // Django's PostgreSQL backend writes aware datetimes; these texts are UTC.
        const parameters = chunk.flat().map((value) => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(value) ? `${value}+00` : value));
        await client.query(`INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) VALUES ${values.join(', ')}`, parameters);
      }
    },
    close: () => client.end(),
  };
}

/** Django's auth_user rows (in the column order of neither backend: names say which is which). */
function userRows(users: DjangoUser[]): unknown[][] {
  return users.map((u) => [u.id, u.password, u.lastLogin, u.isSuperuser, u.username, u.firstName, u.lastName, u.email, u.isStaff, u.isActive, u.dateJoined]);
}

const userColumnNames = ['id', 'password', 'last_login', 'is_superuser', 'username', 'first_name', 'last_name', 'email', 'is_staff', 'is_active', 'date_joined'];

async function fill(writer: Writer, schema: readonly string[], site: DjangoSite): Promise<void> {
  for (const statement of schema) await writer.run(statement);
  const contentTypes: unknown[][] = [];
  const permissions: unknown[][] = [];
  const permissionIds = new Map<string, number>();
  site.models.forEach(([app, model, custom = []], index) => {
    const contentTypeId = index + 1;
    contentTypes.push([contentTypeId, app, model]);
    // Django's default permissions for every model, then the model's own (Meta.permissions).
    const all: Array<[string, string]> = [...['add', 'change', 'delete', 'view'].map((action): [string, string] => [`${action}_${model}`, `Can ${action} ${model}`]), ...custom];
    for (const [codename, name] of all) {
      const id = permissions.length + 1;
      permissions.push([id, contentTypeId, codename, name]);
      permissionIds.set(`${app}.${codename}`, id);
    }
  });
  await writer.insert('django_content_type', ['id', 'app_label', 'model'], contentTypes);
  await writer.insert('auth_permission', ['id', 'content_type_id', 'codename', 'name'], permissions);
  const groupIds = new Map(Object.keys(site.groups).map((name, index) => [name, index + 11]));
  await writer.insert('auth_group', ['id', 'name'], [...groupIds].map(([name, id]) => [id, name]));
  const permissionId = (name: string) => permissionIds.get(name) ?? (() => { throw new Error(`the fixture names no permission ${name}`); })();
  await writer.insert('auth_group_permissions', ['group_id', 'permission_id'], Object.entries(site.groups).flatMap(([group, names]) => names.map((name) => [groupIds.get(group), permissionId(name)])));
  await writer.insert('auth_user', userColumnNames, userRows(site.users));
  await writer.insert('auth_user_groups', ['user_id', 'group_id'], site.users.flatMap((u) => u.groups.map((group) => [u.id, groupIds.get(group)])));
  await writer.insert('auth_user_user_permissions', ['user_id', 'permission_id'], site.users.flatMap((u) => u.permissions.map((name) => [u.id, permissionId(name)])));
}

/** A Django database in a new SQLite file at `path`. */
export async function writeDjangoSqlite(path: string, site: DjangoSite = djangoSite): Promise<void> {
  const writer = sqliteWriter(path);
  try {
    await fill(writer, djangoSqliteSchema, site);
  } finally {
    await writer.close();
  }
}

/**
 * A Django database named `name` on the PostgreSQL server of `serverUrl` (dropped first if it
 * is there); its URL.
 */
export async function writeDjangoPostgres(serverUrl: string, name: string, site: DjangoSite = djangoSite): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = serverUrl.replace(/\/[^/]*$/, `/${name}`);
  const writer = await postgresWriter(url);
  try {
    await fill(writer, djangoPostgresSchema, site);
  } finally {
    await writer.close();
  }
  return url;
}

/** `count` users named user0000001…, all with one hash: the bulk an import is timed on. */
export function manyDjangoUsers(count: number, hash: { encoded: string; plain?: string } = djangoHashes.pbkdf2_sha256): DjangoUser[] {
  return Array.from({ length: count }, (_, index) => user(index + 1, `user${String(index + 1).padStart(7, '0')}`, hash, { groups: index % 10 === 0 ? ['editors'] : [] }));
}
