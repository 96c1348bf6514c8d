// Pages escape every value they are given, in text and in attributes (`>` too, so a naive
// `<input[^>]*>` reader sees the whole tag); only trustedHtml() inserts markup as it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldView, formView } from '../../src/forms.ts';
import { ArticlePage } from '../../src/pages/article-page.tsx';
import { FormPage } from '../../src/pages/form-page.tsx';
import { HomePage } from '../../src/pages/home-page.tsx';
import { renderHtml } from '../../src/pages/render-html.ts';
import { trustedHtml } from '../../src/pages/trusted-html.ts';
import { renderPage } from '../../src/render.ts';
import { pageValues } from './page-values.ts';

const hostile = `"><img src=x onerror=alert(1)> & 'quotes' </textarea><script>x</script>`;

test('text and attribute values are escaped, `>` in an attribute included', () => {
  const form = formView({
    action: '/articles',
    submit: 'Publish',
    hidden: [{ name: 'next', value: hostile }],
    fields: [fieldView({ name: 'title', label: hostile, value: hostile, errors: [hostile] })],
  });
  const html = renderPage(pageValues({ path: hostile, flash: [hostile] }), FormPage, { title: hostile, form });
  assert.doesNotMatch(html, /<img|<script|<\/textarea>/);
  const escapedAttribute = '&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; \'quotes\' &lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;';
  assert.ok(html.includes(`<input type="hidden" name="next" value="${escapedAttribute}"/>`), 'the hidden next is not escaped');
  assert.ok(html.includes(`<input type="text" id="id_title" name="title" value="${escapedAttribute}"`), 'the typed value is not escaped');
  // In text a `>` is harmless and stays; `<`, `&` and `"` are escaped.
  assert.ok(html.includes('<title>&quot;>&lt;img src=x onerror=alert(1)> &amp; \'quotes\''), 'the title is not escaped');
});

test('a textarea opens with the line feed the parser drops, so a leading line break survives', () => {
  const form = formView({ action: '/articles', submit: 'Publish', fields: [fieldView({ name: 'content', type: 'textarea', label: 'Content', value: '\nsecond line' })] });
  const html = renderPage(pageValues(), FormPage, { title: 'New article', form });
  assert.match(html, /<textarea id="id_content" name="content" rows="12">\n\nsecond line<\/textarea>/);
});

test('the article page shows its content as text', () => {
  const article = { id: 7, authorId: 1, authorUsername: 'ann', title: hostile, content: hostile, createdAt: 0, updatedAt: 0, created: 'then', createdIso: '1970-01-01T00:00:00.000Z', updated: 'then', updatedIso: '1970-01-01T00:00:00.000Z', edited: false };
  const html = renderPage(pageValues(), ArticlePage, { article, saved: false, canEdit: false, canDelete: false });
  assert.doesNotMatch(html, /<img|<script|<\/textarea>/);
  assert.ok(html.includes('<div class="content">&quot;>&lt;img'));
});

test('trustedHtml inserts the markup as it is, with no element around it', () => {
  assert.equal(renderHtml(trustedHtml('<ol class="articles"><li>a &amp; b</li></ol>')), '<ol class="articles"><li>a &amp; b</li></ol>');
  const html = renderPage(pageValues(), HomePage, { notice: null, listHtml: '<ol class="articles" id="the-list"></ol>' });
  assert.ok(html.includes('<h2>Newest articles</h2><ol class="articles" id="the-list"></ol><p>'), 'the list is not inserted as it is');
});
