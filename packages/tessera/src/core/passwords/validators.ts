// Django's four password validators, as plain functions that return an issue for the form to show, or null.
import { commonPasswords } from './common-passwords.ts';

/** The error codes of Django's four password validators, so a form can tell the issues apart. */
export type PasswordIssueCode =
  | 'password_too_short'
  | 'password_too_common'
  | 'password_entirely_numeric'
  | 'password_too_similar';

/**
 * One reason a password is refused, as Django's ValidationError code and params; `passwordIssueMessage`
 * words it.
 */
export interface PasswordIssue {
  code: PasswordIssueCode;
  params: Record<string, string | number>;
}

/** The user's own fields a password must not resemble (Django's `user` argument to the validators). */
export interface PasswordContext {
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
}

/** One of Django's password validators as a function: an issue, or null when the password passes. */
export type PasswordValidator = (password: string, context: PasswordContext) => PasswordIssue | null;

/** Python's len() counts code points, and the limits are Django's. */
function codePoints(text: string): string[] {
  return [...text];
}

/** Django's MinimumLengthValidator; params {min}. */
export function minimumLength(min = 8): PasswordValidator {
  if (!Number.isSafeInteger(min) || min < 0) throw new RangeError(`min must be a non-negative integer, got ${min}`);
  return (password) => (codePoints(password).length < min ? { code: 'password_too_short', params: { min } } : null);
}

/** Django's CommonPasswordValidator; the built-in list is read on the first password checked. */
export function commonPassword(list?: ReadonlySet<string>): PasswordValidator {
  return (password) => {
    const common = list ?? commonPasswords();
    return common.has(password.toLowerCase().trim()) ? { code: 'password_too_common', params: {} } : null;
  };
}

/**
 * Python's str.isdigit(): decimal digits of every script (\p{Nd}) and the other characters
 * whose Numeric_Type is Digit (superscripts, circled digits...), which JavaScript has no
 * property for; the ranges are those of Python 3.11's unicodedata.
 */
const ALL_DIGITS =
  /^[\p{Nd}\u00B2\u00B3\u00B9\u1369-\u1371\u19DA\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247C\u2488-\u2490\u24EA\u24F5-\u24FD\u24FF\u2776-\u277E\u2780-\u2788\u278A-\u2792\u{10A40}-\u{10A43}\u{10E60}-\u{10E68}\u{11052}-\u{1105A}\u{1F100}-\u{1F10A}]+$/u;

/** Django's NumericPasswordValidator. */
export function numericPassword(): PasswordValidator {
  return (password) => (ALL_DIGITS.test(password) ? { code: 'password_entirely_numeric', params: {} } : null);
}

/** The user field a too-similar password resembles, by Django's field name. */
export type PasswordSimilarField = 'username' | 'first_name' | 'last_name' | 'email';

// Django's DEFAULT_USER_ATTRIBUTES order, which decides the field named when several are similar.
const SIMILARITY_FIELDS: ReadonlyArray<readonly [PasswordSimilarField, keyof PasswordContext]> = [
  ['username', 'username'],
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['email', 'email'],
];

// Python's \W in a str pattern: anything but letters, numbers and the underscore.
const NON_WORD = /[^\p{L}\p{N}_]+/u;

/**
 * difflib.SequenceMatcher(a, b).quick_ratio(): 2 * |a ∩ b| / (|a| + |b|) with a and b taken
 * as multisets of code points, an upper bound on the real ratio that costs O(|a| + |b|).
 */
export function quickRatio(a: string, b: string): number {
  const left = codePoints(a);
  const right = codePoints(b);
  const length = left.length + right.length;
  if (length === 0) return 1;
  const available = new Map<string, number>();
  for (const char of right) available.set(char, (available.get(char) ?? 0) + 1);
  let matches = 0;
  for (const char of left) {
    const count = available.get(char) ?? 0;
    if (count > 0) {
      matches += 1;
      available.set(char, count - 1);
    }
  }
  return (2 * matches) / length;
}

/**
 * Django's exceeds_maximum_length_ratio: once the password is ten times longer than the
 * part, quick_ratio cannot reach 2/10, so a short part is skipped without comparing.
 */
function exceedsMaximumLengthRatio(passwordLength: number, maxSimilarity: number, part: string): boolean {
  const partLength = codePoints(part).length;
  return passwordLength >= 10 * partLength && partLength < (maxSimilarity / 2) * passwordLength;
}

/** Django's UserAttributeSimilarityValidator; params {field}. */
export function attributeSimilarity(maxSimilarity = 0.7): PasswordValidator {
  // Django's floor: below it nearly every password would count as similar to something.
  if (!(maxSimilarity >= 0.1)) throw new RangeError('maxSimilarity must be at least 0.1');
  return (password, context) => {
    const lowered = password.toLowerCase();
    const passwordLength = codePoints(lowered).length;
    for (const [field, key] of SIMILARITY_FIELDS) {
      const value = context[key];
      if (!value) continue;
      const valueLower = value.toLowerCase();
      for (const part of [...valueLower.split(NON_WORD), valueLower]) {
        if (exceedsMaximumLengthRatio(passwordLength, maxSimilarity, part)) continue;
        if (quickRatio(lowered, part) >= maxSimilarity) return { code: 'password_too_similar', params: { field } };
      }
    }
    return null;
  };
}

/** The validators of Django's startproject settings, in that order. */
export const defaultValidators: readonly PasswordValidator[] = Object.freeze([
  attributeSimilarity(),
  minimumLength(),
  commonPassword(),
  numericPassword(),
]);

/** Every issue, in validator order, as Django's validate_password collects them; [] when valid. */
export function validatePassword(
  password: string,
  context: PasswordContext,
  validators: readonly PasswordValidator[] = defaultValidators,
): PasswordIssue[] {
  const issues: PasswordIssue[] = [];
  for (const validator of validators) {
    const issue = validator(password, context);
    if (issue !== null) issues.push(issue);
  }
  return issues;
}
