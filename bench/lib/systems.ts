// The systems under test, started the same way: tessera's site, or one of bench/peers, logged in as one user.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWASP_ARGON2ID } from 'tessera';
import { Client, csrfToken } from '../../test/support/client.ts';
import { missingExitCode, peerEnv, type PeerSpec } from '../peers/peers.ts';
import { root, siteCommand, startServer, type Server } from './servers.ts';

/**
 * The environment and node flags of package.json's start script (`NAME=value node --flag… bin`),
 * so the benchmark runs what `npm start` runs.
 */
export const { startEnv, startFlags } = (() => {
  const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = script.slice(script.lastIndexOf('&&') + 2).trim().split(/\s+/);
  const at = words.indexOf('node');
  const startEnv: Record<string, string> = {};
  for (const word of words.slice(0, at)) {
    const equals = word.indexOf('=');
    startEnv[word.slice(0, equals)] = word.slice(equals + 1);
  }
  const startFlags: string[] = [];
  for (const word of words.slice(at + 1)) {
    if (!word.startsWith('--')) break;
    startFlags.push(word);
  }
  return { startEnv, startFlags };
})();

export const benchUser = 'bench-user';
/** Every system's user has this email (the peers derive it at signup; tessera's is set through the profile form). */
export const benchEmail = 'bench-user@bench.example';
export const benchPassword = 'a long bench passphrase';
export const benchSecretKey = 'bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH';

export interface LoginRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  expect: (status: number) => boolean;
}

/** The pages measured: tessera's profile form (logged in) and its home page. */
export const benchPages = [
  { id: 'profile', path: '/accounts/update', title: 'profile page (GET /accounts/update)' },
  { id: 'home', path: '/', title: 'home page (GET /)' },
] as const;
export type BenchPage = (typeof benchPages)[number]['id'];

export interface System {
  name: string;
  server: Server;
  dataDir: string;
  /** the Cookie header of the logged-in user */
  cookie: string;
  /** a request that logs the user in, repeatable as it is */
  login: LoginRequest;
  hashParams: Record<string, unknown>;
  stop(): Promise<void>;
}

/** CSRF values differ by system (and by request on tessera): the rest of a page must not. */
const withoutCsrf = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');

/** tessera's pages as it served them in this run, each system's to be compared against. */
const reference = new Map<string, string>();

/**
 * Each measured page shows the user with the cookie and not without (the profile form then
 * redirects to the login page, as the site does), and is tessera's page byte for byte but the
 * CSRF values: the peers write it as a template literal, the ceiling renders the site's components.
 */
async function checkPages(name: string, url: string, cookie: string, options: { auth: boolean; isReference: boolean }): Promise<void> {
  for (const page of benchPages) {
    const response = await fetch(url + page.path, { headers: { cookie }, redirect: 'manual' });
    const html = await response.text();
    if (response.status !== 200) throw new Error(`${name}: ${page.path} answered ${response.status} with the cookie`);
    if (!html.includes(`>${benchUser}<`)) throw new Error(`${name}: ${page.path} does not show the user with the cookie`);
    if (options.isReference) reference.set(page.path, withoutCsrf(html));
    const expected = reference.get(page.path);
    if (expected !== undefined && withoutCsrf(html) !== expected) {
      const mine = withoutCsrf(html);
      let at = 0;
      while (at < mine.length && mine[at] === expected[at]) at += 1;
      throw new Error(`${name}: ${page.path} is not tessera's page; from character ${at}:\n  tessera: ${expected.slice(at, at + 120)}\n  ${name}: ${mine.slice(at, at + 120)}`);
    }
    if (!options.auth) continue;
    const anonymous = await fetch(url + page.path, { redirect: 'manual' });
    const body = await anonymous.text();
    if (body.includes(`>${benchUser}<`)) throw new Error(`${name}: ${page.path} shows the user without the cookie`);
    if (page.id === 'profile' && (anonymous.status !== 302 || anonymous.headers.get('location') !== '/accounts/login?next=/accounts/update')) {
      throw new Error(`${name}: ${page.path} without the cookie answered ${anonymous.status} ${anonymous.headers.get('location') ?? ''}, not a redirect to the login page`);
    }
  }
}

export interface TesseraOptions {
  workers?: number;
  env?: Record<string, string>;
  dataDir?: string;
  /** node flags before `npm start`'s own, e.g. --cpu-prof for a profile (NODE_OPTIONS refuses it) */
  nodeFlags?: string[];
}

export async function startTessera(options: TesseraOptions = {}): Promise<System> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const workers = options.workers ?? 1;
  // Started exactly as `npm start` starts it (package.json), V8 flags included.
  const server = await startServer([...(options.nodeFlags ?? []), ...startFlags, ...siteCommand('start')], {
    ...startEnv,
    DATA_DIR: dataDir,
    SECRET_KEY: benchSecretKey,
    WEB_CONCURRENCY: String(workers),
    // The benchmark logs in many times from one address; throttling is not what it measures.
    LOGIN_FAILURES_PER_ADDRESS: '1000000',
    LOGIN_FAILURES_PER_ACCOUNT: '1000000',
    ...options.env,
  }, { probe: '/healthz' });
  const name = workers > 1 ? `tessera (${workers} processes)` : 'tessera (1 process)';
  try {
    const client = new Client(server.url);
    const signup = await client.submit('/accounts/signup', '/accounts/signup', { username: benchUser, password1: benchPassword, password2: benchPassword });
    if (signup.status !== 303 && signup.status !== 422) throw new Error(`${name}: signup answered ${signup.status}`);
    const fresh = new Client(server.url);
    const login = await fresh.submit('/accounts/login', '/accounts/login', { username: benchUser, password: benchPassword, remember_me: 'on' });
    if (login.status !== 303) throw new Error(`${name}: login answered ${login.status}`);
    // The peers' users have an email (their signup sets it); tessera's gets the same one here.
    const update = await fresh.submit('/accounts/update', '/accounts/update', { email: benchEmail, first_name: '', last_name: '' });
    if (update.status !== 303) throw new Error(`${name}: the profile update answered ${update.status}`);
    // hide_notice: the peers render the page without the site notice; so does tessera here.
    const cookie = `sessionid=${fresh.cookie('sessionid')}; csrftoken=${fresh.cookie('csrftoken')}; hide_notice=1`;
    // The profile update left a one-time message in the session: the first view shows it.
    await fetch(`${server.url}/accounts/update`, { headers: { cookie } });
    await checkPages(name, server.url, cookie, { auth: true, isReference: true });
    const form = new Client(server.url);
    const page = await form.get('/accounts/login');
    return {
      name,
      server,
      dataDir,
      cookie,
      login: {
        url: `${server.url}/accounts/login`,
        headers: { cookie: `csrftoken=${form.cookie('csrftoken')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrfToken(page.body), username: benchUser, password: benchPassword, remember_me: 'on' }).toString(),
        expect: (status) => status === 303,
      },
      hashParams: { algorithm: 'argon2id', memoryKiB: OWASP_ARGON2ID.memoryCost, t: OWASP_ARGON2ID.timeCost, p: OWASP_ARGON2ID.parallelism },
      stop: async () => {
        await server.stop();
        if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function cookiesFrom(response: Response, names: readonly string[]): string[] {
  return response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0]!)
    .filter((pair) => names.includes(pair.slice(0, pair.indexOf('='))));
}

export async function startPeer(peer: PeerSpec, workers?: number): Promise<System> {
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-bench-${peer.id}-`));
  const { PORT: _port, HOST: _host, ...env } = peerEnv(peer, { port: 0, dataDir, ...(workers !== undefined && { workers }) });
  const server = await startServer(peer.argv, env, { missingExitCode });
  const name = workers !== undefined && workers > 1 && peer.id !== 'django' ? `${peer.name} (${workers} processes)` : peer.name;
  try {
    let cookie = '';
    let hashParams: Record<string, unknown> = {};
    if (peer.auth) {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const body = new URLSearchParams({ username: benchUser, password: benchPassword }).toString();
      const signup = await fetch(`${server.url}/bench/signup`, { method: 'POST', headers: form, body });
      if (signup.status !== 201 && signup.status !== 409) throw new Error(`${name}: signup answered ${signup.status}`);
      const login = await fetch(`${server.url}/bench/login`, { method: 'POST', headers: form, body, redirect: 'manual' });
      if (login.status >= 400) throw new Error(`${name}: login answered ${login.status}`);
      cookie = cookiesFrom(login, [...peer.sessionCookies, ...peer.otherCookies]).join('; ');
      await checkPages(name, server.url, cookie, { auth: true, isReference: false });
      hashParams = (await (await fetch(`${server.url}/bench/hash-params`)).json()) as Record<string, unknown>;
    } else await checkPages(name, server.url, cookie, { auth: false, isReference: false });
    return {
      name,
      server,
      dataDir,
      cookie,
      login: {
        url: `${server.url}/bench/login`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: benchUser, password: benchPassword }).toString(),
        expect: (status) => status < 400,
      },
      hashParams,
      stop: async () => {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
