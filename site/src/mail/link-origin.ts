// Where the links in the site's mails point: SITE_URL, else the origin the request came to.
import type { FastifyRequest } from 'fastify';

// A host name, IPv4 or bracketed IPv6 address, and an optional port: nothing that could carry a path.
const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin for a mail's links, or null when there is none to trust (no mail is then sent).
 * SITE_URL when set. Without it, outside production, the request's own scheme and Host, checked
 * to be plain ones: whoever asks for a reset chooses where its link points, which is fine on a
 * developer's machine and nowhere else. In production without SITE_URL, null: a forged Host
 * (or X-Forwarded-Host behind TRUST_PROXY) would otherwise mail a victim's live token to the
 * forger's site. `tessera check --deploy` reports SITE_URL unset.
 */
export function linkOrigin(request: FastifyRequest, config: { siteUrl: string | undefined; production: boolean }): string | null {
  if (config.siteUrl !== undefined) return config.siteUrl;
  if (config.production) return null;
  const host = request.host;
  // X-Forwarded-Proto is the client's own text behind TRUST_PROXY: only the two schemes pass.
  const scheme = request.protocol;
  if ((scheme !== 'http' && scheme !== 'https') || typeof host !== 'string' || !hostPattern.test(host)) return null;
  return `${scheme}://${host}`;
}
