// The home page: the site notice, a greeting, the newest articles.
import { CsrfInput } from './csrf-input.tsx';
import { Layout } from './layout.tsx';
import { withPage } from './page-context.ts';
import { trustedHtml } from './trusted-html.ts';

export interface HomePageProps {
  /** the notice to show; null when the visitor dismissed it today */
  notice: string | null;
  /** the newest articles, as ArticleList rendered them (cached for every visitor) */
  listHtml: string;
}

export const HomePage = withPage<HomePageProps>(({ notice, listHtml }, { t, user }) => {
  return (
    <Layout title={t('home.title')}>
      {notice && (
        <aside id="site-notice" class="notice" role="note">
          <p>{notice}</p>
          <form method="post" action="/notice/dismiss" class="inline">
            <CsrfInput />
            <input type="hidden" name="next" value="/" />
            <button type="submit">{t('notice.dismiss')}</button>
          </form>
        </aside>
      )}
      <h1>{t('home.title')}</h1>
      <p>{t('home.intro')}</p>
      <p>{user.isAuthenticated ? t('home.hello', { username: user.username }) : t('home.anonymous')}</p>
      <h2>{t('home.newest')}</h2>
      {trustedHtml(listHtml)}
      <p>
        <a href="/articles">{t('home.all_articles')}</a>
      </p>
    </Layout>
  );
});
