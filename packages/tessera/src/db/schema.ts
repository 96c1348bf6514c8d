// The tables as Kysely sees them. Times are integer milliseconds since the epoch and flags are
// 0/1 integers on both dialects, so every row reads back the same from SQLite and PostgreSQL.
import type { Generated } from 'kysely';

/** The users table: Django's auth_user, plus `username_normalized`, the key usernames are unique under. */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  username_normalized: string;
  email: string;
  first_name: string;
  last_name: string;
  password: string;
  is_active: number;
  is_staff: number;
  is_superuser: number;
  date_joined: number;
  last_login: number | null;
  /**
   * 1 once the user followed a verification link sent to `email`, back to 0 when `email` changes;
   * an insert may leave it out, the column's default (0, unverified) fills it in
   */
  email_verified: Generated<number>;
  /** a new address waiting for its verification link; '' for none */
  pending_email: Generated<string>;
}

/** One row per session; the token's secret is kept only as a hash. */
export interface SessionsTable {
  /** the public half of the token: shown on the sessions page, used to revoke */
  id: string;
  /** SHA-256 of the secret half, hex; the secret itself is never stored */
  secret_hash: string;
  user_id: number | null;
  data: string;
  created_at: number;
  last_seen: number;
  expires_at: number;
  persistent: number;
  ip: string;
  user_agent: string;
}

/**
 * Sessions of the cookie store that were ended (logged out, revoked) before their time: their
 * cookies are refused until `expires_at`, when they would have expired anyway and the row goes.
 */
export interface RevokedSessionsTable {
  /** the session's public id */
  id: string;
  expires_at: number;
}

/**
 * The cookie store's "log out everywhere" mark, one per user: every session of the user created
 * before `ended_before` is ended, except `kept_id` (the one that asked). Kept until `expires_at`,
 * when every session it could end has expired.
 */
export interface UserSessionCutoffsTable {
  user_id: number;
  ended_before: number;
  kept_id: string | null;
  expires_at: number;
}

/**
 * The login-failure counters: failures per key (an account or an address) in the window opened at
 * `window_start`.
 */
export interface LoginFailuresTable {
  key: string;
  count: number;
  window_start: number;
}

export interface GroupsTable {
  id: Generated<number>;
  name: string;
}

export interface PermissionsTable {
  id: Generated<number>;
  /** "app.action_model", e.g. "articles.delete_article" */
  codename: string;
  name: string;
}

export interface UserGroupsTable {
  user_id: number;
  group_id: number;
}

export interface GroupPermissionsTable {
  group_id: number;
  permission_id: number;
}

export interface UserPermissionsTable {
  user_id: number;
  permission_id: number;
}

/** One authentication event: who, what, from where; never a password, token or hash. */
export interface AuthEventsTable {
  id: Generated<number>;
  user_id: number | null;
  kind: string;
  /** why, for a failure: kept on the server, never shown to whoever failed */
  reason: string;
  /** the session's public id (never its token) */
  session_id: string;
  address: string;
  user_agent: string;
  created_at: number;
}

/** The tables tessera's migrations create, as Kysely sees them. */
export interface Database {
  users: UsersTable;
  auth_events: AuthEventsTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  revoked_sessions: RevokedSessionsTable;
  user_session_cutoffs: UserSessionCutoffsTable;
  groups: GroupsTable;
  permissions: PermissionsTable;
  user_groups: UserGroupsTable;
  group_permissions: GroupPermissionsTable;
  user_permissions: UserPermissionsTable;
}
