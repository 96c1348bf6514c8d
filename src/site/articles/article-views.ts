// What the templates see of an article: escaped by the template, dates formatted for the visitor.
import type { Lang } from '../i18n/index.ts';
import type { Article } from './article-store.ts';

const formats = new Map<Lang, Intl.DateTimeFormat>();

export function formatTime(lang: Lang, time: number): string {
  let format = formats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    formats.set(lang, format);
  }
  return `${format.format(time)} UTC`;
}

export function articleView(article: Article, lang: Lang) {
  return {
    ...article,
    created: formatTime(lang, article.createdAt),
    createdIso: new Date(article.createdAt).toISOString(),
    updated: formatTime(lang, article.updatedAt),
    updatedIso: new Date(article.updatedAt).toISOString(),
    edited: article.updatedAt - article.createdAt > 1000,
  };
}
