// The routes of CONTRACT.md the generator aims at, and which of them can add or remove rows.

/** Route kinds that can add or remove users, sessions or articles. */
export type CountingKind = 'signup' | 'login' | 'logout' | 'password' | 'delete-account' | 'revoke' | 'article-create' | 'article-delete';
export type PostKind = CountingKind | 'update' | 'article-edit' | 'revoke-others' | 'set-password' | 'password-reset' | 'lang' | 'harmless';

export interface Route {
  path: string;
  get: boolean;
  post: PostKind | null;
}

// Every route of CONTRACT.md (and the site's own confirm page, health check and static files).
export const ROUTES: Route[] = [
  { path: '/', get: true, post: null },
  { path: '/healthz', get: true, post: null },
  { path: '/accounts/signup', get: true, post: 'signup' },
  { path: '/accounts/login', get: true, post: 'login' },
  { path: '/accounts/logout', get: false, post: 'logout' },
  { path: '/accounts/update', get: true, post: 'update' },
  { path: '/accounts/password', get: true, post: 'password' },
  { path: '/accounts/delete', get: false, post: 'delete-account' },
  { path: '/accounts/delete/confirm', get: true, post: null },
  { path: '/accounts/sessions', get: true, post: null },
  { path: '/accounts/sessions/:session/revoke', get: false, post: 'revoke' },
  { path: '/accounts/sessions/revoke-others', get: false, post: 'revoke-others' },
  { path: '/articles', get: true, post: 'article-create' },
  { path: '/articles/new', get: true, post: null },
  { path: '/articles/:article', get: true, post: null },
  { path: '/articles/:article/edit', get: true, post: 'article-edit' },
  { path: '/articles/:article/delete', get: false, post: 'article-delete' },
  { path: '/articles/:article/save', get: false, post: 'harmless' },
  { path: '/articles/:article/unsave', get: false, post: 'harmless' },
  { path: '/reading-list', get: true, post: null },
  { path: '/accounts/password-reset', get: true, post: 'password-reset' },
  { path: '/accounts/password-reset/done', get: true, post: null },
  { path: '/accounts/reset/:uidb64/:token', get: true, post: null },
  { path: '/accounts/reset/:uidb64/set-password', get: true, post: 'set-password' },
  { path: '/accounts/reset/done', get: true, post: null },
  { path: '/accounts/verify-email/:token', get: true, post: null },
  { path: '/accounts/verify-email/resend', get: false, post: 'harmless' },
  { path: '/notice/dismiss', get: false, post: 'harmless' },
  { path: '/lang', get: false, post: 'lang' },
  { path: '/static/:asset', get: true, post: null },
];

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The routes deep requests go to, weighted toward those that validate the most. */
export const DEEP_ROUTES: (readonly [number, Route])[] = ROUTES.filter((route) => route.post !== null).map((route) => {
  const weights: Partial<Record<PostKind, number>> = { signup: 8, login: 5, 'article-create': 4, 'article-edit': 2, password: 2, 'delete-account': 2, update: 2, revoke: 2, 'article-delete': 2 };
  return [weights[route.post!] ?? 1, route] as const;
});

export const COUNTING: ReadonlySet<PostKind> = new Set<PostKind>(['signup', 'login', 'logout', 'password', 'delete-account', 'revoke', 'article-create', 'article-delete']);
