// Users kept in the SQL database, on either dialect.
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { UsersTable } from '../../db/schema.ts';
import { readExtra, writeExtra, type UserFields } from './user-fields.ts';
import type { NewUser, UserChanges, UserExpectation, UserStore } from './user-store.ts';
import { TesseraError } from '../errors.ts';
import { cleanUsername, normalizeUsername, usernameProblem, type User } from './user.ts';

/**
 * Users in the `users` table, on SQLite or PostgreSQL; the application's own columns are read and written
 * through its `fields` ({@link UserFields}).
 */
export class SqlUserStore<Extra extends object = Record<string, unknown>> implements UserStore<Extra> {
  readonly #db: Db;
  readonly #fields: UserFields<Extra>;

  constructor(db: Db, options: { fields?: UserFields<Extra> } = {}) {
    this.#db = db;
    this.#fields = options.fields ?? ({} as UserFields<Extra>);
  }

  /** Turns a users row (possibly with the columns of a join) into a User. */
  rowToUser(row: Selectable<UsersTable> & Record<string, unknown>): User<Extra> {
    return {
      isAuthenticated: true,
      id: Number(row.id),
      username: row.username,
      usernameNormalized: row.username_normalized,
      email: row.email,
      emailVerified: row.email_verified === 1,
      pendingEmail: row.pending_email ?? '',
      firstName: row.first_name,
      lastName: row.last_name,
      password: row.password,
      isActive: row.is_active === 1,
      isStaff: row.is_staff === 1,
      isSuperuser: row.is_superuser === 1,
      dateJoined: new Date(Number(row.date_joined)),
      lastLogin: row.last_login === null ? null : new Date(Number(row.last_login)),
      extra: readExtra(this.#fields, row),
    };
  }

  async getById(id: number): Promise<User<Extra> | null> {
    if (!Number.isSafeInteger(id)) return null;
    const row = await this.#db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.rowToUser(row) : null;
  }

  async getByUsername(username: string): Promise<User<Extra> | null> {
    const row = await this.#db.kysely
      .selectFrom('users')
      .selectAll()
      .where('username_normalized', '=', normalizeUsername(username))
      .executeTakeFirst();
    return row ? this.rowToUser(row) : null;
  }

  async create(user: NewUser<Extra>): Promise<User<Extra> | 'username_taken'> {
    const username = cleanUsername(user.username);
    // A form validates first (usernameProblem); reaching here with a bad name is a caller's bug,
    // and a NUL would be a 500 from PostgreSQL, which cannot store one in text.
    const problem = usernameProblem(username);
    if (problem !== null) throw new TesseraError('bad_request', `users.create: the username is ${problem === 'required' ? 'empty' : problem === 'too_long' ? 'too long' : 'not letters, digits and @.+-_'}`);
    for (const [name, value] of [['email', user.email], ['firstName', user.firstName], ['lastName', user.lastName]] as const) {
      if (value?.includes('\0')) throw new TesseraError('bad_request', `users.create: ${name} holds a NUL character`);
    }
    const values = {
      username,
      username_normalized: normalizeUsername(username),
      email: user.email ?? '',
      email_verified: user.emailVerified ? 1 : 0,
      first_name: user.firstName ?? '',
      last_name: user.lastName ?? '',
      password: user.password,
      is_active: user.isActive === false ? 0 : 1,
      is_staff: user.isStaff ? 1 : 0,
      is_superuser: user.isSuperuser ? 1 : 0,
      date_joined: Date.now(),
      last_login: null,
      ...writeExtra(this.#fields, user.extra ?? {}),
    };
    // The unique index decides races; the insert reports a clash instead of throwing.
    const inserted = await this.#db.kysely
      .insertInto('users')
      .values(values)
      .onConflict((conflict) => conflict.column('username_normalized').doNothing())
      .returningAll()
      .executeTakeFirst();
    return inserted ? this.rowToUser(inserted) : 'username_taken';
  }

  /**
   * Writes the given fields in one statement. A new address that differs from the stored one
   * other than in case is unverified: unless `changes` sets `emailVerified` itself, the flag
   * goes back to false in the same statement, so no read can race the write. Case is compared
   * with the database's lower(), which on SQLite folds ASCII letters only: there, "É" for "é"
   * counts as a new address, the safe side to err on.
   */
  async update(id: number, changes: UserChanges<Extra>): Promise<void> {
    const columns = this.#columns(changes);
    if (Object.keys(columns).length === 0) return;
    await this.#db.kysely.updateTable('users').set(columns).where('id', '=', id).execute();
  }

  async updateIf(id: number, expected: UserExpectation, changes: UserChanges<Extra>): Promise<boolean> {
    const columns = this.#columns(changes);
    if (Object.keys(columns).length === 0) return false;
    let query = this.#db.kysely.updateTable('users').set(columns).where('id', '=', id);
    if (expected.password !== undefined) query = query.where('password', '=', expected.password);
    if (expected.email !== undefined) query = query.where('email', '=', expected.email);
    if (expected.emailVerified !== undefined) query = query.where('email_verified', '=', expected.emailVerified ? 1 : 0);
    if (expected.pendingEmail !== undefined) query = query.where('pending_email', '=', expected.pendingEmail);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async listByEmail(email: string, limit = 20): Promise<User<Extra>[]> {
    if (email === '' || email.includes('\0')) return [];
    const rows = await this.#db.kysely
      .selectFrom('users')
      .selectAll()
      // lower() on both sides, as the users_email_lower index is built: Django's email__iexact.
      .where(sql<string>`lower(email)`, '=', sql<string>`lower(${email})`)
      .where('is_active', '=', 1)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => this.rowToUser(row));
  }

  #columns(changes: UserChanges<Extra>): Record<string, unknown> {
    return {
      ...(changes.email !== undefined && { email: changes.email }),
      ...(changes.emailVerified !== undefined
        ? { email_verified: changes.emailVerified ? 1 : 0 }
        : changes.email !== undefined && { email_verified: sql<number>`case when lower(email) = lower(${changes.email}) then email_verified else 0 end` }),
      ...(changes.pendingEmail !== undefined && { pending_email: changes.pendingEmail }),
      ...(changes.firstName !== undefined && { first_name: changes.firstName }),
      ...(changes.lastName !== undefined && { last_name: changes.lastName }),
      ...(changes.password !== undefined && { password: changes.password }),
      ...(changes.isActive !== undefined && { is_active: changes.isActive ? 1 : 0 }),
      ...(changes.isStaff !== undefined && { is_staff: changes.isStaff ? 1 : 0 }),
      ...(changes.isSuperuser !== undefined && { is_superuser: changes.isSuperuser ? 1 : 0 }),
      ...(changes.lastLogin !== undefined && { last_login: changes.lastLogin.getTime() }),
      ...writeExtra(this.#fields, changes.extra ?? {}),
    };
  }

  async delete(id: number): Promise<void> {
    await this.#db.kysely.deleteFrom('users').where('id', '=', id).execute();
  }
}
