// The user's sessions: where they are logged in, and revoking any of them the store can end.
import type { FastifyRequest } from 'fastify';
import { isSessionId, TesseraError, type User } from 'tessera';
import { loginRequired } from 'tessera/fastify';
import { deviceName } from '../device-name.ts';
import { formatTime } from '../format-time.ts';
import { addFlash } from '../flash.ts';
import type { MessageKey } from '../i18n/index.ts';
import { SessionsPage, type ActivityRow, type SessionRow } from '../pages/sessions-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

export function sessionRoutes({ tessera, pages }: SiteContext): RouteSpec[] {
  const backToSessions = loginRequired({ getPage: () => '/accounts/sessions' });
  const userOf = (request: FastifyRequest) => request.user as User;
  // The cookie store keeps no record of a session, only which ones ended: it cannot list a user's
  // sessions, nor tell whose an id is. So the page shows the session in hand and always offers
  // "log out all other sessions", which that store can do; revoking another id it never offers.
  const listsEverySession = !tessera.sessions.cookieFormat.carriesRecord;
  /** the user's own session with this id, if the store can say so */
  const ownSession = async (request: FastifyRequest, id: string) =>
    isSessionId(id) && listsEverySession ? ((await tessera.sessionStore.listForUser(userOf(request).id)).find((record) => record.id === id) ?? null) : null;

  return [
    {
      method: 'GET',
      url: '/accounts/sessions',
      preHandler: [backToSessions],
      handler: async (request, reply) => {
        const records = listsEverySession ? await tessera.sessionStore.listForUser(userOf(request).id) : [];
        const currentId = request.session.id;
        // A store that lists none (the cookie store) still shows this one, from its cookie.
        const loaded = request.session.loaded;
        if (loaded !== null && currentId !== null && !records.some((record) => record.id === currentId)) records.unshift(loaded);
        const sessions: SessionRow[] = records
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
        const activity: ActivityRow[] = (await tessera.events.recentFor(userOf(request).id, 10)).map((event) => ({
          what: request.t(`activity.${event.kind}` as MessageKey),
          ip: event.address ?? '',
          device: deviceName(event.userAgent ?? '') ?? request.t('sessions.unknown_device'),
          when: formatTime(request.lang, event.at),
          whenIso: new Date(event.at).toISOString(),
        }));
        return pages.page(request, reply, SessionsPage, { sessions, othersListed: listsEverySession, activity }, { cache: 'no-store' });
      },
    },
    {
      method: 'POST',
      url: '/accounts/sessions/:id/revoke',
      preHandler: [backToSessions],
      handler: async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
        const id = request.params.id;
        // This very session is the user's own whatever the store can list: its button is a logout.
        if (isSessionId(id) && id === request.session.id) {
          await request.logout();
          return reply.redirect('/', 303);
        }
        const owned = await ownSession(request, id);
        // Another user's session is answered exactly like one that does not exist.
        if (owned === null) throw new TesseraError('not_found');
        await tessera.sessionStore.delete(owned.id, owned.expiresAt);
        await request.recordAuthEvent('session_revoked');
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
        await request.recordAuthEvent('session_revoked');
        addFlash(request, request.t('sessions.revoked_others'));
        return reply.redirect('/accounts/sessions', 303);
      },
    },
  ];
}
