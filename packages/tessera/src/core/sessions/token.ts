// Session tokens: "<id>.<secret>", of which the store keeps the id and a SHA-256 of the secret.
import { hash, randomBytes } from 'node:crypto';

export interface SessionToken {
  /** public: shown on the sessions page and used to revoke; 128 bits */
  id: string;
  /** private: only the visitor's cookie holds it; 192 bits */
  secret: string;
}

const idBytes = 16;
const secretBytes = 24;
const idPattern = /^[A-Za-z0-9_-]{22}$/;
const secretPattern = /^[A-Za-z0-9_-]{32}$/;

export function newSessionToken(): SessionToken {
  return { id: randomBytes(idBytes).toString('base64url'), secret: randomBytes(secretBytes).toString('base64url') };
}

export function formatSessionToken(token: SessionToken): string {
  return `${token.id}.${token.secret}`;
}

/** The token in a cookie value, or null for anything malformed. */
export function parseSessionToken(value: string | undefined): SessionToken | null {
  if (value === undefined || value.length !== 55) return null;
  const id = value.slice(0, 22);
  const secret = value.slice(23);
  if (value[22] !== '.' || !idPattern.test(id) || !secretPattern.test(secret)) return null;
  return { id, secret };
}

/** True when `value` has the form of a session's public id, e.g. one a form asks to revoke. */
export function isSessionId(value: string): boolean {
  return idPattern.test(value);
}

// crypto.hash, one call with no Hash object to build: it runs on every request that has a session.
export function hashSessionSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/**
 * Constant-time: how long the comparison takes says nothing about the stored hash. Compared as
 * hex text, every character looked at whatever the others are: no Buffers to build per request.
 */
export function sessionSecretMatches(secret: string, storedHash: string): boolean {
  const actual = hashSessionSecret(secret);
  if (actual.length !== storedHash.length) return false;
  let difference = 0;
  for (let i = 0; i < actual.length; i += 1) difference |= actual.charCodeAt(i) ^ storedHash.charCodeAt(i);
  return difference === 0;
}
