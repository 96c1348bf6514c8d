// tessera's preferred password hasher: argon2id in the PHC string format, plus the PHC parsing that bounds what a stored hash may cost.
import * as argon2 from 'argon2';
import type { PasswordHasher } from './password-hasher.ts';

/** The cost of an argon2id hash: memory (KiB), passes and lanes. */
export interface Argon2idParams {
  /** KiB */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * OWASP Password Storage Cheat Sheet, first argon2id option (m=19 MiB, t=2, p=1): the floor
 * OWASP recommends, chosen so a 2-core server can still take a burst of logins.
 */
export const OWASP_ARGON2ID: Readonly<Argon2idParams> = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

// The library's defaults (32-byte hash, 16-byte salt); named so needsRehash notices a hash made otherwise.
const HASH_LENGTH = 32;
const SALT_LENGTH = 16;
const ARGON2_VERSION = 0x13;

/**
 * The most a stored hash may ask for before we refuse to run it: a hash is data (imported,
 * or written by whoever reached the database) and must not be able to take the server's
 * memory, times the login concurrency, or a thread-pool thread for minutes. 256 MiB is
 * over twice Django's default and four times RFC 9106's second profile.
 */
export const ARGON2_VERIFY_LIMITS = Object.freeze({
  maxMemoryCost: 256 * 1024,
  maxTimeCost: 16,
  maxParallelism: 64,
  maxHashLength: 1024,
  maxSaltLength: 1024,
});

export type Argon2Type = 'argon2d' | 'argon2i' | 'argon2id';

export interface Argon2Phc extends Argon2idParams {
  type: Argon2Type;
  version: number;
  saltLength: number;
  hashLength: number;
}

// Versions 0x10 and 0x13 are the only ones argon2 has; a hash without `v=` predates the field and is 0x10.
// The parameters come in any order: this library writes m,p,t and argon2-cffi (Django) writes m,t,p.
const PHC = /^\$(argon2id|argon2i|argon2d)(?:\$v=(16|19))?\$([a-z]=\d{1,10}(?:,[a-z]=\d{1,10}){2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Bytes encoded by unpadded base64 of `length` characters, or null when no input could give it. */
function unpaddedBase64Bytes(length: number): number | null {
  return length % 4 === 1 ? null : Math.floor((length * 3) / 4);
}

/** Reads an argon2 PHC string (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`), or null when it is not one. */
export function parseArgon2Phc(encoded: string): Argon2Phc | null {
  const match = PHC.exec(encoded);
  if (match === null) return null;
  const [, type, version, paramText, salt, hash] = match;
  if (type === undefined || paramText === undefined || salt === undefined || hash === undefined) return null;
  const params = new Map(paramText.split(',').map((pair) => [pair.slice(0, 1), Number(pair.slice(2))] as const));
  const m = params.get('m');
  const t = params.get('t');
  const p = params.get('p');
  // Three pairs and all of m, t, p present means each exactly once and nothing else (no data=, keyid=).
  if (m === undefined || t === undefined || p === undefined) return null;
  const saltLength = unpaddedBase64Bytes(salt.length);
  const hashLength = unpaddedBase64Bytes(hash.length);
  if (saltLength === null || hashLength === null) return null;
  return {
    type: type as Argon2Type,
    version: version === undefined ? 0x10 : Number(version),
    memoryCost: m,
    timeCost: t,
    parallelism: p,
    saltLength,
    hashLength,
  };
}

function withinVerifyLimits(phc: Argon2Phc): boolean {
  const limits = ARGON2_VERIFY_LIMITS;
  return (
    phc.timeCost >= 1 &&
    phc.timeCost <= limits.maxTimeCost &&
    phc.parallelism >= 1 &&
    phc.parallelism <= limits.maxParallelism &&
    phc.memoryCost >= 8 * phc.parallelism &&
    phc.memoryCost <= limits.maxMemoryCost &&
    phc.saltLength >= 8 &&
    phc.saltLength <= limits.maxSaltLength &&
    phc.hashLength >= 4 &&
    phc.hashLength <= limits.maxHashLength
  );
}

/** True when `encoded` is an argon2 PHC string whose cost is within ARGON2_VERIFY_LIMITS. */
export function isCheckableArgon2Phc(encoded: string): boolean {
  const phc = parseArgon2Phc(encoded);
  return phc !== null && withinVerifyLimits(phc);
}

/**
 * Checks `password` against an argon2 PHC string of any of the three types. The cost is
 * bounded before the library sees it, and a malformed string is a `false`, not a throw.
 */
export async function verifyArgon2Phc(password: string, encoded: string): Promise<boolean> {
  if (!isCheckableArgon2Phc(encoded)) return false;
  try {
    return await argon2.verify(encoded, password);
  } catch {
    return false;
  }
}

function checkParams(params: Argon2idParams): void {
  const { memoryCost, timeCost, parallelism } = params;
  for (const [name, value] of Object.entries(params)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`argon2id ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  if (memoryCost < 8 * parallelism) {
    throw new RangeError('argon2id memoryCost must be at least 8 KiB per lane of parallelism');
  }
  // Refusing to make what verify would refuse to read keeps every hash we store checkable.
  if (
    memoryCost > ARGON2_VERIFY_LIMITS.maxMemoryCost ||
    timeCost > ARGON2_VERIFY_LIMITS.maxTimeCost ||
    parallelism > ARGON2_VERIFY_LIMITS.maxParallelism
  ) {
    throw new RangeError('argon2id parameters exceed ARGON2_VERIFY_LIMITS');
  }
}

/**
 * tessera's preferred hasher: argon2id in the PHC string format, at {@link OWASP_ARGON2ID} unless overridden.
 * A hash made with other parameters needs a rehash, so changing the cost upgrades users as they log in.
 */
export class Argon2idHasher implements PasswordHasher {
  readonly algorithm = 'argon2id';
  readonly params: Readonly<Argon2idParams>;

  constructor(overrides: Partial<Argon2idParams> = {}) {
    const params: Argon2idParams = {
      memoryCost: overrides.memoryCost ?? OWASP_ARGON2ID.memoryCost,
      timeCost: overrides.timeCost ?? OWASP_ARGON2ID.timeCost,
      parallelism: overrides.parallelism ?? OWASP_ARGON2ID.parallelism,
    };
    checkParams(params);
    this.params = Object.freeze(params);
  }

  /**
   * Only well-formed hashes within ARGON2_VERIFY_LIMITS: the facade then treats the rest
   * like an unknown algorithm, at the cost of one hash, so a broken row times like any other.
   */
  handles(encoded: string): boolean {
    return encoded.startsWith(`$${this.algorithm}$`) && isCheckableArgon2Phc(encoded);
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, {
      type: argon2.argon2id,
      version: ARGON2_VERSION,
      hashLength: HASH_LENGTH,
      ...this.params,
    });
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    return this.handles(encoded) && (await verifyArgon2Phc(password, encoded));
  }

  needsRehash(encoded: string): boolean {
    const phc = parseArgon2Phc(encoded);
    if (phc === null) return true;
    return (
      phc.type !== this.algorithm ||
      phc.version !== ARGON2_VERSION ||
      phc.memoryCost !== this.params.memoryCost ||
      phc.timeCost !== this.params.timeCost ||
      phc.parallelism !== this.params.parallelism ||
      phc.hashLength !== HASH_LENGTH ||
      phc.saltLength !== SALT_LENGTH
    );
  }
}
