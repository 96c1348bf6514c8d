// The pages that belong to no one feature: home, language choice, readiness.
import { TesseraError } from 'tessera';
import { hideNoticeCookie, langCookie, setSiteCookie } from '../cookies.ts';
import { field } from '../forms.ts';
import { goBackTarget } from '../go-back.ts';
import { isLang } from '../i18n/index.ts';
import { HomePage } from '../pages/home-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

export const homeArticleCount = 5;

export function pageRoutes({ notice, pages, articleList }: SiteContext): RouteSpec[] {
  return [
    {
      method: 'GET',
      url: '/',
      handler: async (request, reply) => {
        const hidden = request.cookies[hideNoticeCookie.name] !== undefined;
        return pages.page(request, reply, HomePage, {
          notice: hidden ? null : (notice ?? request.t('notice.default')),
          listHtml: await articleList.list(request.lang, 0, homeArticleCount),
        });
      },
    },
    {
      method: 'POST',
      url: '/lang',
      handler: async (request, reply) => {
        const lang = field(request.body, 'lang', 10);
        if (!isLang(lang)) throw new TesseraError('bad_request', 'lang must be ko or en');
        setSiteCookie(reply, langCookie, lang);
        return reply.redirect(goBackTarget(request), 303);
      },
    },
  ];
}
