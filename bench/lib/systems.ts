// The systems under test, started the same way: tessera's site, or one of bench/peers, logged in as one user.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWASP_ARGON2ID } from 'tessera';
import { Client, csrfToken } from '../../test/support/client.ts';
import { missingExitCode, peerEnv, type PeerSpec } from '../peers/peers.ts';
import { root, siteCommand, startServer, type Server } from './servers.ts';

/** The node flags of package.json's start script, so the benchmark runs what `npm start` runs. */
const startFlags = (() => {
  const words = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  const flags: string[] = [];
  for (const word of words.slice(words.lastIndexOf('node') + 1)) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
})();

export const benchUser = 'bench-user';
export const benchPassword = 'a long bench passphrase';
export const benchSecretKey = 'bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH';

export interface LoginRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  expect: (status: number) => boolean;
}

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

async function checkPage(name: string, url: string, cookie: string): Promise<void> {
  const page = await (await fetch(url, { headers: { cookie } })).text();
  if (!page.includes(benchUser)) throw new Error(`${name}: the page does not show the user with the cookie`);
  const anonymous = await (await fetch(url)).text();
  if (anonymous.includes(`>${benchUser}<`)) throw new Error(`${name}: the page shows the user without the cookie`);
}

export interface TesseraOptions {
  workers?: number;
  env?: Record<string, string>;
  dataDir?: string;
}

export async function startTessera(options: TesseraOptions = {}): Promise<System> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const workers = options.workers ?? 1;
  // Started exactly as `npm start` starts it (package.json), V8 flags included.
  const server = await startServer([...startFlags, ...siteCommand('start')], {
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
    // hide_notice: the peers render the page without the site notice; so does tessera here.
    const cookie = `sessionid=${fresh.cookie('sessionid')}; csrftoken=${fresh.cookie('csrftoken')}; hide_notice=1`;
    await checkPage(name, server.url, cookie);
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
      await checkPage(name, server.url, cookie);
      hashParams = (await (await fetch(`${server.url}/bench/hash-params`)).json()) as Record<string, unknown>;
    }
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
