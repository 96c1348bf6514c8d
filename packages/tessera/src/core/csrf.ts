// CSRF protection: a secret per visitor in the csrftoken cookie, masked anew in every form,
// plus the Origin / Sec-Fetch-Site check that stops cross-site posts before any token is read.
import { timingSafeEqual } from 'node:crypto';
import { ALPHANUMERIC, randomString } from './random-string.ts';

export const csrfSecretLength = 32;
const secretPattern = /^[A-Za-z0-9]{32}$/;
const tokenPattern = /^[A-Za-z0-9]{64}$/;

/** A new secret for the csrftoken cookie: 32 alphanumeric characters, Django's CSRF_SECRET_LENGTH. */
export function newCsrfSecret(): string {
  return randomString(csrfSecretLength);
}

/** True for a well-formed CSRF secret; a cookie holding anything else is given a new one. */
export function isCsrfSecret(value: unknown): value is string {
  return typeof value === 'string' && secretPattern.test(value);
}

/**
 * The secret under a fresh one-time mask. Masking makes every page's token different,
 * so compression side channels (BREACH) cannot recover the secret from many pages.
 */
export function maskCsrfSecret(secret: string): string {
  const mask = randomString(csrfSecretLength);
  let cipher = '';
  for (let i = 0; i < csrfSecretLength; i += 1) {
    cipher += ALPHANUMERIC[(ALPHANUMERIC.indexOf(secret[i]!) + ALPHANUMERIC.indexOf(mask[i]!)) % ALPHANUMERIC.length];
  }
  return mask + cipher;
}

function unmask(token: string): string {
  const mask = token.slice(0, csrfSecretLength);
  const cipher = token.slice(csrfSecretLength);
  let secret = '';
  for (let i = 0; i < csrfSecretLength; i += 1) {
    const index = ALPHANUMERIC.indexOf(cipher[i]!) - ALPHANUMERIC.indexOf(mask[i]!);
    secret += ALPHANUMERIC.at(index)!;
  }
  return secret;
}

/** True when the submitted token (masked, or the bare secret) carries the cookie's secret. */
export function csrfTokenMatches(submitted: unknown, cookieSecret: string | undefined): boolean {
  if (!isCsrfSecret(cookieSecret) || typeof submitted !== 'string') return false;
  let candidate: string;
  if (tokenPattern.test(submitted)) candidate = unmask(submitted);
  else if (secretPattern.test(submitted)) candidate = submitted;
  else return false;
  return timingSafeEqual(Buffer.from(candidate), Buffer.from(cookieSecret));
}

/** The request headers {@link crossSiteReason} judges where a request comes from by. */
export interface RequestOrigin {
  /** the Origin header */
  origin: string | undefined;
  /** the Sec-Fetch-Site header */
  fetchSite: string | undefined;
  /** "http" or "https" */
  scheme: string;
  /** the Host header */
  host: string | undefined;
}

/**
 * Origins other than the site's own that may send it unsafe requests: Django's
 * CSRF_TRUSTED_ORIGINS. An entry is a scheme and host (`https://admin.example.com`), or a
 * scheme and `*.` before a domain for all of its subdomains (`https://*.example.com`).
 */
export class TrustedOrigins {
  readonly #exact = new Set<string>();
  readonly #suffixes: { scheme: string; suffix: string }[] = [];

  constructor(origins: readonly string[] = []) {
    for (const origin of origins) {
      const match = /^(https?):\/\/(\*\.)?([^/?#*\s]+)$/i.exec(origin);
      if (match === null) throw new TypeError(`trusted origin ${JSON.stringify(origin)} must look like https://host or https://*.domain`);
      const scheme = match[1]!.toLowerCase();
      const host = match[3]!.toLowerCase();
      // `*.com` would trust every site under a top-level domain: a wildcard needs a registered name.
      if (match[2] !== undefined && !host.includes('.')) throw new TypeError(`trusted origin ${JSON.stringify(origin)} trusts a whole top-level domain`);
      if (match[2] !== undefined) this.#suffixes.push({ scheme, suffix: `.${host}` });
      else this.#exact.add(`${scheme}://${host}`);
    }
  }

  /** true when `origin` (an Origin header) is one of them */
  has(origin: string): boolean {
    const lower = origin.toLowerCase();
    if (this.#exact.has(lower)) return true;
    const match = /^(https?):\/\/([^/]+)$/.exec(lower);
    if (match === null) return false;
    return this.#suffixes.some(({ scheme, suffix }) => scheme === match[1] && match[2]!.endsWith(suffix));
  }
}

const noTrustedOrigins = new TrustedOrigins();

/** null when the request may come from this site (or a trusted origin), else the reason it may not. */
export function crossSiteReason(request: RequestOrigin, trusted: TrustedOrigins = noTrustedOrigins): string | null {
  if (request.origin !== undefined && trusted.has(request.origin)) return null;
  if (request.fetchSite === 'cross-site') return 'the browser says the request is cross-site';
  if (request.origin === undefined) return null;
  if (request.host === undefined || request.origin !== `${request.scheme}://${request.host}`) {
    return `Origin ${request.origin} does not match this site`;
  }
  return null;
}
