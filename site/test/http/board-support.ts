// Shared steps of the board's HTTP tests (articles, reading list, notice, caching): accounts and
// articles made through the real forms, and readers for what the pages show.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Client, csrfToken, type Cookie, type Response } from '../../../test/support/client.ts';
import { runCli, type RunningSite } from '../../../test/support/site.ts';

/** Passes Django's four validators for every username these tests make. */
export const PASSWORD = 'Amber-Harbour-Quill-47';

let serial = 0;

/** A username no other test of this process has used: letters and digits only. */
export function newUsername(prefix = 'writer'): string {
  serial += 1;
  return `${prefix}${serial}q${process.pid}`;
}

export function signUp(client: Client, username: string, query = ''): Promise<Response> {
  return client.submit(`/accounts/signup${query}`, `/accounts/signup${query}`, { username, email: '', password1: PASSWORD, password2: PASSWORD });
}

/** Logs in through the login form, keeping the hidden `next` the form carries. */
export async function logIn(client: Client, username: string, loginPage = '/accounts/login', password = PASSWORD): Promise<Response> {
  const page = await client.get(loginPage);
  assert.equal(page.status, 200, `the login page ${loginPage} answered ${page.status}`);
  const fields: Record<string, string> = { _csrf: csrfToken(page.body), username, password, remember_me: 'on' };
  const next = hiddenValue(formFor(page.body, '/accounts/login'), 'next');
  if (next !== null) fields.next = next;
  return client.request('POST', '/accounts/login', { form: fields });
}

/** A new visitor who has just signed up (and so is logged in) as a new user. */
export async function newUser(base: string, prefix = 'writer'): Promise<{ client: Client; username: string }> {
  const client = new Client(base);
  const username = newUsername(prefix);
  const response = await signUp(client, username);
  assert.equal(response.status, 303, `signup of ${username} failed: ${response.status}`);
  assert.ok(client.cookie('sessionid'), 'signup set no sessionid');
  return { client, username };
}

/** Another browser logged in as an existing user. */
export async function loggedInAs(base: string, username: string, password = PASSWORD): Promise<Client> {
  const client = new Client(base);
  const response = await logIn(client, username, '/accounts/login', password);
  assert.equal(response.status, 303, `login of ${username} failed: ${response.status}`);
  return client;
}

/** Writes an article through the form and returns its id. */
export async function createArticle(client: Client, title: string, content = ''): Promise<number> {
  const response = await client.submit('/articles/new', '/articles', { title, content });
  assert.equal(response.status, 303, `creating "${title.slice(0, 40)}" answered ${response.status}`);
  const match = /^\/articles\/([1-9][0-9]*)$/.exec(response.location ?? '');
  assert.ok(match, `the new article redirected to ${response.location}`);
  return Number(match[1]);
}

/** Writes many articles with one CSRF token (any masked token of the visitor's secret is valid). */
export async function createArticles(client: Client, titles: readonly string[]): Promise<number[]> {
  const token = csrfToken((await client.get('/articles/new')).body);
  const ids: number[] = [];
  for (const title of titles) {
    const response = await client.request('POST', '/articles', { form: { _csrf: token, title, content: `About ${title}` } });
    assert.equal(response.status, 303, `creating ${title} answered ${response.status}`);
    ids.push(Number(/^\/articles\/([0-9]+)$/.exec(response.location ?? '')?.[1]));
  }
  return ids;
}

/** The ids of the articles a list page shows (board, home), in page order. */
export function listedIds(html: string): number[] {
  return [...html.matchAll(/<li class="article-item" id="article-([0-9]+)"/g)].map((match) => Number(match[1]));
}

/** The ids the reading-list page shows, in page order. */
export function savedIds(html: string): number[] {
  return [...html.matchAll(/<li class="article-item" id="saved-([0-9]+)"/g)].map((match) => Number(match[1]));
}

/** The HTML of the first <form> posting to `action` (the layout has forms of its own). */
export function formFor(html: string, action: string): string {
  const start = html.search(new RegExp(`<form\\b[^>]*action="${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  assert.ok(start >= 0, `no form posting to ${action}`);
  const end = html.indexOf('</form>', start);
  return html.slice(start, end === -1 ? undefined : end);
}

/** The value of the first hidden input named `name`, or null. */
export function hiddenValue(html: string, name: string): string | null {
  for (const match of html.matchAll(/<input\b([^>]*)>/g)) {
    const attributes = match[1] ?? '';
    if (!new RegExp(`\\bname="${name}"`).test(attributes)) continue;
    const value = /\bvalue="([^"]*)"/.exec(attributes);
    return value ? decodeHtml(value[1] ?? '') : '';
  }
  return null;
}

/** The `next` of a redirect to the login page, decoded. */
export function loginNext(response: Response): string {
  assert.ok(response.status === 302 || response.status === 303, `expected a redirect to log in, got ${response.status}`);
  assert.ok(response.location, 'no Location');
  const url = new URL(response.location, 'http://site.invalid');
  assert.equal(url.pathname, '/accounts/login');
  const next = url.searchParams.get('next');
  assert.ok(next !== null, `no next in ${response.location}`);
  return next;
}

export function cookieNamed(response: Response, name: string): Cookie | undefined {
  return response.cookies.find((cookie) => cookie.name === name);
}

/** Decodes the entities an escaping template can emit, named or numeric. */
export function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      return String.fromCodePoint(code);
    }
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[entity.toLowerCase()] ?? whole;
  });
}

/** Whether a response's header lists `token` (comma-separated, case-insensitive). */
export function headerHas(response: Response, header: string, token: string): boolean {
  return (response.headers.get(header) ?? '').split(',').some((part) => part.trim().toLowerCase() === token.toLowerCase());
}

/** Runs the CLI against the running site's data folder; it must succeed. */
export async function cli(site: RunningSite, args: string[], env: Record<string, string> = {}): Promise<void> {
  const result = await runCli(args, { DATA_DIR: site.dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env });
  assert.equal(result.code, 0, `tessera ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
}

/** The site's SQLite database, opened beside the running server (WAL lets both in). */
export function withDatabase<T>(site: RunningSite, use: (database: BetterSqlite3.Database) => T): T {
  const database = new BetterSqlite3(join(site.dataDir, 'db.sqlite3'));
  database.pragma('busy_timeout = 5000');
  try {
    return use(database);
  } finally {
    database.close();
  }
}

/**
 * The text of the first <textarea> named `name` as a browser reads it, or null: like the HTML
 * parser, it drops one line feed right after the start tag, then decodes.
 */
export function textareaValue(html: string, name: string): string | null {
  const match = new RegExp(`<textarea\\b[^>]*\\bname="${name}"[^>]*>([^<]*)</textarea>`).exec(html);
  return match ? decodeHtml((match[1] ?? '').replace(/^\n/, '')) : null;
}

/** The rows of the articles table, newest first by the contract's order. */
export function articleRows(site: RunningSite): Array<{ id: number; created_at: number; updated_at: number; title: string }> {
  return withDatabase(site, (database) => database.prepare('select id, created_at, updated_at, title from articles').all() as never);
}
