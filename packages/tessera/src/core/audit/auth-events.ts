// The audit trail of authentication: one structured log line per event, and a row the user can
// see on their own sessions page. Never a password, a token or a hash.
import type { Db } from '../../db/database.ts';

/** What happened. */
export type AuthEventKind =
  | 'login'
  | 'login_failed'
  | 'login_throttled'
  | 'logout'
  | 'password_changed'
  | 'password_reset'
  | 'session_revoked'
  | 'account_deleted'
  | 'imported';

/** One event: who (when known), what, from where; `reason` only for failures, kept server-side. */
export interface AuthEvent {
  kind: AuthEventKind;
  userId: number | null;
  /** the session's public id, never its token */
  sessionId?: string | null | undefined;
  address?: string | undefined;
  userAgent?: string | undefined;
  reason?: string | undefined;
}

/** An event as read back, with its time. */
export interface StoredAuthEvent extends AuthEvent {
  at: number;
}

/** Where the log line goes: pino's (Fastify's `request.log`) or anything shaped like it. */
export interface AuditLogger {
  info(object: Record<string, unknown>, message: string): void;
}

/** Events older than this are not kept: enough to look back over an incident, no archive. */
const keepDays = 90;

/**
 * Records authentication events. The Fastify adapter records logins, failures, throttling and
 * logouts by itself; the application records what only it does (a password change, a
 * revocation, a deletion) with `request.recordAuthEvent()`.
 */
export class AuthEvents {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Writes the log line and the row. A failure to store the row is logged and swallowed: the
   * trail must never be the reason a login fails.
   */
  async record(event: AuthEvent, logger?: AuditLogger, now = Date.now()): Promise<void> {
    const line = {
      event: event.kind,
      userId: event.userId,
      sessionId: event.sessionId ?? null,
      address: event.address ?? '',
      userAgent: (event.userAgent ?? '').slice(0, 512),
      ...(event.reason !== undefined && { reason: event.reason }),
    };
    logger?.info(line, 'auth event');
    try {
      await this.#db.kysely
        .insertInto('auth_events')
        .values({
          user_id: event.userId,
          kind: event.kind,
          reason: event.reason ?? '',
          session_id: event.sessionId ?? '',
          address: (event.address ?? '').slice(0, 64),
          user_agent: (event.userAgent ?? '').slice(0, 512),
          created_at: now,
        })
        .execute();
    } catch (error) {
      logger?.info({ err: error, event: event.kind }, 'auth event not stored');
    }
  }

  /** The user's most recent events, newest first. */
  async recentFor(userId: number, limit = 10): Promise<StoredAuthEvent[]> {
    const rows = await this.#db.kysely.selectFrom('auth_events').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => ({
      kind: row.kind as AuthEventKind,
      userId: row.user_id === null ? null : Number(row.user_id),
      sessionId: row.session_id,
      address: row.address,
      userAgent: row.user_agent,
      reason: row.reason,
      at: Number(row.created_at),
    }));
  }

  /** Forgets events older than ninety days (the clearsessions command); how many went. */
  async clearOld(now = Date.now()): Promise<number> {
    const result = await this.#db.kysely.deleteFrom('auth_events').where('created_at', '<', now - keepDays * 24 * 3600 * 1000).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
