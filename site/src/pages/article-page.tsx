// One article, with what this visitor may do with it: save or unsave, edit, delete.
import type { ArticleView } from '../articles/article-views.ts';
import { CsrfInput } from './csrf-input.tsx';
import { Layout } from './layout.tsx';
import { withPage } from './page-context.ts';

export interface ArticlePageProps {
  article: ArticleView;
  /** in the visitor's reading list */
  saved: boolean;
  canEdit: boolean;
  canDelete: boolean;
}

export const ArticlePage = withPage<ArticlePageProps>(({ article, saved, canEdit, canDelete }, { t }) => {
  return (
    <Layout title={article.title}>
      <article class="article">
        <h1>{article.title}</h1>
        <p class="meta">
          {t('articles.by', { author: article.authorUsername })} · <time datetime={article.createdIso}>{article.created}</time>
          {article.edited && (
            <>
              {' '}
              · {t('articles.edited')} <time datetime={article.updatedIso}>{article.updated}</time>
            </>
          )}
        </p>
        <div class="content">{article.content}</div>
      </article>
      <div class="actions">
        <form method="post" action={`/articles/${article.id}/${saved ? 'unsave' : 'save'}`} class="inline">
          <CsrfInput />
          <input type="hidden" name="next" value={`/articles/${article.id}`} />
          <button type="submit" class={saved ? 'button' : 'button button-primary'}>
            {saved ? t('reading.unsave') : t('reading.save')}
          </button>
        </form>
        {canEdit && (
          <a class="button" href={`/articles/${article.id}/edit`}>
            {t('articles.edit')}
          </a>
        )}
        {canDelete && (
          // A link to the confirmation page: deleting never happens on one click.
          <a class="button button-danger-quiet" href={`/articles/${article.id}/delete/confirm`}>
            {t('articles.delete')}
          </a>
        )}
      </div>
      <p>
        <a href="/articles">{t('articles.back')}</a>
      </p>
    </Layout>
  );
});
