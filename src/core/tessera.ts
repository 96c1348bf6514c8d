// Wires tessera's parts together from one Config: database, users, passwords, sessions, throttle.
import type { Config } from './config.ts';
import { Auth } from './auth.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { migrate, type MigrationFactory } from '../db/migrate.ts';
import { defaultPasswords } from './passwords/passwords.ts';
import type { Passwords } from './passwords/passwords.ts';
import { resolveSecretKey } from './secret-key.ts';
import { SessionManager } from './sessions/session-manager.ts';
import { SqlSessionStore } from './sessions/sql-session-store.ts';
import type { SessionStore } from './sessions/session-store.ts';
import { SqlFailureCounter } from './sql-failure-counter.ts';
import { LoginThrottle } from './throttle.ts';
import { SqlUserStore } from './users/sql-user-store.ts';
import type { UserFields } from './users/user-fields.ts';
import { TesseraError } from './errors.ts';
import type { Cache } from './cache/cache.ts';
import { LruCache } from './cache/lru-cache.ts';
import { RedisCache } from './cache/redis-cache.ts';
import { Permissions } from './permissions/permissions.ts';
import { SqlPermissionStore } from './permissions/sql-permission-store.ts';

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
}

export interface Tessera<Extra extends object = Record<string, unknown>> {
  config: Config;
  db: Db;
  secretKey: string;
  users: SqlUserStore<Extra>;
  passwords: Passwords;
  sessionStore: SessionStore;
  sessions: SessionManager;
  auth: Auth<Extra>;
  throttle: LoginThrottle;
  permissions: Permissions;
  /** Redis when REDIS_URL is set, else an in-process LRU */
  cache: Cache;
  /** applies pending migrations (tessera's, then the application's) */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export function createTessera<Extra extends object = Record<string, unknown>>(
  config: Config,
  options: TesseraOptions<Extra> = {},
): Tessera<Extra> {
  if (config.sessionStore !== 'db') {
    throw new TesseraError('config_invalid', `SESSION_STORE=${config.sessionStore} is not available yet; use db`);
  }
  const db = options.db ?? openDatabase(config.databaseUrl);
  const secretKey = resolveSecretKey(config);
  const users = new SqlUserStore<Extra>(db, options.userFields ? { fields: options.userFields } : {});
  const passwords = options.passwords ?? defaultPasswords();
  const sessionStore = new SqlSessionStore(db, users);
  const cache: Cache = options.cache ?? (config.redisUrl ? new RedisCache(config.redisUrl) : new LruCache({ maxEntries: 1000 }));
  return {
    config,
    db,
    secretKey,
    users,
    passwords,
    sessionStore,
    sessions: new SessionManager(sessionStore, config.session),
    auth: new Auth<Extra>({ users, passwords, secretKey }),
    throttle: new LoginThrottle({
      counter: new SqlFailureCounter(db),
      perAccount: config.loginFailuresPerAccount,
      perAddress: config.loginFailuresPerAddress,
      windowSeconds: config.loginFailureWindowSeconds,
    }),
    permissions: new Permissions(new SqlPermissionStore(db)),
    cache,
    migrate: async () => {
      await migrate(db, options.migrations);
    },
    close: async () => {
      await cache.close();
      await db.close();
    },
  };
}
