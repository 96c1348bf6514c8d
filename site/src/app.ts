// Builds the reference site: the Fastify app with tessera, its hooks, the routes and the error pages, in order.
import { sitePath } from './site-files.ts';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Tessera } from 'tessera';
import { tesseraPlugin } from 'tessera/fastify';
import { frameworkErrorPage, registerErrorPages, type ErrorPagesOptions } from './error-pages.ts';
import { csrfPlaceholderFor } from './http-caching.ts';
import { resolveLanguage } from './language.ts';
import { pageRenderer } from './render.ts';
import { registerRoutes } from './route-table.ts';
import { accountDeletionRoutes } from './routes/account-deletion.ts';
import { loginRoutes } from './routes/login.ts';
import { logoutRoutes } from './routes/logout.ts';
import { pageRoutes } from './routes/pages.ts';
import { passwordChangeRoutes } from './routes/password-change.ts';
import { profileRoutes } from './routes/profile.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { signupRoutes } from './routes/signup.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { emailVerificationRoutes } from './routes/email-verification.ts';
import { AccountMailSender } from './mail/account-mail-sender.ts';
import { addFlash } from './flash.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { ArticleListCache } from './articles/article-list-cache.ts';
import { ArticleStore } from './articles/article-store.ts';
import { articleView } from './articles/article-views.ts';
import { ArticleList } from './pages/article-list.tsx';
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

export interface SiteOptions {
  /** a logger Fastify should use; by default pino at the configured level */
  logger?: boolean;
  /** the home page's notice; by default SITE_NOTICE from the environment */
  notice?: string;
}

export async function buildSite(tessera: Tessera, options: SiteOptions = {}): Promise<FastifyInstance> {
  const { config } = tessera;
  const notice = options.notice ?? loadSiteConfig().notice;
  // Before the app: the error pages (one of them a constructor option) render with them.
  const assets = loadStaticAssets(sitePath('static/'));
  const pages = pageRenderer(assets.urls, csrfPlaceholderFor(tessera.secretKey));
  const errorPages: ErrorPagesOptions = { pages, production: config.production };
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
    frameworkErrors: frameworkErrorPage(errorPages),
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
  if (config.email.verification === 'mandatory') {
    // Checked on every request, not only at the login form: a session from before mandatory was
    // turned on (or restored from a cookie) must not outlive the rule. A change of address keeps
    // the verified one until the new one is proved (see the profile), so a user who follows
    // the rules is never caught here. After the language hook: the message is in the visitor's.
    app.addHook('onRequest', async (request) => {
      const user = request.user;
      if (!user.isAuthenticated || user.emailVerified) return;
      await request.logout();
      addFlash(request, request.t('verify.logged_out'));
    });
  }
  if (config.logLevel === 'debug' || config.logLevel === 'trace') {
    // One line a request, with the pid pino adds: which process answered (the multi-process
    // tests count them). Only at debug: at the usual levels a page view writes no log line.
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    });
  }

  assets.register(app);
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

  // Mail failures are logged with the app's logger (never the address or the link above debug).
  tessera.mailer.setLogger(app.log);
  const mails = new AccountMailSender(tessera, app.log);

  registerRoutes(app, [
    ...pageRoutes(context),
    ...signupRoutes(context, mails),
    ...loginRoutes(context),
    ...logoutRoutes(),
    ...profileRoutes(context, mails),
    ...passwordChangeRoutes(context),
    ...passwordResetRoutes(context, mails),
    ...emailVerificationRoutes(context, mails),
    ...accountDeletionRoutes(context),
    ...sessionRoutes(context),
    ...articleRoutes(context),
    ...readingListRoutes(context),
    ...noticeRoutes(),
  ]);

  // After the routes, as the handlers of everything they and the hooks leave unanswered.
  registerErrorPages(app, errorPages);

  return app;
}

/** Every character outside printable ASCII, percent-encoded as UTF-8 (a lone surrogate as U+FFFD). */
export function iriToUri(value: string): string {
  return value.replace(/[^\x21-\x7e]/gu, (char) =>
    Array.from(Buffer.from(char, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
