// The visitor's saved articles, each with its unsave button.
import type { Article } from '../articles/article-store.ts';
import { CsrfInput } from './csrf-input.tsx';
import { Layout } from './layout.tsx';
import { withPage } from './page-context.ts';

export interface ReadingListPageProps {
  articles: Article[];
}

export const ReadingListPage = withPage<ReadingListPageProps>(({ articles }, { t, user }) => {
  return (
    <Layout title={t('reading.title')}>
      <h1>{t('reading.title')}</h1>
      {!user.isAuthenticated && <p class="hint">{t('reading.guest_hint')}</p>}
      {articles.length > 0 ? (
        <ol class="articles">
          {articles.map((article) => (
            <li class="article-item" id={`saved-${article.id}`}>
              <a class="article-title" href={`/articles/${article.id}`}>
                {article.title}
              </a>
              <span class="meta">{article.authorUsername}</span>
              <form method="post" action={`/articles/${article.id}/unsave`} class="inline">
                <CsrfInput />
                <input type="hidden" name="next" value="/reading-list" />
                <button type="submit">{t('reading.unsave')}</button>
              </form>
            </li>
          ))}
        </ol>
      ) : (
        <p class="empty">{t('reading.empty')}</p>
      )}
    </Layout>
  );
});
