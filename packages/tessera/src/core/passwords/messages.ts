// What the password validators' issues and rules say to people, in Django's English words and in Korean.
import type { PasswordIssue, PasswordSimilarField } from './validators.ts';

/** The languages password messages come in: English (Django's words) and Korean. */
export type PasswordLanguage = 'en' | 'ko';

// Django's verbose names of the User fields; Korean nouns carry their own particle, chosen by the last syllable.
const FIELD_NAMES: Record<PasswordLanguage, Record<PasswordSimilarField, string>> = {
  en: { username: 'username', first_name: 'first name', last_name: 'last name', email: 'email address' },
  ko: { username: '사용자 이름과', first_name: '이름과', last_name: '성과', email: '이메일 주소와' },
};

function isSimilarField(value: unknown): value is PasswordSimilarField {
  return typeof value === 'string' && Object.hasOwn(FIELD_NAMES.en, value);
}

function characters(count: number): string {
  return count === 1 ? 'character' : 'characters';
}

/** What an issue says to the person choosing the password, in Django's English words or in Korean. */
export function passwordIssueMessage(issue: PasswordIssue, lang: PasswordLanguage): string {
  switch (issue.code) {
    case 'password_too_short': {
      const min = Number(issue.params.min);
      return lang === 'ko'
        ? `비밀번호가 너무 짧습니다. 최소 ${min}자 이상이어야 합니다.`
        : `This password is too short. It must contain at least ${min} ${characters(min)}.`;
    }
    case 'password_too_common':
      return lang === 'ko' ? '너무 흔한 비밀번호입니다.' : 'This password is too common.';
    case 'password_entirely_numeric':
      return lang === 'ko' ? '비밀번호가 숫자로만 되어 있습니다.' : 'This password is entirely numeric.';
    case 'password_too_similar': {
      const field = issue.params.field;
      if (!isSimilarField(field)) {
        // A field outside Django's four would be a caller's own; say so without naming it wrongly.
        return lang === 'ko'
          ? '비밀번호가 다른 개인 정보와 너무 비슷합니다.'
          : 'The password is too similar to your other personal information.';
      }
      const name = FIELD_NAMES[lang][field];
      return lang === 'ko' ? `비밀번호가 ${name} 너무 비슷합니다.` : `The password is too similar to the ${name}.`;
    }
    default: {
      const unknown: never = issue.code;
      throw new RangeError(`no message for password issue ${String(unknown)}`);
    }
  }
}

/**
 * Django's help texts for its default validators, in their order (similarity, length, common,
 * numeric); `minLength` should be what minimumLength() was given.
 */
export function passwordHelpTexts(lang: PasswordLanguage, minLength = 8): string[] {
  if (lang === 'ko') {
    return [
      '다른 개인 정보와 비슷한 비밀번호는 사용할 수 없습니다.',
      `비밀번호는 최소 ${minLength}자 이상이어야 합니다.`,
      '흔히 쓰이는 비밀번호는 사용할 수 없습니다.',
      '숫자로만 된 비밀번호는 사용할 수 없습니다.',
    ];
  }
  return [
    'Your password can\u2019t be too similar to your other personal information.',
    `Your password must contain at least ${minLength} ${characters(minLength)}.`,
    'Your password can\u2019t be a commonly used password.',
    'Your password can\u2019t be entirely numeric.',
  ];
}
