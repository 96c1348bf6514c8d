// The reading list: anyone saves articles; a guest's list lives in a signed cookie, a user's in the database.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError } from '../../core/errors.ts';
import { isSafeRedirect, refererPath } from '../../core/redirects.ts';
import { GuestReadingList, READING_LIST_COOKIE } from '../articles/guest-reading-list.ts';
import { field } from '../forms.ts';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';
import { articleId } from './articles.ts';

const readingListCookieMaxAge = 365 * 24 * 3600;

export function readingListRoutes(context: SiteContext): RouteSpec[] {
  const { tessera, pages, articles, readingList, guestList } = context;
  const secure = tessera.config.production;

  function writeGuestList(reply: FastifyReply, ids: number[]): void {
    if (ids.length === 0) reply.setCookie(READING_LIST_COOKIE, '', { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 0 });
    else reply.setCookie(READING_LIST_COOKIE, guestList.write(ids), { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: readingListCookieMaxAge });
  }

  /** Back to where the button was: the form's next, a safe Referer, else the article. */
  function back(request: FastifyRequest, id: number): string {
    const next = field(request.body, 'next', 2048);
    if (isSafeRedirect(next)) return next;
    return refererPath(request.headers.referer, request.headers.host) ?? `/articles/${id}`;
  }

  async function change(request: FastifyRequest, reply: FastifyReply, save: boolean) {
    const id = articleId(request);
    const article = id === null ? null : await articles.get(id);
    if (article === null) throw new TesseraError('not_found');
    const user = request.user;
    if (user.isAuthenticated) {
      if (save) await readingList.add(user.id, [article.id]);
      else await readingList.remove(user.id, article.id);
    } else {
      // No session for a guest: the list travels in its own signed cookie.
      const current = guestList.read(request.cookies[READING_LIST_COOKIE]);
      writeGuestList(reply, save ? GuestReadingList.withSaved(current, article.id) : GuestReadingList.withoutSaved(current, article.id));
    }
    return reply.redirect(back(request, article.id), 303);
  }

  return [
    { method: 'POST', url: '/articles/:id/save', handler: async (request, reply) => change(request, reply, true) },
    { method: 'POST', url: '/articles/:id/unsave', handler: async (request, reply) => change(request, reply, false) },
    {
      method: 'GET',
      url: '/reading-list',
      handler: async (request, reply) => {
        const user = request.user;
        const ids = user.isAuthenticated ? await readingList.ids(user.id) : guestList.read(request.cookies[READING_LIST_COOKIE]);
        const saved = await articles.getMany(ids);
        return pages.page(request, reply, 'reading-list', { title: request.t('reading.title'), articles: saved });
      },
    },
  ];
}

/** At login: the guest's list joins the account's (no duplicates, deleted articles dropped), the cookie goes. */
export async function mergeGuestReadingList(context: SiteContext, request: FastifyRequest, reply: FastifyReply, userId: number): Promise<void> {
  const cookie = request.cookies[READING_LIST_COOKIE];
  if (cookie === undefined) return;
  await context.readingList.add(userId, context.guestList.read(cookie));
  reply.setCookie(READING_LIST_COOKIE, '', { path: '/', httpOnly: true, sameSite: 'lax', secure: context.tessera.config.production, maxAge: 0 });
}
