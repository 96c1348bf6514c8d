// Paths have no trailing slash: the same path with one is sent (308) to the path without it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSafeRedirect } from 'tessera';

/**
 * Where a URL with a trailing slash belongs: the same path without it (query kept), or null when
 * there is no slash to take off or the result would not be a path on this site ("//evil.com/"
 * must never become "//evil.com"; the one redirect guard decides).
 */
export function withoutTrailingSlash(url: string): string | null {
  const [path = '/', query] = url.split(/\?(.*)/s, 2);
  if (path.length <= 1 || !path.endsWith('/')) return null;
  const target = path.slice(0, -1) + (query !== undefined ? `?${query}` : '');
  return isSafeRedirect(target) ? target : null;
}

/**
 * Redirects before routing decides: "/articles/" would otherwise reach "/articles/:id" with an
 * empty id and answer 404. A slash that cannot be taken off safely is left to the router (404).
 */
export function redirectTrailingSlashes(app: FastifyInstance): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const target = withoutTrailingSlash(request.url);
    if (target !== null) return reply.redirect(target, 308);
    return undefined;
  });
}
