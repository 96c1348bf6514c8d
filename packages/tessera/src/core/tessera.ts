// Wires tessera's parts together from one Config: database, users, passwords, sessions, throttle, cache.
import { openDatabase, type Db } from '../db/database.ts';
import { migrate, misnamedMigration, type MigrationFactory } from '../db/migrate.ts';
import { Auth } from './auth.ts';
import type { Cache } from './cache/cache.ts';
import cluster from 'node:cluster';
import { ClusterCache } from './cache/cluster-cache.ts';
import { LruCache } from './cache/lru-cache.ts';
import { RedisCache } from './cache/redis-cache.ts';
import type { Config } from './config.ts';
import { TesseraError } from './errors.ts';
import { defaultPasswords, type Passwords } from './passwords/passwords.ts';
import { Permissions } from './permissions/permissions.ts';
import { SqlPermissionStore } from './permissions/sql-permission-store.ts';
import { closeRedisClient, createRedisClient, waitUntilReady, type RedisClient } from './redis-client.ts';
import { resolveSecretKey } from './secret-key.ts';
import { CachedSessionStore } from './sessions/cached-session-store.ts';
import { CookieSessionStore } from './sessions/cookie-session-store.ts';
import { RedisSessionStore } from './sessions/redis-session-store.ts';
import { SessionManager } from './sessions/session-manager.ts';
import type { SessionStore } from './sessions/session-store.ts';
import { SqlSessionStore } from './sessions/sql-session-store.ts';
import { SqlFailureCounter } from './sql-failure-counter.ts';
import { LoginThrottle } from './throttle.ts';
import { byRecipient, RateLimit } from './rate-limit.ts';
import { Mailer } from './mail/mailer.ts';
import { PasswordResetTokens } from './password-reset-tokens.ts';
import { EmailVerificationTokens } from './email-verification-tokens.ts';
import { DeviceCookies } from './device-cookie.ts';
import { AuthEvents } from './audit/auth-events.ts';
import { CachedUserStore } from './users/cached-user-store.ts';
import { SqlUserStore } from './users/sql-user-store.ts';
import type { UserFields } from './users/user-fields.ts';
import type { UserStore } from './users/user-store.ts';

/** What {@link createTessera} takes besides the {@link Config}. */
export interface TesseraOptions<Extra extends object> {
  /** the application's own user fields (columns it adds with `migrations`) */
  userFields?: UserFields<Extra>;
  /** the application's own migrations, run after tessera's */
  migrations?: Record<string, MigrationFactory>;
  /** an already open database (tests); otherwise DATABASE_URL is opened */
  db?: Db;
  passwords?: Passwords;
  /** a cache of the caller's choosing; by default Redis when REDIS_URL is set, else an in-process LRU */
  cache?: Cache;
  /** a mailer of the caller's choosing; by default one for EMAIL_URL and DEFAULT_FROM_EMAIL */
  mailer?: Mailer;
}

/**
 * One configured tessera: the database, the stores and the verbs an application uses. Made by
 * {@link createTessera}; the Fastify plugin and the `tessera` command line take one.
 */
export interface Tessera<Extra extends object = Record<string, unknown>> {
  config: Config;
  /** the application's own migrations, as given to createTessera (the command line applies them) */
  migrations: Readonly<Record<string, MigrationFactory>>;
  db: Db;
  secretKey: string;
  users: UserStore<Extra>;
  passwords: Passwords;
  sessionStore: SessionStore;
  sessions: SessionManager;
  auth: Auth<Extra>;
  throttle: LoginThrottle;
  /** the audit trail of authentication: logins, failures, logouts, password changes, revocations */
  events: AuthEvents;
  /** SIGNUPS_PER_ADDRESS: accounts one address may create in an hour */
  signups: RateLimit;
  /** the `device` cookie: browsers that logged into an account before are never locked out of it by others */
  devices: DeviceCookies;
  /** EMAIL_URL's transport: `send` queues a message and returns at once; failures are logged and retried */
  mailer: Mailer;
  /** password-reset links' tokens (Django's PasswordResetTokenGenerator), never stored */
  passwordResets: PasswordResetTokens;
  /** address-verification links' tokens: signed, single-use, expiring */
  emailVerifications: EmailVerificationTokens;
  /** MAIL_REQUESTS_PER_ADDRESS: reset and resend requests one client address may make in an hour */
  mailRequests: RateLimit;
  /** MAILS_PER_RECIPIENT: mails one email address may be sent in an hour (counted by a hash of it) */
  mailRecipients: RateLimit;
  /** forgets the login-failure and sign-up counters whose windows are over (the clearsessions command); how many went */
  clearExpiredCounters(now?: number): Promise<number>;
  permissions: Permissions;
  /** Redis when REDIS_URL is set, else an in-process LRU */
  cache: Cache;
  /** applies pending migrations (tessera's, then the application's) */
  migrate(): Promise<void>;
  /** resolves once every service it uses answers (Redis connects in the background) */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** How long cached sessions and users live: short in-process, where other processes cannot be told. */
const sharedCacheTtlSeconds = 300;
const localCacheTtlSeconds = 60;

/**
 * Wires tessera together from one {@link Config}: the database named by `DATABASE_URL`, the
 * user store (with the application's own fields), password hashing, the session store chosen
 * by `SESSION_STORE`, login throttling, permissions and the cache.
 *
 * @example
 * import { createTessera, loadConfig } from 'tessera';
 *
 * const tessera = createTessera(loadConfig());   // DATABASE_URL, SECRET_KEY, … from the environment
 * await tessera.migrate();
 * const user = await tessera.users.getByUsername('alice');
 */
export function createTessera<Extra extends object = Record<string, unknown>>(
  config: Config,
  options: TesseraOptions<Extra> = {},
): Tessera<Extra> {
  if (config.sessionStore === 'redis' && config.redisUrl === undefined) {
    throw new TesseraError('config_invalid', 'SESSION_STORE=redis needs REDIS_URL');
  }
  if (config.sessionStore === 'cached-db' && config.redisUrl === undefined && config.webConcurrency > 1) {
    // An in-process cache in one process cannot hear of a revocation made in another.
    throw new TesseraError('config_invalid', 'SESSION_STORE=cached-db with WEB_CONCURRENCY > 1 needs REDIS_URL, so every process sees revocations');
  }
  const db = options.db ?? openDatabase(config.databaseUrl, { poolSize: config.databasePoolSize, createFolder: config.databaseUrlIsDefault });
  const secretKey = resolveSecretKey(config);
  const sqlUsers = new SqlUserStore<Extra>(db, options.userFields ? { fields: options.userFields } : {});
  const passwords = options.passwords ?? defaultPasswords({ maxWaiting: config.passwordHashesWaiting });
  const cache: Cache =
    options.cache ??
    (config.redisUrl
      ? new RedisCache(config.redisUrl)
      : // Several processes without Redis: each its own LRU, deletions told to every other.
        cluster.isWorker
        ? new ClusterCache({ maxEntries: 10_000 })
        : new LruCache({ maxEntries: 10_000 }));
  const redisClients: RedisClient[] = [];

  let users: UserStore<Extra> = sqlUsers;
  let sessionStore: SessionStore;
  let sessions: SessionManager;
  switch (config.sessionStore) {
    case 'db':
      sessionStore = new SqlSessionStore(db, sqlUsers);
      sessions = new SessionManager(sessionStore, config.session);
      break;
    case 'redis': {
      const client = createRedisClient(config.redisUrl!);
      client.connect().catch(() => {});
      redisClients.push(client);
      sessionStore = new RedisSessionStore(client);
      sessions = new SessionManager(sessionStore, config.session);
      break;
    }
    case 'cached-db': {
      const ttlSeconds = config.redisUrl ? sharedCacheTtlSeconds : localCacheTtlSeconds;
      users = new CachedUserStore(sqlUsers, cache, { ttlSeconds });
      sessionStore = new CachedSessionStore(new SqlSessionStore(db, sqlUsers), cache, { ttlSeconds });
      sessions = new SessionManager(sessionStore, config.session);
      break;
    }
    case 'cookie':
      sessionStore = new CookieSessionStore(db, sqlUsers, { secretKey, settings: config.session });
      sessions = new SessionManager(sessionStore, config.session);
      break;
  }

  const counter = new SqlFailureCounter(db);
  const events = new AuthEvents(db);
  const throttle = new LoginThrottle({
    counter,
    perAccount: config.loginFailuresPerAccount,
    perAddress: config.loginFailuresPerAddress,
    windowSeconds: config.loginFailureWindowSeconds,
  });
  const signups = new RateLimit({ counter, name: 'signup', limit: config.signupsPerAddress, windowSeconds: config.signupWindowSeconds });
  const { email } = config;
  const mailRequests = new RateLimit({ counter, name: 'mail-request', limit: email.requestsPerAddress, windowSeconds: email.windowSeconds });
  const mailRecipients = new RateLimit({ counter, name: 'mail-recipient', limit: email.mailsPerRecipient, windowSeconds: email.windowSeconds, subject: byRecipient });
  const mailer = options.mailer ?? new Mailer({ url: email.url, from: email.from });

  return {
    config,
    db,
    secretKey,
    users,
    passwords,
    sessionStore,
    sessions,
    auth: new Auth<Extra>({ users, passwords, secretKey, throttle, events }),
    events,
    throttle,
    signups,
    devices: new DeviceCookies(secretKey),
    mailer,
    passwordResets: new PasswordResetTokens({ secretKey, timeoutSeconds: email.passwordResetTimeoutSeconds }),
    emailVerifications: new EmailVerificationTokens({ secretKey, timeoutSeconds: email.verificationTimeoutSeconds }),
    mailRequests,
    mailRecipients,
    clearExpiredCounters: (now = Date.now()) =>
      // Kept as long as the longest window among them: clearing sooner would reset a window early.
      counter.clearExpired(now - Math.max(config.loginFailureWindowSeconds, signups.windowSeconds, email.windowSeconds) * 1000),
    permissions: new Permissions(new SqlPermissionStore(db)),
    cache,
    migrations: { ...(options.migrations ?? {}) },
    migrate: async () => {
      // db throws plain Errors; callers of tessera get them as the catalogue's codes, same message.
      const misnamed = misnamedMigration(options.migrations ?? {});
      if (misnamed !== null) throw new TesseraError('config_invalid', misnamed);
      try {
        await migrate(db, options.migrations);
      } catch (error) {
        // The database's own error stays as the cause: an unreachable server must read as one.
        const failure = new TesseraError('internal', error instanceof Error ? error.message : String(error));
        throw Object.assign(failure, { cause: error instanceof Error && error.cause !== undefined ? error.cause : error });
      }
    },
    ready: async () => {
      if (cache instanceof RedisCache) await cache.ready();
      for (const client of redisClients) await waitUntilReady(client);
    },
    close: async () => {
      // Mail already queued goes out first (bounded): a reset link asked for just before a restart still arrives.
      await mailer.close();
      await cache.close();
      for (const client of redisClients) await closeRedisClient(client);
      await db.close();
    },
  };
}
