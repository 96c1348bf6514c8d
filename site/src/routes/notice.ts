// The site notice's "don't show again today": a cookie that lasts until local midnight.
import { hideNoticeCookie, setSiteCookie } from '../cookies.ts';
import { goBackTarget } from '../go-back.ts';
import type { RouteSpec } from '../route-table.ts';

// The cookie's lifetime is stated with the cookie; the notice's tests read it from here.
export { secondsUntilMidnight } from '../cookies.ts';

export function noticeRoutes(): RouteSpec[] {
  return [
    {
      method: 'POST',
      url: '/notice/dismiss',
      handler: async (request, reply) => {
        setSiteCookie(reply, hideNoticeCookie, '1');
        return reply.redirect(goBackTarget(request), 303);
      },
    },
  ];
}
