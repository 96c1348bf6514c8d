// A limit on how often one client may do something (sign up, ask for a mail) in a fixed window, shared by every process.
import { hash } from 'node:crypto';
import { addressBucket } from './client-address.ts';
import type { FailureCounter } from './throttle.ts';
import type { ThrottleVerdict } from './throttle.ts';

/** What {@link RateLimit} counts: in which counter, under what name, how many in how long. */
export interface RateLimitOptions {
  counter: FailureCounter;
  /** keeps this limit's keys apart from others in the same counter, e.g. "signup" */
  name: string;
  limit: number;
  windowSeconds: number;
  /**
   * What is counted, from what `attempt` is given: by default the client address (IPv6 by its
   * /64); {@link byRecipient} counts an email address instead.
   */
  subject?: (value: string) => string;
}

/**
 * Counts by email address, case-insensitively, and keeps only a hash of it: the counters table
 * then holds no one's address.
 */
export function byRecipient(email: string): string {
  return hash('sha256', email.trim().toLowerCase(), 'base64url');
}

/**
 * At most `limit` actions per client address (IPv6 by its /64) in a window. Like the login
 * throttle it claims before the work, so a burst cannot pass the limit, and gives the claim back
 * for an attempt that came to nothing.
 */
export class RateLimit {
  readonly #options: RateLimitOptions;

  constructor(options: RateLimitOptions) {
    this.#options = options;
  }

  #key(value: string): string {
    return `${this.#options.name}:${(this.#options.subject ?? addressBucket)(value)}`;
  }

  /** Claims one action for the address, and says whether it may go on. */
  async attempt(address: string, now = Date.now()): Promise<ThrottleVerdict> {
    const { counter, limit, windowSeconds } = this.#options;
    const count = await counter.increment(this.#key(address), now, windowSeconds * 1000);
    if (count.count <= limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((count.resetsAt - now) / 1000)) };
  }

  /** The claimed action did not happen after all (the form was refused): it does not count. */
  release(address: string): Promise<void> {
    return this.#options.counter.release(this.#key(address));
  }

  /** How long this limit's counters must be kept: clearing them sooner would reset a window early. */
  get windowSeconds(): number {
    return this.#options.windowSeconds;
  }
}
