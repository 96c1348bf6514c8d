// Route guards built on one userPassesTest, the way Django builds login_required on user_passes_test.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { TesseraError } from '../core/errors.ts';
import type { User } from '../core/users/user.ts';
import { loginUrlWithNext, nextAfterLogin } from './login-redirect.ts';

export interface GuardOptions {
  /** the login page (default /accounts/login) */
  loginUrl?: string;
  /** for a POST-only action: the GET page it belongs to, when the Referer will not do */
  getPage?: (request: FastifyRequest) => string | null;
}

export interface TestOptions extends GuardOptions {
  /** said on the 403 page */
  reason?: string;
}

export type UserTest = (user: User<any>, request: FastifyRequest) => boolean | Promise<boolean>;

/**
 * Anonymous visitors go to the login page with a `next` they can come back to; a logged-in
 * user who fails `test` gets 403 with `reason`.
 *
 * @example
 * app.post('/articles/:id/delete', { preHandler: userPassesTest(canDelete, { getPage: articlePage }) }, handler)
 */
export function userPassesTest(test: UserTest, options: TestOptions = {}): preHandlerAsyncHookHandler {
  const loginUrl = options.loginUrl ?? '/accounts/login';
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const user = request.user;
    if (!user.isAuthenticated) {
      await reply.redirect(loginUrlWithNext(loginUrl, nextAfterLogin(request, options.getPage)), 302);
      return reply;
    }
    if (!(await test(user, request))) throw new TesseraError('forbidden', options.reason);
    return undefined;
  };
}

export function loginRequired(options: GuardOptions = {}): preHandlerAsyncHookHandler {
  return userPassesTest(() => true, options);
}

/** A user who lacks `permission` (e.g. "articles.delete_article") gets 403. */
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
