// Every cookie the site sets beside tessera's own: its name, lifetime and flags, stated once.
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import type {} from 'tessera/fastify'; // the type of reply.server.tesseraSettings

const day = 24 * 3600;
const year = 365 * day;

export interface SiteCookie {
  name: string;
  /** false only where the browser's own scripts may need the value */
  httpOnly: boolean;
  /** seconds the cookie lives, counted from `now` */
  maxAge(now: Date): number;
}

/** Seconds from `now` to the next local midnight: at least 1, at most 86400. */
export function secondsUntilMidnight(now: Date): number {
  const midnight = new Date(now);
  midnight.setHours(24, 0, 0, 0);
  return Math.min(86_400, Math.max(1, Math.ceil((midnight.getTime() - now.getTime()) / 1000)));
}

/** The username typed at login, kept to pre-fill the form when "remember my username" was ticked. */
export const rememberedUsernameCookie: SiteCookie = { name: 'remembered_username', httpOnly: true, maxAge: () => 30 * day };

/** The site notice dismissed: "don't show again today" means until local midnight. */
export const hideNoticeCookie: SiteCookie = { name: 'hide_notice', httpOnly: true, maxAge: secondsUntilMidnight };

/** A guest's saved articles, signed (GuestReadingList); merged into the account at login. */
export const readingListCookie: SiteCookie = { name: 'reading_list', httpOnly: true, maxAge: () => year };

/** The visitor's language choice; it outranks Accept-Language. */
export const langCookie: SiteCookie = { name: 'lang', httpOnly: false, maxAge: () => year };

/**
 * The attributes `cookie` is set with. Secure and Domain follow the tessera plugin as it was
 * registered, so the site's cookies travel exactly where the session cookie does; Path and
 * SameSite are the site's own choice and stated here, whatever the plugin was given.
 */
function attributes(reply: FastifyReply, cookie: SiteCookie, maxAge: number): CookieSerializeOptions {
  const { secure, domain } = reply.server.tesseraSettings.cookieAttributes;
  return { path: '/', sameSite: 'lax', httpOnly: cookie.httpOnly, secure, ...(domain !== undefined && { domain }), maxAge };
}

export function setSiteCookie(reply: FastifyReply, cookie: SiteCookie, value: string): void {
  reply.setCookie(cookie.name, value, attributes(reply, cookie, cookie.maxAge(new Date())));
}

/** Expires the cookie (Max-Age=0, same Path and Domain), so the browser drops it. */
export function clearSiteCookie(reply: FastifyReply, cookie: SiteCookie): void {
  reply.setCookie(cookie.name, '', attributes(reply, cookie, 0));
}
