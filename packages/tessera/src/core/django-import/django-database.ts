// A Django project's auth tables, read (never written) from SQLite or PostgreSQL, users in batches.
import type { Kysely } from 'kysely';
import { isDatabaseUnavailable, openDatabase, type Db, type DialectName } from '../../db/database.ts';
import { TesseraError } from '../errors.ts';

/**
 * One auth_user row as the driver hands it over: flags are 0/1 and times are text on SQLite,
 * booleans and Dates on PostgreSQL.
 */
export interface DjangoUserRow {
  id: number;
  username: string;
  password: string;
  email: string;
  first_name: string;
  last_name: string;
  is_active: boolean | number;
  is_staff: boolean | number;
  is_superuser: boolean | number;
  date_joined: Date | string;
  last_login: Date | string | null;
}

/** A Django permission under tessera's name for it, `app_label.codename`. */
export interface DjangoPermission {
  id: number;
  codename: string;
  name: string;
}

export interface DjangoGroup {
  id: number;
  name: string;
}

/** A row of one of Django's many-to-many tables (auth_user_groups, auth_user_user_permissions, auth_group_permissions). */
export interface DjangoLink {
  from: number;
  to: number;
}

interface DjangoTables {
  auth_user: DjangoUserRow;
  auth_group: { id: number; name: string };
  auth_permission: { id: number; content_type_id: number; codename: string; name: string };
  django_content_type: { id: number; app_label: string; model: string };
  auth_user_groups: { id: number; user_id: number; group_id: number };
  auth_user_user_permissions: { id: number; user_id: number; permission_id: number };
  auth_group_permissions: { id: number; group_id: number; permission_id: number };
}

const requiredTables = ['auth_user', 'auth_group', 'auth_permission', 'django_content_type', 'auth_user_groups', 'auth_user_user_permissions', 'auth_group_permissions'] as const;

const userColumns = ['id', 'username', 'password', 'email', 'first_name', 'last_name', 'is_active', 'is_staff', 'is_superuser', 'date_joined', 'last_login'] as const;

/** The database URL for a SOURCE argument: a `postgres://` URL as it is, anything else a SQLite file path. */
export function djangoDatabaseUrl(source: string): string {
  return /^(postgres(ql)?:\/\/|sqlite:)/.test(source) ? source : `sqlite:${source}`;
}

/** The source as messages may show it: a PostgreSQL URL without its user, password or parameters. */
export function describeDjangoSource(source: string): string {
  if (!/^postgres(ql)?:\/\//.test(source)) return source;
  try {
    const url = new URL(source);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'the PostgreSQL URL given';
  }
}

/** A Django database opened read-only: its users, groups, permissions and the links between them. */
export class DjangoDatabase {
  readonly #db: Db;
  readonly #kysely: Kysely<DjangoTables>;
  readonly #shown: string;

  private constructor(db: Db, shown: string) {
    this.#db = db;
    // The same connection, typed with Django's tables instead of tessera's.
    this.#kysely = db.kysely as unknown as Kysely<DjangoTables>;
    this.#shown = shown;
  }

  /**
   * Opens SOURCE (a SQLite file path or a `postgres://` URL) read-only and checks that it holds
   * Django's auth tables; a TesseraError saying what is wrong otherwise.
   */
  static async open(source: string): Promise<DjangoDatabase> {
    const shown = describeDjangoSource(source);
    let db: Db;
    try {
      db = openDatabase(djangoDatabaseUrl(source), { readOnly: true, poolSize: 2 });
    } catch (error) {
      throw new TesseraError('bad_request', `cannot open the Django database: ${error instanceof Error ? error.message : String(error)}`);
    }
    const database = new DjangoDatabase(db, shown);
    try {
      await database.#checkTables();
      return database;
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  get dialect(): DialectName {
    return this.#db.dialect;
  }

  /** What is being read, for messages: the path, or the URL without its password. */
  get shown(): string {
    return this.#shown;
  }

  async #checkTables(): Promise<void> {
    const tables = await this.#read(() => this.#db.kysely.introspection.getTables());
    const byName = new Map(tables.map((table) => [table.name, table]));
    const missing = requiredTables.filter((name) => !byName.has(name));
    if (missing.includes('auth_user')) {
      throw new TesseraError('bad_request', `${this.#shown} has no auth_user table: it is not a Django database, or its project has a custom AUTH_USER_MODEL, which import-django does not read`);
    }
    if (missing.length > 0) throw new TesseraError('bad_request', `${this.#shown} is missing Django's ${missing.join(', ')}: run Django's migrate on it first`);
    const columns = new Set(byName.get('auth_user')!.columns.map((column) => column.name));
    const absent = userColumns.filter((name) => !columns.has(name));
    if (absent.length > 0) throw new TesseraError('bad_request', `${this.#shown}: auth_user has no ${absent.join(', ')} column, so it is not Django's auth_user`);
  }

  /** A read, its failure told as the Django database's (the caller's own DATABASE_URL is not to blame). */
  async #read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TesseraError(isDatabaseUnavailable(error) ? 'unavailable' : 'internal', `cannot read the Django database ${this.#shown}: ${reason}`);
    }
  }

  async countUsers(): Promise<number> {
    const row = await this.#read(() => this.#kysely.selectFrom('auth_user').select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow());
    return Number(row.count);
  }

  /** Every user in id order, `size` at a time, each batch one query (keyset, so no batch rescans the ones before it). */
  async *userBatches(size: number): AsyncGenerator<DjangoUserRow[]> {
    let after: number | null = null;
    for (;;) {
      const from: number | null = after;
      const batch: DjangoUserRow[] = await this.#read(() =>
        this.#kysely
          .selectFrom('auth_user')
          .select(userColumns)
          .$if(from !== null, (query) => query.where('id', '>', from!))
          .orderBy('id')
          .limit(size)
          .execute(),
      );
      if (batch.length === 0) return;
      yield batch;
      if (batch.length < size) return;
      after = batch[batch.length - 1]!.id;
    }
  }

  /** The group memberships of users whose ids are in [first, last]. */
  userGroups(first: number, last: number): Promise<DjangoLink[]> {
    return this.#read(() =>
      this.#kysely.selectFrom('auth_user_groups').select(['user_id as from', 'group_id as to']).where('user_id', '>=', first).where('user_id', '<=', last).orderBy('id').execute(),
    );
  }

  /** The permissions held directly by users whose ids are in [first, last]. */
  userPermissions(first: number, last: number): Promise<DjangoLink[]> {
    return this.#read(() =>
      this.#kysely
        .selectFrom('auth_user_user_permissions')
        .select(['user_id as from', 'permission_id as to'])
        .where('user_id', '>=', first)
        .where('user_id', '<=', last)
        .orderBy('id')
        .execute(),
    );
  }

  groups(): Promise<DjangoGroup[]> {
    return this.#read(() => this.#kysely.selectFrom('auth_group').select(['id', 'name']).orderBy('id').execute());
  }

  groupPermissions(): Promise<DjangoLink[]> {
    return this.#read(() => this.#kysely.selectFrom('auth_group_permissions').select(['group_id as from', 'permission_id as to']).orderBy('id').execute());
  }

  /** Every permission, named `app_label.codename` through its content type. */
  async permissions(): Promise<DjangoPermission[]> {
    const rows = await this.#read(() =>
      this.#kysely
        .selectFrom('auth_permission')
        .innerJoin('django_content_type', 'django_content_type.id', 'auth_permission.content_type_id')
        .select(['auth_permission.id', 'auth_permission.codename', 'auth_permission.name', 'django_content_type.app_label'])
        .orderBy('auth_permission.id')
        .execute(),
    );
    return rows.map((row) => ({ id: row.id, codename: `${row.app_label}.${row.codename}`, name: row.name }));
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}
