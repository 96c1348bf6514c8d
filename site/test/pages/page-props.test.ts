// A page is a function of typed props: given the wrong data it fails the type-check (the
// `@ts-expect-error` lines below are errors tsc must find, or `npm run typecheck` fails), and a
// cached fragment cannot read who is asking.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { fieldView, formView } from '../../src/forms.ts';
import { ArticleList } from '../../src/pages/article-list.tsx';
import { ErrorPage } from '../../src/pages/error-page.tsx';
import { FormPage } from '../../src/pages/form-page.tsx';
import { HomePage } from '../../src/pages/home-page.tsx';
import { SessionsPage } from '../../src/pages/sessions-page.tsx';
import { renderHtml } from '../../src/pages/render-html.ts';
import { withPage } from '../../src/pages/page-context.ts';
import { pageRenderer, renderPage } from '../../src/render.ts';
import { pageValues } from './page-values.ts';

const form = formView({ action: '/accounts/login', submit: 'Log in', fields: [fieldView({ name: 'username', label: 'Username' })] });

test('a page given its props renders in the layout', () => {
  const html = renderPage(pageValues(), FormPage, { title: 'Log in', form });
  assert.match(html, /^<!doctype html>\n<html lang="en">/);
  assert.match(html, /<title>Log in · tessera<\/title>/);
  assert.match(html, /<label for="id_username">Username<\/label>/);
});

test('a page given the wrong data fails the type-check, where at run time it would break or lose text', () => {
  // @ts-expect-error: FormPage needs its form.
  assert.throws(() => renderPage(pageValues(), FormPage, { title: 'Log in' }), TypeError);
  // @ts-expect-error: a prop of the wrong type.
  assert.throws(() => renderPage(pageValues(), SessionsPage, { sessions: 'none', othersListed: true }), TypeError);
  const list = '<ol class="articles"></ol>';
  // @ts-expect-error: a misspelt prop (`list_html`) is refused, not ignored.
  assert.ok(!renderPage(pageValues(), HomePage, { notice: null, list_html: list }).includes(list), 'the list was shown');
  // @ts-expect-error: another page's props; ErrorPage's own text is missing.
  assert.match(renderPage(pageValues(), ErrorPage, { title: 'Log in', form }), /<p class="error-text"><\/p>/);
});

test('the renderer checks props the same way', async () => {
  const pages = pageRenderer({}, 'placeholder');
  // Enough of a request for a page to render; it throws before the reply is touched.
  const request = { url: '/accounts/login', method: 'GET', headers: {} } as unknown as FastifyRequest;
  const reply = {} as FastifyReply;
  // @ts-expect-error: a page rendered for a response needs its props too.
  await assert.rejects(pages.page(request, reply, FormPage, { title: 'Log in' }), TypeError);
  // @ts-expect-error: the cached article list is told its language.
  assert.throws(() => pages.fragment(ArticleList, { articles: [] }), TypeError);
  assert.equal(pages.fragment(ArticleList, { articles: [], lang: 'ko' }), '<p class="empty">아직 글이 없습니다.</p>');
});

test('a fragment that reads the page fails loudly instead of rendering a visitor into the cache', () => {
  const Whoami = withPage<object>((_props, { user }) => h('p', null, user.isAuthenticated ? user.username : ''));
  assert.throws(() => renderHtml(h(Whoami, null)), /outside a page/);
  assert.throws(() => pageRenderer({}, 'placeholder').fragment(Whoami, {}), /outside a page/);
});
