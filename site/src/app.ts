// Builds the reference site: the Fastify app with tessera, the routes, error pages and headers.
import { sitePath } from './site-files.ts';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { TesseraError, type Tessera } from 'tessera';
import { isDatabaseUnavailable } from 'tessera/db';
import { tesseraPlugin } from 'tessera/fastify';
import type { MessageKey } from './i18n/index.ts';
import { csrfPlaceholderFor, pageRenderer, resolveLanguage } from './render.ts';
import { registerRoutes } from './route-table.ts';
import { loginRoutes } from './routes/login.ts';
import { pageRoutes } from './routes/pages.ts';
import { profileRoutes } from './routes/profile.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { signupRoutes } from './routes/signup.ts';
import { registerSecurityHeaders, securityHeaders } from './security-headers.ts';
import { ArticleListCache } from './articles/article-list-cache.ts';
import { ArticleStore } from './articles/article-store.ts';
import { articleView } from './articles/article-views.ts';
import { ArticleList } from './pages/article-list.tsx';
import { ErrorPage } from './pages/error-page.tsx';
import { GuestReadingList } from './articles/guest-reading-list.ts';
import { ReadingListStore } from './articles/reading-list-store.ts';
import { articleRoutes } from './routes/articles.ts';
import { noticeRoutes } from './routes/notice.ts';
import { mergeGuestReadingList, readingListRoutes } from './routes/reading-list.ts';
import { loadSiteConfig } from './site-config.ts';
import type { SiteContext } from './site-context.ts';
import { loadStaticAssets } from './static-assets.ts';
import { redirectTrailingSlashes } from './trailing-slash.ts';
import { clientErrorHandler } from './client-errors.ts';

export const bodyLimitBytes = 1024 * 1024;
const shownStatuses = new Set([400, 403, 404, 405, 413, 422, 429, 500, 503]);

export interface SiteOptions {
  /** a logger Fastify should use; by default pino at the configured level */
  logger?: boolean;
  /** the home page's notice; by default SITE_NOTICE from the environment */
  notice?: string;
}

export async function buildSite(tessera: Tessera, options: SiteOptions = {}): Promise<FastifyInstance> {
  const { config } = tessera;
  const notice = options.notice ?? loadSiteConfig().notice;
  const app = Fastify({
    logger: options.logger === false ? false : { level: config.logLevel },
    // Per-request log lines cost more than the page; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyLimitBytes,
    // One trusted hop: the proxy in front of us; a client cannot forge the entry it adds.
    trustProxy: config.trustProxy ? (_address: string, hop: number) => hop < 1 : false,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    clientErrorHandler: clientErrorHandler({ production: config.production }),
    frameworkErrors: (_error, request, reply) => {
      // A URL the router cannot even decode: answered 400 in the site's layout. Fastify hands
      // this reply over before any plugin or hook ran (no onSend, no decorators), so the
      // security headers are set here by hand.
      const plain = () => (reply as FastifyReply).code(400).type('text/plain; charset=utf-8').send('400 Bad request');
      (reply as FastifyReply).headers(securityHeaders({ production: config.production }));
      try {
        resolveLanguage(request);
        void showError(request, reply as FastifyReply, 400).catch(plain);
      } catch {
        plain();
      }
    },
  });

  // Forms only: any other body is read as nothing, so a cross-site text/plain POST meets the
  // CSRF check (403) instead of a parser error.
  app.removeAllContentTypeParsers();
  await app.register(fastifyFormbody, { bodyLimit: bodyLimitBytes });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_request, _body, done) => done(null, {}));

  await app.register(fastifyCookie);
  // Before the session is read: a redirect needs none.
  redirectTrailingSlashes(app);
  await app.register(tesseraPlugin, { tessera });
  registerSecurityHeaders(app, { production: config.production });
  // A redirect target taken from a form or query (`next`) may hold non-ASCII text, which Node
  // refuses in a header (a 500 after the work was done). It is percent-encoded as UTF-8, as
  // Django's iri_to_uri does; Node rejects raw non-ASCII request lines, so targets built from
  // request.url are already ASCII and pass unchanged.
  app.addHook('onSend', async (_request, reply, payload) => {
    const location = reply.getHeader('location');
    if (typeof location === 'string' && /[^\x21-\x7e]/.test(location)) reply.header('location', iriToUri(location));
    return payload;
  });
  app.addHook('onRequest', async (request) => resolveLanguage(request));
  if (config.logLevel === 'debug' || config.logLevel === 'trace') {
    // One line a request, with the pid pino adds: which process answered (the multi-process
    // tests count them). Only at debug: at the usual levels a page view writes no log line.
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    });
  }

  const assets = loadStaticAssets(sitePath('static/'));
  assets.register(app);
  const pages = pageRenderer(assets.urls, csrfPlaceholderFor(tessera.secretKey));
  const articles = new ArticleStore(tessera.db);
  const context: SiteContext = {
    tessera,
    notice,
    pages,
    articles,
    articleList: new ArticleListCache({
      // Redis, or in several processes without it a cache whose deletions reach every process
      // before the change is answered: a reader sees it at once, whichever process answers.
      cache: tessera.cache,
      store: articles,
      ttlSeconds: 300,
      render: async (lang, offset, limit) =>
        pages.fragment(ArticleList, { articles: (await articles.list(offset, limit)).map((article) => articleView(article, lang)), lang }),
    }),
    readingList: new ReadingListStore(tessera.db),
    guestList: new GuestReadingList(tessera.secretKey),
    afterLogin: async (request, reply, user) => mergeGuestReadingList(context, request, reply, user.id),
  };

  app.get('/healthz', { config: { session: false } }, async (_request, reply) => {
    const ok = await tessera.db.ping();
    reply.code(ok ? 200 : 503).header('Cache-Control', 'no-store');
    return { status: ok ? 'ok' : 'unavailable' };
  });

  registerRoutes(app, [
    ...pageRoutes(context),
    ...signupRoutes(context),
    ...loginRoutes(context),
    ...profileRoutes(context),
    ...sessionRoutes(context),
    ...articleRoutes(context),
    ...readingListRoutes(context),
    ...noticeRoutes(context),
  ]);

  async function showError(request: FastifyRequest, reply: FastifyReply, status: number, detail?: string, stack?: string) {
    const shown = shownStatuses.has(status) ? status : status >= 500 ? 500 : 400;
    const t = request.t;
    const titleKey = `status.${shown}` as MessageKey;
    const text = status === 403 && detail?.startsWith('CSRF') ? t('status.403.csrf') : t(`status.${shown}.text` as MessageKey);
    try {
      return await pages.page(request, reply, ErrorPage, {
        title: t(titleKey),
        text,
        detail: shown < 500 && detail && !detail.startsWith('CSRF') ? detail : '',
        stack: config.production ? '' : (stack ?? ''),
      }, { status: shown, cache: 'no-store' });
    } catch {
      return reply.code(shown).type('text/plain; charset=utf-8').send(`${shown} ${t(titleKey)}`);
    }
  }

  app.setErrorHandler(async (error: FastifyError | TesseraError | Error, request, reply) => {
    if (request.t === undefined) resolveLanguage(request);
    if (error instanceof TesseraError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      // A CSRF failure passes its message on too: showError keys the CSRF page text off it
      // (and never prints it as detail).
      const passed = error.code === 'forbidden' || error.code === 'bad_request' || error.code === 'csrf_failed';
      return showError(request, reply, error.status, passed ? error.message : undefined);
    }
    // A client that hung up halfway through its body: its "connection reset" is no outage of
    // ours, and nobody is left to read the answer.
    if (request.raw.aborted || request.raw.readableAborted) {
      request.log.debug({ err: error }, 'client aborted the request');
      return reply.code(400).send();
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return showError(request, reply, 503);
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return showError(request, reply, 500, undefined, error.stack);
    }
    // Fastify's own client errors (bad body, bad content length, …) are malformed requests.
    return showError(request, reply, status === 413 ? 413 : status === 415 ? 400 : status);
  });

  app.setNotFoundHandler(async (request, reply) => showError(request, reply, 404));

  return app;
}

/** Every character outside printable ASCII, percent-encoded as UTF-8 (a lone surrogate as U+FFFD). */
export function iriToUri(value: string): string {
  return value.replace(/[^\x21-\x7e]/gu, (char) =>
    Array.from(Buffer.from(char, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
