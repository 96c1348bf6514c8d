// Where a small POST action (language, notice, reading list) sends the visitor back to.
import type { FastifyRequest } from 'fastify';
import { isSafeRedirect, refererPath } from 'tessera';
import { field } from './forms.ts';

/**
 * The form's `next` if safe, else the Referer when it is this site's own safe path, else
 * `fallback`: the visitor lands where the button was, and never anywhere off the site.
 */
export function goBackTarget(request: FastifyRequest, fallback = '/'): string {
  const next = field(request.body, 'next', 2048);
  if (isSafeRedirect(next)) return next;
  return refererPath(request.headers.referer, request.headers.host) ?? fallback;
}
