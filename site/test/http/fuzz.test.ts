// Fuzzes the running site with seeded hostile requests: never a 5xx, the process stays up, and the
// database changes only through the requests the generator built to be valid.
//
// The generator is one seeded stream (FUZZ_SEED replays it; FUZZ_REQUESTS raises the count;
// FUZZ_SHOW sets how many examples of each violation the output lists). Every
// request that could reach a route that adds or removes users, sessions or articles carries a
// "poison" the contract says must refuse it: a missing, foreign or forged CSRF token, a cross-site
// Origin, or a field that fails validation (never repeated, so that no rule on repeated fields can
// make it valid). Only the known valid subset (sign-ups, logins, logouts and article writes built
// from real tokens) may change the counts, and each of those is counted when answered 303.
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Client, csrfToken } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';

const PASSWORD = 'Amber-Harbour-Quill-47';
const REQUESTS = Math.max(10_000, Number(process.env.FUZZ_REQUESTS ?? 0) || 0);
const SEED = process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== '' ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const IN_FLIGHT = 8;
const REQUEST_TIMEOUT_MS = 20_000;
/** A safety stop for a server that hangs, far beyond a normal run (~15 s on 2 cores); never a speed test. */
const CAMPAIGN_DEADLINE_MS = 5 * 60_000;
const BODY_LIMIT = 1024 * 1024;
/** Node's own limit on a message's headers (and more than nginx's default proxy buffer of 4 or 8 KiB). */
const MAX_HEADER_BYTES = 16 * 1024;

// ---------------------------------------------------------------------------------------------
// The seeded stream (mulberry32): small, fast, and the same sequence on every platform.

class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** an integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [weight, value] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1]![1];
  }

  string(alphabet: string, min: number, max: number): string {
    let text = '';
    const length = this.int(min, max);
    for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(this.next() * alphabet.length)];
    return text;
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URLSAFE = `${ALNUM}-_`;
const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';

// ---------------------------------------------------------------------------------------------
// What the generator knows about the site it attacks, fixed before the first generated request.

interface CsrfPair {
  secret: string;
  token: string;
}

interface Actor {
  username: string;
  userId: number;
  session: string;
  csrf: CsrfPair;
  articles: number[];
}

interface Fixture {
  port: number;
  origin: string;
  tag: string;
  actors: Actor[];
  loginUsers: string[];
  /** the pair the valid requests use; hostile ones may use it too (a token is never spent) */
  anon: CsrfPair;
  /** another visitor's pair: its token is wrong for every other cookie */
  stranger: CsrfPair;
  staticPaths: string[];
}

/** Route kinds that can add or remove users, sessions or articles. */
type CountingKind = 'signup' | 'login' | 'logout' | 'password' | 'delete-account' | 'revoke' | 'article-create' | 'article-delete';
type PostKind = CountingKind | 'update' | 'article-edit' | 'revoke-others' | 'set-password' | 'password-reset' | 'lang' | 'harmless';

interface Route {
  path: string;
  get: boolean;
  post: PostKind | null;
}

// Every route of CONTRACT.md (and the site's own confirm page, health check and static files).
const ROUTES: Route[] = [
  { path: '/', get: true, post: null },
  { path: '/healthz', get: true, post: null },
  { path: '/accounts/signup', get: true, post: 'signup' },
  { path: '/accounts/login', get: true, post: 'login' },
  { path: '/accounts/logout', get: false, post: 'logout' },
  { path: '/accounts/update', get: true, post: 'update' },
  { path: '/accounts/password', get: true, post: 'password' },
  { path: '/accounts/delete', get: false, post: 'delete-account' },
  { path: '/accounts/delete/confirm', get: true, post: null },
  { path: '/accounts/sessions', get: true, post: null },
  { path: '/accounts/sessions/:session/revoke', get: false, post: 'revoke' },
  { path: '/accounts/sessions/revoke-others', get: false, post: 'revoke-others' },
  { path: '/articles', get: true, post: 'article-create' },
  { path: '/articles/new', get: true, post: null },
  { path: '/articles/:article', get: true, post: null },
  { path: '/articles/:article/edit', get: true, post: 'article-edit' },
  { path: '/articles/:article/delete', get: false, post: 'article-delete' },
  { path: '/articles/:article/save', get: false, post: 'harmless' },
  { path: '/articles/:article/unsave', get: false, post: 'harmless' },
  { path: '/reading-list', get: true, post: null },
  { path: '/accounts/password-reset', get: true, post: 'password-reset' },
  { path: '/accounts/password-reset/done', get: true, post: null },
  { path: '/accounts/reset/:uidb64/:token', get: true, post: null },
  { path: '/accounts/reset/:uidb64/set-password', get: true, post: 'set-password' },
  { path: '/accounts/reset/done', get: true, post: null },
  { path: '/accounts/verify-email/:token', get: true, post: null },
  { path: '/accounts/verify-email/resend', get: false, post: 'harmless' },
  { path: '/notice/dismiss', get: false, post: 'harmless' },
  { path: '/lang', get: false, post: 'lang' },
  { path: '/static/:asset', get: true, post: null },
];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The routes deep requests go to, weighted toward those that validate the most. */
const DEEP_ROUTES: (readonly [number, Route])[] = ROUTES.filter((route) => route.post !== null).map((route) => {
  const weights: Partial<Record<PostKind, number>> = { signup: 8, login: 5, 'article-create': 4, 'article-edit': 2, password: 2, 'delete-account': 2, update: 2, revoke: 2, 'article-delete': 2 };
  return [weights[route.post!] ?? 1, route] as const;
});

/** What a poisoned request to a counting route must never do: the answer that means it worked. */
function succeeded(kind: CountingKind, outcome: Outcome): boolean {
  if (outcome.status !== 303) return false;
  const location = outcome.location ?? '';
  switch (kind) {
    case 'signup':
    case 'login':
      return outcome.setsSession;
    case 'logout':
      return true;
    case 'password':
      return location.startsWith('/accounts/update');
    case 'delete-account':
      return location === '/';
    case 'revoke':
      return location === '/' || location.startsWith('/accounts/sessions');
    case 'article-create':
      return /^\/articles\/[0-9]+$/.test(location);
    case 'article-delete':
      return location.startsWith('/articles') && !/^\/articles\/[0-9]+/.test(location);
  }
}

const COUNTING: ReadonlySet<PostKind> = new Set<PostKind>(['signup', 'login', 'logout', 'password', 'delete-account', 'revoke', 'article-create', 'article-delete']);

// ---------------------------------------------------------------------------------------------
// Requests, as generated.

type Valid =
  | { flow: 'signup'; username: string; withNext: boolean }
  | { flow: 'login'; username: string; rememberMe: boolean; logOut: boolean }
  | { flow: 'article'; actor: number; title: string; content: string };

interface HttpSpec {
  kind: 'http';
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: Buffer | undefined;
  fresh: boolean;
}

interface RawSpec {
  kind: 'raw';
  bytes: Buffer;
  /** the request is incomplete or not HTTP/1: no answer at all is acceptable */
  mayDrop: boolean;
}

interface Generated {
  index: number;
  what: string;
  valid: Valid | null;
  request: HttpSpec | RawSpec | null;
  /** set when the request could reach a counting route: the answer that would mean it worked */
  refusedKind: CountingKind | null;
  csrfPoisoned: boolean;
  oversize: boolean;
  /** the field poison, when the request carries one */
  poison?: string;
}

interface Outcome {
  status: number | null;
  /** the request went out on a kept-alive connection that an earlier request had used */
  reusedSocket?: boolean;
  /** that earlier request and its answer, when the connection was reused */
  previousOnSocket?: string;
  /** bytes of the status line and headers, where the client could read them */
  headerBytes?: number;
  statuses: number[];
  location: string | null;
  setsSession: boolean;
  error: string | null;
  body: string;
  setCookies: string[];
}

// ---------------------------------------------------------------------------------------------
// Building blocks: values, encodings, bodies.

/** Percent-encodes text as a browser encodes a form (UTF-8; a lone surrogate becomes U+FFFD). */
function formEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9*\-._]/.test(char) ? char : byte === 0x20 ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A field value as it goes on the wire: already encoded, so it may hold bytes no encoder makes. */
type Wire = Buffer;
const text = (value: string): Wire => Buffer.from(formEncode(value), 'latin1');
const verbatim = (value: string | Buffer): Wire => (typeof value === 'string' ? Buffer.from(value, 'latin1') : value);

const NASTY_TEXT = [
  '', ' ', '\t', '\r\n', '0', '-1', '1e309', 'NaN', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' OR '1'='1", '; DROP TABLE users; --', '{{7*7}}', '${7*7}',
  '{% raw %}', '../../../../etc/passwd', '..\\..\\windows\\win.ini', '\u202e\u200b\ufeff', '\u034f', 'x\u0301', '𝕏', '😀',
  '\0', 'a\0b', 'Set-Cookie: x=y\r\nX: y', 'javascript:alert(1)', '//evil.example', '/\\evil.example', 'https://evil.example/',
  'ﬀ', 'İ', 'ß', 'ǅ', '\ud800', '\udfff', 'a\ud83d', '\u3164', '\ufe0f', '%', '%%', '&', '=', '+', '#', '?', '\u0085', '\u2028',
];

const BAD_BYTES = [
  '%ED%A0%80', '%ED%BF%BF', '%C0%AF', '%C3%28', '%FF', '%FE%FF', '%F4%90%80%80', '%F8%88%80%80%80', '%E0%80%AF', '%',
  '%2', '%G0', '%%', '%u0041', '%00', '%0D%0A', '%EF%BF%BE', '%C2', '%E2%82',
];

function nastyValue(r: Random): Wire {
  return r.weighted<() => Wire>([
    [6, () => text(r.pick(NASTY_TEXT))],
    [4, () => verbatim(r.pick(BAD_BYTES) + r.string(ALNUM, 0, 4) + (r.chance(0.5) ? r.pick(BAD_BYTES) : ''))],
    [2, () => Buffer.from(Array.from({ length: r.int(1, 16) }, () => r.int(0x80, 0xff)))],
    [5, () => text(r.string(PRINTABLE, 0, 40))],
    [3, () => text(Array.from({ length: r.int(1, 30) }, () => String.fromCodePoint(r.pick([r.int(0, 0x7f), r.int(0x80, 0x7ff), r.int(0x800, 0xd7ff), r.int(0xe000, 0xffff), r.int(0x10000, 0x10ffff)]))).join(''))],
    [2, () => text('x'.repeat(r.int(100, 20_000)))],
    [1, () => text('😀'.repeat(r.int(50, 3000)))],
  ])();
}

type Pair = [Wire, Wire | null];

function encodePairs(pairs: readonly Pair[]): Buffer {
  const parts: Buffer[] = [];
  pairs.forEach(([key, value], index) => {
    if (index > 0) parts.push(Buffer.from('&'));
    parts.push(key);
    if (value !== null) parts.push(Buffer.from('='), value);
  });
  return Buffer.concat(parts);
}

function garbageKey(r: Random): Wire {
  return r.weighted<() => Wire>([
    [4, () => text(r.pick(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '', 'a[b]', 'x[]', '_csrf_', 'CSRF', 'next[]', 'page', 'id']))],
    [3, () => text(r.string(ALNUM, 1, 12))],
    [2, () => nastyValue(r)],
    [1, () => text('k'.repeat(r.int(200, 5000)))],
  ])();
}

interface BodyPlan {
  pairs: Pair[];
  shape: 'form' | 'json' | 'multipart' | 'text' | 'degenerate' | 'many-keys';
}

function renderBody(r: Random, plan: BodyPlan): { body: Buffer; contentType: string } {
  switch (plan.shape) {
    case 'form':
      return { body: encodePairs(plan.pairs), contentType: 'application/x-www-form-urlencoded' };
    case 'many-keys': {
      const filler = Buffer.from(`${r.pick(['a=1', 'a', 'a[]=1', '__proto__=1', 'x=%FF'])}&`.repeat(r.int(2_000, 60_000)));
      return { body: Buffer.concat([encodePairs(plan.pairs), Buffer.from('&'), filler]), contentType: 'application/x-www-form-urlencoded' };
    }
    case 'degenerate':
      return { body: Buffer.from(r.pick(['&&&', '=', '==&==', '&=&', '%', '+', '&a', 'a=%', '=%00', '\0', ';;;', 'a=1;b=2', '\r\n\r\n'])), contentType: 'application/x-www-form-urlencoded' };
    case 'json': {
      const object: Record<string, string> = {};
      for (const [key, value] of plan.pairs) object[decodeLoosely(key)] = value === null ? '' : decodeLoosely(value);
      return { body: Buffer.from(r.chance(0.8) ? JSON.stringify(object) : '{"a":'), contentType: 'application/json' };
    }
    case 'multipart': {
      const boundary = `----fuzz${r.string(ALNUM, 4, 16)}`;
      const parts = plan.pairs.map(([key, value]) => Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${decodeLoosely(key).replace(/["\r\n]/g, '')}"\r\n\r\n`),
        Buffer.from(value === null ? '' : decodeLoosely(value)),
        Buffer.from('\r\n'),
      ]));
      const end = Buffer.from(r.chance(0.8) ? `--${boundary}--\r\n` : '--');
      return { body: Buffer.concat([...parts, end]), contentType: `multipart/form-data; boundary=${boundary}` };
    }
    case 'text':
      return { body: Buffer.from(plan.pairs.map(([key, value]) => `${decodeLoosely(key)}=${value === null ? '' : decodeLoosely(value)}`).join('\n')), contentType: 'text/plain' };
  }
}

/** The text an encoded value stands for, as far as it decodes (for JSON and multipart bodies). */
function decodeLoosely(wire: Wire): string {
  try {
    return decodeURIComponent(wire.toString('latin1').replace(/\+/g, ' '));
  } catch {
    return wire.toString('latin1');
  }
}

// ---------------------------------------------------------------------------------------------
// The generator.

/** Usernames sign-up must refuse whatever else the form holds (CONTRACT: letters, digits, @.+-_; 1 to 150). */
const REFUSED_USERNAMES = [
  '', '   ', 'a b', 'a\u034f', 'admin\u034f', 'x\ufe0f', 'x\ufe00', 'x\u180b', 'x\u3164', 'x\u200b', 'x\u00ad', 'x\u2060',
  '\0abc', 'ab\0c', 'a/b', 'a<b>', 'a"b', "a'b", 'a\tb', '😀', 'a%b', 'a#b', 'a,b', 'x\u0301', '\u1160', 'x\u115f', 'x\uffa0',
  '\ud800x', 'a:b', 'a;b', 'a=b', 'a&b', 'a*b', 'a!b', '\u202ex',
];
const REFUSED_PASSWORDS = ['password', 'password123', '12345678', '1234567890', '87654321', 'Ab1!', 'qwertyuiop', 'iloveyou', '11111111'];

function idForms(r: Random, id: number): string {
  const n = String(id);
  return r.weighted<() => string>([
    [8, () => n],
    [1, () => `0${n}`],
    [1, () => [...n].map((digit) => `%3${digit}`).join('')],
    [1, () => `${n}.0`],
    [1, () => `${n}e0`],
    [1, () => `+${n}`],
    [1, () => `%20${n}`],
    [1, () => `${n}%00`],
    [1, () => `0x${id.toString(16)}`],
    [1, () => `${n}/`],
    [1, () => `${n}%2F`],
    [1, () => `${n};x=1`],
  ])();
}

function garbageSegment(r: Random): string {
  return r.weighted<() => string>([
    [3, () => r.pick(['0', '-1', 'abc', '..', '%2e%2e', '.', '%00', '١', '9'.repeat(17), '9'.repeat(300), '%', '%zz', 'null', '__proto__', '*', '~', '%C0%AF', '%E0%A4%A', '%FF'])],
    [2, () => r.string(URLSAFE, 0, 40)],
    [1, () => r.string(ALNUM, 201, 2000)],
    [1, () => Array.from({ length: r.int(1, 10) }, () => `%${r.int(0, 255).toString(16).padStart(2, '0')}`).join('')],
  ])();
}

interface Identity {
  cookies: string[];
  actors: Set<number>;
  what: string;
}

function sessionGarbage(r: Random, fx: Fixture): string {
  return r.weighted<() => string>([
    [3, () => `${r.string(URLSAFE, 22, 22)}.${r.string(URLSAFE, 32, 32)}`],
    [2, () => {
      const actor = r.pick(fx.actors);
      return `${actor.session.slice(0, 23)}${r.string(URLSAFE, 32, 32)}`;
    }],
    [1, () => r.pick(fx.actors).session.slice(0, r.int(0, 54))],
    [1, () => `${r.pick(fx.actors).session}x`],
    [1, () => r.pick(['', '.', '""', '"x"', 'deleted', 'null', '%00', 'a=b', '\u00c3\u00a9'])],
    [1, () => r.string(PRINTABLE.replace(/[;,]/g, ''), 1, 60)],
    [1, () => r.string(URLSAFE, 100, 8000)],
  ])();
}

function identity(r: Random, fx: Fixture, only?: 'anonymous' | 'actor'): Identity {
  const a = r.int(0, fx.actors.length - 1);
  let b = r.int(0, fx.actors.length - 1);
  if (b === a) b = (a + 1) % fx.actors.length;
  const session = (index: number) => `sessionid=${fx.actors[index]!.session}`;
  if (only === 'anonymous') return r.chance(0.7) ? { cookies: [], actors: new Set<number>(), what: 'anonymous' } : { cookies: [`sessionid=${sessionGarbage(r, fx)}`], actors: new Set<number>(), what: 'garbage-session' };
  if (only === 'actor') return { cookies: [session(a)], actors: new Set([a]), what: `actor${a}` };
  return r.weighted<() => Identity>([
    [30, () => ({ cookies: [], actors: new Set<number>(), what: 'anonymous' })],
    [30, () => ({ cookies: [session(a)], actors: new Set([a]), what: `actor${a}` })],
    [15, () => ({ cookies: [`sessionid=${sessionGarbage(r, fx)}`], actors: new Set<number>(), what: 'garbage-session' })],
    [5, () => ({ cookies: [`sessionid=${sessionGarbage(r, fx)}`, session(a)], actors: new Set([a]), what: `garbage+actor${a}` })],
    [5, () => ({ cookies: [session(a), `sessionid=${sessionGarbage(r, fx)}`], actors: new Set([a]), what: `actor${a}+garbage` })],
    [5, () => ({ cookies: [session(a), session(b)], actors: new Set([a, b]), what: `actor${a}+actor${b}` })],
  ])();
}

type CsrfClass = 'valid' | 'ambiguous' | 'invalid';

interface CsrfPlan {
  cls: CsrfClass;
  what: string;
  cookies: string[];
  bodyTokens: Wire[];
  headers: OutgoingHttpHeaders;
}

function forgedToken(r: Random, token: string): string {
  return r.weighted<() => string>([
    [2, () => token.slice(0, -1)],
    [2, () => {
      const at = r.int(0, token.length - 1);
      const current = token[at]!;
      const replacement = ALNUM[(ALNUM.indexOf(current) + r.int(1, ALNUM.length - 1)) % ALNUM.length]!;
      return token.slice(0, at) + replacement + token.slice(at + 1);
    }],
    [2, () => r.string(ALNUM, 64, 64)],
    [1, () => r.string(ALNUM, 32, 32)],
    [1, () => `${token}${r.string(ALNUM, 1, 3)}`],
    [1, () => token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase()],
    [1, () => r.pick(['', ' ', 'null', 'undefined', '0', '[object Object]'])],
  ])();
}

function csrfPlan(r: Random, fx: Fixture, identityActors: ReadonlySet<number>, mustBeInvalid: boolean, mustBeValid = false): CsrfPlan {
  const owner = r.weighted<() => CsrfPair>([
    [3, () => fx.anon],
    [1, () => fx.stranger],
    [3, () => fx.actors[identityActors.size > 0 ? [...identityActors][0]! : r.int(0, fx.actors.length - 1)]!.csrf],
  ])();
  const other = owner === fx.stranger ? fx.anon : fx.stranger;
  const cookie = `csrftoken=${owner.secret}`;
  const invalid: (() => CsrfPlan)[] = [
    () => ({ cls: 'invalid', what: 'csrf-missing', cookies: [cookie], bodyTokens: [], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-no-cookie', cookies: [], bodyTokens: [text(owner.token)], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-garbage-cookie', cookies: [`csrftoken=${r.pick([r.string(ALNUM, 31, 31), r.string(ALNUM, 33, 33), r.string(URLSAFE, 32, 32).replace(/^./, '-'), '', 'x'])}`], bodyTokens: [text(owner.token)], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-other-visitor', cookies: [cookie], bodyTokens: [text(other.token)], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-forged', cookies: [cookie], bodyTokens: [text(forgedToken(r, owner.token))], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-forged-header', cookies: [cookie], bodyTokens: [], headers: { 'x-csrf-token': forgedToken(r, owner.token) || 'x' } }),
    () => ({ cls: 'invalid', what: 'csrf-forged-repeated', cookies: [cookie], bodyTokens: [text(forgedToken(r, owner.token)), text(other.token), nastyValue(r)], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-cross-origin', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { origin: r.pick(['http://evil.example', `http://127.0.0.1:${fx.port + 1}`, `https://127.0.0.1:${fx.port}`, `http://127.0.0.1:${fx.port}.evil.example`, 'http://localhost.evil.example']) } }),
  ];
  if (mustBeInvalid) return r.pick(invalid)();
  const valid: (() => CsrfPlan)[] = [
    () => ({ cls: 'valid', what: 'csrf-field', cookies: [cookie], bodyTokens: [text(owner.token)], headers: {} }),
    () => ({ cls: 'valid', what: 'csrf-bare-secret', cookies: [cookie], bodyTokens: [text(owner.secret)], headers: {} }),
    () => ({ cls: 'valid', what: 'csrf-header', cookies: [cookie], bodyTokens: [], headers: { 'x-csrf-token': owner.token } }),
    () => ({ cls: 'valid', what: 'csrf-field-same-origin', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { origin: fx.origin, 'sec-fetch-site': 'same-origin' } }),
  ];
  const ambiguous: (() => CsrfPlan)[] = [
    () => ({ cls: 'ambiguous', what: 'csrf-valid-then-forged', cookies: [cookie], bodyTokens: [text(owner.token), text(forgedToken(r, owner.token))], headers: {} }),
    () => ({ cls: 'ambiguous', what: 'csrf-forged-then-valid', cookies: [cookie], bodyTokens: [text(forgedToken(r, owner.token)), text(owner.token)], headers: {} }),
    () => ({ cls: 'ambiguous', what: 'csrf-header-forged-field-valid', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { 'x-csrf-token': forgedToken(r, owner.token) || 'x' } }),
    () => ({ cls: 'ambiguous', what: 'csrf-header-valid-field-forged', cookies: [cookie], bodyTokens: [text(forgedToken(r, owner.token))], headers: { 'x-csrf-token': owner.token } }),
    () => ({ cls: 'ambiguous', what: 'csrf-two-cookies', cookies: r.chance(0.5) ? [cookie, `csrftoken=${other.secret}`] : [`csrftoken=${other.secret}`, cookie], bodyTokens: [text(owner.token)], headers: {} }),
    () => ({ cls: 'ambiguous', what: 'csrf-origin-null', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { origin: 'null' } }),
    () => ({ cls: 'ambiguous', what: 'csrf-fetch-cross-site', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { 'sec-fetch-site': 'cross-site' } }),
    () => ({ cls: 'ambiguous', what: 'csrf-token-array-key', cookies: [cookie], bodyTokens: [], headers: {} }),
  ];
  if (mustBeValid) return r.pick(valid)();
  return r.weighted<() => CsrfPlan>([
    [3, () => r.pick(invalid)()],
    [4, () => r.pick(valid)()],
    [2, () => r.pick(ambiguous)()],
  ])();
}

/** Form fields for a route: realistic names with garbage or plausible values. */
function fieldsFor(r: Random, kind: PostKind | null): Record<string, () => Wire> {
  const plausible = () => text(r.pick([PASSWORD, 'Quiet-Lantern-Drift-82', r.string(ALNUM, 1, 20), 'user@example.com', '/articles', 'ko', 'en', 'on', '']));
  const value = () => (r.chance(0.5) ? plausible() : nastyValue(r));
  const names: Record<PostKind, string[]> = {
    signup: ['username', 'email', 'password1', 'password2', 'next'],
    login: ['username', 'password', 'remember_username', 'remember_me', 'next'],
    logout: ['next'],
    password: ['old_password', 'new_password1', 'new_password2'],
    'delete-account': ['password'],
    revoke: [],
    'article-create': ['title', 'content'],
    'article-delete': [],
    update: ['email', 'first_name', 'last_name'],
    'article-edit': ['title', 'content'],
    'revoke-others': [],
    'set-password': ['new_password1', 'new_password2'],
    'password-reset': ['email'],
    lang: ['lang', 'next'],
    harmless: ['next'],
  };
  const fields: Record<string, () => Wire> = {};
  for (const name of kind === null ? [] : names[kind]) fields[name] = value;
  return fields;
}

interface Poison {
  what: string;
  /** fields whose values make the request invalid; never repeated, never overridden */
  fields: Record<string, Wire | null>;
  /** replaces the route's :article or :session with a target that is safe to hit */
  param?: string;
}

/** A field poison for a counting route, or null when only a CSRF poison can make it safe. */
function fieldPoison(r: Random, fx: Fixture, kind: CountingKind, identityActors: ReadonlySet<number>): Poison | null {
  const strangers = fx.actors.map((_actor, index) => index).filter((index) => !identityActors.has(index));
  switch (kind) {
    case 'signup':
      return r.weighted<() => Poison>([
        [4, () => ({ what: 'refused-username', fields: { username: text(r.pick([...REFUSED_USERNAMES, 'a'.repeat(151), '𐐀'.repeat(151), '𝐀'.repeat(151)])), password1: text(PASSWORD), password2: text(PASSWORD) } })],
        [2, () => ({ what: 'password-mismatch', fields: { username: text(`fz${fx.tag}m${r.string(ALNUM, 6, 6)}`), password1: text(PASSWORD), password2: text(`${PASSWORD}x`) } })],
        [2, () => {
          const password = r.pick(REFUSED_PASSWORDS);
          return { what: 'refused-password', fields: { username: text(`fz${fx.tag}p${r.string(ALNUM, 6, 6)}`), password1: text(password), password2: text(password) } };
        }],
        [1, () => {
          const name = r.pick(fx.actors).username;
          return { what: 'username-taken', fields: { username: text(r.chance(0.5) ? name.toUpperCase() : name.toLowerCase()), password1: text(PASSWORD), password2: text(PASSWORD) } };
        }],
        [1, () => ({ what: 'refused-email', fields: { username: text(`fz${fx.tag}e${r.string(ALNUM, 6, 6)}`), email: text(r.pick(['a\0b@example.com', 'no-at-sign', 'a@b', 'a b@example.com', '@example.com', `${'a'.repeat(250)}@example.com`])), password1: text(PASSWORD), password2: text(PASSWORD) } })],
        [1, () => ({ what: 'password-missing', fields: { username: text(`fz${fx.tag}q${r.string(ALNUM, 6, 6)}`), password1: text(''), password2: text('') } })],
      ])();
    case 'login':
      return r.weighted<() => Poison>([
        [4, () => ({ what: 'wrong-password', fields: { username: text(r.pick(fx.actors).username), password: text(`${PASSWORD}${r.string(ALNUM, 1, 4)}`) } })],
        [2, () => ({ what: 'unknown-user', fields: { username: text(`nobody${r.string(ALNUM, 8, 8)}`), password: text(PASSWORD) } })],
        [1, () => ({ what: 'password-missing', fields: { username: text(r.pick(fx.actors).username), password: null } })],
        [1, () => ({ what: 'nul-username', fields: { username: text(`${r.pick(fx.actors).username}\0`), password: text(PASSWORD) } })],
      ])();
    case 'password':
      return r.weighted<() => Poison>([
        [3, () => ({ what: 'wrong-old-password', fields: { old_password: text(`${PASSWORD}${r.string(ALNUM, 1, 4)}`) } })],
        [2, () => ({ what: 'old-password-missing', fields: { old_password: text('') } })],
      ])();
    case 'delete-account':
      return r.weighted<() => Poison>([
        [3, () => ({ what: 'wrong-password', fields: { password: text(`${PASSWORD}${r.string(ALNUM, 1, 4)}`) } })],
        [1, () => ({ what: 'password-missing', fields: {} })],
        [1, () => ({ what: 'password-empty', fields: { password: text('') } })],
      ])();
    case 'article-create':
      return r.weighted<() => Poison>([
        [3, () => ({ what: 'title-empty', fields: { title: text(r.pick(['', '   ', '\t\r\n '])) } })],
        [2, () => ({ what: 'title-nul', fields: { title: text(`a\0${r.string(ALNUM, 0, 10)}`) } })],
        [1, () => ({ what: 'title-too-long', fields: { title: text(r.pick(['x', '😀', '한']).repeat(r.int(201, 3000))) } })],
        [1, () => ({ what: 'content-nul', fields: { title: text('ok'), content: text(`c\0${r.string(ALNUM, 0, 10)}`) } })],
        [1, () => ({ what: 'content-too-long', fields: { title: text('ok'), content: text('y'.repeat(r.int(20_001, 200_000))) } })],
      ])();
    case 'revoke':
      return r.weighted<() => Poison>([
        [2, () => (strangers.length > 0 ? { what: 'revoke-others-session', fields: {}, param: r.pick(strangers.map((index) => fx.actors[index]!.session.slice(0, 22))) } : { what: 'revoke-unknown', fields: {}, param: r.string(URLSAFE, 22, 22) })],
        [2, () => ({ what: 'revoke-unknown', fields: {}, param: r.string(URLSAFE, 22, 22) })],
        [1, () => ({ what: 'revoke-garbage', fields: {}, param: garbageSegment(r) })],
      ])();
    case 'article-delete': {
      const foreign = strangers.flatMap((index) => fx.actors[index]!.articles);
      return r.weighted<() => Poison>([
        [3, () => (foreign.length > 0 ? { what: 'delete-foreign-article', fields: {}, param: idForms(r, r.pick(foreign)) } : { what: 'delete-missing-article', fields: {}, param: idForms(r, r.int(1_000_000_000, 2_000_000_000)) })],
        [1, () => ({ what: 'delete-missing-article', fields: {}, param: idForms(r, r.int(1_000_000_000, 2_000_000_000)) })],
        [1, () => ({ what: 'delete-garbage-id', fields: {}, param: garbageSegment(r) })],
      ])();
    }
    case 'logout':
      // Logging out is valid with any body: only an invalid token, or no session to end, keeps it harmless.
      return identityActors.size === 0 ? { what: 'logout-without-session', fields: {} } : null;
  }
}

function paramValue(r: Random, fx: Fixture, name: string, identityActors: ReadonlySet<number>, unsafe: boolean): string {
  switch (name) {
    case 'article': {
      // An unsafe request names articles it may not harm; a safe one may name any.
      const mine = [...identityActors].flatMap((index) => fx.actors[index]!.articles);
      const all = fx.actors.flatMap((actor) => actor.articles);
      const candidates = unsafe ? all.filter((id) => !mine.includes(id)) : all;
      return r.weighted<() => string>([
        [5, () => idForms(r, candidates.length > 0 ? r.pick(candidates) : 1_500_000_000)],
        [2, () => idForms(r, r.int(1_000_000_000, 2_000_000_000))],
        [3, () => garbageSegment(r)],
      ])();
    }
    case 'session':
      return r.weighted<() => string>([
        [3, () => r.string(URLSAFE, 22, 22)],
        [2, () => garbageSegment(r)],
      ])();
    case 'asset':
      return r.weighted<() => string>([
        [3, () => r.pick(fx.staticPaths).replace('/static/', '')],
        [1, () => `..%2F..%2F${r.pick(['package.json', 'etc%2Fpasswd', 'data%2Fsecret_key', 'db.sqlite3'])}`],
        [1, () => `${r.pick(['site.css', 'site.css%00.png', '.%2e', '%2e%2e', 'a'.repeat(300)])}`],
        [2, () => garbageSegment(r)],
      ])();
    default:
      return r.weighted<() => string>([
        [3, () => r.string(URLSAFE, 1, 40)],
        [1, () => r.pick(['MQ', 'MQ==', 'AA', '-1', '0', 'set-password', '..', 'done'])],
        [2, () => garbageSegment(r)],
      ])();
  }
}

function mutatePath(r: Random, path: string): string {
  if (!r.chance(0.3)) return path;
  return r.weighted<() => string>([
    [4, () => `${path}/`],
    [1, () => `${path}//`],
    [1, () => `/${path}`],
    [1, () => `/\\${path.slice(1)}`],
    [1, () => `/\\/evil.example${path}`],
    [1, () => `//evil.example${path}`],
    [1, () => `${path}/.`],
    [1, () => `${path}/..`],
    [1, () => `/.${path}`],
    [1, () => `/%2e${path}`],
    [1, () => `${path}%2F`],
    [1, () => path.replace(/\//g, r.pick(['%2F', '%2f', '\\']))],
    [1, () => path.toUpperCase()],
    [1, () => `${path}${r.pick(['%00', '%', '%zz', ';a=b', '#frag', '.json', '~', '*', '%20', '%0d%0aSet-Cookie:%20x=y', '%C0%AF', '%E2%80%AE'])}`],
    [1, () => `${path}/${'a'.repeat(r.int(100, 30_000))}`],
    [1, () => path.replace(/[a-z]/, (char) => `%${char.charCodeAt(0).toString(16)}`)],
    [1, () => `${path}${String.fromCharCode(r.int(0xa0, 0xff))}`],
    [1, () => `${path}/${garbageSegment(r)}`],
  ])();
}

const HOSTILE_NEXT = ['//evil.example', '/\\evil.example', 'https://evil.example/', 'http:evil.example', '\\\\evil.example', ' /x', '\t//evil.example', '/%2F%2Fevil.example', '/%5Cevil.example', 'javascript:alert(1)', '/\u0000', '/articles', '/accounts/sessions', '%2F%2Fevil.example', '///evil.example', '/.//evil.example', '/\r\n/evil.example', 'data:text/html,x', '/articles?x=1#y'];

function queryString(r: Random): string {
  if (!r.chance(0.35)) return '';
  const pairs: string[] = [];
  const count = r.int(1, 6);
  for (let index = 0; index < count; index += 1) {
    pairs.push(r.weighted<() => string>([
      [3, () => `page=${r.pick(['1', '2', '0', '-1', '99999999999', '1e3', 'abc', '', '%201', '%00', '%D9%A1', '9'.repeat(30), '1.5', '0x1', '%'])}`],
      [3, () => `next=${formEncode(r.pick(HOSTILE_NEXT))}`],
      [1, () => `next=${r.pick(HOSTILE_NEXT).replace(/[^\x21-\x7e]/g, (char) => encodeURIComponent(char))}`],
      [2, () => `${r.pick(['page[]', 'page[a]', 'next[]', '__proto__', 'constructor[prototype][x]', '', 'a'])}=${r.string(ALNUM, 0, 5)}`],
      [2, () => `${formEncode(r.string(PRINTABLE, 0, 10))}=${r.pick(BAD_BYTES)}`],
      [1, () => r.pick(['&', '=', '&&=&', '%', '+', '?', '#'])],
      [1, () => `q=${'x'.repeat(r.int(1000, 20_000))}`],
    ])());
  }
  return `?${pairs.join('&')}`;
}

/** Header values as node:http lets them through: visible Latin-1, spaces and tabs. */
function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

function extraCookies(r: Random): string[] {
  const cookies: string[] = [];
  if (r.chance(0.1)) cookies.push(`hide_notice=${r.pick(['1', '', 'x'])}`);
  if (r.chance(0.15)) cookies.push(`lang=${r.pick(['ko', 'en', 'xx', '', 'ko,en', 'KO', '%00', '\u00c3\u00ad'])}`);
  if (r.chance(0.1)) cookies.push(`reading_list=${r.pick(['', '1,2,3', r.string(URLSAFE, 10, 200), `${r.string(URLSAFE, 20, 40)}.${r.string(URLSAFE, 20, 60)}`])}`);
  if (r.chance(0.1)) cookies.push(`remembered_username=${r.pick(['', r.string(PRINTABLE.replace(/[;,]/g, ''), 1, 300), '%00'])}`);
  if (r.chance(0.1)) cookies.push(`device=${r.string(URLSAFE, 0, 120)}`);
  if (r.chance(0.1)) cookies.push(`${r.string(ALNUM, 1, 8)}=${r.string(PRINTABLE.replace(/[;,]/g, ''), 0, 40)}`);
  if (r.chance(0.03)) cookies.push(`pad=${'p'.repeat(r.int(1000, 14_000))}`);
  if (r.chance(0.01)) cookies.push(`pad=${'p'.repeat(r.int(17_000, 60_000))}`);
  if (r.chance(0.03)) cookies.push(...Array.from({ length: r.int(20, 300) }, (_unused, index) => `c${index}=${r.string(ALNUM, 0, 8)}`));
  return cookies;
}

function shuffleExtras(r: Random, ordered: string[], extras: string[]): string[] {
  const result = [...ordered];
  for (const extra of extras) result.splice(r.int(0, result.length), 0, extra);
  return result;
}

function commonHeaders(r: Random, fx: Fixture): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  if (r.chance(0.8)) headers['user-agent'] = headerSafe(r.pick(['Mozilla/5.0 (X11; Linux x86_64) fuzz', '', r.string(PRINTABLE, 1, 300), 'x'.repeat(r.int(1000, 8000)), 'Ã©Ã¨\u00ff']));
  if (r.chance(0.3)) headers['accept-language'] = headerSafe(r.pick(['ko', 'en', 'ko-KR,ko;q=0.9,en;q=0.8', '*', 'xx', '', 'en;q=abc', ';;;', ',,,', 'ko;q=1e9', 'a'.repeat(r.int(100, 6000)), 'zh, ko;q=0.1, en;q=0.2', '\u00e9']));
  if (r.chance(0.15)) headers['if-none-match'] = headerSafe(r.pick(['*', '"x"', 'W/"x"', '', '"', r.string(PRINTABLE, 1, 200), '"a", "b", W/"c"']));
  if (r.chance(0.1)) headers.referer = headerSafe(r.pick([...HOSTILE_NEXT, `${fx.origin}/articles`, `${fx.origin}//evil.example`, `${fx.origin}/\\evil.example`, 'not a url', '']));
  if (r.chance(0.1)) headers['x-forwarded-for'] = headerSafe(r.pick(['1.2.3.4', '::1', 'garbage', '1.2.3.4, 5.6.7.8', '', '999.999.999.999', 'fe80::1%eth0', '[::1]:80']));
  if (r.chance(0.05)) headers.host = headerSafe(r.pick(['', 'localhost', '127.0.0.1', 'evil.example:80', '[::1]', '127.0.0.1:1', 'a'.repeat(300), 'a b']));
  if (r.chance(0.05)) headers['x-http-method-override'] = r.pick(['DELETE', 'PUT', 'GET']);
  if (r.chance(0.05)) headers.range = r.pick(['bytes=0-10', 'bytes=-1', 'bytes=9999999999-', 'garbage']);
  if (r.chance(0.05)) headers['accept-encoding'] = r.pick(['gzip', 'br', 'identity;q=0', '*;q=0', 'x'.repeat(500)]);
  if (r.chance(0.05)) headers.accept = r.pick(['application/json', 'text/html', '*/*', 'x', '']);
  if (r.chance(0.03)) {
    const count = r.int(10, 150);
    for (let index = 0; index < count; index += 1) headers[`x-fuzz-${index}`] = r.string(PRINTABLE, 0, 40);
  }
  return headers;
}

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded; charset=latin1', 'application/x-www-form-urlencoded; charset=utf-16',
  'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded, text/plain', 'multipart/form-data', 'application/json', 'text/plain', 'garbage',
  '', 'application/x-www-form-urlencoded;', 'application/xml', 'application/octet-stream', '*/*',
];

function generateHostileHttp(r: Random, fx: Fixture, index: number): Generated {
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

function generateRaw(r: Random, fx: Fixture, index: number): Generated {
  const host = `Host: 127.0.0.1:${fx.port}\r\n`;
  const close = 'Connection: close\r\n';
  const anonCookie = `Cookie: csrftoken=${fx.anon.secret}\r\n`;
  const form = 'Content-Type: application/x-www-form-urlencoded\r\n';
  const target = () => r.pick(ROUTES).path.replace(/:[a-z0-9]+/g, () => garbageSegment(r));
  const variant = r.weighted<() => { what: string; bytes: Buffer; mayDrop: boolean; refusedKind?: CountingKind }>([
    [2, () => ({ what: 'raw: odd method', bytes: Buffer.from(`${r.pick(['G E T', 'GET\0', 'get', 'FOO', 'POST\t', '', 'GETT', 'PRI', 'BREW', '\x7f'])} / HTTP/1.1\r\n${host}${close}\r\n`, 'latin1'), mayDrop: false })],
    [3, () => ({
      what: 'raw: odd request target',
      bytes: Buffer.concat([
        Buffer.from('GET '),
        r.pick([
          Buffer.from(`/articles/${String.fromCharCode(0xc3, 0xbc)}`, 'latin1'), Buffer.from('/a b'), Buffer.from('/\0'), Buffer.from('*'), Buffer.from('http://evil.example/accounts/login'),
          Buffer.from('//evil.example/'), Buffer.from('/\\evil.example/'), Buffer.from(''), Buffer.from('?'), Buffer.from(`/${'a'.repeat(r.int(9000, 40_000))}`), Buffer.from('/%'), Buffer.from(target()),
          Buffer.from('/articles?next=%0d%0aLocation:%20http://evil.example'), Buffer.from([0x2f, 0xff, 0xfe]), Buffer.from('https://127.0.0.1/articles/1'),
        ]),
        Buffer.from(` HTTP/1.1\r\n${host}${close}\r\n`),
      ]),
      mayDrop: false,
    })],
    [2, () => ({ what: 'raw: odd version', bytes: Buffer.from(`GET ${target()} ${r.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.9', 'HTTP/0.9', 'HTTP/1.1 extra', 'HTTP/1', 'HTTPS/1.1', ''])}\r\n${r.chance(0.5) ? host : ''}${close}\r\n`), mayDrop: false })],
    [3, () => ({
      what: 'raw: odd header',
      bytes: Buffer.from(`GET ${target()} HTTP/1.1\r\n${r.chance(0.8) ? host : ''}${close}${r.pick([
        'X-A: a\0b\r\n', 'X-A: a\rb\r\n', 'NoColon\r\n', 'Host : x\r\n', 'X-Fold: a\r\n b\r\n', ' X-Leading: a\r\n', 'X A: b\r\n', `X-Big: ${'b'.repeat(r.int(17_000, 70_000))}\r\n`,
        'Host: a\r\nHost: b\r\n', 'Cookie: sessionid=\0\r\n', `Cookie: ${'sessionid=x; '.repeat(r.int(10, 1500))}\r\n`, 'Cookie: \xff\xfe=\xff\r\n', 'X-Unicode: \xc3\xa9\xe2\x80\xae\r\n',
        Array.from({ length: r.int(100, 2500) }, (_unused, n) => `X-H${n}: v\r\n`).join(''), 'Content-Length: -1\r\n', 'Content-Length: 1e3\r\n', 'Content-Length: 99999999999999999999\r\n',
        'Transfer-Encoding: gzip\r\n', 'Origin: \0\r\n', 'Accept-Language: \xff\xff\r\n',
      ])}\r\n`, 'latin1'),
      mayDrop: false,
    })],
    [3, () => {
      const body = encodePairs([[text('title'), text('x')], [text('content'), nastyValue(r)]]);
      const framing = r.pick([
        `Content-Length: ${body.length}\r\nContent-Length: ${body.length + 3}\r\n`,
        `Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`,
        'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n',
        'Transfer-Encoding: chunked\r\n',
        `Content-Length: ${Math.max(0, body.length - 5)}\r\n`,
        `Content-Length:  ${body.length} \r\n`,
        `Content-Length: +${body.length}\r\n`,
      ]);
      const chunked = framing.includes('chunked') && !framing.includes('Content-Length');
      const payload = chunked
        ? r.pick([
            Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]),
            Buffer.from('zz\r\nabc\r\n0\r\n\r\n'), Buffer.from('ffffffffffffffff\r\nabc\r\n'), Buffer.from('3;ext="\0"\r\nabc\r\n0\r\n\r\n'), Buffer.from('3\r\nabc0\r\n\r\n'), Buffer.from('0\r\nX-Trailer: \0\r\n\r\n'),
          ])
        : body;
      // No token anywhere: the CSRF check must refuse it whatever the framing made of the body.
      return { what: `raw: body framing ${JSON.stringify(framing)}`, bytes: Buffer.concat([Buffer.from(`POST /articles HTTP/1.1\r\n${host}${close}${anonCookie}${form}${framing}\r\n`), payload]), mayDrop: true, refusedKind: 'article-create' };
    }],
    [3, () => {
      // A complete, valid article post, cut off before its body ends: it must never be written.
      const actor = r.pick(fx.actors);
      const body = encodePairs([[text('_csrf'), text(actor.csrf.token)], [text('title'), text(`cut short ${r.string(ALNUM, 4, 8)}`)], [text('content'), text(r.string(ALNUM, 0, 200))]]);
      const declared = body.length + r.int(1, 10_000);
      return {
        what: `raw: truncated body (${body.length} of ${declared} bytes) of an otherwise valid article post`,
        bytes: Buffer.concat([Buffer.from(`POST /articles HTTP/1.1\r\n${host}${close}Cookie: sessionid=${actor.session}; csrftoken=${actor.csrf.secret}\r\n${form}Content-Length: ${declared}\r\n\r\n`), body]),
        mayDrop: true,
        refusedKind: 'article-create',
      };
    }],
    [1, () => ({ what: 'raw: body with raw invalid UTF-8', bytes: (() => {
      const body = Buffer.concat([Buffer.from('title='), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80, 0xc0, 0xaf]), Buffer.from('&_csrf=nope&username='), Buffer.from([0x80, 0x00, 0xe2])]);
      return Buffer.concat([Buffer.from(`POST ${r.pick(['/articles', '/accounts/signup', '/accounts/login', '/lang'])} HTTP/1.1\r\n${host}${close}${anonCookie}${form}Content-Length: ${body.length}\r\n\r\n`), body]);
    })(), mayDrop: false, refusedKind: 'article-create' })],
    [1, () => ({ what: 'raw: expect 100-continue', bytes: Buffer.from(`POST /lang HTTP/1.1\r\n${host}${close}${anonCookie}${form}Expect: ${r.pick(['100-continue', '200-ok', 'x'])}\r\nContent-Length: 7\r\n\r\nlang=ko`), mayDrop: false })],
    [1, () => ({ what: 'raw: upgrade', bytes: Buffer.from(`GET / HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: ${r.pick(['websocket', 'h2c', 'x'])}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`), mayDrop: true })],
    [1, () => ({ what: 'raw: CONNECT / PRI', bytes: Buffer.from(r.pick([`CONNECT 127.0.0.1:${fx.port} HTTP/1.1\r\n${host}\r\n`, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', '\r\n\r\n', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'])), mayDrop: true })],
    [2, () => ({ what: 'raw: pipelined', bytes: Buffer.from(`GET / HTTP/1.1\r\n${host}\r\nPOST /accounts/logout HTTP/1.1\r\n${host}${anonCookie}${form}Content-Length: 0\r\n\r\nGET ${target()} HTTP/1.1\r\n${host}${close}\r\n`), mayDrop: false, refusedKind: 'logout' })],
    [1, () => ({ what: 'raw: HTTP/1.0 keep-alive without Host', bytes: Buffer.from(`GET ${target()} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`), mayDrop: true })],
  ])();
  return { index, what: `#${index} ${variant.what}`, valid: null, request: { kind: 'raw', bytes: variant.bytes, mayDrop: variant.mayDrop }, refusedKind: variant.refusedKind ?? null, csrfPoisoned: true, oversize: false };
}

const TITLE_PIECES = ['Notes', '<b>bold</b>', '"quoted"', "it's", '한국어 제목', 'emoji 😀🎉', 'x &amp; y', 'שלום', '𝕏 astral', 'café', '{{ not_a_template }}', '<script>x</script>', '100%', 'a\u0301', 'tab\there'];

function generateValid(r: Random, fx: Fixture, index: number, serial: number): Generated {
  const valid = r.weighted<() => Valid>([
    [3, () => ({ flow: 'signup', username: `fz${fx.tag}n${serial}`, withNext: r.chance(0.3) })],
    [3, () => {
      // CONTRACT: login accepts any case of the username.
      const username = r.pick(fx.loginUsers);
      return { flow: 'login', username: r.pick([username, username, username.toUpperCase(), username.toLowerCase()]), rememberMe: r.chance(0.5), logOut: r.chance(0.5) };
    }],
    [4, () => {
      const title = [...Array.from({ length: r.int(1, 4) }, () => r.pick(TITLE_PIECES)).join(' ')].slice(0, 190).join('');
      const content = r.chance(0.2) ? '' : Array.from({ length: r.int(1, 60) }, () => r.pick([...TITLE_PIECES, '\r\n', '\n\n', 'lorem ipsum dolor'])).join(' ');
      return { flow: 'article', actor: r.int(0, fx.actors.length - 1), title: `${title} ${serial}`, content };
    }],
  ])();
  const what = valid.flow === 'article' ? `#${index} valid article by actor${valid.actor}` : `#${index} valid ${valid.flow} ${valid.username}`;
  return { index, what, valid, request: null, refusedKind: null, csrfPoisoned: false, oversize: false };
}

function generate(r: Random, fx: Fixture, index: number, serial: number): Generated {
  return r.weighted<() => Generated>([
    [5, () => generateValid(r, fx, index, serial)],
    [85, () => generateHostileHttp(r, fx, index)],
    [10, () => generateRaw(r, fx, index)],
  ])();
}

// ---------------------------------------------------------------------------------------------
// Sending.

const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
/** What each kept-alive connection last carried, to name the answer after which the server closed it. */
const lastOnSocket = new WeakMap<object, string>();

function outcomeOf(status: number, headers: IncomingHttpHeaders, body: string, error: string | null): Outcome {
  const setCookies = headers['set-cookie'] ?? [];
  const setsSession = setCookies.some((cookie) => /^sessionid=[^;]+/.test(cookie) && !/max-age=0/i.test(cookie));
  const location = typeof headers.location === 'string' ? headers.location : null;
  return { status, statuses: [status], location, setsSession, error, body, setCookies };
}

function sendHttp(port: number, spec: HttpSpec, keepBody: boolean, what = ''): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(outcome);
    };
    const failed = (error: string): Outcome => ({ status: null, statuses: [], location: null, setsSession: false, error, body: '', setCookies: [] });
    let outgoing: ClientRequest;
    try {
      // A large header limit, so that an oversized answer is measured rather than refused.
      outgoing = httpRequest({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers: spec.headers, agent: spec.fresh ? false : agent, maxHeaderSize: 1024 * 1024 }, (response) => {
        const headerBytes = response.rawHeaders.reduce((sum, part) => sum + Buffer.byteLength(part) + 2, 20);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          if (keepBody) chunks.push(chunk);
        });
        response.on('end', () => finish({ ...outcomeOf(response.statusCode ?? 0, response.headers, Buffer.concat(chunks).toString('utf8'), null), headerBytes }));
        response.on('error', (error) => finish(outcomeOf(response.statusCode ?? 0, response.headers, '', error.message)));
        response.on('aborted', () => finish(outcomeOf(response.statusCode ?? 0, response.headers, '', 'aborted')));
      });
    } catch (error) {
      finish(failed(`node:http refused to send it: ${(error as Error).message}`));
      return;
    }
    timer = setTimeout(() => {
      outgoing.destroy();
      finish(failed(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    let previousOnSocket: string | undefined;
    const sentAt = performance.now();
    let connection = 'no connection';
    outgoing.on('socket', (socket) => {
      connection = outgoing.reusedSocket ? 'a kept-alive connection' : 'a new connection';
      previousOnSocket = lastOnSocket.get(socket);
      lastOnSocket.set(socket, what);
      outgoing.on('response', (response) => lastOnSocket.set(socket, `${what} -> ${response.statusCode} (Connection: ${response.headers.connection ?? 'none'})`));
    });
    outgoing.on('error', (error) => finish({ ...failed(`${error.message} (${connection}, after ${(performance.now() - sentAt).toFixed(0)} ms)`), reusedSocket: outgoing.reusedSocket, ...(previousOnSocket !== undefined && { previousOnSocket }) }));
    if (spec.body !== undefined) outgoing.end(spec.body);
    else outgoing.end();
  });
}

function sendRaw(port: number, spec: RawSpec): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, REQUEST_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    // Written whole, then half-closed: a server waiting for more body sees the end at once.
    socket.on('connect', () => socket.end(spec.bytes));
    socket.on('close', () => {
      clearTimeout(timer);
      const answer = Buffer.concat(chunks).toString('latin1');
      const statuses = [...answer.matchAll(/(?:^|\r\n)HTTP\/\d\.\d (\d{3})/g)].map((match) => Number(match[1]));
      const location = /\r\nlocation: ([^\r\n]*)/i.exec(answer)?.[1] ?? null;
      resolve({
        status: statuses.find((status) => status >= 200) ?? statuses[0] ?? null,
        statuses,
        location,
        setsSession: /\r\nset-cookie: sessionid=[^;\r\n]+/i.test(answer) && !/\r\nset-cookie: sessionid=[^\r\n]*max-age=0/i.test(answer),
        error: timedOut ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : answer === '' ? 'closed without an answer' : null,
        body: '',
        setCookies: [],
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The campaign.

interface Violation {
  rule: string;
  what: string;
  detail: string;
}

interface Tally {
  sent: number;
  http: number;
  raw: number;
  statuses: Map<string, number>;
  signups: number;
  logins: number;
  logouts: number;
  articles: { id: number; title: string; content: string; authorId: number }[];
  violations: Violation[];
  generated: number;
  keepAliveRetries: number;
  /** per field poison: how many were sent, and how many the handler itself refused (4xx past the CSRF check) */
  poisons: Map<string, { sent: number; refusedByHandler: number }>;
  drops: number;
  oversizeDrops: number;
}

function cookieValue(setCookies: readonly string[], name: string): string | null {
  for (const header of setCookies) {
    const match = new RegExp(`^${name}=([^;]*)`).exec(header);
    if (match && !/max-age=0/i.test(header) && match[1] !== '') return match[1]!;
  }
  return null;
}

async function runValid(fx: Fixture, generated: Generated, valid: Valid, tally: Tally): Promise<void> {
  const violation = (detail: string): void => {
    tally.violations.push({ rule: 'a valid request was not carried out', what: generated.what, detail });
  };
  const post = async (path: string, cookie: string, pairs: Pair[]) => {
    const body = encodePairs(pairs);
    tally.sent += 1;
    tally.http += 1;
    // Its own connection: a POST is never retried, so it must never meet a connection closing under it.
    const outcome = await sendHttp(fx.port, { kind: 'http', method: 'POST', path, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) }, body, fresh: true }, false);
    record(tally, generated, outcome);
    return outcome;
  };
  const anonCookie = `csrftoken=${fx.anon.secret}`;
  switch (valid.flow) {
    case 'signup': {
      const pairs: Pair[] = [[text('_csrf'), text(fx.anon.token)], [text('username'), text(valid.username)], [text('email'), text(`${valid.username}@example.com`)], [text('password1'), text(PASSWORD)], [text('password2'), text(PASSWORD)]];
      if (valid.withNext) pairs.push([text('next'), text('/articles')]);
      const outcome = await post('/accounts/signup', anonCookie, pairs);
      if (outcome.status === 303 && outcome.setsSession) tally.signups += 1;
      else violation(`answered ${outcome.status ?? outcome.error}`);
      return;
    }
    case 'login': {
      const pairs: Pair[] = [[text('_csrf'), text(fx.anon.token)], [text('username'), text(valid.username)], [text('password'), text(PASSWORD)]];
      if (valid.rememberMe) pairs.push([text('remember_me'), text('on')]);
      const outcome = await post('/accounts/login', anonCookie, pairs);
      const session = cookieValue(outcome.setCookies, 'sessionid');
      if (outcome.status !== 303 || session === null) return violation(`login answered ${outcome.status ?? outcome.error}`);
      tally.logins += 1;
      if (!valid.logOut) return;
      // Login rotated the CSRF secret: the next form needs a token of the new one.
      const secret = cookieValue(outcome.setCookies, 'csrftoken') ?? fx.anon.secret;
      tally.sent += 1;
      tally.http += 1;
      const home = await sendHttp(fx.port, { kind: 'http', method: 'GET', path: '/', headers: { cookie: `sessionid=${session}; csrftoken=${secret}` }, body: undefined, fresh: true }, true);
      record(tally, generated, home);
      let token: string;
      try {
        token = csrfToken(home.body);
      } catch {
        return violation(`the home page after login (${home.status}) had no CSRF token`);
      }
      const logout = await post('/accounts/logout', `sessionid=${session}; csrftoken=${secret}`, [[text('_csrf'), text(token)]]);
      if (logout.status === 303) tally.logouts += 1;
      else violation(`logout answered ${logout.status ?? logout.error}`);
      return;
    }
    case 'article': {
      const actor = fx.actors[valid.actor]!;
      const outcome = await post('/articles', `sessionid=${actor.session}; csrftoken=${actor.csrf.secret}`, [[text('_csrf'), text(actor.csrf.token)], [text('title'), text(valid.title)], [text('content'), text(valid.content)]]);
      const id = /^\/articles\/([0-9]+)$/.exec(outcome.location ?? '')?.[1];
      if (outcome.status === 303 && id !== undefined) tally.articles.push({ id: Number(id), title: valid.title.trim(), content: valid.content.replace(/\r\n/g, '\n'), authorId: actor.userId });
      else violation(`answered ${outcome.status ?? outcome.error} ${outcome.location ?? ''}`);
      return;
    }
  }
}

function record(tally: Tally, generated: Generated, outcome: Outcome): void {
  const key = outcome.status === null ? 'none' : String(outcome.status);
  tally.statuses.set(key, (tally.statuses.get(key) ?? 0) + 1);
  for (const status of outcome.statuses) {
    if (status >= 500) tally.violations.push({ rule: 'answered 5xx', what: generated.what, detail: `status ${status}` });
  }
  const location = outcome.location;
  // CONTRACT: never a redirect to another site, whatever the input.
  if (location !== null && outcome.status !== null && outcome.status >= 300 && outcome.status < 400 && !/^\/(?![/\\])/.test(location)) {
    tally.violations.push({ rule: 'redirected off the site', what: generated.what, detail: `${outcome.status} Location: ${location}` });
  }
}

async function runOne(fx: Fixture, generated: Generated, tally: Tally): Promise<void> {
  if (generated.valid !== null) return runValid(fx, generated, generated.valid, tally);
  const spec = generated.request!;
  tally.sent += 1;
  if (spec.kind === 'http') tally.http += 1;
  else tally.raw += 1;
  let outcome = spec.kind === 'http' ? await sendHttp(fx.port, spec, false, generated.what) : await sendRaw(fx.port, spec);
  if (spec.kind === 'http' && outcome.reusedSocket === true && /socket hang up|ECONNRESET|EPIPE/.test(outcome.error ?? '')) {
    // The server closed a kept-alive connection that its last answer left open (no
    // Connection: close), just as this request went out on it. A browser sends the request
    // again on a new connection, and so does this client (once); the unannounced close is
    // reported on its own.
    tally.keepAliveRetries += 1;
    tally.violations.push({ rule: 'closed a kept-alive connection without Connection: close', what: outcome.previousOnSocket ?? '(unknown request)', detail: `the next request on it, ${generated.what.slice(0, 80)}, met ${outcome.error}` });
    const retried = await sendHttp(fx.port, { ...spec, fresh: true }, false, generated.what);
    outcome = retried.error === null ? retried : { ...retried, error: `${outcome.error}, then again on a new connection: ${retried.error}` };
  }
  record(tally, generated, outcome);
  if (outcome.headerBytes !== undefined && outcome.headerBytes > MAX_HEADER_BYTES) {
    tally.violations.push({ rule: 'answered with headers over 16 KiB', what: generated.what, detail: `${outcome.status}, ${outcome.headerBytes} bytes of headers, Location ${outcome.location?.length ?? 0} characters` });
  }
  if (generated.poison !== undefined) {
    const entry = tally.poisons.get(generated.poison) ?? { sent: 0, refusedByHandler: 0 };
    entry.sent += 1;
    if (outcome.status === 422 || outcome.status === 429 || (outcome.status === 404 && /revoke|delete/.test(generated.poison))) entry.refusedByHandler += 1;
    tally.poisons.set(generated.poison, entry);
  }
  if (outcome.error?.includes('Parse Error')) {
    const rule = spec.kind === 'http' && spec.method === 'HEAD' ? 'answered a HEAD request with content' : 'answered in bytes that are not HTTP/1.1';
    tally.violations.push({ rule, what: generated.what, detail: outcome.error });
    return;
  }
  if (outcome.status === null) {
    const acceptable = generated.oversize || (spec.kind === 'raw' && spec.mayDrop && !outcome.error?.startsWith('no answer'));
    if (acceptable) {
      if (generated.oversize) tally.oversizeDrops += 1;
      else tally.drops += 1;
    } else {
      tally.violations.push({ rule: 'no answer', what: generated.what, detail: outcome.error ?? 'no status' });
    }
    return;
  }
  if (generated.oversize && spec.kind === 'http' && !SAFE_METHODS.has(spec.method) && ![413, 400, 404, 431, 414, 308].includes(outcome.status)) {
    tally.violations.push({ rule: 'a body over the 1 MiB limit was not refused', what: generated.what, detail: `status ${outcome.status}` });
  }
  const finals = outcome.statuses.filter((status) => status >= 200);
  if (generated.csrfPoisoned && spec.kind === 'http' && !SAFE_METHODS.has(spec.method) && finals.some((status) => status < 300 || status === 301 || status === 302 || status === 303)) {
    tally.violations.push({ rule: 'a state-changing request without a valid CSRF token was carried out', what: generated.what, detail: `status ${outcome.status} ${outcome.location ?? ''}` });
  }
  const refusedKind = generated.refusedKind;
  if (refusedKind !== null && outcome.statuses.some((status) => succeeded(refusedKind, { ...outcome, status }))) {
    tally.violations.push({ rule: 'a request the contract refuses succeeded', what: generated.what, detail: `status ${outcome.status} Location: ${outcome.location ?? ''}${outcome.setsSession ? ' (set a session cookie)' : ''}` });
  }
}

async function runCampaign(fx: Fixture): Promise<Tally> {
  const r = new Random(SEED);
  const tally: Tally = { sent: 0, http: 0, raw: 0, statuses: new Map(), signups: 0, logins: 0, logouts: 0, articles: [], violations: [], generated: 0, keepAliveRetries: 0, poisons: new Map(), drops: 0, oversizeDrops: 0 };
  let nextIndex = 0;
  let serial = 0;
  const deadline = Date.now() + CAMPAIGN_DEADLINE_MS;
  // One stream, pulled in order by every worker: the same seed makes the same requests.
  const pull = (): Generated | null => {
    if (nextIndex >= REQUESTS || Date.now() > deadline) return null;
    serial += 1;
    return generate(r, fx, nextIndex++, serial);
  };
  const worker = async () => {
    for (let generated = pull(); generated !== null; generated = pull()) await runOne(fx, generated, tally);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  tally.generated = nextIndex;
  return tally;
}

// ---------------------------------------------------------------------------------------------
// The site, its database, and the tests.

interface Counts {
  users: number;
  sessions: number;
  articles: number;
}

function withDatabase<T>(dataDir: string, use: (database: BetterSqlite3.Database) => T): T {
  const database = new BetterSqlite3(join(dataDir, 'db.sqlite3'), { readonly: true, fileMustExist: true });
  database.pragma('busy_timeout = 5000');
  try {
    return use(database);
  } finally {
    database.close();
  }
}

function counts(dataDir: string): Counts {
  return withDatabase(dataDir, (database) => {
    const count = (table: string) => (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { users: count('users'), sessions: count('sessions'), articles: count('articles') };
  });
}

async function setUp(site: RunningSite, tag: string): Promise<Fixture> {
  const newClient = () => new Client(site.url);
  const pairOf = async (client: Client, page: string): Promise<CsrfPair> => {
    const response = await client.get(page);
    assert.equal(response.status, 200, `${page} answered ${response.status}`);
    const secret = client.cookie('csrftoken');
    assert.ok(secret, `${page} set no csrftoken`);
    return { secret, token: csrfToken(response.body) };
  };
  const signUp = async (client: Client, username: string) => {
    const response = await client.submit('/accounts/signup', '/accounts/signup', { username, email: '', password1: PASSWORD, password2: PASSWORD });
    assert.equal(response.status, 303, `setting up: the sign-up of ${username} answered ${response.status}`);
  };
  const userId = (username: string) => withDatabase(site.dataDir, (database) => (database.prepare('select id from users where username = ?').get(username) as { id: number }).id);

  const actors: Actor[] = [];
  for (let index = 0; index < 4; index += 1) {
    const client = newClient();
    const username = `fz${tag}actor${index}`;
    await signUp(client, username);
    const csrf = await pairOf(client, '/articles/new');
    const articles: number[] = [];
    for (let article = 0; article < 3; article += 1) {
      const response = await client.request('POST', '/articles', { form: { _csrf: csrf.token, title: `Seed ${index}.${article}`, content: 'seed' } });
      assert.equal(response.status, 303);
      articles.push(Number(/^\/articles\/([0-9]+)$/.exec(response.location ?? '')?.[1]));
    }
    actors.push({ username, userId: userId(username), session: client.cookie('sessionid')!, csrf, articles });
  }
  const loginUsers: string[] = [];
  // The last one is 150 characters outside the BMP: 300 UTF-16 units, still a valid username.
  for (const username of [`fz${tag}login0`, `fz${tag}login1`, `Fz${tag}Login2`, `${tag}${'𐐀'.repeat(150 - tag.length)}`]) {
    const client = newClient();
    await signUp(client, username);
    assert.equal((await client.post('/accounts/logout')).status, 303);
    loginUsers.push(username);
  }
  const anonymous = newClient();
  const anon = await pairOf(anonymous, '/accounts/signup');
  const stranger = await pairOf(newClient(), '/accounts/login');
  const home = await anonymous.get('/');
  const staticPaths = [...home.body.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((match) => match[1]!);
  return { port: site.port, origin: site.url, tag, actors, loginUsers, anon, stranger, staticPaths: staticPaths.length > 0 ? staticPaths : ['/static/site.css'] };
}

let site: RunningSite;
let fixture: Fixture;
let tally: Tally;
let before_: Counts;
let after_: Counts;

before(async () => {
  process.stdout.write(`# fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED}), ${REQUESTS} requests, ${IN_FLIGHT} in flight\n`);
  site = await startSite({
    // Failed logins from 127.0.0.1 must not lock the valid logins out; each account keeps its own limit.
    env: { LOGIN_FAILURES_PER_ADDRESS: '1000000', SIGNUPS_PER_ADDRESS: '1000000' },
  });
  const tag = SEED.toString(36);
  fixture = await setUp(site, tag);
  before_ = counts(site.dataDir);
  const started = Date.now();
  tally = await runCampaign(fixture);
  after_ = counts(site.dataDir);
  const statuses = [...tally.statuses].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key}:${n}`).join(' ');
  process.stdout.write(`# fuzz: ${tally.generated} generated, ${tally.sent} sent (${tally.http} http, ${tally.raw} raw) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`# fuzz statuses: ${statuses}\n`);
  process.stdout.write(`# fuzz valid: ${tally.signups} sign-ups, ${tally.logins} logins, ${tally.logouts} logouts, ${tally.articles.length} articles; dropped without answer: ${tally.drops} incomplete raw, ${tally.oversizeDrops} over the limit; keep-alive retries: ${tally.keepAliveRetries}\n`);
  const poisons = [...tally.poisons].sort(([a], [b]) => a.localeCompare(b)).map(([name, { sent, refusedByHandler }]) => `${name} ${refusedByHandler}/${sent}`).join(', ');
  process.stdout.write(`# fuzz field poisons (refused by the handler / sent): ${poisons}\n`);
  process.stdout.write(`# fuzz rows before ${JSON.stringify(before_)} after ${JSON.stringify(after_)}\n`);
  const rules = new Map<string, Violation[]>();
  for (const violation of tally.violations) rules.set(violation.rule, [...(rules.get(violation.rule) ?? []), violation]);
  for (const [rule, found] of rules) {
    process.stdout.write(`# VIOLATION x${found.length} ${rule}, e.g.:\n`);
    for (const violation of found.slice(0, Number(process.env.FUZZ_SHOW ?? 3))) process.stdout.write(`#   ${violation.what.slice(0, 240)} -> ${violation.detail.slice(0, 240)}\n`);
  }
});

after(async () => {
  agent.destroy();
  await site?.stop();
});

function violationsOf(rule: string): string[] {
  return tally.violations.filter((violation) => violation.rule === rule).map((violation) => `${violation.what} -> ${violation.detail}`);
}

function report(lines: string[]): string {
  return `${lines.length} found (replay: FUZZ_SEED=${SEED}):\n${lines.slice(0, 25).join('\n')}`;
}

test(`sends at least ${REQUESTS} generated requests`, async () => {
  assert.ok(tally.generated >= REQUESTS, `only ${tally.generated} of ${REQUESTS} were generated before the safety deadline: the server stopped answering`);
  assert.ok(tally.sent >= REQUESTS);
});

test('answers no generated request with a 5xx', async () => {
  assert.deepEqual(violationsOf('answered 5xx'), [], report(violationsOf('answered 5xx')));
});

test('answers every complete request (only an incomplete or oversized one may be dropped)', async () => {
  assert.deepEqual(violationsOf('no answer'), [], report(violationsOf('no answer')));
});

test('answers in well-formed HTTP/1.1, with no content in an answer to HEAD', async () => {
  const found = [...violationsOf('answered a HEAD request with content'), ...violationsOf('answered in bytes that are not HTTP/1.1')];
  assert.deepEqual(found, [], report(found));
});

test('closes a kept-alive connection only after an answer that says Connection: close', async () => {
  const found = violationsOf('closed a kept-alive connection without Connection: close');
  assert.deepEqual(found, [], report(found));
});

test('answers with headers under 16 KiB, which clients and proxies accept', async () => {
  const found = violationsOf('answered with headers over 16 KiB');
  assert.deepEqual(found, [], report(found));
});

test('carries out no state-changing request without a valid CSRF token', async () => {
  const found = violationsOf('a state-changing request without a valid CSRF token was carried out');
  assert.deepEqual(found, [], report(found));
});

test('carries out no request the contract refuses (bad fields, foreign ids, cut-off bodies)', async () => {
  const found = violationsOf('a request the contract refuses succeeded');
  assert.deepEqual(found, [], report(found));
});

test('refuses every body over the 1 MiB limit', async () => {
  const found = violationsOf('a body over the 1 MiB limit was not refused');
  assert.deepEqual(found, [], report(found));
});

test('never redirects to another site', async () => {
  assert.deepEqual(violationsOf('redirected off the site'), [], report(violationsOf('redirected off the site')));
});

test('carries out every valid request of the stream (303)', async () => {
  const found = violationsOf('a valid request was not carried out');
  assert.deepEqual(found, [], report(found));
});

test('keeps running: its pid is alive and /healthz answers 200', async () => {
  assert.equal(site.process.exitCode, null, 'the server exited');
  assert.equal(site.process.signalCode, null, 'the server was killed');
  assert.doesNotThrow(() => process.kill(site.process.pid!, 0), 'the server pid is gone');
  const health = await fetch(`${site.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
});

test('logs no failed request, no database outage and no unhandled rejection', async () => {
  const lines = site.output().split('\n').filter((line) => /request failed|database unavailable|unhandled rejection|"level":(50|60)/.test(line));
  assert.deepEqual(lines.map((line) => line.slice(0, 400)), [], `${lines.length} log lines report a failure while the database was up`);
});

test('changes users, sessions and articles only through the valid requests it answered 303', async () => {
  const expected: Counts = {
    users: before_.users + tally.signups,
    sessions: before_.sessions + tally.signups + tally.logins - tally.logouts,
    articles: before_.articles + tally.articles.length,
  };
  assert.deepEqual(after_, expected, `rows before ${JSON.stringify(before_)}; valid requests answered 303: ${tally.signups} sign-ups, ${tally.logins} logins, ${tally.logouts} logouts, ${tally.articles.length} articles`);
  const stored = withDatabase(site.dataDir, (database) => {
    const read = database.prepare('select title, content, author_id from articles where id = ?');
    return tally.articles.map((article) => ({ expected: article, row: read.get(article.id) as { title: string; content: string; author_id: number } | undefined }));
  });
  for (const { expected: article, row } of stored) {
    assert.ok(row, `article ${article.id} was acknowledged but is not stored`);
    assert.deepEqual({ title: row.title, content: row.content, author: Number(row.author_id) }, { title: article.title, content: article.content, author: article.authorId }, `article ${article.id} is stored differently from what was sent`);
  }
});

test('leaves no half-written or refused row behind', async () => {
  const problems = withDatabase(site.dataDir, (database) => {
    const all = (sql: string) => database.prepare(sql).all() as Record<string, unknown>[];
    return {
      usersWithEmptyFields: all(`select id, username from users where username = '' or username_normalized = '' or password = '' or instr(username, char(0)) > 0 or instr(email, char(0)) > 0 or instr(first_name, char(0)) > 0 or instr(last_name, char(0)) > 0`),
      articlesWithoutTitle: all(`select id, title from articles where trim(title, ' ' || char(9, 10, 13)) = '' or instr(title, char(0)) > 0 or instr(content, char(0)) > 0`),
      orphanArticles: all('select id from articles where author_id not in (select id from users)'),
      orphanSessions: all('select id from sessions where user_id is not null and user_id not in (select id from users)'),
      foreignKeys: all('pragma foreign_key_check'),
      integrity: all('pragma integrity_check').filter((row) => Object.values(row)[0] !== 'ok'),
    };
  });
  assert.deepEqual(problems, { usersWithEmptyFields: [], articlesWithoutTitle: [], orphanArticles: [], orphanSessions: [], foreignKeys: [], integrity: [] });
});

test('logs out nobody who did not ask: every fuzzing account is still logged in', async () => {
  for (const actor of fixture.actors) {
    const client = new Client(site.url);
    client.jar.set('sessionid', actor.session);
    const page = await client.get('/accounts/update');
    assert.equal(page.status, 200, `${actor.username} is no longer logged in (${page.status} ${page.location ?? ''})`);
    assert.ok(page.body.includes(actor.username));
  }
});
