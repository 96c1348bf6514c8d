// Random strings of letters and digits from the CSPRNG: CSRF secrets and masks, Django salts, unusable passwords.
import { randomInt } from 'node:crypto';

/** The 62 characters drawn from; CSRF masking counts positions in this order, so it must not change. */
export const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `length` characters of A-Za-z0-9, as Django's get_random_string; randomInt is uniform (it rejects biased draws). */
export function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}
