// What the templates see of an article: escaped by the template, dates formatted for the visitor.
import { formatTime } from '../format-time.ts';
import type { Lang } from '../i18n/index.ts';
import type { Article } from './article-store.ts';

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
