// The reading list: anyone saves articles; a guest's list lives in a signed cookie, a user's in the database.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError } from 'tessera';
import { GuestReadingList } from '../articles/guest-reading-list.ts';
import { clearSiteCookie, readingListCookie, setSiteCookie } from '../cookies.ts';
import { goBackTarget } from '../go-back.ts';
import { ReadingListPage } from '../pages/reading-list-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';
import { articleId } from './articles.ts';

export function readingListRoutes(context: SiteContext): RouteSpec[] {
  const { pages, articles, readingList, guestList } = context;

  /** The guest's list into its cookie; an empty list expires the cookie instead. */
  function writeGuestList(reply: FastifyReply, ids: number[]): void {
    if (ids.length === 0) clearSiteCookie(reply, readingListCookie);
    else setSiteCookie(reply, readingListCookie, guestList.write(ids));
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
      const current = guestList.read(request.cookies[readingListCookie.name]);
      writeGuestList(reply, save ? GuestReadingList.withSaved(current, article.id) : GuestReadingList.withoutSaved(current, article.id));
    }
    return reply.redirect(goBackTarget(request, `/articles/${article.id}`), 303);
  }

  return [
    { method: 'POST', url: '/articles/:id/save', handler: async (request, reply) => change(request, reply, true) },
    { method: 'POST', url: '/articles/:id/unsave', handler: async (request, reply) => change(request, reply, false) },
    {
      method: 'GET',
      url: '/reading-list',
      handler: async (request, reply) => {
        const user = request.user;
        const ids = user.isAuthenticated ? await readingList.ids(user.id) : guestList.read(request.cookies[readingListCookie.name]);
        const saved = await articles.getMany(ids);
        return pages.page(request, reply, ReadingListPage, { articles: saved });
      },
    },
  ];
}

/** At login: the guest's list joins the account's (no duplicates, deleted articles dropped), the cookie goes. */
export async function mergeGuestReadingList(context: SiteContext, request: FastifyRequest, reply: FastifyReply, userId: number): Promise<void> {
  const cookie = request.cookies[readingListCookie.name];
  if (cookie === undefined) return;
  await context.readingList.add(userId, context.guestList.read(cookie));
  clearSiteCookie(reply, readingListCookie);
}
