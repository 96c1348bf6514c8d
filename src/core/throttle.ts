// Login throttling: failed logins counted per account and per client address in a fixed window.

export interface FailureCount {
  count: number;
  /** when the window that holds these failures ends, ms since the epoch */
  resetsAt: number;
}

/** Where failure counters live: the database (shared by every process) or memory (tests). */
export interface FailureCounter {
  /** the failures counted for `key` in a window of `windowMs` still open at `now` */
  get(key: string, now: number, windowMs: number): Promise<FailureCount>;
  /** counts one more failure, opening a new window when the old one is over */
  increment(key: string, now: number, windowMs: number): Promise<void>;
  /** forgets the key */
  reset(key: string): Promise<void>;
}

export class MemoryFailureCounter implements FailureCounter {
  readonly #entries = new Map<string, { count: number; windowStart: number; windowMs: number }>();

  async get(key: string, now: number, windowMs: number): Promise<FailureCount> {
    const entry = this.#entries.get(key);
    if (!entry || entry.windowStart + windowMs <= now) return { count: 0, resetsAt: now };
    return { count: entry.count, resetsAt: entry.windowStart + windowMs };
  }

  async increment(key: string, now: number, windowMs: number): Promise<void> {
    const entry = this.#entries.get(key);
    if (!entry || entry.windowStart + entry.windowMs <= now) this.#entries.set(key, { count: 1, windowStart: now, windowMs });
    else entry.count += 1;
  }

  async reset(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}

export interface LoginThrottleOptions {
  counter: FailureCounter;
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

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

  static accountKey(normalizedUsername: string): string {
    return `account:${normalizedUsername}`;
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
