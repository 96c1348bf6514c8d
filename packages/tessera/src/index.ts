// tessera's public API (the `tessera` entry point): the verbs, stores and types an application
// uses, exported by name. Nothing here imports Fastify; the adapter is `tessera/fastify`.
export { createTessera, type Tessera, type TesseraOptions } from './core/tessera.ts';
export { loadConfig, defaultSessionSettings, type Config, type SessionSettings, type EmailSettings } from './core/config.ts';
export { TesseraError, errorCatalogue, type ErrorCode } from './core/errors.ts';
// The database types createTessera's signature names (tessera/db has the rest of that layer).
export type { Db } from './db/database.ts';
export type { MigrationFactory } from './db/migrate.ts';

// Authentication: who is asking.
export { Auth, SESSION_AUTH_HASH_KEY, type AuthOptions, type AuthenticateOptions, type AuthenticationResult } from './core/auth.ts';
export { LoginThrottle, MemoryFailureCounter, type FailureCounter, type FailureCount, type LoginThrottleOptions, type ThrottleVerdict, type AttemptOrigin } from './core/throttle.ts';
export { SqlFailureCounter } from './core/sql-failure-counter.ts';
export { AuthEvents, type AuthEvent, type AuthEventKind, type StoredAuthEvent, type AuditLogger } from './core/audit/auth-events.ts';
export { RateLimit, byRecipient, type RateLimitOptions } from './core/rate-limit.ts';
export { Mailer, type MailLogger, type MailerOptions } from './core/mail/mailer.ts';
export type { MailMessage } from './core/mail/mail-message.ts';
export { parseEmailUrl, describeEmailUrl, type EmailTransportSpec } from './core/mail/email-url.ts';
export { PasswordResetTokens, encodeUid, decodeUid } from './core/password-reset-tokens.ts';
export { EmailVerificationTokens } from './core/email-verification-tokens.ts';
export { DeviceCookies } from './core/device-cookie.ts';
export { addressBucket } from './core/client-address.ts';

// Users.
export {
  anonymousUser,
  normalizeUsername,
  cleanUsername,
  usernameProblem,
  usernameMaxLength,
  type User,
  type AnonymousUser,
  type AnyUser,
  type UsernameProblem,
} from './core/users/user.ts';
export type { UserStore, NewUser, UserChanges, UserExpectation } from './core/users/user-store.ts';
export type { UserFields } from './core/users/user-fields.ts';
export { SqlUserStore } from './core/users/sql-user-store.ts';
export { CachedUserStore } from './core/users/cached-user-store.ts';

// Passwords.
export { Passwords, defaultPasswords, type PasswordCheck, type PasswordsOptions, type DefaultPasswordsOptions } from './core/passwords/passwords.ts';
export type { PasswordHasher } from './core/passwords/password-hasher.ts';
export { Argon2idHasher, OWASP_ARGON2ID, type Argon2idParams } from './core/passwords/argon2id.ts';
export {
  validatePassword,
  defaultValidators,
  minimumLength,
  commonPassword,
  numericPassword,
  attributeSimilarity,
  type PasswordIssue,
  type PasswordIssueCode,
  type PasswordContext,
  type PasswordValidator,
  type PasswordSimilarField,
} from './core/passwords/validators.ts';
export { passwordIssueMessage, passwordHelpTexts, type PasswordLanguage } from './core/passwords/messages.ts';

// Sessions.
export { Session } from './core/sessions/session.ts';
export { SessionManager, type SessionCookie, type ClientInfo } from './core/sessions/session-manager.ts';
export type { SessionStore, SessionRecord, SessionData } from './core/sessions/session-store.ts';
export { SqlSessionStore } from './core/sessions/sql-session-store.ts';
export { MemorySessionStore } from './core/sessions/memory-session-store.ts';
export { RedisSessionStore } from './core/sessions/redis-session-store.ts';
export { CachedSessionStore } from './core/sessions/cached-session-store.ts';
export { CookieSessionStore, type CookieSessionStoreOptions } from './core/sessions/cookie-session-store.ts';
export { tokenCookieFormat, type SessionCookieFormat, type SessionCookieContents } from './core/sessions/session-cookie-format.ts';
export { isSessionId } from './core/sessions/token.ts';

// CSRF and redirects.
export { csrfTokenMatches, crossSiteReason, maskCsrfSecret, newCsrfSecret, isCsrfSecret, TrustedOrigins, type RequestOrigin } from './core/csrf.ts';
export { isSafeRedirect, safeRedirect, refererPath } from './core/redirects.ts';
export { Signer } from './core/signing.ts';

// Authorization: what a user may do.
export { Permissions, isPermissionCodename, type PermissionStore } from './core/permissions/permissions.ts';
export { SqlPermissionStore } from './core/permissions/sql-permission-store.ts';

// Caching.
export type { Cache, CacheFence } from './core/cache/cache.ts';
export { LruCache } from './core/cache/lru-cache.ts';
export { NullCache } from './core/cache/null-cache.ts';
export { RedisCache } from './core/cache/redis-cache.ts';
export { ClusterCache, relayClusterCacheMessages } from './core/cache/cluster-cache.ts';
