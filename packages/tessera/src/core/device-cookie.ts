// The device cookie of OWASP's lockout scheme: signed proof that this browser has logged into an
// account before, so failures from elsewhere never lock that browser out of it.
import { createHmac, randomBytes } from 'node:crypto';
import { Signer } from './signing.ts';

/** The accounts one browser remembers; the oldest is dropped first. */
const maxEntries = 8;
const entryPattern = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

/**
 * Reads and writes the `device` cookie: up to eight entries of an account tag (an HMAC of the
 * normalised username, so the cookie does not name its accounts) and a random device id, signed
 * so that no one can make one up. The device id is what failed logins from this browser are
 * counted under.
 */
export class DeviceCookies {
  readonly #signer: Signer;
  readonly #tagKey: Buffer;

  constructor(secretKey: string) {
    this.#signer = new Signer(secretKey, 'device-cookie');
    this.#tagKey = createHmac('sha256', secretKey).update('tessera.device.account-tag').digest();
  }

  #tag(normalizedUsername: string): string {
    return createHmac('sha256', this.#tagKey).update(normalizedUsername).digest('base64url').slice(0, 22);
  }

  #entries(cookie: string | undefined): string[] {
    const value = this.#signer.unsign(cookie);
    if (value === null || value === '') return [];
    return value.split('~').filter((entry) => entryPattern.test(entry)).slice(0, maxEntries);
  }

  /** The device id this browser holds for the account, or undefined when its cookie names none (or is forged). */
  deviceFor(cookie: string | undefined, normalizedUsername: string): string | undefined {
    const tag = this.#tag(normalizedUsername);
    const entry = this.#entries(cookie).find((candidate) => candidate.startsWith(`${tag}.`));
    return entry?.slice(tag.length + 1);
  }

  /** The cookie's value after a login to the account: its entry kept (or made) and put first. */
  afterLogin(cookie: string | undefined, normalizedUsername: string): string {
    const tag = this.#tag(normalizedUsername);
    const entries = this.#entries(cookie);
    const own = entries.find((entry) => entry.startsWith(`${tag}.`)) ?? `${tag}.${randomBytes(16).toString('base64url')}`;
    return this.#signer.sign([own, ...entries.filter((entry) => entry !== own)].slice(0, maxEntries).join('~'));
  }
}
