// The Fastify adapter: request.session and request.user on every request, saved after the handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/cookie';
import fp from 'fastify-plugin';
import { isCsrfSecret, maskCsrfSecret, newCsrfSecret } from '../core/csrf.ts';
import type { Session } from '../core/sessions/session.ts';
import type { Tessera } from '../core/tessera.ts';
import { anonymousUser, type AnyUser, type User } from '../core/users/user.ts';

export const SESSION_COOKIE = 'sessionid';
export const CSRF_COOKIE = 'csrftoken';
const csrfCookieMaxAge = 31_449_600;

export interface PermissionChecker {
  has(user: User<any>, permission: string): Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyInstance {
    tessera: Tessera<any>;
    tesseraPermissions: PermissionChecker;
  }
  interface FastifyRequest {
    session: Session;
    user: AnyUser<any>;
    /** the visitor's CSRF secret (from the cookie, or new) */
    csrfSecret: string;
    /** a masked token for a form; sets the csrftoken cookie when the visitor has none */
    csrfToken(): string;
    /** a new CSRF secret, as at login */
    rotateCsrfSecret(): void;
  }
  interface FastifyContextConfig {
    /** false for routes that need no session at all (static files, health checks) */
    session?: boolean;
  }
}

interface RequestState {
  /** the visitor had no valid csrftoken cookie, or login rotated it */
  csrfSecretIsNew: boolean;
  /** login rotated the secret: the cookie is sent whether or not a form shows a token */
  csrfRotated: boolean;
  /** a token was put in this response, so its secret must reach the cookie */
  csrfTokenUsed: boolean;
  sessionLoaded: boolean;
}

const state = new WeakMap<FastifyRequest, RequestState>();

export interface TesseraPluginOptions {
  tessera: Tessera<any>;
  permissions?: PermissionChecker;
}

/**
 * @example
 * const tessera = createTessera(loadConfig());
 * await app.register(tesseraPlugin, { tessera });
 * app.get('/me', { preHandler: loginRequired() }, async (request) => request.user.username);
 */
export const tesseraPlugin = fp<TesseraPluginOptions>(
  async function plugin(app: FastifyInstance, options: TesseraPluginOptions) {
    const { tessera } = options;
    const secure = tessera.config.production;
    app.decorate('tessera', tessera);
    app.decorate('tesseraPermissions', options.permissions ?? tessera.permissions);
    app.decorateRequest('session', null as never);
    app.decorateRequest('user', null as never);
    app.decorateRequest('csrfSecret', '');
    app.decorateRequest('csrfToken', function csrfToken(this: FastifyRequest) {
      // A request the router rejected before our hooks ran still renders the layout's forms.
      if (!isCsrfSecret(this.csrfSecret)) this.csrfSecret = newCsrfSecret();
      const entry = state.get(this);
      if (entry) entry.csrfTokenUsed = true;
      return maskCsrfSecret(this.csrfSecret);
    });
    app.decorateRequest('rotateCsrfSecret', function rotateCsrfSecret(this: FastifyRequest) {
      this.csrfSecret = newCsrfSecret();
      const entry = state.get(this);
      if (entry) {
        entry.csrfSecretIsNew = true;
        entry.csrfRotated = true;
      }
    });

    // The session is read as the request arrives, before its body: a 413 or a malformed body
    // is then answered on a page that still knows who is asking.
    app.addHook('onRequest', async (request) => {
      request.user = anonymousUser;
      const cookieSecret = request.cookies[CSRF_COOKIE];
      const valid = isCsrfSecret(cookieSecret);
      // A missing or malformed cookie gets a new secret, sent only if a form asks for a token.
      request.csrfSecret = valid ? cookieSecret : newCsrfSecret();
      const entry: RequestState = { csrfSecretIsNew: !valid, csrfRotated: false, csrfTokenUsed: false, sessionLoaded: false };
      state.set(request, entry);
      if (request.routeOptions.config?.session === false) return;
      request.session = await tessera.sessions.load(request.cookies[SESSION_COOKIE]);
      entry.sessionLoaded = true;
      request.user = (await tessera.auth.getUser(request.session)) ?? anonymousUser;
    });

    app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const entry = state.get(request);
      if (!entry) return payload;
      // A failed request saves nothing: half-done work must not reach the session.
      if (entry.sessionLoaded && reply.statusCode < 500) {
        const cookie = await tessera.sessions.commit(request.session, {
          ip: request.ip,
          userAgent: String(request.headers['user-agent'] ?? ''),
        });
        if (cookie?.action === 'set') {
          reply.setCookie(SESSION_COOKIE, cookie.value, {
            path: '/',
            httpOnly: true,
            sameSite: 'lax',
            secure,
            ...(cookie.maxAgeSeconds !== undefined && { maxAge: cookie.maxAgeSeconds }),
          });
        } else if (cookie?.action === 'clear') {
          reply.setCookie(SESSION_COOKIE, '', { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 0 });
        }
      }
      if (entry.csrfSecretIsNew && (entry.csrfRotated || entry.csrfTokenUsed)) {
        reply.setCookie(CSRF_COOKIE, request.csrfSecret, { path: '/', sameSite: 'lax', secure, maxAge: csrfCookieMaxAge });
      }
      if (entry.sessionLoaded) reply.header('Vary', appendVary(reply.getHeader('Vary'), 'Cookie'));
      return payload;
    });
  },
  { name: 'tessera', dependencies: ['@fastify/cookie'] },
);

function appendVary(existing: unknown, value: string): string {
  const current = typeof existing === 'string' ? existing.split(',').map((part) => part.trim()).filter(Boolean) : [];
  if (!current.some((part) => part.toLowerCase() === value.toLowerCase())) current.push(value);
  return current.join(', ');
}
