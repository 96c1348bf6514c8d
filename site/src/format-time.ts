// Times as the site shows them: the visitor's language, a 24-hour clock, in UTC.
import type { Lang } from './i18n/index.ts';

const formats = new Map<Lang, Intl.DateTimeFormat>();

export function formatTime(lang: Lang, time: number): string {
  let format = formats.get(lang);
  if (!format) {
    // A 24-hour clock, because this Node's ICU writes "AM" even in Korean.
    format = new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone: 'UTC' });
    formats.set(lang, format);
  }
  return `${format.format(time)} UTC`;
}
