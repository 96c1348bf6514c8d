// One defaults object for the whole system, read from the environment and validated once at start.
import { deflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { parseDatabaseUrl } from '../db/database.ts';
import { TesseraError } from './errors.ts';
import { parseEmailUrl } from './mail/email-url.ts';

// An empty variable (`PORT=` in a compose file) means unset, as it does for TRUST_PROXY: coerced,
// it would be 0, and PORT=0 serves on a random port without a word.
const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce.number().int().min(min).max(max).default(fallback),
  );

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .default('')
  .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const environmentSchema = z.object({
  PORT: integer(3000, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  WEB_CONCURRENCY: integer(1, 1, 64),
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().url().optional(),
  SESSION_STORE: z.enum(['db', 'redis', 'cached-db', 'cookie']).default('db'),
  SECRET_KEY: z.string().optional(),
  LOGIN_FAILURES_PER_ACCOUNT: integer(10, 1, 1_000_000),
  LOGIN_FAILURES_PER_ADDRESS: integer(100, 1, 1_000_000),
  SIGNUPS_PER_ADDRESS: integer(20, 1, 1_000_000),
  DATABASE_POOL_SIZE: integer(10, 1, 1000),
  PASSWORD_HASHES_WAITING: integer(16, 0, 10_000),
  TRUST_PROXY: flag,
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  // An origin only: links in mails are this plus a path.
  SITE_URL: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z
      .string()
      .url()
      .refine((value) => /^https?:\/\/[^/?#]+\/?$/.test(value), 'SITE_URL must be an origin such as https://example.com, with no path')
      .transform((value) => value.replace(/\/$/, ''))
      .optional(),
  ),
  EMAIL_URL: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().default('console')),
  DEFAULT_FROM_EMAIL: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().default('webmaster@localhost')),
  PASSWORD_RESET_TIMEOUT: integer(259_200, 1, 10 * 365 * 24 * 3600),
  PASSWORD_RESET_LOGIN: flag,
  EMAIL_VERIFICATION: z.enum(['none', 'optional', 'mandatory']).default('none'),
  MAIL_REQUESTS_PER_ADDRESS: integer(20, 1, 1_000_000),
  MAILS_PER_RECIPIENT: integer(3, 1, 1_000_000),
});

/**
 * The settings tessera runs on, read from the environment by {@link loadConfig}: Django's settings module,
 * typed and checked once at start.
 */
export interface Config {
  port: number;
  host: string;
  webConcurrency: number;
  dataDir: string;
  databaseUrl: string;
  /** true when DATABASE_URL was not set and the file in DATA_DIR is used (its folder is made) */
  databaseUrlIsDefault: boolean;
  redisUrl: string | undefined;
  sessionStore: 'db' | 'redis' | 'cached-db' | 'cookie';
  /** from SECRET_KEY; undefined means "generate one in the data folder" (never in production) */
  secretKey: string | undefined;
  loginFailuresPerAccount: number;
  loginFailuresPerAddress: number;
  /** accounts one address (IPv6: its /64) may create in `signupWindowSeconds` */
  signupsPerAddress: number;
  signupWindowSeconds: number;
  /** PostgreSQL connections each process keeps at most (SQLite has one) */
  databasePoolSize: number;
  /** password hashes that may wait for a free slot in each process before a 503 */
  passwordHashesWaiting: number;
  /** the window the login-failure counters cover */
  loginFailureWindowSeconds: number;
  trustProxy: boolean;
  production: boolean;
  /** NODE_ENV=development (the default): the command line's server prints a line a request */
  development: boolean;
  logLevel: string;
  /**
   * SITE_URL: the origin the links in mails start with (`https://example.com`). Unset, an app
   * takes the request's own Host, which the client chooses: fine on a developer's machine, and
   * `tessera check --deploy` reports it.
   */
  siteUrl: string | undefined;
  session: SessionSettings;
  email: EmailSettings;
}

/** Mail and the flows that send it: password reset and address verification. */
export interface EmailSettings {
  /** EMAIL_URL: `console` (the default), `file:DIR`, `smtp://user:pass@host:port` or `smtps://…` */
  url: string;
  /** DEFAULT_FROM_EMAIL, the sender of every message; Django's default, `webmaster@localhost` */
  from: string;
  /** PASSWORD_RESET_TIMEOUT: how long a reset link works, Django's default of 3 days */
  passwordResetTimeoutSeconds: number;
  /** PASSWORD_RESET_LOGIN=1: a successful reset logs the user in (off, as in Django) */
  passwordResetLogin: boolean;
  /** EMAIL_VERIFICATION: `none`, `optional` (a notice until verified) or `mandatory` (no login until verified) */
  verification: 'none' | 'optional' | 'mandatory';
  /** how long a verification link works */
  verificationTimeoutSeconds: number;
  /** MAIL_REQUESTS_PER_ADDRESS: reset and resend requests one client address may make in `windowSeconds` */
  requestsPerAddress: number;
  /** MAILS_PER_RECIPIENT: mails one address may be sent in `windowSeconds`; more are answered the same and not sent */
  mailsPerRecipient: number;
  windowSeconds: number;
}

/**
 * How long sessions last and how often their last use is written; `maxAgeSeconds` is Django's
 * SESSION_COOKIE_AGE, the idle timeout has no Django equivalent.
 */
export interface SessionSettings {
  /** absolute lifetime of a "remember me" session, Django's SESSION_COOKIE_AGE */
  maxAgeSeconds: number;
  /** absolute lifetime kept on the server for a browser-session cookie */
  browserSessionMaxAgeSeconds: number;
  /** a session unused for this long ends, whatever its absolute expiry */
  idleTimeoutSeconds: number;
  /** last_seen is written at most this often, so reading pages costs no write */
  touchIntervalSeconds: number;
}

/**
 * Two weeks absolute for either kind of cookie (Django's SESSION_COOKIE_AGE), a week idle, and last use
 * written at most once a minute.
 */
export const defaultSessionSettings: SessionSettings = {
  maxAgeSeconds: 1_209_600,
  browserSessionMaxAgeSeconds: 1_209_600,
  idleTimeoutSeconds: 7 * 24 * 3600,
  touchIntervalSeconds: 60,
};

/**
 * Reads and validates the environment; a bad value stops the start with a clear message.
 *
 * @example
 * import { createTessera, loadConfig } from 'tessera';
 *
 * const config = loadConfig();   // PORT, DATABASE_URL, SECRET_KEY, SESSION_STORE, … from process.env
 * const tessera = createTessera(config);
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new TesseraError('config_invalid', `invalid configuration: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  if (production) assertStrongSecret(env.SECRET_KEY);
  else if (env.SECRET_KEY !== undefined && env.SECRET_KEY.length < 32) {
    throw new TesseraError('config_invalid', 'SECRET_KEY must be at least 32 characters');
  }
  if (env.SESSION_STORE === 'redis' && !env.REDIS_URL) {
    throw new TesseraError('config_invalid', 'SESSION_STORE=redis needs REDIS_URL');
  }
  if (env.DATABASE_URL !== undefined) assertDatabaseUrl(env.DATABASE_URL);
  // The mail layer's own parser: a typo stops the start with the setting's name, password hidden.
  parseEmailUrl(env.EMAIL_URL);
  return {
    port: env.PORT,
    host: env.HOST,
    webConcurrency: env.WEB_CONCURRENCY,
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL ?? `sqlite:${env.DATA_DIR}/db.sqlite3`,
    databaseUrlIsDefault: env.DATABASE_URL === undefined,
    redisUrl: env.REDIS_URL,
    sessionStore: env.SESSION_STORE,
    secretKey: env.SECRET_KEY,
    loginFailuresPerAccount: env.LOGIN_FAILURES_PER_ACCOUNT,
    loginFailuresPerAddress: env.LOGIN_FAILURES_PER_ADDRESS,
    loginFailureWindowSeconds: 15 * 60,
    signupsPerAddress: env.SIGNUPS_PER_ADDRESS,
    signupWindowSeconds: 3600,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    passwordHashesWaiting: env.PASSWORD_HASHES_WAITING,
    trustProxy: env.TRUST_PROXY,
    production,
    development: env.NODE_ENV === 'development',
    logLevel: env.LOG_LEVEL ?? (environment.NODE_ENV === 'test' ? 'warn' : 'info'),
    siteUrl: env.SITE_URL,
    session: defaultSessionSettings,
    email: {
      url: env.EMAIL_URL,
      from: env.DEFAULT_FROM_EMAIL,
      passwordResetTimeoutSeconds: env.PASSWORD_RESET_TIMEOUT,
      passwordResetLogin: env.PASSWORD_RESET_LOGIN,
      verification: env.EMAIL_VERIFICATION,
      verificationTimeoutSeconds: env.PASSWORD_RESET_TIMEOUT,
      requestsPerAddress: env.MAIL_REQUESTS_PER_ADDRESS,
      mailsPerRecipient: env.MAILS_PER_RECIPIENT,
      windowSeconds: 3600,
    },
  };
}

/**
 * Shannon entropy of the key's characters times its length, capped by the key's deflated size:
 * a cheap floor on guessability. The cap is there because per-character entropy alone ignores
 * order, and so rates a repeated word ("password" eight times, 176 bits) as strong as random text.
 */
export function estimatedEntropyBits(key: string): number {
  const counts = new Map<string, number>();
  for (const char of key) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / key.length;
    perChar -= p * Math.log2(p);
  }
  return Math.min(perChar * key.length, deflateRawSync(key, { level: 9 }).length * 8);
}

/**
 * Checked here, not when the database opens, so a mistyped URL stops the start with the
 * setting's name; by the one parser the database layer opens it with.
 */
function assertDatabaseUrl(url: string): void {
  try {
    parseDatabaseUrl(url);
  } catch (error) {
    throw new TesseraError('config_invalid', error instanceof Error ? error.message : String(error));
  }
}

function assertStrongSecret(secret: string | undefined): void {
  if (secret === undefined || secret.length === 0) {
    throw new TesseraError('config_invalid', 'SECRET_KEY is required when NODE_ENV=production');
  }
  if (secret.length < 32 || estimatedEntropyBits(secret) < 128) {
    throw new TesseraError(
      'config_invalid',
      'SECRET_KEY is too weak: use at least 32 random bytes, e.g. `openssl rand -base64 48`',
    );
  }
}
