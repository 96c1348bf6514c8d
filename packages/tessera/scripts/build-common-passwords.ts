// Writes src/core/passwords/common-passwords.txt.gz from zxcvbn's password frequency list; run by hand when the list should change.
//
// The list is the `passwords` frequency list of zxcvbn 4.4.2 (Copyright (c) 2012-2016
// Dan Wheeler and Dropbox, Inc., MIT licensed), taken from its npm package, which is a
// devDependency for this reason only. Django ships 20,000 entries; this list has 30,000,
// most common first.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { commonPasswordsFile } from '../src/core/passwords/common-passwords.ts';

const MINIMUM_ENTRIES = 20_000;

const require = createRequire(import.meta.url);
const lists: unknown = require('zxcvbn/lib/frequency_lists.js');
const passwords = (lists as { passwords?: unknown }).passwords;
if (!Array.isArray(passwords) || !passwords.every((entry) => typeof entry === 'string')) {
  throw new Error('zxcvbn/lib/frequency_lists.js has no `passwords` array of strings; has the package changed?');
}

// The validator compares pwd.toLowerCase().trim(), so the entries must be in that form to match.
const entries = [...new Set(passwords.map((entry: string) => entry.toLowerCase().trim()))].filter(
  (entry) => entry !== '' && !entry.includes('\n'),
);
if (entries.length < MINIMUM_ENTRIES) {
  throw new Error(`only ${entries.length} common passwords; expected at least ${MINIMUM_ENTRIES}`);
}

// gzip leaves the timestamp at zero, so the same list always gives the same bytes.
const gz = gzipSync(`${entries.join('\n')}\n`, { level: 9 });
writeFileSync(commonPasswordsFile, gz);
process.stdout.write(`${fileURLToPath(commonPasswordsFile)}: ${entries.length} passwords, ${gz.length} bytes\n`);
