// Where the links in the site's mails point: SITE_URL, else the origin the request came to.
import type { FastifyRequest } from 'fastify';

// A host name, IPv4 or bracketed IPv6 address, and an optional port: nothing that could carry a path.
const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin for a mail's links, or null when the request's Host is not a plain host name (no
 * mail is then sent). Without SITE_URL the Host header decides, as Django's `get_host()` does
 * without ALLOWED_HOSTS: whoever asks for a reset chooses where its link points, which is why
 * production sets SITE_URL (`tessera check --deploy` reports it unset).
 */
export function linkOrigin(request: FastifyRequest, siteUrl: string | undefined): string | null {
  if (siteUrl !== undefined) return siteUrl;
  const host = request.host;
  if (typeof host !== 'string' || !hostPattern.test(host)) return null;
  return `${request.protocol}://${host}`;
}
