// Logging out: the session ends (row deleted, cookie expired) and the visitor goes home.
import type { RouteSpec } from '../route-table.ts';

export function logoutRoutes(): RouteSpec[] {
  return [
    {
      method: 'POST',
      url: '/accounts/logout',
      handler: async (request, reply) => {
        await request.logout();
        return reply.redirect('/', 303);
      },
    },
  ];
}
