// The user's sessions: where they are logged in, and revoking any of them.
import type { FastifyRequest } from 'fastify';
import { isSessionId, TesseraError, type User } from 'tessera';
import { loginRequired } from 'tessera/fastify';
import { deviceName } from '../device-name.ts';
import { formatTime } from '../format-time.ts';
import { addFlash } from '../flash.ts';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

export function sessionRoutes({ tessera, pages }: SiteContext): RouteSpec[] {
  const backToSessions = loginRequired({ getPage: () => '/accounts/sessions' });
  const userOf = (request: FastifyRequest) => request.user as User;

  return [
    {
      method: 'GET',
      url: '/accounts/sessions',
      preHandler: [backToSessions],
      handler: async (request, reply) => {
        const records = await tessera.sessionStore.listForUser(userOf(request).id);
        const currentId = request.session.id;
        // A store that keeps nothing on the server (the cookie store) can still show this one.
        const loaded = request.session.loaded;
        if (loaded !== null && currentId !== null && !records.some((record) => record.id === currentId)) {
          records.unshift({ ...loaded, ip: loaded.ip || request.ip, userAgent: loaded.userAgent || String(request.headers['user-agent'] ?? '') });
        }
        const sessions = records
          .filter((record) => !tessera.sessions.isExpired(record, Date.now()))
          .map((record) => ({
            id: record.id,
            current: record.id === currentId,
            device: deviceName(record.userAgent) ?? request.t('sessions.unknown_device'),
            ip: record.ip,
            persistent: record.persistent,
            created: formatTime(request.lang, record.createdAt),
            createdIso: new Date(record.createdAt).toISOString(),
            lastSeen: formatTime(request.lang, record.lastSeen),
            lastSeenIso: new Date(record.lastSeen).toISOString(),
          }));
        return pages.page(request, reply, 'sessions', { title: request.t('sessions.title'), sessions }, { cache: 'no-store' });
      },
    },
    {
      method: 'POST',
      url: '/accounts/sessions/:id/revoke',
      preHandler: [backToSessions],
      handler: async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
        const id = request.params.id;
        const owned = isSessionId(id) && (await tessera.sessionStore.listForUser(userOf(request).id)).some((record) => record.id === id);
        // Another user's session is answered exactly like one that does not exist.
        if (!owned) throw new TesseraError('not_found');
        if (id === request.session.id) {
          await request.logout();
          return reply.redirect('/', 303);
        }
        await tessera.sessionStore.delete(id);
        addFlash(request, request.t('sessions.revoked'));
        return reply.redirect('/accounts/sessions', 303);
      },
    },
    {
      method: 'POST',
      url: '/accounts/sessions/revoke-others',
      preHandler: [backToSessions],
      handler: async (request, reply) => {
        const currentId = request.session.id;
        if (currentId !== null) await tessera.sessionStore.deleteForUser(userOf(request).id, currentId);
        addFlash(request, request.t('sessions.revoked_others'));
        return reply.redirect('/accounts/sessions', 303);
      },
    },
  ];
}
