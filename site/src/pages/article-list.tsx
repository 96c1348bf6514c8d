// The list of articles: the same for every visitor of a language, so it is cached rendered.
import type { ArticleView } from '../articles/article-views.ts';
import { translator, type Lang } from '../i18n/index.ts';

export interface ArticleListProps {
  articles: ArticleView[];
  /** its only input besides the articles: it reads nothing of the page, so it can be shared */
  lang: Lang;
}

export function ArticleList({ articles, lang }: ArticleListProps) {
  if (articles.length === 0) return <p class="empty">{translator(lang)('articles.none')}</p>;
  return (
    <ol class="articles">
      {articles.map((article) => (
        <li class="article-item" id={`article-${article.id}`}>
          <a class="article-title" href={`/articles/${article.id}`}>
            {article.title}
          </a>
          <span class="meta">
            {article.authorUsername} · <time datetime={article.createdIso}>{article.created}</time>
          </span>
        </li>
      ))}
    </ol>
  );
}
