// Where an anonymous visitor is sent to log in, and which GET page they come back to.
import type { FastifyRequest } from 'fastify';
import { refererPath, isSafeRedirect } from '../core/redirects.ts';

/** Percent-encodes `next` the way Django does: '/' stays readable, everything else is escaped. */
export function encodeNext(path: string): string {
  return encodeURIComponent(path).replace(/%2F/gi, '/');
}

/** The login page's URL with `?next=` the page to come back to, as Django's redirect_to_login builds it. */
export function loginUrlWithNext(loginUrl: string, next: string): string {
  return `${loginUrl}?next=${encodeNext(next)}`;
}

/**
 * The page to return to after logging in. For a GET it is the page itself. A POST-only
 * action cannot be returned to (logging in would end on a 405), so it is the page the form
 * was on (a safe, local Referer other than the action's own URL), else the resource's own
 * page, else '/'.
 */
export function nextAfterLogin(request: FastifyRequest, fallback?: (request: FastifyRequest) => string | null): string {
  if (request.method === 'GET' || request.method === 'HEAD') return boundedNext(request.url);
  const referer = refererPath(request.headers.referer, request.headers.host);
  // A Referer naming the action itself (a page shown at the POST's URL) is no page to return to.
  if (referer !== null && referer.split('?')[0] !== request.url.split('?')[0]) return boundedNext(referer);
  const own = fallback?.(request) ?? null;
  return own !== null && isSafeRedirect(own) ? own : '/';
}

/**
 * The longest `next` sent back: a login form keeps no more (Django's forms neither), and a
 * Location of many kilobytes would overflow a proxy's header buffer. A longer URL returns to its
 * path alone, a longer path to the home page.
 */
export const maxNextLength = 2048;

function boundedNext(url: string): string {
  if (url.length <= maxNextLength) return url;
  const path = url.split('?')[0]!;
  return path.length <= maxNextLength ? path : '/';
}
