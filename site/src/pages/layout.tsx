// The frame of every page: language, header with the visitor's links, flash messages, main content.
import type { ComponentChildren } from 'preact';
import { CsrfInput } from './csrf-input.tsx';
import { holeMarker, HtmlTemplate } from './html-template.ts';
import { PageProvider, withPage, type PageShared } from './page-context.ts';
import { renderHtml } from './render-html.ts';
import { trustedHtml } from './trusted-html.ts';

export interface LayoutProps {
  /** the page's own title; the site's name follows it */
  title: string;
  children: ComponentChildren;
}

/**
 * The frame is the same for every page of a language, a login state and a current link but for
 * three values (the title, the username and the language form's `next`), so it is rendered once
 * for each (a few dozen at most) and filled per page: it was most of a page's render.
 */
export const Layout = withPage<LayoutProps>(({ title, children }, page) => {
  const frame = frameFor(page);
  const username = page.user.isAuthenticated ? page.user.username : '';
  return (
    <>
      {trustedHtml(frame.open.fill({ title, username, next: page.path }))}
      {page.flash.map((message) => (
        <p class="flash" role="status">
          {message}
        </p>
      ))}
      {children}
      {trustedHtml(frame.close)}
    </>
  );
});

/** The links the header marks as the current page; any other path marks none. */
const navLinks = new Set(['/', '/articles', '/reading-list', '/accounts/update', '/accounts/password', '/accounts/sessions', '/accounts/login', '/accounts/signup']);

interface Frame {
  /** from `<html>` to the opening of `<main>`, with its holes */
  open: HtmlTemplate<'title' | 'username' | 'next'>;
  /** from the closing of `<main>` to the end */
  close: string;
}

const frames = new Map<string, Frame>();
/** Far above the combinations a process meets (2 languages × 2 login states × 9 links); a bound all the same. */
const framesKept = 256;

function frameFor(page: PageShared): Frame {
  const current = navLinks.has(page.path) ? page.path : '';
  const key = `${page.lang}\n${page.user.isAuthenticated}\n${current}\n${page.csrf}\n${page.assets['site.css']}`;
  let frame = frames.get(key);
  if (frame === undefined) {
    frame = renderFrame(page, current);
    if (frames.size >= framesKept) frames.clear();
    frames.set(key, frame);
  }
  return frame;
}

function renderFrame(page: PageShared, current: string): Frame {
  const shared: PageShared = {
    ...page,
    user: page.user.isAuthenticated ? { isAuthenticated: true, username: holeMarker('username') } : page.user,
    path: current,
    flash: [],
  };
  const html = renderHtml(
    <PageProvider value={shared}>
      <FrameMarkup title={holeMarker('title')} next={holeMarker('next')} />
    </PageProvider>,
  );
  const [open = '', close = ''] = html.split(holeMarker('main'));
  return { open: new HtmlTemplate(open, ['title', 'username', 'next']), close };
}

/** The frame's markup, with the page's content (the flash messages, then the page) where the main hole is. */
const FrameMarkup = withPage<{ title: string; next: string }>(({ title, next }, { lang, t, user, path, assets }) => {
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
              <input type="hidden" name="next" value={next} />
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
        <main id="main">{holeMarker('main')}</main>
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
