// Readers of Django's two bcrypt encodings, bcrypt_sha256 and bcrypt, so users imported from a site that used them log in (and move to argon2id).
import bcrypt from 'bcryptjs';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from './password-hasher.ts';

/** Django's BCryptSHA256PasswordHasher.rounds (and BCryptPasswordHasher's): unchanged since Django 1.4. */
export const DJANGO_BCRYPT_ROUNDS = 12;

/**
 * The most rounds a stored hash may ask for. bcryptjs is pure JavaScript: it runs on the event
 * loop in 100 ms slices, a round costs double the last, and 12 already takes half a second; 16
 * (eight seconds of slices) leaves room for a site that raised it without letting a hostile hash
 * hold the server for minutes.
 */
export const DJANGO_BCRYPT_MAX_ROUNDS = 16;

// What python-bcrypt writes after Django's "<algorithm>$": $2b$ (or $2a$ from older libraries),
// two-digit rounds, 22 characters of salt and 31 of checksum in bcrypt's own base64 alphabet.
const BCRYPT_DATA = /^\$(2a|2b)\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** Django's constant_time_compare of two whole encodings. */
function sameEncoding(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * `<algorithm>$<bcrypt string>`: Django's prefix before the string python-bcrypt makes. The
 * bytes bcrypt sees are the password's own (bcrypt, which stops at 72 of them) or the hex
 * SHA-256 of them (bcrypt_sha256, Django's answer to that truncation, #20138).
 */
class DjangoBcryptFamilyHasher implements PasswordHasher {
  readonly algorithm: string;
  readonly rounds: number;
  readonly #prehash: boolean;

  protected constructor(algorithm: string, prehash: boolean, options: { rounds?: number }) {
    const rounds = options.rounds ?? DJANGO_BCRYPT_ROUNDS;
    if (!Number.isSafeInteger(rounds) || rounds < 4 || rounds > DJANGO_BCRYPT_MAX_ROUNDS) {
      throw new RangeError(`bcrypt rounds must be an integer in 4..${DJANGO_BCRYPT_MAX_ROUNDS}`);
    }
    this.algorithm = algorithm;
    this.rounds = rounds;
    this.#prehash = prehash;
  }

  /** Only well-formed encodings within DJANGO_BCRYPT_MAX_ROUNDS, as for the other Django hashers. */
  handles(encoded: string): boolean {
    return this.#data(encoded) !== null;
  }

  /** The bcrypt string after the prefix, when it is one this hasher may run. */
  #data(encoded: string): string | null {
    const prefix = `${this.algorithm}$`;
    if (!encoded.startsWith(prefix)) return null;
    const data = encoded.slice(prefix.length);
    const match = BCRYPT_DATA.exec(data);
    if (match === null) return null;
    const rounds = Number(match[2]);
    return rounds >= 4 && rounds <= DJANGO_BCRYPT_MAX_ROUNDS ? data : null;
  }

  #input(password: string): string {
    // Django hexlifies the digest: 64 ASCII characters, under bcrypt's 72-byte limit.
    return this.#prehash ? createHash('sha256').update(password, 'utf8').digest('hex') : password;
  }

  /** `setting` is `$2b$<rounds>$<22 characters>` (for known-answer tests); by default a fresh one. */
  async hash(password: string, setting?: string): Promise<string> {
    const salt = setting ?? (await bcrypt.genSalt(this.rounds));
    return `${this.algorithm}$${await bcrypt.hash(this.#input(password), salt)}`;
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const data = this.#data(encoded);
    if (data === null) return false;
    try {
      // Django's verify: encode again with the stored salt and rounds, compare the whole string.
      return sameEncoding(await this.hash(password, data.slice(0, 29)), encoded);
    } catch {
      return false;
    }
  }

  /** Always: these are only read, so the user moves to the preferred hasher at the next login. */
  needsRehash(_encoded: string): boolean {
    return true;
  }
}

/** `bcrypt_sha256$$2b$12$…`: bcrypt over the hex SHA-256 of the password, Django's BCryptSHA256PasswordHasher. */
export class DjangoBcryptSha256Hasher extends DjangoBcryptFamilyHasher {
  constructor(options: { rounds?: number } = {}) {
    super('bcrypt_sha256', true, options);
  }
}

/** `bcrypt$$2b$12$…`: bcrypt over the password itself (its first 72 bytes), Django's BCryptPasswordHasher. */
export class DjangoBcryptHasher extends DjangoBcryptFamilyHasher {
  constructor(options: { rounds?: number } = {}) {
    super('bcrypt', false, options);
  }
}
