// The CSRF check for state-changing requests: same-site origin first, then the token.
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { crossSiteReason, csrfTokenMatches } from '../core/csrf.ts';
import { TesseraError } from '../core/errors.ts';
import { CSRF_COOKIE } from './plugin.ts';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

function submittedToken(request: FastifyRequest): unknown {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const body = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[CSRF_FIELD];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Rejects (403) a request from another site, or one without the visitor's token, before the
 * handler runs; a rejected request changes nothing.
 */
export function csrfProtect(): preHandlerAsyncHookHandler {
  return async function checkCsrf(request: FastifyRequest) {
    const reason = crossSiteReason({
      origin: request.headers.origin,
      fetchSite: typeof request.headers['sec-fetch-site'] === 'string' ? request.headers['sec-fetch-site'] : undefined,
      scheme: request.protocol,
      host: request.headers.host,
    });
    if (reason !== null) throw new TesseraError('csrf_failed', `CSRF verification failed: ${reason}.`);
    if (!csrfTokenMatches(submittedToken(request), request.cookies[CSRF_COOKIE])) {
      throw new TesseraError('csrf_failed', 'CSRF verification failed: the token is missing or wrong.');
    }
  };
}
