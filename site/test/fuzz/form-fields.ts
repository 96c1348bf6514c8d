// The fields each route's form holds, each filled with a plausible or a hostile value.
import { ALNUM } from './alphabets.ts';
import { PASSWORD } from './fixture.ts';
import { text, type Wire } from './form-encoding.ts';
import { nastyValue } from './hostile-values.ts';
import type { PostKind } from './routes.ts';
import type { Random } from './seeded-random.ts';

/** Form fields for a route: realistic names with garbage or plausible values. */
export function fieldsFor(r: Random, kind: PostKind | null): Record<string, () => Wire> {
  const plausible = () => text(r.pick([PASSWORD, 'Quiet-Lantern-Drift-82', r.string(ALNUM, 1, 20), 'user@example.com', '/articles', 'ko', 'en', 'on', '']));
  const value = () => (r.chance(0.5) ? plausible() : nastyValue(r));
  const names: Record<PostKind, string[]> = {
    signup: ['username', 'email', 'password1', 'password2', 'next'],
    login: ['username', 'password', 'remember_username', 'remember_me', 'next'],
    logout: ['next'],
    password: ['old_password', 'new_password1', 'new_password2'],
    'delete-account': ['password'],
    revoke: [],
    'article-create': ['title', 'content'],
    'article-delete': [],
    update: ['email', 'first_name', 'last_name'],
    'article-edit': ['title', 'content'],
    'revoke-others': [],
    'set-password': ['new_password1', 'new_password2'],
    'password-reset': ['email'],
    lang: ['lang', 'next'],
    harmless: ['next'],
  };
  const fields: Record<string, () => Wire> = {};
  for (const name of kind === null ? [] : names[kind]) fields[name] = value;
  return fields;
}
