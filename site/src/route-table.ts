// Registers the site's routes from one table, with 405 + Allow for every other method. The
// tessera plugin checks CSRF on every POST before a route's guards run.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, preHandlerAsyncHookHandler } from 'fastify';
import { methodNotAllowed } from 'tessera/fastify';

export interface RouteSpec {
  method: 'GET' | 'POST';
  url: string;
  /** guards, run after the CSRF check */
  preHandler?: preHandlerAsyncHookHandler[];
  handler: (request: FastifyRequest<any>, reply: FastifyReply) => Promise<unknown>;
  /** false for routes that need no session (health checks) */
  session?: false;
}

const allMethods: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

export function registerRoutes(app: FastifyInstance, routes: readonly RouteSpec[]): void {
  const methodsByUrl = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = methodsByUrl.get(route.url) ?? new Set<string>();
    methods.add(route.method);
    methodsByUrl.set(route.url, methods);
    app.route({ method: route.method, url: route.url, preHandler: route.preHandler ?? [], handler: route.handler, config: { session: route.session !== false } });
  }
  for (const [url, methods] of methodsByUrl) {
    const taken = new Set(methods);
    if (taken.has('GET')) taken.add('HEAD');
    const rest = allMethods.filter((method) => !taken.has(method));
    // The session is loaded for the 405 page too: it is a page the visitor sees, and a
    // logged-in user's name belongs on every one of them.
    // A wrong method changes nothing, so it is answered 405 with no token asked for.
    if (rest.length > 0) app.route({ method: rest, url, handler: methodNotAllowed([...methods]), config: { csrf: false } });
  }
}
