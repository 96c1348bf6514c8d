// What the pages see of an article: its dates formatted for the visitor (the page escapes the text).
import { formatTime } from '../format-time.ts';
import type { Lang } from '../i18n/index.ts';
import type { Article } from './article-store.ts';

export interface ArticleView extends Article {
  created: string;
  createdIso: string;
  updated: string;
  updatedIso: string;
  /** changed more than a second after it was written */
  edited: boolean;
}

export function articleView(article: Article, lang: Lang): ArticleView {
  return {
    ...article,
    created: formatTime(lang, article.createdAt),
    createdIso: new Date(article.createdAt).toISOString(),
    updated: formatTime(lang, article.updatedAt),
    updatedIso: new Date(article.updatedAt).toISOString(),
    edited: article.updatedAt - article.createdAt > 1000,
  };
}
