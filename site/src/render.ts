// Renders page components for a response: a whole page with the visitor's shared values, or a fragment.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h, type Attributes, type FunctionComponent, type VNode } from 'preact';
import { popFlash } from './flash.ts';
import { setCacheHeaders, setEtag, type CachePolicy } from './http-caching.ts';
import { translator } from './i18n/index.ts';
import { PageProvider, type PageShared } from './pages/page-context.ts';
import { renderHtml } from './pages/render-html.ts';

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
      setCacheHeaders(reply, options.cache);
      // The ETag is taken over the page with the placeholder in it, so a fresh mask leaves it the same.
      const hasToken = html.includes(csrfPlaceholder);
      if (setEtag(request, reply, status, html)) {
        // A visitor without a CSRF secret gets one even on a 304: the page it keeps holds forms.
        if (hasToken && typeof request.csrfToken === 'function') request.csrfToken();
        return reply.code(304).send();
      }
      // A request the router rejected (malformed URL) never got the adapter's decorators: its
      // forms go out without a token rather than the page failing.
      const token = () => (typeof request.csrfToken === 'function' ? request.csrfToken() : '');
      return reply.send(hasToken ? html.replaceAll(csrfPlaceholder, token()) : html);
    },
  };
}
