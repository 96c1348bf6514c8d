// One hostile request for node:http to send, poisoned wherever it could reach a route that changes rows.
import { URLSAFE } from './alphabets.ts';
import { csrfPlan } from './csrf-plan.ts';
import { fieldPoison, type Poison } from './field-poison.ts';
import type { Fixture } from './fixture.ts';
import { decodeLoosely, formEncode, text, type Pair } from './form-encoding.ts';
import { fieldsFor } from './form-fields.ts';
import type { Generated } from './generated-request.ts';
import { commonHeaders, extraCookies, headerSafe, shuffleExtras } from './hostile-headers.ts';
import { garbageKey, garbageSegment, idForms, nastyValue } from './hostile-values.ts';
import { identity } from './identity.ts';
import { CONTENT_TYPES, renderBody, type BodyPlan } from './request-body.ts';
import { mutatePath, paramValue, queryString } from './request-target.ts';
import { COUNTING, DEEP_ROUTES, ROUTES, SAFE_METHODS, type CountingKind, type PostKind, type Route } from './routes.ts';
import type { Random } from './seeded-random.ts';
import { BODY_LIMIT } from './site-limits.ts';

export function generateHostileHttp(r: Random, fx: Fixture, index: number): Generated {
  // Deep requests keep a clean envelope (the exact route, a form, a valid token unless a poison
  // needs an invalid one) so that the fuzzed fields reach the handlers' own validation.
  const deep = r.chance(0.4);
  const route = deep ? r.weighted(DEEP_ROUTES) : r.weighted<() => Route | null>([[19, () => r.pick(ROUTES)], [1, () => null]])();
  const method = deep ? 'POST' : r.weighted<() => string>([
    [45, () => 'GET'],
    [35, () => 'POST'],
    [5, () => 'HEAD'],
    [3, () => 'OPTIONS'],
    [6, () => r.pick(['PUT', 'PATCH', 'DELETE'])],
    [1, () => 'TRACE'],
    [3, () => r.pick(['PROPFIND', 'PURGE', 'LINK', 'UNLINK', 'M-SEARCH', 'REPORT', 'LOCK', 'SEARCH', 'MKCOL'])],
  ])();
  const unsafe = !SAFE_METHODS.has(method);
  // A deep request comes from whom its route serves: sign-up and login from a visitor without a
  // session, the account pages from a logged-in one.
  const who = deep && r.chance(0.8) ? identity(r, fx, route?.post === 'signup' || route?.post === 'login' ? 'anonymous' : 'actor') : identity(r, fx);
  const kind: PostKind | null = route === null ? null : unsafe ? (route.post ?? 'harmless') : null;
  const counting = kind !== null && COUNTING.has(kind) ? (kind as CountingKind) : null;

  // A counting route is poisoned by its fields when it can be, else (or at random) by its token.
  let poison: Poison | null = counting === null ? null : fieldPoison(r, fx, counting, who.actors);
  const csrfMustBeInvalid = counting !== null && (poison === null || r.chance(0.35));
  if (csrfMustBeInvalid) poison = null;
  const csrf = deep && !csrfMustBeInvalid ? csrfPlan(r, fx, who.actors, false, true) : csrfPlan(r, fx, who.actors, csrfMustBeInvalid);
  // Without a valid token, a request may even name the visitor's own session or article.
  const ownTarget = csrfMustBeInvalid && who.actors.size > 0 && r.chance(0.5);
  // An anonymous logout with a valid token is valid, and harmless: it has nothing to end.
  const refusedKind = counting !== null && poison?.what !== 'logout-without-session' ? counting : null;

  let path = '/';
  if (route === null) {
    path = r.pick(['/admin', '/wp-login.php', '/.env', '/.git/config', '/api', '/accounts', '/accounts/', '/articles/1/2/3', '/reading-list/1', '/static', '/static/', '/favicon.ico', '/robots.txt', `/${garbageSegment(r)}`, '/%2e%2e/%2e%2e/etc/passwd', '/..%2F..%2Fetc%2Fpasswd', '/accounts/login/..%2Fsignup']);
  } else {
    path = route.path.replace(/:([a-z0-9]+)/g, (_whole, name: string) => {
      if (poison?.param !== undefined && ((name === 'article' && counting === 'article-delete') || (name === 'session' && counting === 'revoke'))) return poison.param;
      if (ownTarget) {
        const own = fx.actors[[...who.actors][0]!]!;
        if (name === 'session') return own.session.slice(0, 22);
        if (name === 'article') return idForms(r, r.pick(own.articles));
      }
      if (unsafe && name === 'session' && counting === 'revoke') return r.string(URLSAFE, 22, 22);
      return paramValue(r, fx, name, who.actors, unsafe && !csrfMustBeInvalid);
    });
  }
  const finalPath = deep ? path : mutatePath(r, path);
  // node:http sends only visible Latin-1 in a path; anything else goes percent-encoded (raw requests send the rest).
  const fullPath = (finalPath + (deep ? '' : queryString(r))).replace(/[^\x21-\xff]/gu, (char) => formEncode(char).replace(/\+/g, '%20'));

  const headers = deep ? {} : commonHeaders(r, fx);
  Object.assign(headers, csrf.headers);
  const cookies = shuffleExtras(r, [...who.cookies, ...csrf.cookies], deep ? [] : extraCookies(r));
  if (cookies.length > 0) {
    // Now and then as several Cookie header lines, as some clients send them.
    headers.cookie = r.chance(0.05) && cookies.length > 1 ? cookies.map(headerSafe) : headerSafe(cookies.join(r.pick(['; ', ';', ' ; ', ';  '])));
  }

  // The body: poison fields first and alone; then the route's fields, repeats and garbage.
  let body: Buffer | undefined;
  let oversize = false;
  const wantsBody = deep || (unsafe ? r.chance(0.95) : r.chance(0.05));
  let shape: BodyPlan['shape'] = 'form';
  if (wantsBody) {
    const poisoned = new Set(Object.keys(poison?.fields ?? {}));
    if (poison?.what === 'password-missing' && counting === 'delete-account') poisoned.add('password');
    const pairs: Pair[] = [];
    for (const [name, value] of Object.entries(poison?.fields ?? {})) pairs.push([text(name), value]);
    for (const token of csrf.bodyTokens) pairs.push([text('_csrf'), token]);
    if (csrf.what === 'csrf-token-array-key') pairs.push([text(r.pick(['_csrf[]', '_csrf[0]', '_csrf[a]'])), text(fx.anon.token)]);
    const fields = fieldsFor(r, kind);
    for (const [name, make] of Object.entries(fields)) {
      if (poisoned.has(name) || !r.chance(0.8)) continue;
      const repeats = r.chance(0.15) ? r.int(2, 5) : 1;
      for (let repeat = 0; repeat < repeats; repeat += 1) pairs.push([text(name), make()]);
    }
    const extras = r.chance(0.3) ? r.int(1, 6) : 0;
    for (let extra = 0; extra < extras; extra += 1) {
      const key = garbageKey(r);
      if (poisoned.has(decodeLoosely(key)) || decodeLoosely(key) === '_csrf') continue;
      pairs.push([key, r.chance(0.1) ? null : nastyValue(r)]);
    }
    const hugeRoll = r.next();
    if (hugeRoll < 0.012) {
      // One huge field, inside the 1 MiB limit or past it; never a poisoned one.
      const size = hugeRoll < 0.006 ? r.int(BODY_LIMIT + 1, BODY_LIMIT + 300_000) : r.int(200_000, BODY_LIMIT - 20_000);
      const name = r.pick(['content', 'junk', 'email', 'first_name', 'next', '_junk']);
      if (!poisoned.has(name)) pairs.push([text(name), Buffer.alloc(size, r.pick(['a', '%', '\0', 'é']))]);
    }
    shape = deep ? 'form' : r.weighted<() => BodyPlan['shape']>([[85, () => 'form'], [3, () => 'json'], [3, () => 'multipart'], [2, () => 'text'], [3, () => 'degenerate'], [1, () => 'many-keys']])();
    if (poisoned.size > 0 && (shape === 'degenerate')) shape = 'form';
    const rendered = renderBody(r, { pairs, shape });
    body = rendered.body;
    oversize = body.length > BODY_LIMIT;
    headers['content-type'] = deep || r.chance(0.85) ? rendered.contentType : r.pick(CONTENT_TYPES);
    if (!deep && r.chance(0.03)) delete headers['content-type'];
  }
  if (body !== undefined) headers['content-length'] = String(body.length);
  if (body !== undefined && !deep && r.chance(0.03)) {
    delete headers['content-length'];
    headers['transfer-encoding'] = 'chunked';
  }
  const fresh = r.chance(0.2);
  if (fresh) headers.connection = 'close';

  const csrfPoisoned = unsafe && csrf.cls === 'invalid';
  const what = [
    `#${index}${deep ? ' deep' : ''} ${method} ${fullPath.length > 160 ? `${fullPath.slice(0, 160)}…(${fullPath.length})` : fullPath}`,
    who.what,
    unsafe ? csrf.what : '',
    poison ? `poison=${poison.what}` : '',
    body ? `body=${shape}:${body.length}B` : '',
    cookies.length > 0 ? `cookies=${String(headers.cookie ?? '').length}B` : '',
  ].filter(Boolean).join(' ');
  return {
    index,
    what,
    valid: null,
    request: { kind: 'http', method, path: fullPath, headers, body, fresh },
    refusedKind,
    csrfPoisoned,
    oversize,
    ...(poison !== null && { poison: `${counting}:${poison.what}` }),
  };
}
