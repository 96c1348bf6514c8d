// CSRF protection: a secret per visitor in the csrftoken cookie, masked anew in every form,
// plus the Origin / Sec-Fetch-Site check that stops cross-site posts before any token is read.
import { timingSafeEqual } from 'node:crypto';
import { ALPHANUMERIC, randomString } from './random-string.ts';

export const csrfSecretLength = 32;
const secretPattern = /^[A-Za-z0-9]{32}$/;
const tokenPattern = /^[A-Za-z0-9]{64}$/;

export function newCsrfSecret(): string {
  return randomString(csrfSecretLength);
}

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

/** null when the request may come from this site, else the reason it may not. */
export function crossSiteReason(request: RequestOrigin): string | null {
  if (request.fetchSite === 'cross-site') return 'the browser says the request is cross-site';
  if (request.origin === undefined) return null;
  if (request.host === undefined || request.origin !== `${request.scheme}://${request.host}`) {
    return `Origin ${request.origin} does not match this site`;
  }
  return null;
}
