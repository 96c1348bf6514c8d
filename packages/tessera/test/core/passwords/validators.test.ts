// Django's password validators, against the vectors of Django's own tests (reference section 5, T-P1..T-P5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordIssueMessage } from '../../../src/core/passwords/messages.ts';
import {
  attributeSimilarity,
  commonPassword,
  defaultValidators,
  minimumLength,
  numericPassword,
  quickRatio,
  validatePassword,
} from '../../../src/core/passwords/validators.ts';
import type { PasswordContext, PasswordIssue } from '../../../src/core/passwords/validators.ts';

const testclient: PasswordContext = {
  username: 'testclient',
  email: 'testclient@example.com',
  firstName: 'Test',
  lastName: 'Client',
};

const english = (issues: PasswordIssue[]): string[] => issues.map((issue) => passwordIssueMessage(issue, 'en'));

test('T-P1 minimumLength(8) passes 8 characters and refuses 7 with Django message', async () => {
  const validator = minimumLength();
  assert.equal(validator('12345678', {}), null);
  const issue = validator('1234567', {});
  assert.deepEqual(issue, { code: 'password_too_short', params: { min: 8 } });
  assert.equal(
    passwordIssueMessage(issue, 'en'),
    'This password is too short. It must contain at least 8 characters.',
  );
});

test('T-P1 a minimum of one says "character", singular', async () => {
  const issue = minimumLength(1)('', {});
  assert.ok(issue);
  assert.equal(passwordIssueMessage(issue, 'en'), 'This password is too short. It must contain at least 1 character.');
});

test('minimumLength counts characters as Python does, not UTF-16 units', async () => {
  // Each emoji is two UTF-16 units but one character to Python's len().
  assert.equal(minimumLength()('😀'.repeat(8), {}), null);
  assert.deepEqual(minimumLength()('😀'.repeat(7), {})?.code, 'password_too_short');
  assert.throws(() => minimumLength(-1), RangeError);
});

test('T-P2 "godzilla" is too common, after lowercasing and trimming as Django does', async () => {
  const validator = commonPassword();
  for (const password of ['godzilla', 'GodZilla', '  godzilla\t', 'password']) {
    assert.deepEqual(validator(password, {}), { code: 'password_too_common', params: {} }, password);
  }
  assert.equal(passwordIssueMessage({ code: 'password_too_common', params: {} }, 'en'), 'This password is too common.');
  assert.equal(validator('tessera-correct-horse-9f2c', {}), null);
  assert.equal(validator('god zilla', {}), null);
});

test('T-P2 a list given to commonPassword replaces the built-in one', async () => {
  const validator = commonPassword(new Set(['tessera']));
  assert.equal(validator('Tessera ', {})?.code, 'password_too_common');
  assert.equal(validator('godzilla', {}), null);
});

test('T-P3 "42424242" is entirely numeric; digits of any script count, as with isdigit', async () => {
  const validator = numericPassword();
  const numeric = { code: 'password_entirely_numeric', params: {} };
  assert.deepEqual(validator('42424242', {}), numeric);
  assert.equal(passwordIssueMessage(numeric as PasswordIssue, 'en'), 'This password is entirely numeric.');
  // Arabic-Indic, fullwidth, superscript and circled digits: all True for Python's isdigit().
  for (const password of ['٤٢٤٢٤٢٤٢', '４２４２', '²³¹', '①②③', '4²①٤']) {
    assert.deepEqual(validator(password, {}), numeric, password);
  }
  // isdigit() is False for these: a letter, an empty string, Roman numerals, fractions.
  for (const password of ['4242a424', '', 'ⅫⅫ', '½½', '4242 4242', '-42']) {
    assert.equal(validator(password, {}), null, password);
  }
});

test('quickRatio equals difflib SequenceMatcher.quick_ratio', async () => {
  // Values printed by CPython 3.11's difflib.
  const vectors: Array<[string, string, number]> = [
    ['testclient', 'test', 0.5714285714285714],
    ['example.com', 'example', 0.7777777777777778],
    ['abcd', 'bcde', 0.75],
    ['aab', 'abb', 0.6666666666666666],
    ['józef123', 'józef', 0.7692307692307693],
    ['password', 'drowssap', 1.0],
    ['', '', 1.0],
    ['a', '', 0.0],
  ];
  for (const [a, b, expected] of vectors) assert.equal(quickRatio(a, b), expected, `${a} / ${b}`);
});

test('T-P4 "testclient" is too similar to the username', async () => {
  const issue = attributeSimilarity()('testclient', testclient);
  assert.deepEqual(issue, { code: 'password_too_similar', params: { field: 'username' } });
  assert.equal(passwordIssueMessage(issue, 'en'), 'The password is too similar to the username.');
});

test('T-P4 "example.com" is too similar to the email address', async () => {
  const issue = attributeSimilarity()('example.com', testclient);
  assert.deepEqual(issue, { code: 'password_too_similar', params: { field: 'email' } });
  assert.equal(passwordIssueMessage(issue, 'en'), 'The password is too similar to the email address.');
});

test('T-P4 against the first name alone, "testclient" fails at 0.3 and passes at 0.7', async () => {
  const firstNameOnly: PasswordContext = { firstName: testclient.firstName };
  const issue = attributeSimilarity(0.3)('testclient', firstNameOnly);
  assert.deepEqual(issue, { code: 'password_too_similar', params: { field: 'first_name' } });
  assert.equal(passwordIssueMessage(issue, 'en'), 'The password is too similar to the first name.');
  assert.equal(attributeSimilarity(0.7)('testclient', firstNameOnly), null);
});

test('T-P4 at maxSimilarity 1 a password equal to the attribute still fails', async () => {
  const issue = attributeSimilarity(1)('Test', { firstName: 'Test' });
  assert.deepEqual(issue, { code: 'password_too_similar', params: { field: 'first_name' } });
  assert.equal(attributeSimilarity(1)('Tess', { firstName: 'Test' }), null);
});

test('T-P4 the last name is named "last name", and the username, checked first, wins a tie', async () => {
  assert.equal(attributeSimilarity()('clientele', testclient)?.params.field, 'username');
  const issue = attributeSimilarity()('clientele', { lastName: testclient.lastName });
  assert.deepEqual(issue, { code: 'password_too_similar', params: { field: 'last_name' } });
  assert.equal(passwordIssueMessage(issue, 'en'), 'The password is too similar to the last name.');
});

test('T-P4 without user attributes nothing is similar, and maxSimilarity below 0.1 is refused', async () => {
  assert.equal(attributeSimilarity()('testclient', {}), null);
  assert.equal(attributeSimilarity()('testclient', { username: '' }), null);
  assert.throws(() => attributeSimilarity(0.09), /maxSimilarity must be at least 0.1/);
  assert.throws(() => attributeSimilarity(Number.NaN), RangeError);
  assert.equal(typeof attributeSimilarity(0.1), 'function');
});

test('T-P4 attribute values split on non-word characters of any script, as Python \\W does', async () => {
  // An ASCII-only \W would cut "józef" at "ó", and no piece would reach 0.7.
  const issue = attributeSimilarity()('józef123', { username: 'józef.kowalski' });
  assert.deepEqual(issue, { code: 'password_too_similar', params: { field: 'username' } });
  assert.equal(attributeSimilarity()('kowalskiego', { username: 'jozef' }), null);
});

test('T-P5 [common, minimumLength(12)] reports both issues for "password", in validator order', async () => {
  const issues = validatePassword('password', {}, [commonPassword(), minimumLength(12)]);
  assert.deepEqual(english(issues), [
    'This password is too common.',
    'This password is too short. It must contain at least 12 characters.',
  ]);
  assert.deepEqual(
    english(validatePassword('password', {}, [minimumLength(12), commonPassword()])),
    ['This password is too short. It must contain at least 12 characters.', 'This password is too common.'],
  );
});

test('the default validators are Django startproject four, in its order', async () => {
  assert.equal(defaultValidators.length, 4);
  assert.deepEqual(
    validatePassword('12345', { username: '12345' }).map((issue) => issue.code),
    ['password_too_similar', 'password_too_short', 'password_too_common', 'password_entirely_numeric'],
  );
  assert.deepEqual(validatePassword('tessera-correct-horse-9f2c', testclient), []);
});
