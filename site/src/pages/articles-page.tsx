// The board: one page of the article list, with links to the pages around it.
import { Layout } from './layout.tsx';
import { withPage } from './page-context.ts';
import { trustedHtml } from './trusted-html.ts';

export interface ArticlesPageProps {
  /** this page of the list, as ArticleList rendered it (cached for every visitor) */
  listHtml: string;
  page: number;
  pages: number;
}

export const ArticlesPage = withPage<ArticlesPageProps>(({ listHtml, page, pages }, { t, user }) => {
  return (
    <Layout title={t('articles.title')}>
      <h1>{t('articles.title')}</h1>
      {user.isAuthenticated && (
        <p>
          <a class="button button-primary" href="/articles/new">
            {t('articles.new')}
          </a>
        </p>
      )}
      {trustedHtml(listHtml)}
      {pages > 1 && (
        <nav class="pagination" aria-label={t('articles.pagination')}>
          {page > 1 && (
            <a rel="prev" href={`/articles?page=${page - 1}`}>
              {t('articles.previous')}
            </a>
          )}
          <span>{t('articles.page_of', { page, pages })}</span>
          {page < pages && (
            <a rel="next" href={`/articles?page=${page + 1}`}>
              {t('articles.next')}
            </a>
          )}
        </nav>
      )}
    </Layout>
  );
});
