// Route guards built on one userPassesTest, the way Django builds login_required on user_passes_test.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { TesseraError } from '../core/errors.ts';
import type { User } from '../core/users/user.ts';
import { loginUrlWithNext, nextAfterLogin } from './login-redirect.ts';

/** What every guard takes. */
export interface GuardOptions {
  /** the login page (default: the plugin's `loginUrl`, itself `/accounts/login` by default) */
  loginUrl?: string;
  /** for a POST-only action: the GET page it belongs to, when the Referer will not do */
  getPage?: (request: FastifyRequest) => string | null;
}

/** What {@link userPassesTest} and {@link permissionRequired} take. */
export interface TestOptions extends GuardOptions {
  /** said on the 403 page */
  reason?: string;
}

/** A test a logged-in user must pass, for {@link userPassesTest}. */
export type UserTest = (user: User<any>, request: FastifyRequest) => boolean | Promise<boolean>;

/**
 * Anonymous visitors go to the login page with a `next` they can come back to; a logged-in
 * user who fails `test` gets 403 with `reason`.
 *
 * @example
 * app.post('/articles/:id/delete', { preHandler: userPassesTest(canDelete, { getPage: articlePage }) }, handler)
 */
export function userPassesTest(test: UserTest, options: TestOptions = {}): preHandlerAsyncHookHandler {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const user = request.user;
    if (!user.isAuthenticated) {
      const loginUrl = options.loginUrl ?? request.server.tesseraSettings.loginUrl;
      await reply.redirect(loginUrlWithNext(loginUrl, nextAfterLogin(request, options.getPage)), 302);
      return reply;
    }
    if (!(await test(user, request))) throw new TesseraError('forbidden', options.reason);
    return undefined;
  };
}

/**
 * Django's `login_required`: anonymous visitors are sent to the login page with `next` set to
 * the page they asked for (for a POST-only action, the page its form was on).
 *
 * @example
 * app.get('/account', { preHandler: loginRequired() }, async (request) => `Hello ${request.user.username}`);
 */
export function loginRequired(options: GuardOptions = {}): preHandlerAsyncHookHandler {
  return userPassesTest(() => true, options);
}

/**
 * Django's `permission_required`: a user who lacks `permission` (e.g. "articles.delete_article")
 * gets 403; an anonymous visitor is sent to log in.
 */
export function permissionRequired(permission: string, options: TestOptions = {}): preHandlerAsyncHookHandler {
  return userPassesTest((user, request) => request.server.tesseraPermissions.has(user, permission), {
    ...options,
    reason: options.reason ?? `This needs the permission ${permission}.`,
  });
}

/** A handler for every method a route does not take: 405 with the Allow header. */
export function methodNotAllowed(allowed: readonly string[]) {
  const allow = [...new Set(allowed.flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method])))].join(', ');
  return async function notAllowed(_request: FastifyRequest, reply: FastifyReply) {
    reply.header('Allow', allow);
    throw new TesseraError('method_not_allowed');
  };
}

/** Registers POST-only semantics on a path: any other method answers 405 with Allow: POST. */
export const requirePost = methodNotAllowed(['POST']);
