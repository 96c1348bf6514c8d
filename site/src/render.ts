// Renders pages in the site's layout, with the visitor's language, ETag and cache headers.
import { sitePath } from './site-files.ts';
import { createHash, createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Liquid } from 'liquidjs';
import { popFlash } from './flash.ts';
import { catalogue, chooseLanguage, translator, type Lang, type Translate } from './i18n/index.ts';

export const templatesDirectory = sitePath('templates/');

const liquid = new Liquid({
  root: templatesDirectory,
  extname: '.liquid',
  // Everything printed is HTML-escaped unless a template says otherwise; no user text ever is.
  outputEscape: 'escape',
  cache: true,
  strictFilters: true,
});



export type CachePolicy = 'private' | 'no-store';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    t: Translate;
  }
}

export interface PageOptions {
  status?: number;
  cache?: CachePolicy;
}

export function resolveLanguage(request: FastifyRequest): void {
  // Cookies are not parsed when the router rejects a URL (no plugin ran): read the header then.
  const cookie = request.cookies ? request.cookies.lang : /(?:^|;)\s*lang=([^;]*)/.exec(request.headers.cookie ?? '')?.[1]?.trim();
  request.lang = chooseLanguage(cookie, request.headers['accept-language']);
  request.t = translator(request.lang);
}

export interface PageRenderer {
  /** a piece of a page, for caching; it must not depend on the visitor beyond `lang` */
  fragment(template: string, lang: Lang, context: Record<string, unknown>): Promise<string>;
  page(request: FastifyRequest, reply: FastifyReply, template: string, context: Record<string, unknown>, options?: PageOptions): Promise<FastifyReply>;
}

/**
 * `csrfPlaceholder` stands in for the masked CSRF token while a page is rendered and hashed,
 * so the ETag of an unchanged page stays the same although every response carries a fresh
 * mask. It is derived from SECRET_KEY, so every process behind the port computes the same
 * ETags, and made of letters and digits only, so escaping leaves it whole; no user can guess it.
 */
export function csrfPlaceholderFor(secretKey: string): string {
  return `csrf${createHmac('sha256', secretKey).update('tessera.site.csrf-placeholder').digest('hex').slice(0, 32)}`;
}

export function pageRenderer(assets: Record<string, string>, csrfPlaceholder: string): PageRenderer {
  return {
    async fragment(template, lang, context) {
      return liquid.renderFileSync(template, { lang, m: catalogue(lang), ...context });
    },
    async page(request, reply, template, context, options = {}) {
      const status = options.status ?? 200;
      const flash = popFlash(request);
      const html = liquid.renderFileSync(template, {
        lang: request.lang ?? 'en',
        m: catalogue(request.lang ?? 'en'),
        user: request.user ?? { isAuthenticated: false },
        csrf: csrfPlaceholder,
        path: request.url.split('?')[0],
        assets,
        flash,
        ...context,
      });
      reply.code(status).type('text/html; charset=utf-8');
      reply.header('Cache-Control', options.cache === 'no-store' ? 'no-store, private' : 'private, no-cache');
      reply.header('Vary', 'Cookie, Accept-Language');
      const hasToken = html.includes(csrfPlaceholder);
      const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;
      if (status === 200 && (request.method === 'GET' || request.method === 'HEAD')) {
        reply.header('ETag', etag);
        if (request.headers['if-none-match'] === etag || request.headers['if-none-match']?.split(/\s*,\s*/).includes(etag)) {
          if (hasToken && typeof request.csrfToken === 'function') request.csrfToken();
          return reply.code(304).send();
        }
      }
      // A request the router rejected (malformed URL) never got the adapter's decorators: its
      // forms go out without a token rather than the page failing.
      const token = () => (typeof request.csrfToken === 'function' ? request.csrfToken() : '');
      return reply.send(hasToken ? html.replaceAll(csrfPlaceholder, token()) : html);
    },
  };
}
