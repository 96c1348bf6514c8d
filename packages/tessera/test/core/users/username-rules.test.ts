// The one username rule for sign-up, users.create and login: letters, digits and @.+-_ after NFKC,
// at most 150 characters counted as code points, nothing invisible.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanUsername, usernameMaxLength, usernameProblem } from '../../../src/core/users/user.ts';

describe('usernameProblem', () => {
  test('letters of any script, digits and @.+-_ are accepted', () => {
    for (const name of ['alice', 'Bob_99', 'a.b@c+d-e', '김민수', 'Ærøskøbing', 'ελένη', '日本語', '١٢٣']) {
      assert.equal(usernameProblem(cleanUsername(name)), null, name);
    }
  });

  test('a name ending in an invisible character is refused, so no account can look like "admin"', () => {
    const invisible = {
      'U+034F combining grapheme joiner': '\u034F',
      'U+FE0F variation selector-16': '\uFE0F',
      'U+FE00 variation selector-1': '\uFE00',
      'U+180B Mongolian free variation selector': '\u180B',
      'U+3164 Hangul filler': '\u3164',
      'U+200B zero width space': '\u200B',
      'U+200D zero width joiner': '\u200D',
      'U+2060 word joiner': '\u2060',
      'U+00AD soft hyphen': '\u00AD',
      'U+115F Hangul choseong filler': '\u115F',
      'U+FFA0 halfwidth Hangul filler': '\uFFA0',
      'U+E0041 tag latin capital A': '\u{E0041}',
    };
    for (const [what, char] of Object.entries(invisible)) {
      assert.equal(usernameProblem(cleanUsername(`admin${char}`)), 'invalid', what);
    }
  });

  test('combining marks are refused, whether or not NFKC could compose them', () => {
    assert.equal(usernameProblem(cleanUsername('e\u0301')), null, 'é composes to one letter under NFKC');
    assert.equal(usernameProblem(cleanUsername('q\u0301')), 'invalid', 'q + acute has no composed form');
    assert.equal(usernameProblem(cleanUsername('\u0915\u093F')), 'invalid', 'a Devanagari vowel sign is a mark');
  });

  test('spaces, punctuation, control and NUL characters are refused', () => {
    for (const name of ['a b', 'a/b', 'a<b', 'a\u0000b', 'a\u0007b', 'a\u2028b', 'a"b', "a'b"]) {
      assert.equal(usernameProblem(cleanUsername(name)), 'invalid', JSON.stringify(name));
    }
  });

  test('the length is counted in characters: 150 astral characters pass, 151 do not', () => {
    const astral = '\u{1D400}'; // MATHEMATICAL BOLD CAPITAL A is NFKC "A": use a letter NFKC keeps
    assert.equal(cleanUsername(astral), 'A');
    const kept = '\u{20000}'; // a CJK ideograph outside the BMP: two UTF-16 units, one character
    assert.equal(usernameProblem(kept.repeat(usernameMaxLength)), null);
    assert.equal(usernameProblem(kept.repeat(usernameMaxLength + 1)), 'too_long');
    assert.equal(usernameProblem(''), 'required');
  });
});
