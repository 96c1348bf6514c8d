// A template filled with values is what rendering the component with those values writes, and
// the layout's frame, rendered once, still shows each page its own title, user and path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formView } from '../../src/forms.ts';
import { holeMarker, htmlTemplate } from '../../src/pages/html-template.ts';
import { FormPage } from '../../src/pages/form-page.tsx';
import { renderHtml } from '../../src/pages/render-html.ts';
import { renderPage } from '../../src/render.ts';
import { translator } from '../../src/i18n/index.ts';
import { pageValues } from './page-values.ts';

const hostile = `"><img src=x onerror=alert(1)> & 'quotes' </textarea><script>x</script>`;

function Card({ name, link }: { name: string; link: string }) {
  return (
    <div class="card" data-name={name}>
      <a href={link} title={name}>
        {name}
      </a>
      <input type="hidden" name="link" value={link} />
      <p>{`${name} again`}</p>
    </div>
  );
}

test('a filled template is the component rendered with the values, escaped where each stands', () => {
  const template = htmlTemplate(<Card name={holeMarker('name')} link={holeMarker('link')} />, ['name', 'link']);
  for (const [name, link] of [
    ['ann', '/a?b=1&c=2'],
    [hostile, hostile],
    ['a > b', '>'],
  ] as const) {
    assert.equal(template.fill({ name, link }), renderHtml(<Card name={name} link={link} />), `${name} / ${link}`);
  }
  // Empty, an attribute is written as the site writes an empty value: `=""` (preact leaves some bare).
  assert.equal(template.fill({ name: '', link: '' }), '<div class="card" data-name=""><a href="" title=""></a><input type="hidden" name="link" value=""/><p> again</p></div>');
});

test('each page fills the frame with its own title, user and path', () => {
  const form = formView({ action: '/accounts/update', submit: 'Save', fields: [] });
  const render = (username: string, path: string, title: string) =>
    renderPage(pageValues({ user: { isAuthenticated: true, username }, path }), FormPage, { title, form });
  const first = render('ann', '/accounts/update', 'Profile');
  const second = render(hostile, '/elsewhere?x=1', hostile);
  assert.ok(first.includes('<title>Profile · tessera</title>'));
  assert.ok(first.includes('<strong class="username">ann</strong>'));
  assert.ok(first.includes('<a href="/accounts/update" aria-current="page">'));
  assert.ok(first.includes('<input type="hidden" name="next" value="/accounts/update"/>'));
  assert.doesNotMatch(second, /<img|<script|ann|aria-current/);
  assert.ok(second.includes('<input type="hidden" name="next" value="/elsewhere?x=1"/>'));
  assert.ok(second.includes('<strong class="username">&quot;>&lt;img'));
  // The same frame again, with the first page's values: nothing of the second stays in it.
  assert.equal(render('ann', '/accounts/update', 'Profile'), first);
});

test('the frame follows the language and the login state', () => {
  const form = formView({ action: '/accounts/login', submit: 'Log in', fields: [] });
  const korean = renderPage(pageValues({ lang: 'ko', t: translator('ko'), path: '/accounts/login' }), FormPage, { title: '로그인', form });
  assert.match(korean, /^<!doctype html>\n<html lang="ko">/);
  assert.ok(korean.includes('<option value="ko" selected>'));
  assert.ok(korean.includes('<a href="/accounts/login" aria-current="page">'));
  assert.doesNotMatch(korean, /class="username"/);
});
