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
          <nav class={user.isAuthenticated ? 'bar signed-in' : 'bar'} aria-label={t('site.name')}>
            <a class="brand" href="/">
              {t('site.name')}
            </a>
            <div class="nav-main">
              <a href="/" aria-current={path === '/' ? 'page' : undefined}>
                {t('nav.home')}
              </a>
              <a href="/articles" aria-current={path === '/articles' ? 'page' : undefined}>
                {t('nav.articles')}
              </a>
              <a href="/reading-list" aria-current={path === '/reading-list' ? 'page' : undefined}>
                {t('nav.reading_list')}
              </a>
            </div>
            {user.isAuthenticated ? <AccountLinks username={user.username} path={path} /> : <AnonymousLinks path={path} />}
            {/* Its own small form and submit button: works without script (CSP is 'self'). */}
            <form method="post" action="/lang" class="inline lang">
              <CsrfInput />
              <input type="hidden" name="next" value={path} />
              <label for="lang-select" class="visually-hidden">
                {t('nav.language')}
              </label>
              <select id="lang-select" name="lang">
                <option value="ko" selected={lang === 'ko'}>
                  한국어
                </option>
                <option value="en" selected={lang === 'en'}>
                  English
                </option>
              </select>
              <button type="submit" class="button button-small">
                {t('nav.change')}
              </button>
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

const AccountLinks = withPage<{ username: string; path: string }>(({ username, path }, { t }) => {
  // The name sits inside the sentence wherever the language puts it ("{username} 님으로 로그인").
  const [before = '', after = ''] = t('nav.signed_in_as').split('{username}');
  const current = (href: string) => (path === href ? ('page' as const) : undefined);
  return (
    <div class="nav-account">
      <span class="whoami">
        <span class="whoami-words">{before}</span>
        <strong class="username">{username}</strong>
        <span class="whoami-words">{after}</span>
      </span>
      <a href="/accounts/update" aria-current={current('/accounts/update')}>
        {t('nav.profile')}
      </a>
      <a href="/accounts/password" aria-current={current('/accounts/password')}>
        {t('nav.password')}
      </a>
      <a href="/accounts/sessions" aria-current={current('/accounts/sessions')}>
        {t('nav.sessions')}
      </a>
      <form method="post" action="/accounts/logout" class="inline logout">
        <CsrfInput />
        <button type="submit" class="button button-small">
          {t('nav.logout')}
        </button>
      </form>
    </div>
  );
});

const AnonymousLinks = withPage<{ path: string }>(({ path }, { t }) => (
  <div class="nav-account">
    <a href="/accounts/login" aria-current={path === '/accounts/login' ? 'page' : undefined}>
      {t('nav.login')}
    </a>
    <a class="button button-small button-primary" href="/accounts/signup" aria-current={path === '/accounts/signup' ? 'page' : undefined}>
      {t('nav.signup')}
    </a>
  </div>
));
