// The peers `npm run bench` measures tessera against, for the runner to import.
//
// Every peer is a standalone server started as `node <argv>` from the repository root, with
// PORT and HOST (127.0.0.1), DATA_DIR (a throwaway folder for its SQLite file) and WORKERS in its
// environment. It listens once it is ready, and stops (removing nothing the runner gave it) on
// SIGTERM. Except the bare ceiling, each exposes the same surface:
//   POST /bench/signup      form username, password → 201 (409 when taken)
//   POST /bench/login       form username, password → 200 + its session cookie(s); 401 when wrong
//   GET  /accounts/update   tessera's profile form (pages.ts) with the session cookie; without it
//                           a 302 to /accounts/login?next=/accounts/update, as the site answers
//   GET  /                  tessera's home page (pages.ts); the username shows only with the session cookie
//   GET  /bench/hash-params JSON: its password hash algorithm and parameters as it uses them
//   GET  /bench/versions    JSON: the versions of what it runs on

/** The exit code of a peer whose system is not installed here (the runner says so and skips it). */
export const missingExitCode = 3;

export interface PeerSpec {
  /** a short key, for filters and file names */
  id: string;
  /** its row's name in the table */
  name: string;
  /** the arguments to `node` (process.execPath), relative to the repository root */
  argv: readonly string[];
  /** its own environment; the runner adds PORT, HOST, DATA_DIR and WORKERS (see peerEnv) */
  env: Readonly<Record<string, string>>;
  /** the cookies its login sets that carry the session: send them all on authenticated views */
  sessionCookies: readonly string[];
  /** other cookies its login sets, which a browser would send back too */
  otherCookies: readonly string[];
  /** false for the bare ceiling, which has no /bench/* routes and renders tessera's pages for a fixed logged-in user always */
  auth: boolean;
  /** WORKERS > 1 runs that many processes sharing the port (node:cluster, or gunicorn workers) */
  supportsWorkers: boolean;
  /** WORKERS when the runner gives none */
  defaultWorkers: number;
  /** may exit with missingExitCode when its system is not installed */
  optional: boolean;
  /** what it needs beyond `npm ci`, for the message when it is skipped */
  requires?: string;
}

const node = (file: string): string[] => ['--import', 'tsx', `bench/peers/${file}`];

export const peers: readonly PeerSpec[] = [
  {
    id: 'bare-fastify',
    name: "bare Fastify, tessera's page components, no auth",
    argv: node('bare-fastify-workers.ts'),
    env: {},
    sessionCookies: [],
    otherCookies: [],
    auth: false,
    supportsWorkers: true,
    defaultWorkers: 1,
    optional: false,
  },
  {
    id: 'express-passport',
    name: 'express-session + passport-local (SQLite, bcryptjs)',
    argv: node('express-passport.ts'),
    env: {},
    sessionCookies: ['connect.sid'],
    otherCookies: [],
    auth: true,
    supportsWorkers: true,
    defaultWorkers: 1,
    optional: false,
  },
  {
    id: 'better-auth',
    name: 'better-auth (SQLite)',
    argv: node('better-auth.ts'),
    env: {},
    sessionCookies: ['better-auth.session_token'],
    otherCookies: [],
    auth: true,
    supportsWorkers: true,
    defaultWorkers: 1,
    optional: false,
  },
  {
    id: 'better-auth-cookie-cache',
    name: 'better-auth (SQLite, cookie cache)',
    argv: node('better-auth.ts'),
    env: { COOKIE_CACHE: '1' },
    // session_data holds the 5-minute cache; without it every view reads the database.
    sessionCookies: ['better-auth.session_token', 'better-auth.session_data'],
    otherCookies: [],
    auth: true,
    supportsWorkers: true,
    defaultWorkers: 1,
    optional: false,
  },
  {
    id: 'django',
    name: 'Django 3.2 + gunicorn (SQLite)',
    argv: node('django.ts'),
    env: {},
    sessionCookies: ['sessionid'],
    // login() rotates the CSRF token; every page that prints {{ csrf_token }} sets it again.
    otherCookies: ['csrftoken'],
    auth: true,
    supportsWorkers: true,
    defaultWorkers: 2,
    optional: true,
    requires: "Debian's python3-django (3.2) and gunicorn: apt-get install -y python3-django gunicorn",
  },
];

/** The environment to start `peer` with, on top of process.env. */
export function peerEnv(peer: PeerSpec, where: { port: number; dataDir: string; workers?: number }): Record<string, string> {
  const workers = peer.supportsWorkers ? (where.workers ?? peer.defaultWorkers) : 1;
  return { ...peer.env, PORT: String(where.port), HOST: '127.0.0.1', DATA_DIR: where.dataDir, WORKERS: String(workers) };
}
