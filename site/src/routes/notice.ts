// The site notice's "don't show again today": a cookie that lasts until local midnight.
import { goBackTarget } from '../go-back.ts';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

export const HIDE_NOTICE_COOKIE = 'hide_notice';

/** Seconds from `now` to the next local midnight: at least 1, at most 86400. */
export function secondsUntilMidnight(now: Date): number {
  const midnight = new Date(now);
  midnight.setHours(24, 0, 0, 0);
  return Math.min(86_400, Math.max(1, Math.ceil((midnight.getTime() - now.getTime()) / 1000)));
}

export function noticeRoutes({ tessera }: SiteContext): RouteSpec[] {
  return [
    {
      method: 'POST',
      url: '/notice/dismiss',
      handler: async (request, reply) => {
        reply.setCookie(HIDE_NOTICE_COOKIE, '1', { path: '/', sameSite: 'lax', httpOnly: true, secure: tessera.config.production, maxAge: secondsUntilMidnight(new Date()) });
        return reply.redirect(goBackTarget(request), 303);
      },
    },
  ];
}
