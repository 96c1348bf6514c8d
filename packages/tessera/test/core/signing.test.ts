// Signer: what it signs comes back unchanged; anything changed, signed for another purpose or with
// another key, or malformed comes back as null.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Signer } from '../../src/core/signing.ts';

const key = 'a-secret-key-that-is-long-enough-for-tests-0123456789';

function signatureOf(signed: string): string {
  return signed.slice(signed.lastIndexOf(':') + 1);
}

/** `text` with the character at `index` replaced by a different one of the same alphabet. */
function withCharChanged(text: string, index: number): string {
  const original = text[index];
  assert.ok(original !== undefined, `no character at ${index}`);
  const replacement = original === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('Signer', () => {
  test('unsign gives back exactly what sign was given', () => {
    const signer = new Signer(key, 'reading_list');
    for (const value of ['', '1', '3-1-2', 'with:colons:inside', 'unicode 한국어 🎉', ' spaces ', 'x'.repeat(5_000), 'ends with colon:']) {
      assert.equal(signer.unsign(signer.sign(value)), value, JSON.stringify(value.slice(0, 40)));
    }
  });

  test('the signed form keeps the value readable, followed by a colon and the signature', () => {
    const signer = new Signer(key, 'reading_list');
    const signed = signer.sign('3-1-2');
    assert.ok(signed.startsWith('3-1-2:'), signed);
    assert.match(signatureOf(signed), /^[A-Za-z0-9_-]{43}$/, 'a base64url SHA-256 HMAC');
  });

  test('signing is deterministic for one key and purpose', () => {
    assert.equal(new Signer(key, 'p').sign('v'), new Signer(key, 'p').sign('v'));
  });

  test('any change to the value is refused', () => {
    const signer = new Signer(key, 'reading_list');
    const signed = signer.sign('3-1-2');
    const signature = signatureOf(signed);
    for (const value of ['3-1-3', '3-1-2-4', '3-1', '', '3-1-2 ', '4-1-2', '3-1-2:x']) {
      assert.equal(signer.unsign(`${value}:${signature}`), null, `value ${JSON.stringify(value)} accepted`);
    }
  });

  test('any change to the signature is refused, at every position', () => {
    const signer = new Signer(key, 'reading_list');
    const signed = signer.sign('3-1-2');
    const start = signed.lastIndexOf(':') + 1;
    for (let index = start; index < signed.length; index += 1) {
      assert.equal(signer.unsign(withCharChanged(signed, index)), null, `a change at ${index} was accepted`);
    }
    assert.equal(signer.unsign(signed.slice(0, -1)), null, 'a truncated signature');
    assert.equal(signer.unsign(`${signed}A`), null, 'a lengthened signature');
    assert.equal(signer.unsign('3-1-2:'), null, 'an empty signature');
    assert.equal(signer.unsign(`3-1-2:${signatureOf(signed).toUpperCase()}`), null, 'a re-cased signature');
  });

  test('a signature made for one value does not fit another', () => {
    const signer = new Signer(key, 'reading_list');
    const one = signer.sign('1');
    const two = signer.sign('2');
    assert.equal(signer.unsign(`1:${signatureOf(two)}`), null);
    assert.equal(signer.unsign(`2:${signatureOf(one)}`), null);
  });

  test('a value signed for one purpose does not verify for another', () => {
    const readingList = new Signer(key, 'reading_list');
    const other = new Signer(key, 'hide_notice');
    assert.equal(other.unsign(readingList.sign('1-2')), null);
    assert.equal(readingList.unsign(other.sign('1-2')), null);
    assert.notEqual(readingList.sign('1-2'), other.sign('1-2'));
  });

  test('a value signed with another key does not verify', () => {
    const ours = new Signer(key, 'reading_list');
    const theirs = new Signer(`${key}-other`, 'reading_list');
    assert.equal(ours.unsign(theirs.sign('1-2')), null);
    assert.equal(theirs.unsign(ours.sign('1-2')), null);
    assert.equal(ours.unsign(new Signer('', 'reading_list').sign('1-2')), null, 'an empty key signs differently');
  });

  test('key and purpose cannot be traded against each other', () => {
    // "ab" + "c" and "a" + "bc" must not collide into one key.
    assert.equal(new Signer('ab', 'c').unsign(new Signer('a', 'bc').sign('v')), null);
    assert.equal(new Signer('k', 'a.b').unsign(new Signer('k.a', 'b').sign('v')), null);
  });

  test('malformed input reads as null, never an error', () => {
    const signer = new Signer(key, 'reading_list');
    const signature = signatureOf(signer.sign('1'));
    const inputs: Array<string | undefined> = [undefined, '', ':', '::', '1', signature, `1${signature}`, `1;${signature}`, '\u0000', 'é:é', `1:${signature}\n`];
    for (const input of inputs) {
      assert.equal(signer.unsign(input), null, JSON.stringify(input));
    }
    assert.equal(signer.unsign(null as unknown as string), null, 'null');
    assert.equal(signer.unsign(123 as unknown as string), null, 'a number');
    assert.equal(signer.unsign({} as unknown as string), null, 'an object');
  });
});
