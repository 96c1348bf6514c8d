// The one door to password hashing for the rest of tessera: which hasher, equal cost for every failure, and how many at once.
import { Argon2idHasher } from './argon2id.ts';
import type { Argon2idParams } from './argon2id.ts';
import { TesseraError } from '../errors.ts';
import { randomString } from '../random-string.ts';
import { djangoHashers } from './django.ts';
import type { PasswordHasher } from './password-hasher.ts';

/** What {@link Passwords.check} found; `needsRehash` is how a stored hash is upgraded on login. */
export interface PasswordCheck {
  ok: boolean;
  /** only meaningful when ok: store a fresh hash() of the password the user just gave */
  needsRehash: boolean;
}

/**
 * The hasher new hashes are made with, the older ones still read (Django's PASSWORD_HASHERS, first one
 * preferred), and how many hashes may run at once.
 */
export interface PasswordsOptions {
  preferred: PasswordHasher;
  others?: PasswordHasher[];
  /** hashes running at once; the rest wait in line (default 2) */
  maxConcurrency?: number;
  /**
   * hashes that may wait for a free slot (default 16); one more is refused at once with a 503
   * TesseraError carrying Retry-After, rather than queued behind a flood of sign-ups
   */
  maxWaiting?: number;
}

/**
 * Two fits a 2-core machine: a burst of logins keeps both busy at most, and every other
 * request still finds the event loop and the rest of the thread pool free.
 */
const DEFAULT_MAX_CONCURRENCY = 2;

const UNUSABLE_PREFIX = '!';
const UNUSABLE_SUFFIX_LENGTH = 40;

const FAILED: PasswordCheck = Object.freeze({ ok: false, needsRehash: false });

/**
 * Sixteen waiting behind two running is about 160 ms of argon2id at OWASP's cost: a login during
 * a flood of sign-ups waits that long at most, or is told to come back.
 */
const DEFAULT_MAX_WAITING = 16;

/** A counting semaphore with a bounded FIFO queue, so the order of logins is the order of service. */
function limiter(max: number, maxWaiting: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running < max) running += 1;
    else if (waiting.length >= maxWaiting) throw new TesseraError('unavailable', 'Too many password checks are waiting; try again in a moment.', { 'Retry-After': '1' });
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot jump the queue.
      const next = waiting.shift();
      if (next === undefined) running -= 1;
      else next();
    }
  };
}

/**
 * Django's password hashers with upgrade on login: hashes with the preferred hasher, checks with any, and
 * makes every failure cost the same. At most `maxConcurrency` hashes run at once, so a burst of logins
 * cannot starve other requests.
 */
export class Passwords {
  readonly #preferred: PasswordHasher;
  readonly #hashers: readonly PasswordHasher[];
  readonly #limit: <T>(task: () => Promise<T>) => Promise<T>;

  constructor(options: PasswordsOptions) {
    const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (!Number.isSafeInteger(maxConcurrency) || maxConcurrency < 1) {
      throw new RangeError(`maxConcurrency must be a positive integer, got ${String(maxConcurrency)}`);
    }
    const maxWaiting = options.maxWaiting ?? DEFAULT_MAX_WAITING;
    if (!Number.isSafeInteger(maxWaiting) || maxWaiting < 0) {
      throw new RangeError(`maxWaiting must be a whole number, got ${String(maxWaiting)}`);
    }
    const hashers = [options.preferred, ...(options.others ?? [])];
    const names = new Set(hashers.map((hasher) => hasher.algorithm));
    if (names.size !== hashers.length) {
      throw new RangeError('two password hashers share an algorithm name');
    }
    this.#preferred = options.preferred;
    this.#hashers = hashers;
    this.#limit = limiter(maxConcurrency, maxWaiting);
  }

  /** The encoding to store, made by the preferred hasher. */
  hash(password: string): Promise<string> {
    return this.#limit(() => this.#preferred.hash(password));
  }

  /**
   * Whether `password` matches `encoded`. Every way of failing costs one hash of the preferred
   * hasher at least, so response time does not tell an unusable or unknown encoding from a
   * wrong password (CVE-2024-39329).
   */
  async check(password: string, encoded: string | null): Promise<PasswordCheck> {
    const hasher = encoded !== null && this.isUsable(encoded) ? this.#hasherFor(encoded) : undefined;
    if (encoded === null || hasher === undefined) {
      await this.hashForTiming(password);
      return FAILED;
    }
    const ok = await this.#limit(() => hasher.verify(password, encoded));
    if (!ok) return FAILED;
    return { ok: true, needsRehash: hasher !== this.#preferred || hasher.needsRehash(encoded) };
  }

  /** costs one hash, for the timing of an unknown username (Django #20760) */
  async hashForTiming(password: string): Promise<void> {
    await this.hash(password);
  }

  /** An encoding that marks "no password": no hasher handles it, so it never verifies. */
  makeUnusable(): string {
    return UNUSABLE_PREFIX + randomString(UNUSABLE_SUFFIX_LENGTH);
  }

  /**
   * False for makeUnusable()'s encodings, as in Django, and also for null and "", which
   * no hasher can verify either (Django calls None usable, for historical reasons).
   */
  isUsable(encoded: string | null): boolean {
    return encoded !== null && encoded !== '' && !encoded.startsWith(UNUSABLE_PREFIX);
  }

  /** True when some password could match `encoded`: it is usable and one of the hashers reads it. */
  canCheck(encoded: string): boolean {
    return this.isUsable(encoded) && this.#hasherFor(encoded) !== undefined;
  }

  #hasherFor(encoded: string): PasswordHasher | undefined {
    return this.#hashers.find((hasher) => hasher.handles(encoded));
  }
}

/** What {@link defaultPasswords} lets a caller change: the argon2id cost and the hashing concurrency. */
export interface DefaultPasswordsOptions {
  /** overrides of the OWASP argon2id parameters */
  argon2id?: Partial<Argon2idParams>;
  maxConcurrency?: number;
  maxWaiting?: number;
}

/** argon2id preferred; Django's pbkdf2_sha256, pbkdf2_sha1, argon2, bcrypt_sha256, bcrypt and scrypt read for imported users. */
export function defaultPasswords(options: DefaultPasswordsOptions = {}): Passwords {
  return new Passwords({
    preferred: new Argon2idHasher(options.argon2id),
    others: djangoHashers(),
    maxConcurrency: options.maxConcurrency,
    maxWaiting: options.maxWaiting,
  });
}
