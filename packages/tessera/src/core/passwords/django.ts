// Readers of the password hashes a Django site stores, so its users can be imported and moved to argon2id at their next login.
import * as argon2 from 'argon2';
import { pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { randomString } from '../random-string.ts';
import { isCheckableArgon2Phc, verifyArgon2Phc } from './argon2id.ts';
import { DjangoBcryptHasher, DjangoBcryptSha256Hasher } from './django-bcrypt.ts';
import type { PasswordHasher } from './password-hasher.ts';

// Async forms only: the derivation runs on libuv's thread pool, and the event loop keeps serving pages.
const pbkdf2Async = promisify(pbkdf2);

function scryptAsync(
  password: string,
  salt: string,
  keyLength: number,
  options: { N: number; r: number; p: number; maxmem: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Django's salt: 22 alphanumerics is its `salt_entropy = 128` bits. */
function djangoSalt(): string {
  return randomString(22);
}

function checkSalt(salt: string): void {
  // Django refuses these too: `$` is the field separator and an empty salt is no salt.
  if (salt === '' || salt.includes('$')) throw new RangeError('a Django salt must be non-empty and contain no "$"');
}

/** Django's constant_time_compare of two whole encodings. */
function sameEncoding(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

// Django writes integers with %d, so anything else (leading zeros, signs) could never compare equal.
const DECIMAL = /^[1-9][0-9]{0,9}$/;

function parseDecimal(text: string | undefined, max: number): number | null {
  if (text === undefined || !DECIMAL.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}

/** Django 6.0's count; used only when hash() is asked to make one of these. */
export const DJANGO_PBKDF2_ITERATIONS = 1_200_000;

/**
 * Django 6.1 (in development) is at 1.5M and keeps raising it; ten million leaves room for
 * that while keeping a forged hash from holding a thread-pool thread for more than seconds.
 */
export const DJANGO_PBKDF2_MAX_ITERATIONS = 10_000_000;

class DjangoPbkdf2Hasher implements PasswordHasher {
  readonly algorithm: string;
  readonly iterations: number;
  readonly #digest: 'sha256' | 'sha1';
  readonly #keyLength: number;

  protected constructor(
    algorithm: string,
    digest: 'sha256' | 'sha1',
    keyLength: number,
    options: { iterations?: number },
  ) {
    const iterations = options.iterations ?? DJANGO_PBKDF2_ITERATIONS;
    if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > DJANGO_PBKDF2_MAX_ITERATIONS) {
      throw new RangeError(`PBKDF2 iterations must be an integer in 1..${DJANGO_PBKDF2_MAX_ITERATIONS}`);
    }
    this.algorithm = algorithm;
    this.iterations = iterations;
    this.#digest = digest;
    this.#keyLength = keyLength;
  }

  /**
   * Only well-formed encodings within the iteration limit: the facade treats the rest like an
   * unknown algorithm, at the cost of one hash, so a broken row times like a wrong password.
   */
  handles(encoded: string): boolean {
    return this.#parse(encoded) !== null;
  }

  #parse(encoded: string): { iterations: number; salt: string } | null {
    const parts = encoded.split('$');
    if (parts.length !== 4 || parts[0] !== this.algorithm) return null;
    const iterations = parseDecimal(parts[1], DJANGO_PBKDF2_MAX_ITERATIONS);
    const salt = parts[2];
    if (iterations === null || salt === undefined || salt === '') return null;
    return { iterations, salt };
  }

  async #encode(password: string, salt: string, iterations: number): Promise<string> {
    const key = await pbkdf2Async(password, salt, iterations, this.#keyLength, this.#digest);
    return `${this.algorithm}$${iterations}$${salt}$${key.toString('base64')}`;
  }

  /** `salt` is for known-answer tests; by default it is Django's 22 random alphanumerics. */
  async hash(password: string, salt: string = djangoSalt()): Promise<string> {
    checkSalt(salt);
    return this.#encode(password, salt, this.iterations);
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const parsed = this.#parse(encoded);
    if (parsed === null) return false;
    try {
      return sameEncoding(await this.#encode(password, parsed.salt, parsed.iterations), encoded);
    } catch {
      return false;
    }
  }

  /** Always: these are only read, so the user moves to the preferred hasher at the next login. */
  needsRehash(_encoded: string): boolean {
    return true;
  }
}

/** `pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>`, Django's default hasher. */
export class DjangoPbkdf2Sha256Hasher extends DjangoPbkdf2Hasher {
  constructor(options: { iterations?: number } = {}) {
    super('pbkdf2_sha256', 'sha256', 32, options);
  }
}

/** `pbkdf2_sha1$<iterations>$<salt>$<base64 of 20 bytes>`. */
export class DjangoPbkdf2Sha1Hasher extends DjangoPbkdf2Hasher {
  constructor(options: { iterations?: number } = {}) {
    super('pbkdf2_sha1', 'sha1', 20, options);
  }
}

export interface DjangoScryptParams {
  /** CPU/memory cost, a power of two */
  N: number;
  /** block size */
  r: number;
  /** parallelism */
  p: number;
}

/** Django 4.0+'s ScryptPasswordHasher defaults. */
export const DJANGO_SCRYPT_PARAMS: Readonly<DjangoScryptParams> = Object.freeze({ N: 2 ** 14, r: 8, p: 1 });

/**
 * The most a stored scrypt hash may ask for. Django itself runs with OpenSSL's 32 MiB
 * default maxmem; 128 MiB admits sites that raised it without letting a hostile hash,
 * times the login concurrency, exhaust the server.
 */
export const DJANGO_SCRYPT_LIMITS = Object.freeze({
  maxN: 2 ** 20,
  maxR: 32,
  maxP: 16,
  maxMemoryBytes: 128 * 1024 * 1024,
});

/** OpenSSL's own accounting of what scrypt allocates (EVP_PBE_scrypt). */
function scryptMemory({ N, r, p }: DjangoScryptParams): number {
  return 128 * r * (N + p + 2);
}

function scryptParamsAllowed(params: DjangoScryptParams): boolean {
  const { N, r, p } = params;
  const limits = DJANGO_SCRYPT_LIMITS;
  const powerOfTwo = N >= 2 && (N & (N - 1)) === 0;
  return (
    powerOfTwo &&
    N <= limits.maxN &&
    r >= 1 &&
    r <= limits.maxR &&
    p >= 1 &&
    p <= limits.maxP &&
    scryptMemory(params) <= limits.maxMemoryBytes
  );
}

const SCRYPT_KEY_LENGTH = 64;

/** `scrypt$<N>$<salt>$<r>$<p>$<base64 of 64 bytes>`. */
export class DjangoScryptHasher implements PasswordHasher {
  readonly algorithm = 'scrypt';
  readonly params: Readonly<DjangoScryptParams>;

  constructor(overrides: Partial<DjangoScryptParams> = {}) {
    const params: DjangoScryptParams = {
      N: overrides.N ?? DJANGO_SCRYPT_PARAMS.N,
      r: overrides.r ?? DJANGO_SCRYPT_PARAMS.r,
      p: overrides.p ?? DJANGO_SCRYPT_PARAMS.p,
    };
    if (!Object.values(params).every(Number.isSafeInteger) || !scryptParamsAllowed(params)) {
      throw new RangeError('scrypt parameters are not valid or exceed DJANGO_SCRYPT_LIMITS');
    }
    this.params = Object.freeze(params);
  }

  /** Only well-formed encodings within DJANGO_SCRYPT_LIMITS, as for PBKDF2. */
  handles(encoded: string): boolean {
    return this.#parse(encoded) !== null;
  }

  #parse(encoded: string): (DjangoScryptParams & { salt: string }) | null {
    const parts = encoded.split('$');
    if (parts.length !== 6 || parts[0] !== this.algorithm) return null;
    const limits = DJANGO_SCRYPT_LIMITS;
    const N = parseDecimal(parts[1], limits.maxN);
    const salt = parts[2];
    const r = parseDecimal(parts[3], limits.maxR);
    const p = parseDecimal(parts[4], limits.maxP);
    if (N === null || r === null || p === null || salt === undefined || salt === '') return null;
    return scryptParamsAllowed({ N, r, p }) ? { N, r, p, salt } : null;
  }

  async #encode(password: string, salt: string, params: DjangoScryptParams): Promise<string> {
    const { N, r, p } = params;
    // Headroom over OpenSSL's count, which node checks against maxmem before allocating.
    const maxmem = scryptMemory(params) + 1024 * 1024;
    const key = await scryptAsync(password, salt, SCRYPT_KEY_LENGTH, { N, r, p, maxmem });
    return `${this.algorithm}$${N}$${salt}$${r}$${p}$${key.toString('base64')}`;
  }

  /** `salt` is for known-answer tests; by default it is Django's 22 random alphanumerics. */
  async hash(password: string, salt: string = djangoSalt()): Promise<string> {
    checkSalt(salt);
    return this.#encode(password, salt, this.params);
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const parsed = this.#parse(encoded);
    if (parsed === null) return false;
    try {
      return sameEncoding(await this.#encode(password, parsed.salt, parsed), encoded);
    } catch {
      return false;
    }
  }

  /** Always: these are only read, so the user moves to the preferred hasher at the next login. */
  needsRehash(_encoded: string): boolean {
    return true;
  }
}

export interface DjangoArgon2Params {
  /** KiB */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** Django's Argon2PasswordHasher defaults. */
export const DJANGO_ARGON2_PARAMS: Readonly<DjangoArgon2Params> = Object.freeze({
  memoryCost: 102400,
  timeCost: 2,
  parallelism: 8,
});

// argon2-cffi's DEFAULT_HASH_LENGTH and ARGON2_VERSION, which Django passes through.
const DJANGO_ARGON2_HASH_LENGTH = 16;
const ARGON2_VERSION = 0x13;

/** `argon2$argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>`: Django's prefix on argon2-cffi's PHC string. */
export class DjangoArgon2Hasher implements PasswordHasher {
  readonly algorithm = 'argon2';
  readonly params: Readonly<DjangoArgon2Params>;

  constructor(overrides: Partial<DjangoArgon2Params> = {}) {
    this.params = Object.freeze({
      memoryCost: overrides.memoryCost ?? DJANGO_ARGON2_PARAMS.memoryCost,
      timeCost: overrides.timeCost ?? DJANGO_ARGON2_PARAMS.timeCost,
      parallelism: overrides.parallelism ?? DJANGO_ARGON2_PARAMS.parallelism,
    });
  }

  /** Only well-formed encodings within ARGON2_VERIFY_LIMITS, as for PBKDF2. */
  handles(encoded: string): boolean {
    return encoded.startsWith(`${this.algorithm}$`) && isCheckableArgon2Phc(encoded.slice(this.algorithm.length));
  }

  /** `salt` is for known-answer tests; Django hashes its salt string's bytes, as here. */
  async hash(password: string, salt: string = djangoSalt()): Promise<string> {
    checkSalt(salt);
    const saltBytes = Buffer.from(salt, 'utf8');
    const { memoryCost, timeCost, parallelism } = this.params;
    const key = await argon2.hash(password, {
      type: argon2.argon2id,
      version: ARGON2_VERSION,
      hashLength: DJANGO_ARGON2_HASH_LENGTH,
      salt: saltBytes,
      memoryCost,
      timeCost,
      parallelism,
      raw: true,
    });
    // Written out rather than taken from the library, which orders the parameters m,p,t.
    const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');
    return `${this.algorithm}$argon2id$v=${ARGON2_VERSION}$m=${memoryCost},t=${timeCost},p=${parallelism}$${b64(saltBytes)}$${b64(key)}`;
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    // Older Django sites stored argon2i; the PHC string says which, so all types are read.
    return this.handles(encoded) && (await verifyArgon2Phc(password, encoded.slice(this.algorithm.length)));
  }

  /** Always: these are only read, so the user moves to the preferred hasher at the next login. */
  needsRehash(_encoded: string): boolean {
    return true;
  }
}

/** One of each Django hasher with Django's defaults, for reading an imported user table. */
export function djangoHashers(): PasswordHasher[] {
  return [
    new DjangoPbkdf2Sha256Hasher(),
    new DjangoPbkdf2Sha1Hasher(),
    new DjangoArgon2Hasher(),
    new DjangoBcryptSha256Hasher(),
    new DjangoBcryptHasher(),
    new DjangoScryptHasher(),
  ];
}
