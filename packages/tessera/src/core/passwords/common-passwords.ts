// The list behind the "too common" password check, read from its gzipped file once, on first use.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Lowercased, deduplicated, one per line; written by scripts/build-common-passwords.ts from
 * zxcvbn's password frequency list (Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc., MIT).
 */
// Beside this module in the sources and in dist/ alike: the build copies it.
export const commonPasswordsFile = new URL('./common-passwords.txt.gz', import.meta.url);

let loaded: ReadonlySet<string> | undefined;

/**
 * The set of common passwords. Read synchronously on first call (a few milliseconds, once per
 * process), so that processes that never validate a new password never pay for it.
 */
export function commonPasswords(): ReadonlySet<string> {
  if (loaded === undefined) {
    const text = gunzipSync(readFileSync(commonPasswordsFile)).toString('utf8');
    loaded = new Set(text.split('\n').filter((line) => line !== ''));
  }
  return loaded;
}
