// The site's error pages: every error, unknown path and unreadable URL answered in the site's layout.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { TesseraError } from 'tessera';
import { isDatabaseUnavailable } from 'tessera/db';
import type { MessageKey } from './i18n/index.ts';
import { resolveLanguage } from './language.ts';
import { ErrorPage } from './pages/error-page.tsx';
import type { PageRenderer } from './render.ts';
import { securityHeaders } from './security-headers.ts';

export interface ErrorPagesOptions {
  pages: PageRenderer;
  /** in production a 500 shows no stack trace */
  production: boolean;
}

// Each has its own title and text; any other status is shown as the nearest of 400 and 500.
const shownStatuses = new Set([400, 403, 404, 405, 413, 422, 429, 500, 503]);

async function showError({ pages, production }: ErrorPagesOptions, request: FastifyRequest, reply: FastifyReply, status: number, detail?: string, stack?: string) {
  const shown = shownStatuses.has(status) ? status : status >= 500 ? 500 : 400;
  const t = request.t;
  const titleKey = `status.${shown}` as MessageKey;
  const text = status === 403 && detail?.startsWith('CSRF') ? t('status.403.csrf') : t(`status.${shown}.text` as MessageKey);
  try {
    return await pages.page(request, reply, ErrorPage, {
      title: t(titleKey),
      text,
      detail: shown < 500 && detail && !detail.startsWith('CSRF') ? detail : '',
      stack: production ? '' : (stack ?? ''),
    }, { status: shown, cache: 'no-store' });
  } catch {
    return reply.code(shown).type('text/plain; charset=utf-8').send(`${shown} ${t(titleKey)}`);
  }
}

/** Fastify's `frameworkErrors` option, given when the app is created: a URL the router cannot even decode. */
export function frameworkErrorPage(options: ErrorPagesOptions): NonNullable<FastifyServerOptions['frameworkErrors']> {
  return (_error, request, reply) => {
    // Answered 400 in the site's layout. Fastify hands this reply over before any plugin or hook
    // ran (no onSend, no decorators), so the security headers are set here by hand.
    const plain = () => (reply as FastifyReply).code(400).type('text/plain; charset=utf-8').send('400 Bad request');
    (reply as FastifyReply).headers(securityHeaders({ production: options.production }));
    try {
      resolveLanguage(request);
      void showError(options, request, reply as FastifyReply, 400).catch(plain);
    } catch {
      plain();
    }
  };
}

/** The error handler and the not-found handler: every failure a route or hook meets, as a page. */
export function registerErrorPages(app: FastifyInstance, options: ErrorPagesOptions): void {
  app.setErrorHandler(async (error: FastifyError | TesseraError | Error, request, reply) => {
    if (request.t === undefined) resolveLanguage(request);
    if (error instanceof TesseraError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      // A CSRF failure passes its message on too: showError keys the CSRF page text off it
      // (and never prints it as detail).
      const passed = error.code === 'forbidden' || error.code === 'bad_request' || error.code === 'csrf_failed';
      return showError(options, request, reply, error.status, passed ? error.message : undefined);
    }
    // A client that hung up halfway through its body: its "connection reset" is no outage of
    // ours, and nobody is left to read the answer.
    if (request.raw.aborted || request.raw.readableAborted) {
      request.log.debug({ err: error }, 'client aborted the request');
      return reply.code(400).send();
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return showError(options, request, reply, 503);
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return showError(options, request, reply, 500, undefined, error.stack);
    }
    // Fastify's own client errors (bad body, bad content length, …) are malformed requests.
    return showError(options, request, reply, status === 413 ? 413 : status === 415 ? 400 : status);
  });

  app.setNotFoundHandler(async (request, reply) => showError(options, request, reply, 404));
}
