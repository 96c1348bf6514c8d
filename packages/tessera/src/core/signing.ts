// Signed values for cookies a visitor keeps but must not forge (the guest's reading list).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signed values for cookies a visitor keeps but must not forge: Django's Signer, with `purpose` as its salt. */
export class Signer {
  readonly #key: Buffer;

  /** `purpose` separates keys: a value signed for one cookie never verifies for another. */
  constructor(secretKey: string, purpose: string) {
    this.#key = createHmac('sha256', secretKey).update(`tessera.signing.${purpose}`).digest();
  }

  #signature(value: string): string {
    return createHmac('sha256', this.#key).update(value).digest('base64url');
  }

  sign(value: string): string {
    return `${value}:${this.#signature(value)}`;
  }

  /** The value, or null when the signature is missing or wrong. */
  unsign(signed: string | undefined): string | null {
    if (typeof signed !== 'string') return null;
    const index = signed.lastIndexOf(':');
    if (index < 0) return null;
    const value = signed.slice(0, index);
    const given = Buffer.from(signed.slice(index + 1));
    const expected = Buffer.from(this.#signature(value));
    return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
  }
}
