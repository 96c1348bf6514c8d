// The CSRF check for state-changing requests: same-site origin first, then the token.
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { crossSiteReason, csrfTokenMatches } from '../core/csrf.ts';
import { TesseraError } from '../core/errors.ts';
import type { TesseraSettings } from './plugin.ts';

/** The form field that carries the CSRF token (Django's `csrfmiddlewaretoken`). */
export const CSRF_FIELD = '_csrf';
/** The header that carries the CSRF token, for scripts (Django's `X-CSRFToken`). */
export const CSRF_HEADER = 'x-csrf-token';

function submittedToken(request: FastifyRequest): unknown {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const body = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[CSRF_FIELD];
  return Array.isArray(value) ? value[0] : value;
}

/** Throws the 403 TesseraError when the request is cross-site or lacks the visitor's token. */
export function checkCsrf(request: FastifyRequest, settings: Pick<TesseraSettings, 'csrfCookie' | 'trustedOrigins'>): void {
  const reason = crossSiteReason(
    {
      origin: request.headers.origin,
      fetchSite: typeof request.headers['sec-fetch-site'] === 'string' ? request.headers['sec-fetch-site'] : undefined,
      scheme: request.protocol,
      host: request.headers.host,
    },
    settings.trustedOrigins,
  );
  if (reason !== null) throw new TesseraError('csrf_failed', `CSRF verification failed: ${reason}.`);
  if (!csrfTokenMatches(submittedToken(request), request.cookies[settings.csrfCookie])) {
    throw new TesseraError('csrf_failed', 'CSRF verification failed: the token is missing or wrong.');
  }
}

/**
 * The plugin's CSRF check as a preHandler, for a route that opted out of it
 * (`config: { csrf: false }`) on some methods but wants it on another. Every unsafe method is
 * already checked without it. A rejected request changes nothing.
 */
export function csrfProtect(): preHandlerAsyncHookHandler {
  return async function protect(request: FastifyRequest) {
    checkCsrf(request, request.server.tesseraSettings);
  };
}
