// The two pages every peer serves, as plain template literals: tessera's profile form
// (GET /accounts/update, logged in) and its home page, in English, copied from the site's own
// output (the runner checks each peer's page against tessera's, byte for byte but the CSRF
// values). A template literal is the cheapest renderer there is, so the tables compare the
// auth stacks and not template engines. Only the user's own values vary, and they are escaped.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface ProfileUser {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or a double-quoted attribute value, escaped. */
export function escapeHtml(value: string): string {
  return /[&<>"']/.test(value) ? value.replace(/[&<>"']/g, (c) => escapes[c]!) : value;
}

/** No peer has tessera's CSRF token: a stand-in of the same length keeps the page the same size. */
export const csrfStandIn = 'x'.repeat(64);

/** The site's stylesheet under its content-hashed name, computed as site/src/static-assets.ts does. */
export const siteCss = (() => {
  const hash = createHash('sha256').update(readFileSync(new URL('../../site/src/static/site.css', import.meta.url))).digest('hex').slice(0, 12);
  return `/static/site.${hash}.css`;
})();

/** Where the site sends an anonymous visitor of the profile page (302, as tessera's loginRequired). */
export const profileLoginRedirect = '/accounts/login?next=/accounts/update';

const head = (title: string) =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>${title} · tessera</title><link rel="stylesheet" href="${siteCss}"/></head><body><a class="skip" href="#main">Skip to content</a><header class="site-header">`;

const langForm = (path: string) =>
  `<form method="post" action="/lang" class="inline lang"><input type="hidden" name="_csrf" value="${csrfStandIn}"/><input type="hidden" name="next" value="${path}"/><label for="lang-select" class="visually-hidden">Language</label><select id="lang-select" name="lang"><option value="ko">한국어</option><option value="en" selected>English</option></select><button type="submit" class="button button-small">Change</button></form></nav></header><main id="main">`;

function nav(username: string | undefined, path: '/' | '/accounts/update'): string {
  const home = path === '/' ? ' aria-current="page"' : '';
  const main = `<a class="brand" href="/">tessera</a><div class="nav-main"><a href="/"${home}>Home</a><a href="/articles">Articles</a><a href="/reading-list">Reading list</a></div>`;
  if (username === undefined) {
    return `<nav class="bar" aria-label="tessera">${main}<div class="nav-account"><a href="/accounts/login">Log in</a><a class="button button-small button-primary" href="/accounts/signup">Sign up</a></div>`;
  }
  const profile = path === '/accounts/update' ? ' aria-current="page"' : '';
  return `<nav class="bar signed-in" aria-label="tessera">${main}<div class="nav-account"><span class="whoami"><span class="whoami-words">Signed in as </span><strong class="username">${escapeHtml(username)}</strong><span class="whoami-words"></span></span><a href="/accounts/update"${profile}>Profile</a><a href="/accounts/password">Password</a><a href="/accounts/sessions">Sessions</a><form method="post" action="/accounts/logout" class="inline logout"><input type="hidden" name="_csrf" value="${csrfStandIn}"/><button type="submit" class="button button-small">Log out</button></form></div>`;
}

/** tessera's profile form for a logged-in user, with their email and names in the fields. */
export function profilePage(user: ProfileUser): string {
  return `${head('Profile')}${nav(user.username, '/accounts/update')}${langForm('/accounts/update')}<h1>Profile</h1><form method="post" action="/accounts/update" class="auth-form" novalidate><input type="hidden" name="_csrf" value="${csrfStandIn}"/><div class="field"><label for="id_email">Email address</label><input type="email" id="id_email" name="email" value="${escapeHtml(user.email)}" autocomplete="email" maxlength="254"/></div><div class="field"><label for="id_first_name">First name</label><input type="text" id="id_first_name" name="first_name" value="${escapeHtml(user.firstName)}" autocomplete="given-name" maxlength="150"/></div><div class="field"><label for="id_last_name">Last name</label><input type="text" id="id_last_name" name="last_name" value="${escapeHtml(user.lastName)}" autocomplete="family-name" maxlength="150"/></div><div class="form-actions"><button type="submit" class="button button-primary">Save</button></div></form><div class="form-links"><p><a href="/accounts/delete/confirm">Delete my account…</a></p></div></main></body></html>`;
}

/**
 * tessera's home page for `username` (or an anonymous visitor), as a fresh site shows it to a
 * visitor who dismissed the site notice: no notice, no articles yet.
 */
export function homePage(username: string | undefined): string {
  const hello = username === undefined ? 'Sign up or log in to see your sessions and manage your account.' : `Hello, ${escapeHtml(username)}.`;
  return `${head('Welcome')}${nav(username, '/')}${langForm('/')}<h1>Welcome</h1><p>tessera keeps accounts and sessions the way Django does: on the server, with only an opaque token in your cookie.</p><p>${hello}</p><h2>Newest articles</h2><p class="empty">No articles yet.</p><p><a href="/articles">All articles</a></p></main></body></html>`;
}

/**
 * The pages' literal parts around their slots, for a peer in another language (Django): each
 * page with a sentinel in every slot, split there. `slots` names what goes between parts[i] and
 * parts[i + 1], escaped.
 */
export function pageParts(): Record<string, { parts: string[]; slots: string[] }> {
  const mark = (slot: string) => `\u0000${slot}\u0000`;
  const split = (html: string) => {
    const pieces = html.split('\u0000');
    return { parts: pieces.filter((_, i) => i % 2 === 0), slots: pieces.filter((_, i) => i % 2 === 1) };
  };
  return {
    profile: split(profilePage({ username: mark('username'), email: mark('email'), firstName: mark('first_name'), lastName: mark('last_name') })),
    home: split(homePage(mark('username'))),
    anonymousHome: split(homePage(undefined)),
  };
}
