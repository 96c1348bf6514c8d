// One Django auth_user row as a row of tessera's users table, or the reason tessera cannot hold it.
import type { Insertable } from 'kysely';
import type { UsersTable } from '../../db/schema.ts';
import { cleanUsername, normalizeUsername, usernameMaxLength, usernameProblem } from '../users/user.ts';
import type { DjangoUserRow } from './django-database.ts';

/** A Django user tessera can take: the users row to insert (its id is tessera's to give). */
export interface MappedUser {
  ok: true;
  row: Insertable<UsersTable> & { username: string; username_normalized: string; date_joined: number; password: string };
}

/** A Django user tessera cannot take, and why, in words for the report. */
export interface RefusedUser {
  ok: false;
  reason: string;
}

// Django's SQLite backend writes datetimes as "YYYY-MM-DD HH:MM:SS[.ffffff]", in UTC when
// USE_TZ (the default since 5.0, and in every project startproject made since 1.4).
const SQLITE_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A Django datetime as epoch milliseconds (tessera's time columns), or null when it is not one.
 * Microseconds are dropped, not rounded, so the same row always gives the same number.
 */
export function djangoTime(value: Date | string): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  const match = SQLITE_DATETIME.exec(value);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * 60_000;
  return Number.isNaN(utc) ? null : utc - offset;
}

/** A Django boolean column: `true`/`false` from PostgreSQL, 1/0 from SQLite. */
export function djangoFlag(value: boolean | number): boolean {
  return value === true || value === 1;
}

const problemWords = {
  required: 'the username is empty',
  too_long: `the username is longer than ${usernameMaxLength} characters once NFKC-normalised`,
  invalid: 'the username holds characters tessera refuses (only letters, digits and @.+-_, no invisible or combining marks)',
} as const;

/**
 * The users row for a Django user: the username as tessera stores it (NFKC), its unique key,
 * the password hash unchanged (an unusable "!…" stays unusable), the flags and both times.
 */
export function mapDjangoUser(user: DjangoUserRow): MappedUser | RefusedUser {
  const username = cleanUsername(user.username);
  const problem = usernameProblem(username);
  if (problem !== null) return { ok: false, reason: problemWords[problem] };
  // PostgreSQL's text cannot hold NUL; a SQLite-backed Django site could have stored one.
  for (const [field, value] of [['email', user.email], ['first name', user.first_name], ['last name', user.last_name], ['password', user.password]] as const) {
    if (value.includes('\0')) return { ok: false, reason: `the ${field} holds a NUL character` };
  }
  const dateJoined = djangoTime(user.date_joined);
  if (dateJoined === null) return { ok: false, reason: `date_joined ${JSON.stringify(String(user.date_joined))} is not a date` };
  const lastLogin = user.last_login === null ? null : djangoTime(user.last_login);
  if (user.last_login !== null && lastLogin === null) return { ok: false, reason: `last_login ${JSON.stringify(String(user.last_login))} is not a date` };
  return {
    ok: true,
    row: {
      username,
      username_normalized: normalizeUsername(username),
      email: user.email,
      first_name: user.first_name,
      last_name: user.last_name,
      password: user.password,
      is_active: djangoFlag(user.is_active) ? 1 : 0,
      is_staff: djangoFlag(user.is_staff) ? 1 : 0,
      is_superuser: djangoFlag(user.is_superuser) ? 1 : 0,
      date_joined: dateJoined,
      last_login: lastLogin,
    },
  };
}
