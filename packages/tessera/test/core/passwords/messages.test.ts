// Every issue and help text reads in both languages, in Django's English wording.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordHelpTexts, passwordIssueMessage } from '../../../src/core/passwords/messages.ts';
import type { PasswordLanguage } from '../../../src/core/passwords/messages.ts';
import type { PasswordIssue } from '../../../src/core/passwords/validators.ts';

const issues: PasswordIssue[] = [
  { code: 'password_too_short', params: { min: 8 } },
  { code: 'password_too_common', params: {} },
  { code: 'password_entirely_numeric', params: {} },
  { code: 'password_too_similar', params: { field: 'username' } },
  { code: 'password_too_similar', params: { field: 'first_name' } },
  { code: 'password_too_similar', params: { field: 'last_name' } },
  { code: 'password_too_similar', params: { field: 'email' } },
];

const HANGUL = /[\uAC00-\uD7A3]/;

test('every issue has a distinct message in English and in Korean', async () => {
  for (const lang of ['en', 'ko'] as const satisfies readonly PasswordLanguage[]) {
    const messages = issues.map((issue) => passwordIssueMessage(issue, lang));
    assert.equal(new Set(messages).size, issues.length, lang);
    for (const message of messages) {
      assert.ok(message.length > 0);
      assert.equal(HANGUL.test(message), lang === 'ko', message);
    }
  }
});

test('the English messages are Django words', async () => {
  assert.deepEqual(
    issues.map((issue) => passwordIssueMessage(issue, 'en')),
    [
      'This password is too short. It must contain at least 8 characters.',
      'This password is too common.',
      'This password is entirely numeric.',
      'The password is too similar to the username.',
      'The password is too similar to the first name.',
      'The password is too similar to the last name.',
      'The password is too similar to the email address.',
    ],
  );
});

test('the Korean messages carry the length and name the field with the right particle', async () => {
  assert.equal(
    passwordIssueMessage({ code: 'password_too_short', params: { min: 8 } }, 'ko'),
    '비밀번호가 너무 짧습니다. 최소 8자 이상이어야 합니다.',
  );
  assert.equal(
    passwordIssueMessage({ code: 'password_too_short', params: { min: 12 } }, 'ko'),
    '비밀번호가 너무 짧습니다. 최소 12자 이상이어야 합니다.',
  );
  assert.equal(
    passwordIssueMessage({ code: 'password_too_similar', params: { field: 'username' } }, 'ko'),
    '비밀번호가 사용자 이름과 너무 비슷합니다.',
  );
  assert.equal(
    passwordIssueMessage({ code: 'password_too_similar', params: { field: 'email' } }, 'ko'),
    '비밀번호가 이메일 주소와 너무 비슷합니다.',
  );
});

test('the English help texts are Django modern ones, with U+2019 apostrophes', async () => {
  assert.deepEqual(passwordHelpTexts('en'), [
    'Your password can\u2019t be too similar to your other personal information.',
    'Your password must contain at least 8 characters.',
    'Your password can\u2019t be a commonly used password.',
    'Your password can\u2019t be entirely numeric.',
  ]);
  assert.equal(passwordHelpTexts('en', 1)[1], 'Your password must contain at least 1 character.');
  assert.ok(passwordHelpTexts('en').every((text) => !text.includes("'")));
});

test('the Korean help texts match the English ones one for one', async () => {
  const ko = passwordHelpTexts('ko');
  assert.equal(ko.length, passwordHelpTexts('en').length);
  assert.ok(ko.every((text) => HANGUL.test(text)));
  assert.equal(ko[1], '비밀번호는 최소 8자 이상이어야 합니다.');
  assert.equal(passwordHelpTexts('ko', 12)[1], '비밀번호는 최소 12자 이상이어야 합니다.');
});
