// The articles board: list, read, write, edit (the author), delete (the author or a moderator).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError, type User } from 'tessera';
import { loginRequired } from 'tessera/fastify';
import { articleView } from '../articles/article-views.ts';
import { contentMaxLength, titleMaxLength, type Article } from '../articles/article-store.ts';
import { deleteArticlePermission } from '../migrations/site-0001-articles.ts';
import { field, fieldView, formView, FormErrors } from '../forms.ts';
import { addFlash } from '../flash.ts';
import { ArticlePage } from '../pages/article-page.tsx';
import { ArticlesPage } from '../pages/articles-page.tsx';
import { FormPage } from '../pages/form-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

export const articlesPerPage = 10;

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** The :id of the URL as an article id, or null for anything that is not a plain positive integer. */
export function articleId(request: FastifyRequest): number | null {
  const raw = (request.params as { id?: string }).id ?? '';
  return /^[1-9][0-9]{0,15}$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : null;
}

/** The page an article action belongs to, for the login redirect of an anonymous visitor. */
export function articlePage(request: FastifyRequest): string | null {
  const id = articleId(request);
  return id === null ? null : `/articles/${id}`;
}

export function articleRoutes(context: SiteContext): RouteSpec[] {
  const { tessera, pages, articles, articleList } = context;

  async function loadArticle(request: FastifyRequest): Promise<Article> {
    const id = articleId(request);
    const article = id === null ? null : await articles.get(id);
    if (article === null) throw new TesseraError('not_found');
    return article;
  }

  const canDelete = async (user: User, article: Article) =>
    article.authorId === user.id || (await tessera.permissions.has(user, deleteArticlePermission));

  function renderForm(request: FastifyRequest, reply: FastifyReply, options: { action: string; title: string; submit: string; values: { title: string; content: string }; errors: FormErrors; status?: number }) {
    const t = request.t;
    const form = formView({
      action: options.action,
      submit: options.submit,
      errors: options.errors.isEmpty ? [] : [t('error.form_summary')],
      fields: [
        fieldView({ name: 'title', label: t('field.title'), value: options.values.title, maxlength: titleMaxLength, required: true, autofocus: true, errors: options.errors.for('title') }),
        fieldView({ name: 'content', type: 'textarea', label: t('field.content'), value: options.values.content, maxlength: contentMaxLength, errors: options.errors.for('content') }),
      ],
    });
    return pages.page(request, reply, FormPage, { title: options.title, form }, { status: options.status ?? 200, cache: 'no-store' });
  }

  function readArticleForm(request: FastifyRequest) {
    const t = request.t;
    // Lengths are checked on what was sent, cut only far past the limit to bound memory.
    const values = { title: field(request.body, 'title', titleMaxLength * 4).trim(), content: field(request.body, 'content', contentMaxLength * 2).replace(/\r\n/g, '\n') };
    const errors = new FormErrors();
    const titleLength = [...values.title].length;
    if (titleLength === 0) errors.add('title', t('error.required'));
    else if (titleLength > titleMaxLength) errors.add('title', t('error.too_long', { max: titleMaxLength }));
    if ([...values.content].length > contentMaxLength) errors.add('content', t('error.too_long', { max: contentMaxLength }));
    // Django's ProhibitNullCharactersValidator: PostgreSQL cannot store NUL in text (it would be a 500).
    if (values.title.includes('\0')) errors.add('title', t('error.null_characters'));
    if (values.content.includes('\0')) errors.add('content', t('error.null_characters'));
    return { values, errors };
  }

  return [
    {
      method: 'GET',
      url: '/articles',
      handler: async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
        const raw = field(request.query, 'page', 20) || '1';
        const page = /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : 0;
        const count = await articleList.count();
        const pageCount = Math.max(1, Math.ceil(count / articlesPerPage));
        // Like Django's paginator: an empty first page is fine, a page past the last is not.
        if (page < 1 || page > pageCount) throw new TesseraError('not_found');
        const listHtml = await articleList.list(request.lang, (page - 1) * articlesPerPage, articlesPerPage);
        return pages.page(request, reply, ArticlesPage, { listHtml, page, pages: pageCount });
      },
    },
    {
      method: 'GET',
      url: '/articles/new',
      preHandler: [loginRequired()],
      handler: async (request, reply) =>
        renderForm(request, reply, { action: '/articles', title: request.t('articles.new_title'), submit: request.t('articles.submit_create'), values: { title: '', content: '' }, errors: new FormErrors() }),
    },
    {
      method: 'POST',
      url: '/articles',
      preHandler: [loginRequired({ getPage: () => '/articles/new' })],
      handler: async (request, reply) => {
        const { values, errors } = readArticleForm(request);
        if (!errors.isEmpty) {
          return renderForm(request, reply, { action: '/articles', title: request.t('articles.new_title'), submit: request.t('articles.submit_create'), values, errors, status: 422 });
        }
        const id = await articles.create((request.user as User).id, values.title, values.content);
        await articleList.invalidate();
        return reply.redirect(`/articles/${id}`, 303);
      },
    },
    {
      method: 'GET',
      url: '/articles/:id',
      handler: async (request: IdRequest, reply) => {
        const article = await loadArticle(request);
        const user = request.user;
        const saved = user.isAuthenticated
          ? await context.readingList.has(user.id, article.id)
          : context.guestList.read(request.cookies.reading_list).includes(article.id);
        return pages.page(request, reply, ArticlePage, {
          article: articleView(article, request.lang),
          saved,
          canEdit: user.isAuthenticated && user.id === article.authorId,
          canDelete: user.isAuthenticated && (await canDelete(user, article)),
        });
      },
    },
    {
      method: 'GET',
      url: '/articles/:id/edit',
      preHandler: [loginRequired()],
      handler: async (request: IdRequest, reply) => {
        const article = await loadArticle(request);
        if (article.authorId !== (request.user as User).id) throw new TesseraError('forbidden', request.t('articles.forbidden_edit'));
        return renderForm(request, reply, { action: `/articles/${article.id}/edit`, title: request.t('articles.edit_title'), submit: request.t('articles.submit_edit'), values: article, errors: new FormErrors() });
      },
    },
    {
      method: 'POST',
      url: '/articles/:id/edit',
      preHandler: [loginRequired({ getPage: (request) => { const page = articlePage(request); return page && `${page}/edit`; } })],
      handler: async (request: IdRequest, reply) => {
        const article = await loadArticle(request);
        if (article.authorId !== (request.user as User).id) throw new TesseraError('forbidden', request.t('articles.forbidden_edit'));
        const { values, errors } = readArticleForm(request);
        if (!errors.isEmpty) {
          return renderForm(request, reply, { action: `/articles/${article.id}/edit`, title: request.t('articles.edit_title'), submit: request.t('articles.submit_edit'), values, errors, status: 422 });
        }
        await articles.update(article.id, values.title, values.content);
        await articleList.invalidate();
        return reply.redirect(`/articles/${article.id}`, 303);
      },
    },
    {
      // The confirmation before deleting, as account deletion has one: its form posts to the
      // POST-only /articles/:id/delete, which is unchanged.
      method: 'GET',
      url: '/articles/:id/delete/confirm',
      preHandler: [loginRequired()],
      handler: async (request: IdRequest, reply) => {
        const article = await loadArticle(request);
        const t = request.t;
        if (!(await canDelete(request.user as User, article))) throw new TesseraError('forbidden', t('articles.forbidden_delete'));
        const form = formView({
          action: `/articles/${article.id}/delete`,
          submit: t('articles.delete_submit'),
          danger: true,
          links: [{ href: `/articles/${article.id}`, text: t('articles.delete_cancel') }],
        });
        const intro = t('articles.delete_warning', { title: article.title });
        return pages.page(request, reply, FormPage, { title: t('articles.delete_title'), intro, form }, { cache: 'no-store' });
      },
    },
    {
      method: 'POST',
      url: '/articles/:id/delete',
      preHandler: [loginRequired({ getPage: articlePage })],
      handler: async (request: IdRequest, reply) => {
        const article = await loadArticle(request);
        const user = request.user as User;
        if (!(await canDelete(user, article))) throw new TesseraError('forbidden', request.t('articles.forbidden_delete'));
        await articles.delete(article.id);
        await articleList.invalidate();
        addFlash(request, request.t('articles.deleted'));
        return reply.redirect('/articles', 303);
      },
    },
  ];
}

