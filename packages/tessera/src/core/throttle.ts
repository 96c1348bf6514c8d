// Login throttling: failed logins counted per account and per client address in a fixed window.
import { createHash } from 'node:crypto';
import { addressBucket } from './client-address.ts';

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
/** What {@link LoginThrottle} counts against: the limits and the window they hold over. */
export interface LoginThrottleOptions {
  counter: FailureCounter;
  /** failed logins of one account from one client (an address, or a browser holding its device cookie) */
  perAccount: number;
  /** failed logins from one address, whatever the account */
  perAddress: number;
  /** failed logins of one account from every browser without its device cookie together (default perAddress) */
  perAccountFromUnknownBrowsers?: number;
  windowSeconds: number;
}

/** Whether an attempt may go on, and if not, for how long the client must wait. */
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Where a login attempt comes from. */
export interface AttemptOrigin {
  /** the client's address; IPv6 addresses are counted by their /64 */
  address: string;
  /** the id of this browser's device cookie for the account, when it holds a valid one */
  device?: string | undefined;
}

/**
 * OWASP's device-cookie lockout. Every attempt is counted against the client's address. A browser
 * that has logged into the account before (it holds the account's signed device cookie) is counted
 * on its own, so failures from elsewhere never lock it out. Any other browser is counted per
 * account and address, and all of them together against an account-wide limit, so that guessing
 * one account from many addresses is capped as well; only unknown browsers meet that cap.
 */
export class LoginThrottle {
  readonly #options: Required<LoginThrottleOptions>;

  constructor(options: LoginThrottleOptions) {
    this.#options = { perAccountFromUnknownBrowsers: options.perAddress, ...options };
  }

  /** A hash of the name: a key of bounded length whatever was typed, and no usernames at rest. */
  static accountKey(normalizedUsername: string): string {
    return `account:${createHash('sha256').update(normalizedUsername).digest('hex')}`;
  }

  static addressKey(address: string): string {
    return `address:${addressBucket(address)}`;
  }

  static accountFromAddressKey(normalizedUsername: string, address: string): string {
    return `${LoginThrottle.accountKey(normalizedUsername)}:from:${addressBucket(address)}`;
  }

  static deviceKey(device: string): string {
    return `device:${device}`;
  }

  /**
   * Claims one login attempt before the password is checked, and says whether it may go on.
   * Counting first closes the race of a burst: parallel guesses cannot all pass a check made
   * before any of them failed. A failed attempt's claim simply stands; call succeeded() otherwise.
   */
  async attempt(normalizedUsername: string, origin: AttemptOrigin, now = Date.now()): Promise<ThrottleVerdict> {
    const { counter, perAccount, perAddress, perAccountFromUnknownBrowsers, windowSeconds } = this.#options;
    const windowMs = windowSeconds * 1000;
    const blocked = (until: number): ThrottleVerdict => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) });
    // The address first: once it is over its limit, its guesses no longer count against (and
    // so cannot lock) the accounts it names, nor write a row for each name it makes up.
    const client = await counter.increment(LoginThrottle.addressKey(origin.address), now, windowMs);
    if (client.count > perAddress) return blocked(client.resetsAt);
    if (origin.device !== undefined) {
      const device = await counter.increment(LoginThrottle.deviceKey(origin.device), now, windowMs);
      return device.count > perAccount ? blocked(device.resetsAt) : { allowed: true };
    }
    const pair = await counter.increment(LoginThrottle.accountFromAddressKey(normalizedUsername, origin.address), now, windowMs);
    if (pair.count > perAccount) return blocked(pair.resetsAt);
    const account = await counter.increment(LoginThrottle.accountKey(normalizedUsername), now, windowMs);
    return account.count > perAccountFromUnknownBrowsers ? blocked(account.resetsAt) : { allowed: true };
  }

  /** The attempt was never judged (the check failed to run): every claim it made is taken back. */
  async abandoned(normalizedUsername: string, origin: AttemptOrigin): Promise<void> {
    const { counter } = this.#options;
    await counter.release(LoginThrottle.addressKey(origin.address));
    if (origin.device !== undefined) {
      await counter.release(LoginThrottle.deviceKey(origin.device));
      return;
    }
    await counter.release(LoginThrottle.accountFromAddressKey(normalizedUsername, origin.address));
    await counter.release(LoginThrottle.accountKey(normalizedUsername));
  }

  /** The attempt succeeded: this client starts afresh on the account, and its other claims are taken back. */
  async succeeded(normalizedUsername: string, origin: AttemptOrigin): Promise<void> {
    const { counter } = this.#options;
    await counter.release(LoginThrottle.addressKey(origin.address));
    if (origin.device !== undefined) {
      await counter.reset(LoginThrottle.deviceKey(origin.device));
      return;
    }
    await counter.reset(LoginThrottle.accountFromAddressKey(normalizedUsername, origin.address));
    await counter.release(LoginThrottle.accountKey(normalizedUsername));
  }
}
