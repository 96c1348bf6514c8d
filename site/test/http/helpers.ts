// Shared steps of the site's HTTP tests: accounts made through the real forms, raw requests
// fetch would normalise away, and a look into the SQLite file behind the running server.
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Client, csrfToken, type Cookie, type Response } from '../../../test/support/client.ts';

/** Passes Django's four validators for every username these tests make. */
export const PASSWORD = 'Quiet-Lantern-Drift-82';

let serial = 0;

/** A username no other test of this process has used: letters and digits only. */
export function newUsername(prefix = 'user'): string {
  serial += 1;
  return `${prefix}${serial}p${process.pid}`;
}

export function signUp(client: Client, username: string, password = PASSWORD, fields: Record<string, string> = {}, query = ''): Promise<Response> {
  return client.submit(`/accounts/signup${query}`, `/accounts/signup${query}`, { username, email: '', password1: password, password2: password, ...fields });
}

export function logIn(client: Client, username: string, password = PASSWORD, fields: Record<string, string> = { remember_me: 'on' }, query = ''): Promise<Response> {
  return client.submit(`/accounts/login${query}`, `/accounts/login${query}`, { username, password, ...fields });
}

/** A new visitor who has just signed up (and so is logged in) as a new user. */
export async function newUser(base: string, prefix = 'user', password = PASSWORD): Promise<{ client: Client; username: string }> {
  const client = new Client(base);
  const username = newUsername(prefix);
  const response = await signUp(client, username, password);
  assert.equal(response.status, 303, `signup of ${username} failed: ${response.status}`);
  assert.ok(client.cookie('sessionid'), 'signup set no sessionid');
  return { client, username };
}

/** A second visitor (another browser) logged in as an existing user. */
export async function secondSession(base: string, username: string, password = PASSWORD, userAgent = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0'): Promise<Client> {
  const client = new Client(base);
  client.userAgent = userAgent;
  const response = await logIn(client, username, password);
  assert.equal(response.status, 303, `login of ${username} failed: ${response.status}`);
  return client;
}

export function cookieNamed(response: Response, name: string): Cookie | undefined {
  return response.cookies.find((cookie) => cookie.name === name);
}

/** The Set-Cookie attribute, case-insensitively for the value of SameSite. */
export function attribute(cookie: Cookie, name: string): string | true | undefined {
  return cookie.attributes[name.toLowerCase()];
}

/** An expired ("cleared") cookie: Max-Age=0 or an Expires in the past. */
export function isCleared(cookie: Cookie): boolean {
  const maxAge = cookie.attributes['max-age'];
  if (maxAge !== undefined) return maxAge === '0';
  const expires = cookie.attributes.expires;
  return typeof expires === 'string' && Date.parse(expires) <= Date.parse('1971-01-01T00:00:00Z');
}

export function assertSessionCookie(cookie: Cookie | undefined, options: { persistent: boolean; secure?: boolean }): void {
  assert.ok(cookie, 'no sessionid cookie was set');
  assert.ok(cookie.value.length >= 22, 'the session token is too short to hold 128 bits');
  assert.equal(attribute(cookie, 'httponly'), true, 'sessionid is not HttpOnly');
  assert.equal(String(attribute(cookie, 'samesite')).toLowerCase(), 'lax', 'sessionid is not SameSite=Lax');
  assert.equal(attribute(cookie, 'path'), '/', 'sessionid is not Path=/');
  assert.equal(attribute(cookie, 'secure') === true, options.secure ?? false, 'sessionid Secure flag');
  if (options.persistent) {
    assert.equal(attribute(cookie, 'max-age'), '1209600');
  } else {
    assert.equal(attribute(cookie, 'max-age'), undefined, 'a browser-session cookie has no Max-Age');
    assert.equal(attribute(cookie, 'expires'), undefined, 'a browser-session cookie has no Expires');
  }
}

/** Logged in as `username`: a login-only page answers 200 and names them. */
export async function assertLoggedInAs(client: Client, username: string): Promise<void> {
  const page = await client.get('/accounts/update');
  assert.equal(page.status, 200, `expected ${username} to be logged in, got ${page.status} ${page.location ?? ''}`);
  assert.ok(page.body.includes(username), `the page does not name ${username}`);
}

/** Anonymous: a login-only page sends them to log in, and the home page offers the login link. */
export async function assertAnonymous(client: Client): Promise<void> {
  const page = await client.get('/accounts/update');
  assert.ok(page.status === 302 || page.status === 303, `expected an anonymous visitor, got ${page.status}`);
  assert.match(page.location ?? '', /^\/accounts\/login\?next=/);
  const home = await client.get('/');
  assert.equal(home.status, 200);
  assert.ok(home.body.includes('href="/accounts/login"'), 'an anonymous visitor sees no login link');
}

/** The `next` a login redirect carries, decoded, with the raw Location for encoding checks. */
export function loginNext(location: string | null): string {
  assert.ok(location, 'no Location');
  const url = new URL(location, 'http://site.invalid');
  assert.equal(url.pathname, '/accounts/login');
  const next = url.searchParams.get('next');
  assert.ok(next !== null, `no next in ${location}`);
  return next;
}

/** The attributes of the first <input> named `name`, or null. */
export function inputNamed(html: string, name: string): Record<string, string> | null {
  for (const match of html.matchAll(/<input\b([^>]*)>/g)) {
    const attributes: Record<string, string> = {};
    for (const pair of (match[1] ?? '').matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) attributes[pair[1]!] = pair[2] ?? '';
    if (attributes.name === name) return attributes;
  }
  return null;
}

/** The HTML of the first <form> posting to `action` (the layout has forms of its own). */
export function formFor(html: string, action: string): string {
  const start = html.search(new RegExp(`<form\\b[^>]*action="${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  assert.ok(start >= 0, `no form posting to ${action}`);
  const end = html.indexOf('</form>', start);
  return html.slice(start, end === -1 ? undefined : end);
}

/** HTML-decodes the five entities an escaping template emits (and &#39;). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(lt|gt|quot|#39|#x27|amp);/g, (_whole, entity: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", amp: '&' })[entity] ?? '');
}

/** A page with its per-response CSRF tokens blanked, to compare two renderings. */
export function withoutTokens(html: string): string {
  return html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');
}

export { csrfToken };

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request exactly as written: fetch would turn `/\evil.com/` into `//evil.com/`. A server
 * may answer before it reads a large body and then close; the answer still counts.
 */
export function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest({ host: hostname, port, method, path, headers: { connection: 'close', ...headers } }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body !== undefined) request.end(body);
    else request.end();
  });
}

/** The site's SQLite database, opened beside the running server (WAL lets both in). */
export function openDatabase(dataDir: string): BetterSqlite3.Database {
  const database = new BetterSqlite3(join(dataDir, 'db.sqlite3'));
  database.pragma('busy_timeout = 5000');
  return database;
}

export function userRow(dataDir: string, username: string): { id: number; is_active: number; email: string; first_name: string; last_name: string } | undefined {
  const database = openDatabase(dataDir);
  try {
    return database.prepare('select id, is_active, email, first_name, last_name from users where lower(username) = lower(?)').get(username) as never;
  } finally {
    database.close();
  }
}

export function sessionCount(dataDir: string, userId?: number): number {
  const database = openDatabase(dataDir);
  try {
    const row = userId === undefined
      ? database.prepare('select count(*) as n from sessions').get()
      : database.prepare('select count(*) as n from sessions where user_id = ?').get(userId);
    return (row as { n: number }).n;
  } finally {
    database.close();
  }
}

export function deactivate(dataDir: string, username: string): void {
  const database = openDatabase(dataDir);
  try {
    const result = database.prepare('update users set is_active = 0 where lower(username) = lower(?)').run(username);
    assert.equal(result.changes, 1, `no user ${username} to deactivate`);
  } finally {
    database.close();
  }
}
