// The page of every error status (400, 403, 404, …): what happened, and the way home.
import { Layout } from './layout.tsx';
import { withPage } from './page-context.ts';

export interface ErrorPageProps {
  title: string;
  text: string;
  /** a safe explanation for the visitor ("You cannot edit this article."), or '' */
  detail: string;
  /** the stack trace outside production, else '' */
  stack: string;
}

export const ErrorPage = withPage<ErrorPageProps>(({ title, text, detail, stack }, { t }) => {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p class="error-text">{text}</p>
      {detail && <p class="error-detail">{detail}</p>}
      {stack && <pre class="stack">{stack}</pre>}
      <p>
        <a href="/">{t('status.home_link')}</a>
      </p>
    </Layout>
  );
});
