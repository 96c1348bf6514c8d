// Login throttling: failed logins counted per account and per client address in a fixed window.
import { createHash } from 'node:crypto';

/** The failures counted for one key in its current window. */
export interface FailureCount {
  count: number;
  /** when the window that holds these failures ends, ms since the epoch */
  resetsAt: number;
}

/** Where failure counters live: the database (shared by every process) or memory (tests). */
export interface FailureCounter {
  /** the failures counted for `key` in a window of `windowMs` still open at `now` */
  get(key: string, now: number, windowMs: number): Promise<FailureCount>;
  /** counts one more failure, opening a new window when the old one is over; returns the count */
  increment(key: string, now: number, windowMs: number): Promise<FailureCount>;
  /** takes back one count (an attempt that turned out to succeed) */
  release(key: string): Promise<void>;
  /** forgets the key */
  reset(key: string): Promise<void>;
  /** forgets every counter whose window opened before `before`; returns how many */
  clearExpired(before: number): Promise<number>;
}

/** Failure counters in this process's memory: for tests, never shared between processes. */
export class MemoryFailureCounter implements FailureCounter {
  readonly #entries = new Map<string, { count: number; windowStart: number; windowMs: number }>();

  async get(key: string, now: number, windowMs: number): Promise<FailureCount> {
    const entry = this.#entries.get(key);
    if (!entry || entry.windowStart + windowMs <= now) return { count: 0, resetsAt: now };
    return { count: entry.count, resetsAt: entry.windowStart + windowMs };
  }

  async increment(key: string, now: number, windowMs: number): Promise<FailureCount> {
    let entry = this.#entries.get(key);
    if (!entry || entry.windowStart + entry.windowMs <= now) {
      entry = { count: 1, windowStart: now, windowMs };
      this.#entries.set(key, entry);
    } else entry.count += 1;
    return { count: entry.count, resetsAt: entry.windowStart + entry.windowMs };
  }

  async release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry && entry.count > 0) entry.count -= 1;
  }

  async reset(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async clearExpired(before: number): Promise<number> {
    let removed = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.windowStart < before) {
        this.#entries.delete(key);
        removed += 1;
      }
    }
    return removed;
  }
}

/**
 * How many failed logins each window of `windowSeconds` allows per account and per client address before
 * the next attempt is refused (LOGIN_FAILURES_PER_ACCOUNT and LOGIN_FAILURES_PER_ADDRESS).
 */
export interface LoginThrottleOptions {
  counter: FailureCounter;
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

/** Whether a login attempt may go on; when not, the seconds until the window that blocks it closes (Retry-After). */
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Keyed on the normalised username and on the client address, so one attacker cannot try
 * many passwords on one account, nor one password on many accounts, without being slowed.
 */
export class LoginThrottle {
  readonly #options: LoginThrottleOptions;

  constructor(options: LoginThrottleOptions) {
    this.#options = options;
  }

  /** A hash of the name: a key of bounded length whatever was typed, and no usernames at rest. */
  static accountKey(normalizedUsername: string): string {
    return `account:${createHash('sha256').update(normalizedUsername).digest('hex')}`;
  }

  static addressKey(address: string): string {
    return `address:${address}`;
  }

  async check(normalizedUsername: string, address: string, now = Date.now()): Promise<ThrottleVerdict> {
    const { counter, perAccount, perAddress, windowSeconds } = this.#options;
    const [account, client] = await Promise.all([
      counter.get(LoginThrottle.accountKey(normalizedUsername), now, windowSeconds * 1000),
      counter.get(LoginThrottle.addressKey(address), now, windowSeconds * 1000),
    ]);
    const blockedUntil = Math.max(
      account.count >= perAccount ? account.resetsAt : 0,
      client.count >= perAddress ? client.resetsAt : 0,
    );
    if (blockedUntil === 0) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((blockedUntil - now) / 1000)) };
  }

  /**
   * Claims one login attempt before the password is checked, and says whether it may go on.
   * Counting first closes the race of a burst: parallel guesses cannot all pass a check made
   * before any of them failed. A failed attempt's claim simply stands; call succeeded() otherwise.
   */
  async attempt(normalizedUsername: string, address: string, now = Date.now()): Promise<ThrottleVerdict> {
    const { counter, perAccount, perAddress, windowSeconds } = this.#options;
    const windowMs = windowSeconds * 1000;
    const retryAfter = (until: number): ThrottleVerdict => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) });
    // The address first: once it is over its limit, its guesses no longer count against (and
    // so cannot lock) the accounts it names, nor write a row for each name it makes up.
    const client = await counter.increment(LoginThrottle.addressKey(address), now, windowMs);
    if (client.count > perAddress) return retryAfter(client.resetsAt);
    const account = await counter.increment(LoginThrottle.accountKey(normalizedUsername), now, windowMs);
    return account.count > perAccount ? retryAfter(account.resetsAt) : { allowed: true };
  }

  /** Forgets the counters whose window is over, so spraying usernames cannot grow them for ever. */
  clearExpired(now = Date.now()): Promise<number> {
    return this.#options.counter.clearExpired(now - this.#options.windowSeconds * 1000);
  }

  /** The attempt succeeded: the account starts afresh, and the address's claim is taken back. */
  async succeeded(normalizedUsername: string, address: string): Promise<void> {
    await this.#options.counter.reset(LoginThrottle.accountKey(normalizedUsername));
    await this.#options.counter.release(LoginThrottle.addressKey(address));
  }

  async recordFailure(normalizedUsername: string, address: string, now = Date.now()): Promise<void> {
    const windowMs = this.#options.windowSeconds * 1000;
    await this.#options.counter.increment(LoginThrottle.accountKey(normalizedUsername), now, windowMs);
    await this.#options.counter.increment(LoginThrottle.addressKey(address), now, windowMs);
  }

  /** A successful login clears the account's counter, not the address's. */
  async recordSuccess(normalizedUsername: string): Promise<void> {
    await this.#options.counter.reset(LoginThrottle.accountKey(normalizedUsername));
  }
}
