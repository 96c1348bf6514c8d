// What every route module of the site is given.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tessera, User } from 'tessera';
import type { ArticleListCache } from './articles/article-list-cache.ts';
import type { ArticleStore } from './articles/article-store.ts';
import type { GuestReadingList } from './articles/guest-reading-list.ts';
import type { ReadingListStore } from './articles/reading-list-store.ts';
import type { PageRenderer } from './render.ts';

export interface SiteContext {
  tessera: Tessera;
  /** the home page's notice from the site's settings; undefined shows the translated default */
  notice: string | undefined;
  pages: PageRenderer;
  articles: ArticleStore;
  articleList: ArticleListCache;
  readingList: ReadingListStore;
  guestList: GuestReadingList;
  /** what the site does once someone has logged in or signed up (merging the guest's list) */
  afterLogin(request: FastifyRequest, reply: FastifyReply, user: User): Promise<void>;
}
