// HTTP caching of pages: Cache-Control and Vary, the ETag, and when a request is answered 304.
import { createHmac, hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** 'private': a browser may keep the page but asks again each time; 'no-store': it keeps nothing (forms). */
export type CachePolicy = 'private' | 'no-store';

/**
 * Every page may depend on who asks (the user, the language), so no shared cache keeps it and
 * a browser's copy is keyed by the cookie and the languages it accepts.
 */
export function setCacheHeaders(reply: FastifyReply, policy: CachePolicy = 'private'): void {
  reply.header('Cache-Control', policy === 'no-store' ? 'no-store, private' : 'private, no-cache');
  reply.header('Vary', 'Cookie, Accept-Language');
}

/**
 * Gives a successful GET or HEAD its ETag, computed from `body`; true when the request's
 * If-None-Match already names it, and the answer is then 304 with no body.
 */
export function setEtag(request: FastifyRequest, reply: FastifyReply, status: number, body: string): boolean {
  if (status !== 200 || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  // One call of crypto.hash, with no Hash object built per page.
  const etag = `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;
  reply.header('ETag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  return ifNoneMatch === etag || (ifNoneMatch?.split(/\s*,\s*/).includes(etag) ?? false);
}

/**
 * `csrfPlaceholder` stands in for the masked CSRF token while a page is rendered and hashed,
 * so the ETag of an unchanged page stays the same although every response carries a fresh
 * mask. It is derived from SECRET_KEY, so every process behind the port computes the same
 * ETags, and made of letters and digits only, so escaping leaves it whole; no user can guess it.
 */
export function csrfPlaceholderFor(secretKey: string): string {
  return `csrf${createHmac('sha256', secretKey).update('tessera.site.csrf-placeholder').digest('hex').slice(0, 32)}`;
}
