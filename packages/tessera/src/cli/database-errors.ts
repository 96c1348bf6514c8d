// Says which setting to fix when the database cannot be reached as a command starts.
import { isDatabaseUnavailable } from '../db/database.ts';

/** The URL with its password hidden, fit for an error message or a log line. */
export function redactedUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

function unavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (isDatabaseUnavailable(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A "connect ECONNREFUSED 127.0.0.1:5432" names no setting; this names DATABASE_URL and what it
 * points at (password hidden). Other errors pass unchanged.
 */
export function explainDatabaseError(error: unknown, databaseUrl: string): unknown {
  if (!unavailable(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`cannot reach the database DATABASE_URL names (${redactedUrl(databaseUrl)}): ${reason}`, { cause: error });
}
