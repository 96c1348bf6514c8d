// The frame of every page: language, header with the visitor's links, flash messages, main content.
import type { ComponentChildren } from 'preact';
import { CsrfInput } from './csrf-input.tsx';
import { withPage } from './page-context.ts';

export interface LayoutProps {
  /** the page's own title; the site's name follows it */
  title: string;
  children: ComponentChildren;
}

export const Layout = withPage<LayoutProps>(({ title, children }, { lang, t, user, path, assets, flash }) => {
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>
          {title} · {t('site.name')}
        </title>
        <link rel="stylesheet" href={assets['site.css']} />
      </head>
      <body>
        <a class="skip" href="#main">
          {t('nav.skip')}
        </a>
        <header class="site-header">
          <nav aria-label={t('site.name')}>
            <a class="brand" href="/">
              {t('site.name')}
            </a>
            <a href="/">{t('nav.home')}</a>
            <a href="/articles">{t('nav.articles')}</a>
            <a href="/reading-list">{t('nav.reading_list')}</a>
            {user.isAuthenticated ? <AccountLinks username={user.username} /> : <AnonymousLinks />}
            <form method="post" action="/lang" class="inline lang">
              <CsrfInput />
              <input type="hidden" name="next" value={path} />
              <label for="lang-select">{t('nav.language')}</label>
              <select id="lang-select" name="lang">
                <option value="ko" selected={lang === 'ko'}>
                  한국어
                </option>
                <option value="en" selected={lang === 'en'}>
                  English
                </option>
              </select>
              <button type="submit">{t('nav.change')}</button>
            </form>
          </nav>
        </header>
        <main id="main">
          {flash.map((message) => (
            <p class="flash" role="status">
              {message}
            </p>
          ))}
          {children}
        </main>
      </body>
    </html>
  );
});

const AccountLinks = withPage<{ username: string }>(({ username }, { t }) => {
  // The name sits inside the sentence wherever the language puts it ("{username} 님으로 로그인").
  const [before = '', after = ''] = t('nav.signed_in_as').split('{username}');
  return (
    <>
      <span class="whoami">
        {before}
        <strong class="username">{username}</strong>
        {after}
      </span>
      <a href="/accounts/update">{t('nav.profile')}</a>
      <a href="/accounts/password">{t('nav.password')}</a>
      <a href="/accounts/sessions">{t('nav.sessions')}</a>
      <form method="post" action="/accounts/logout" class="inline">
        <CsrfInput />
        <button type="submit">{t('nav.logout')}</button>
      </form>
    </>
  );
});

const AnonymousLinks = withPage<object>((_props, { t }) => (
  <>
    <a href="/accounts/login">{t('nav.login')}</a>
    <a href="/accounts/signup">{t('nav.signup')}</a>
  </>
));
