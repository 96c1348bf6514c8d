// Peer: better-auth with better-sqlite3, email + password (the username goes in as
// `${username}@bench.example`, and as the user's name, which the pages show; better-auth keeps
// no first and last names, which the profile form shows empty, as for every peer's user). Its own password
// hashing (scrypt through node:crypto), its own session table, its own cookies. Served by plain
// node:http, the lightest host there is: its /api/auth/* routes through toNodeHandler, the bench
// routes through auth.api. COOKIE_CACHE=1 turns on session.cookieCache (5 minutes, compact).
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';
import Database from 'better-sqlite3';
import { emailOf, htmlType, packageVersions, readForm, runPeer, tuneSqlite, type PeerSettings } from './common.ts';
import { homePage, profileLoginRedirect, profilePage } from './pages.ts';

const cookieCache = process.env.COOKIE_CACHE === '1';

function createAuth(s: PeerSettings) {
  const database = tuneSqlite(new Database(join(s.dataDir, 'better-auth.sqlite3')));
  return betterAuth({
    database,
    baseURL: `http://${s.host}:${s.port}`,
    secret: 'bench-better-auth-secret-0123456789abcdefghijklmnop',
    emailAndPassword: { enabled: true },
    session: cookieCache ? { cookieCache: { enabled: true, maxAge: 300 } } : {},
    // Off so that the bench can log in as fast as it likes (it is on by default in production only).
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
  });
}

async function setup(s: PeerSettings): Promise<void> {
  const auth = createAuth(s);
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', headers?: Headers): void {
  const setCookie = headers?.getSetCookie() ?? [];
  if (setCookie.length > 0) res.setHeader('set-cookie', setCookie);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** better-auth's APIError carries an HTTP status; anything else is a 500. */
function statusOf(error: unknown): number {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : 500;
}

async function serve(s: PeerSettings): Promise<() => Promise<void>> {
  const auth = createAuth(s);
  const authHandler = toNodeHandler(auth);
  const versions = JSON.stringify(packageVersions(['better-auth', 'better-sqlite3', 'kysely']));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    const handle = async () => {
      if (path?.startsWith('/api/auth/')) return authHandler(req, res);
      if (route === 'GET /') {
        const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
        return send(res, 200, homePage(session?.user.name), htmlType);
      }
      if (route === 'GET /accounts/update') {
        const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
        if (!session) {
          res.writeHead(302, { location: profileLoginRedirect, 'content-length': 0 });
          return void res.end();
        }
        const { name, email } = session.user;
        return send(res, 200, profilePage({ username: name, email, firstName: '', lastName: '' }), htmlType);
      }
      if (route === 'POST /bench/signup') {
        const form = await readForm(req);
        const username = form.get('username') ?? '';
        await auth.api.signUpEmail({ body: { email: emailOf(username), name: username, password: form.get('password') ?? '' } });
        return send(res, 201, 'created');
      }
      if (route === 'POST /bench/login') {
        const form = await readForm(req);
        const { headers } = await auth.api.signInEmail({
          body: { email: emailOf(form.get('username') ?? ''), password: form.get('password') ?? '' },
          headers: fromNodeHeaders(req.headers),
          returnHeaders: true,
        });
        return send(res, 200, 'logged in', undefined, headers);
      }
      if (route === 'GET /bench/hash-params') {
        // @better-auth/utils/password (node build): scrypt via node:crypto, NFKC, 16-byte salt, `salt:key` hex.
        return send(res, 200, JSON.stringify({ algorithm: 'scrypt', N: 16384, r: 16, p: 1, dkLen: 64, saltBytes: 16, implementation: 'node:crypto scrypt (@better-auth/utils)' }), 'application/json');
      }
      if (route === 'GET /bench/versions') return send(res, 200, versions, 'application/json');
      return send(res, 404, 'not found');
    };
    handle().catch((error: unknown) => {
      const status = statusOf(error);
      if (status >= 500) console.error(error);
      if (!res.headersSent) send(res, status, status >= 500 ? 'error' : String((error as Error).message));
      else res.destroy();
    });
  });
  server.listen(s.port, s.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
}

await runPeer(setup, serve);
