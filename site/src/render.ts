// Renders page components for a response: the visitor's shared page values, ETag and cache headers.
import { createHash, createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h, type Attributes, type FunctionComponent, type VNode } from 'preact';
import { popFlash } from './flash.ts';
import { chooseLanguage, translator, type Lang, type Translate } from './i18n/index.ts';
import { PageProvider, type PageShared } from './pages/page-context.ts';
import { renderHtml } from './pages/render-html.ts';

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

/**
 * A page or a fragment: a function of its typed props. The props a caller passes are checked
 * against it (NoInfer: they never widen what the component asks for), so a page given the wrong
 * data fails the type-check instead of rendering an empty string.
 */
export type Component<P> = (props: P) => VNode | null;

export function resolveLanguage(request: FastifyRequest): void {
  // Cookies are not parsed when the router rejects a URL (no plugin ran): read the header then.
  const cookie = request.cookies ? request.cookies.lang : /(?:^|;)\s*lang=([^;]*)/.exec(request.headers.cookie ?? '')?.[1]?.trim();
  request.lang = chooseLanguage(cookie, request.headers['accept-language']);
  request.t = translator(request.lang);
}

export interface PageRenderer {
  /** a piece of a page, for caching: rendered with no page around it, so it can depend on its props only */
  fragment<P>(component: Component<P>, props: NoInfer<P>): string;
  page<P>(request: FastifyRequest, reply: FastifyReply, component: Component<P>, props: NoInfer<P>, options?: PageOptions): Promise<FastifyReply>;
}

// preact renders elements only; the document type comes first, as text.
const doctype = '<!doctype html>\n';

function element<P>(component: Component<P>, props: P): VNode<Attributes & P> {
  // A component with its props, as JSX would write it (`key` and `ref`, the Attributes, are optional).
  return h(component as FunctionComponent<P>, props as Attributes & P);
}

/** A whole page: `component` (which wraps itself in the Layout) given the response's shared values. */
export function renderPage<P>(shared: PageShared, component: Component<P>, props: NoInfer<P>): string {
  return doctype + renderHtml(h(PageProvider, { value: shared }, element(component, props)));
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
    fragment(component, props) {
      return renderHtml(element(component, props));
    },
    async page(request, reply, component, props, options = {}) {
      const status = options.status ?? 200;
      const lang = request.lang ?? 'en';
      const html = renderPage(
        {
          lang,
          t: request.t ?? translator(lang),
          user: request.user ?? { isAuthenticated: false },
          csrf: csrfPlaceholder,
          path: request.url.split('?')[0] ?? '/',
          assets,
          flash: popFlash(request),
        },
        component,
        props,
      );
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
