// The shipped common-password list: big enough, in the validator's form, and exactly what the build script makes.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { commonPasswords } from '../../../src/core/passwords/common-passwords.ts';

test('the list holds at least 20,000 passwords', async () => {
  assert.ok(commonPasswords().size >= 20_000, `${commonPasswords().size} entries`);
});

test('every entry is in the form the validator compares: lowercased, trimmed, non-empty', async () => {
  for (const entry of commonPasswords()) {
    assert.ok(entry !== '' && entry === entry.toLowerCase().trim(), JSON.stringify(entry));
  }
  assert.ok(commonPasswords().has('godzilla'));
  assert.ok(commonPasswords().has('123456'));
});

test('the list is read once and shared', async () => {
  assert.equal(commonPasswords(), commonPasswords());
});

test('the shipped file is what scripts/build-common-passwords.ts makes from zxcvbn', async () => {
  const require = createRequire(import.meta.url);
  const { passwords } = require('zxcvbn/lib/frequency_lists.js') as { passwords: string[] };
  const expected = new Set(passwords.map((entry) => entry.toLowerCase().trim()).filter((entry) => entry !== ''));
  assert.deepEqual(commonPasswords(), expected);
});
