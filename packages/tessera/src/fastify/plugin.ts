// The Fastify adapter: request.session and request.user on every request, CSRF on every unsafe
// method, login and logout as Django does them, and the session saved after the handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie, { type CookieSerializeOptions } from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { AuthEventKind } from '../core/audit/auth-events.ts';
import type { AuthenticationResult } from '../core/auth.ts';
import { isCsrfSecret, maskCsrfSecret, newCsrfSecret, TrustedOrigins } from '../core/csrf.ts';
import { TesseraError } from '../core/errors.ts';
import { Session } from '../core/sessions/session.ts';
import type { Tessera } from '../core/tessera.ts';
import { anonymousUser, normalizeUsername, type AnyUser, type User } from '../core/users/user.ts';
import { checkCsrf } from './csrf-protect.ts';

/** The session cookie's name unless the plugin is told another (Django's SESSION_COOKIE_NAME). */
export const SESSION_COOKIE = 'sessionid';
/** The CSRF cookie's name unless the plugin is told another (Django's CSRF_COOKIE_NAME). */
export const CSRF_COOKIE = 'csrftoken';
/** The device cookie's name unless the plugin is told another (OWASP's device-cookie lockout). */
export const DEVICE_COOKIE = 'device';
/** A year, as Django's CSRF_COOKIE_AGE. */
const csrfCookieMaxAge = 31_449_600;
/** A year: a browser stays known to the account as long as it keeps logging in now and then. */
const deviceCookieMaxAge = 365 * 24 * 3600;
/**
 * Django's list (RFC 9110's safe methods): every other method, POST, PUT, PATCH, DELETE and any
 * a server adds (PROPFIND, QUERY, …), needs the CSRF token.
 */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Decides whether a user holds a permission; by default `tessera.permissions`. */
export interface PermissionChecker {
  has(user: User<any>, permission: string): Promise<boolean>;
}

/** What the plugin takes at registration; everything but `tessera` has a safe default. */
export interface TesseraPluginOptions {
  /** the instance made by `createTessera` */
  tessera: Tessera<any>;
  /** who holds which permission, for `permissionRequired` (default: `tessera.permissions`) */
  permissions?: PermissionChecker;
  /** where `loginRequired` and the other guards send anonymous visitors (default `/accounts/login`) */
  loginUrl?: string;
  /** the cookies' names (default `sessionid`, `csrftoken` and `device`) */
  cookies?: { session?: string; csrf?: string; device?: string };
  /** the cookies' Domain attribute (default: none, the cookie stays on this host) */
  domain?: string;
  /** the cookies' Secure attribute (default: on when `NODE_ENV=production`) */
  secure?: boolean;
  /** the cookies' SameSite attribute (default `lax`; `none` needs `secure`) */
  sameSite?: 'lax' | 'strict' | 'none';
  /** other origins that may post to this site, as Django's CSRF_TRUSTED_ORIGINS (`https://*.example.com`) */
  trustedOrigins?: readonly string[];
  /**
   * the largest request body any route registered after the plugin takes, in bytes (default: the
   * server's own `bodyLimit`, itself 1 MiB by default); a route's own `bodyLimit` wins
   */
  bodyLimit?: number;
}

/** The plugin's options once resolved, as `app.tesseraSettings`: guards and `csrfProtect` read them. */
export interface TesseraSettings {
  loginUrl: string;
  sessionCookie: string;
  csrfCookie: string;
  deviceCookie: string;
  trustedOrigins: TrustedOrigins;
  /** Path, Domain, Secure and SameSite, for every cookie tessera or the application sets */
  cookieAttributes: Readonly<CookieSerializeOptions>;
}

/** What `request.login()` takes. */
export interface LoginOptions {
  /** true (default): the cookie lasts the session's lifetime; false: until the browser closes */
  persistent?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    tessera: Tessera<any>;
    tesseraPermissions: PermissionChecker;
    tesseraSettings: TesseraSettings;
  }
  interface FastifyRequest {
    /** @internal the storage behind `session` */
    tesseraSessionSlot: Session | null;
    /** @internal the storage behind `user` */
    tesseraUserSlot: AnyUser<any> | null;
    /** the visitor's session: empty for a visitor who has none (no row exists until it holds something) */
    session: Session;
    /** the logged-in user, or `anonymousUser` (check `user.isAuthenticated`) */
    user: AnyUser<any>;
    /** the visitor's CSRF secret (from the cookie, or new) */
    csrfSecret: string;
    /** a masked token for a form's `_csrf` field or the `X-CSRF-Token` header; sets the cookie when the visitor has none */
    csrfToken(): string;
    /** a new CSRF secret, as login does */
    rotateCsrfSecret(): void;
    /**
     * Checks a username and password, throttled per account and per client address
     * (`request.ip`, an IPv6 one by its /64); a browser holding the account's device cookie is
     * counted on its own, so failures from elsewhere never lock it out. `{ ok: true, user }`,
     * or why not (`invalid` or `throttled`).
     */
    authenticate(username: string, password: string): Promise<AuthenticationResult<any>>;
    /**
     * Django's `login()`: a new session token (against fixation), the user id and session auth
     * hash stored, the CSRF secret rotated, `request.user` set, and the device cookie given
     * (or renewed) for the account.
     */
    login(user: User<any>, options?: LoginOptions): Promise<void>;
    /** Django's `logout()`: the session is deleted, its cookie expired, `request.user` anonymous. */
    logout(): Promise<void>;
    /**
     * Records an authentication event the application carried out (a password change, a
     * revocation, a deletion) with this request's session, address and User-Agent; the user is
     * `request.user` unless given. Logins, failures, throttling and logouts are recorded already.
     */
    recordAuthEvent(kind: AuthEventKind, userId?: number | null): Promise<void>;
  }
  interface FastifyContextConfig {
    /** false for routes that need no session at all (static files, health checks): no lookup is made */
    session?: boolean;
    /** false for a route that takes unsafe methods without a CSRF token (a webhook): it must authenticate otherwise */
    csrf?: boolean;
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
  /** the device cookie a login in this request renewed, to be sent with the response */
  deviceCookie?: string;
  /** the user a login in this request logged in, recorded once the session is saved */
  loggedIn?: number;
}

function userAgentOf(request: FastifyRequest): string {
  return String(request.headers['user-agent'] ?? '');
}

const state = new WeakMap<FastifyRequest, RequestState>();

function settingsFrom(options: TesseraPluginOptions): TesseraSettings {
  const secure = options.secure ?? options.tessera.config.production;
  const sameSite = options.sameSite ?? 'lax';
  if (sameSite === 'none' && !secure) throw new TypeError('tessera: sameSite "none" needs secure cookies (browsers refuse it otherwise)');
  return {
    loginUrl: options.loginUrl ?? '/accounts/login',
    sessionCookie: options.cookies?.session ?? SESSION_COOKIE,
    csrfCookie: options.cookies?.csrf ?? CSRF_COOKIE,
    deviceCookie: options.cookies?.device ?? DEVICE_COOKIE,
    trustedOrigins: new TrustedOrigins(options.trustedOrigins ?? []),
    cookieAttributes: Object.freeze({ path: '/', sameSite, secure, ...(options.domain !== undefined && { domain: options.domain }) }),
  };
}

/**
 * Registers tessera on a Fastify app; register it before the routes. Every request gets
 * `request.session` and `request.user`; every POST, PUT, PATCH, DELETE (any method but GET,
 * HEAD, OPTIONS and TRACE) must carry the visitor's CSRF token (form field `_csrf` or
 * header `X-CSRF-Token`) and come from this site, or it is refused with a 403 before its
 * handler runs; a route opts out with `config: { csrf: false }`. What a request changed in its
 * session is saved after the handler, and the cookie set or cleared.
 *
 * @example
 * import Fastify from 'fastify';
 * import fastifyFormbody from '@fastify/formbody';
 * import { createTessera, loadConfig } from 'tessera';
 * import { loginRequired, tesseraPlugin } from 'tessera/fastify';
 *
 * const tessera = createTessera(loadConfig());
 * const app = Fastify();
 * await app.register(fastifyFormbody);
 * await app.register(tesseraPlugin, { tessera, loginUrl: '/login' });
 * app.get('/me', { preHandler: loginRequired() }, async (request) => request.user.username);
 */
export const tesseraPlugin = fp<TesseraPluginOptions>(
  async function plugin(app: FastifyInstance, options: TesseraPluginOptions) {
    const { tessera } = options;
    const settings = settingsFrom(options);
    const { sessionCookie, csrfCookie, deviceCookie, cookieAttributes } = settings;
    const bodyLimit = options.bodyLimit ?? app.initialConfig.bodyLimit;
    if (!app.hasPlugin('@fastify/cookie')) await app.register(fastifyCookie);

    app.decorate('tessera', tessera);
    app.decorate('tesseraPermissions', options.permissions ?? tessera.permissions);
    app.decorate('tesseraSettings', settings);
    // Backed by slots the hooks fill in; read before they did (an error handler after a session
    // read that failed), they are an empty session and the anonymous user, so `request.session`
    // and `request.user` are never null, as their types say. (Fastify's frameworkErrors handler
    // alone gets a bare request, with no plugin's decorations at all.)
    app.decorateRequest('tesseraSessionSlot', null);
    app.decorateRequest('tesseraUserSlot', null);
    app.decorateRequest('session', {
      getter(this: FastifyRequest) {
        return (this.tesseraSessionSlot ??= new Session(null, null, false));
      },
      setter(this: FastifyRequest, value: Session) {
        this.tesseraSessionSlot = value;
      },
    } as never);
    app.decorateRequest('user', {
      getter(this: FastifyRequest) {
        return this.tesseraUserSlot ?? anonymousUser;
      },
      setter(this: FastifyRequest, value: AnyUser<any>) {
        this.tesseraUserSlot = value;
      },
    } as never);
    app.decorateRequest('csrfSecret', '');
    app.decorateRequest('csrfToken', function csrfToken(this: FastifyRequest) {
      // An error before the onRequest hook finished still renders forms: they get a new secret.
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
    app.decorateRequest('authenticate', function authenticate(this: FastifyRequest, username: string, password: string) {
      const device = typeof username === 'string' ? tessera.devices.deviceFor(this.cookies[deviceCookie], normalizeUsername(username)) : undefined;
      return tessera.auth.authenticate(username, password, { address: this.ip, device, userAgent: userAgentOf(this), sessionId: this.session.id, logger: this.log });
    });
    app.decorateRequest('login', async function login(this: FastifyRequest, user: User<any>, loginOptions: LoginOptions = {}) {
      if (state.get(this)?.sessionLoaded !== true) {
        // The session would never be saved: a login that silently did nothing.
        throw new TesseraError('internal', 'request.login() on a route with config.session false, whose session is never saved');
      }
      await tessera.auth.login(this.session, user, loginOptions);
      this.user = user;
      // Django's rotate_token: a token a visitor was given before logging in is worth nothing after.
      this.rotateCsrfSecret();
      // This browser has now logged into the account: failures from elsewhere will not lock it out.
      const entry = state.get(this);
      if (entry) {
        entry.deviceCookie = tessera.devices.afterLogin(this.cookies[deviceCookie], user.usernameNormalized);
        // Recorded once the session is saved: its public id is known only then.
        entry.loggedIn = user.id;
      }
    });
    app.decorateRequest('logout', async function logout(this: FastifyRequest) {
      const { user, session } = this;
      if (user.isAuthenticated) await tessera.events.record({ kind: 'logout', userId: user.id, sessionId: session.id, address: this.ip, userAgent: userAgentOf(this) }, this.log);
      tessera.auth.logout(session);
      this.user = anonymousUser;
    });
    app.decorateRequest('recordAuthEvent', async function recordAuthEvent(this: FastifyRequest, kind: AuthEventKind, userId?: number | null) {
      const owner = userId !== undefined ? userId : this.user.isAuthenticated ? this.user.id : null;
      await tessera.events.record({ kind, userId: owner, sessionId: this.session.id, address: this.ip, userAgent: userAgentOf(this) }, this.log);
    });

    // Every route registered from here on takes at most bodyLimit bytes.
    app.addHook('onRoute', (route) => {
      route.bodyLimit ??= bodyLimit;
    });

    // The session is read as the request arrives, before its body: a 413 or a malformed body
    // is then answered on a page that still knows who is asking.
    app.addHook('onRequest', async (request) => {
      request.user = anonymousUser;
      const cookieSecret = request.cookies[csrfCookie];
      const valid = isCsrfSecret(cookieSecret);
      // A missing or malformed cookie gets a new secret, sent only if a form asks for a token.
      request.csrfSecret = valid ? cookieSecret : newCsrfSecret();
      const entry: RequestState = { csrfSecretIsNew: !valid, csrfRotated: false, csrfTokenUsed: false, sessionLoaded: false };
      state.set(request, entry);
      // A route that needs no session gets the empty one the getter makes, never saved.
      if (request.routeOptions.config?.session === false) return;
      request.session = await tessera.sessions.load(request.cookies[sessionCookie]);
      entry.sessionLoaded = true;
      request.user = (await tessera.auth.getUser(request.session)) ?? anonymousUser;
    });

    // CSRF before any guard of the route's own (its preHandlers run after this one), as Django's
    // middleware runs before the view: a POST without the visitor's token is refused whoever
    // sends it. A URL no route takes is left to the 404 handler, as Django resolves URLs first.
    app.addHook('preHandler', async (request) => {
      if (safeMethods.has(request.method) || request.is404 || request.routeOptions.config?.csrf === false) return;
      checkCsrf(request, settings);
    });

    app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const entry = state.get(request);
      if (!entry) return payload;
      // A failed request saves nothing: half-done work must not reach the session.
      if (entry.sessionLoaded && reply.statusCode < 500) {
        const cookie = await tessera.sessions.commit(request.session, {
          ip: request.ip,
          userAgent: userAgentOf(request),
        });
        if (entry.loggedIn !== undefined) {
          const sessionId = cookie?.action === 'set' ? cookie.sessionId : request.session.id;
          await tessera.events.record({ kind: 'login', userId: entry.loggedIn, sessionId, address: request.ip, userAgent: userAgentOf(request) }, request.log);
        }
        if (cookie?.action === 'set') {
          reply.setCookie(sessionCookie, cookie.value, {
            ...cookieAttributes,
            httpOnly: true,
            ...(cookie.maxAgeSeconds !== undefined && { maxAge: cookie.maxAgeSeconds }),
          });
        } else if (cookie?.action === 'clear') {
          reply.setCookie(sessionCookie, '', { ...cookieAttributes, httpOnly: true, maxAge: 0 });
        }
      }
      if (entry.deviceCookie !== undefined && reply.statusCode < 500) {
        reply.setCookie(deviceCookie, entry.deviceCookie, { ...cookieAttributes, httpOnly: true, maxAge: deviceCookieMaxAge });
      }
      if (entry.csrfSecretIsNew && (entry.csrfRotated || entry.csrfTokenUsed)) {
        // Not HttpOnly, as Django's: a page's script may read it to send X-CSRF-Token.
        reply.setCookie(csrfCookie, request.csrfSecret, { ...cookieAttributes, maxAge: csrfCookieMaxAge });
      }
      if (entry.sessionLoaded) reply.header('Vary', appendVary(reply.getHeader('Vary'), 'Cookie'));
      return payload;
    });
  },
  { name: 'tessera', fastify: '5.x' },
);

function appendVary(existing: unknown, value: string): string {
  const current = typeof existing === 'string' ? existing.split(',').map((part) => part.trim()).filter(Boolean) : [];
  if (!current.some((part) => part.toLowerCase() === value.toLowerCase())) current.push(value);
  return current.join(', ');
}
