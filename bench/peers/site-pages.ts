// tessera's own two benchmark pages rendered through the site's components (site/src/render.ts's
// renderPage with FormPage and HomePage), for the bare ceiling and the render micro-benchmark:
// the profile form built as site/src/routes/profile.ts builds it, and the home page as a fresh
// site shows it to a visitor who dismissed the notice. The user is fixed; there is no auth.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { emailMaxLength, nameMaxLength } from '../../site/src/account-fields.ts';
import { fieldView, formView } from '../../site/src/forms.ts';
import { translator } from '../../site/src/i18n/index.ts';
import { ArticleList } from '../../site/src/pages/article-list.tsx';
import { FormPage } from '../../site/src/pages/form-page.tsx';
import { HomePage } from '../../site/src/pages/home-page.tsx';
import type { PageShared } from '../../site/src/pages/page-context.ts';
import { pageRenderer, renderPage } from '../../site/src/render.ts';

export interface SiteUser {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

const t = translator('en');
const assets = {
  'site.css': `/static/site.${createHash('sha256').update(readFileSync(new URL('../../site/src/static/site.css', import.meta.url))).digest('hex').slice(0, 12)}.css`,
};
/** The site renders a placeholder and swaps in a masked token; here a fixed 64-character stand-in. */
const csrf = 'x'.repeat(64);

function shared(username: string, path: string): PageShared {
  return { lang: 'en', t, user: { isAuthenticated: true, username }, csrf, path, assets, flash: [] };
}

/** The profile form (GET /accounts/update) for `user`: layout + AuthForm, as the route renders it. */
export function renderProfile(user: SiteUser): string {
  const form = formView({
    action: '/accounts/update',
    submit: t('update.submit'),
    errors: [],
    fields: [
      fieldView({ name: 'email', type: 'email', label: t('field.email'), value: user.email, autocomplete: 'email', maxlength: emailMaxLength, errors: [] }),
      fieldView({ name: 'first_name', label: t('field.first_name'), value: user.firstName, autocomplete: 'given-name', maxlength: nameMaxLength, errors: [] }),
      fieldView({ name: 'last_name', label: t('field.last_name'), value: user.lastName, autocomplete: 'family-name', maxlength: nameMaxLength, errors: [] }),
    ],
    links: [{ href: '/accounts/delete/confirm', text: t('update.delete_link') }],
  });
  return renderPage(shared(user.username, '/accounts/update'), FormPage, { title: t('update.title'), form });
}

// The newest-articles list is a cached fragment on the site; rendered once here.
const emptyList = pageRenderer(assets, csrf).fragment(ArticleList, { articles: [], lang: 'en' });

/** The home page for `username`, no notice, no articles yet. */
export function renderHome(username: string): string {
  return renderPage(shared(username, '/'), HomePage, { notice: null, listHtml: emptyList });
}
