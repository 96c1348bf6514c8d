// The field values that make a request to a counting route invalid, so that it can never change a row.
import { ALNUM, URLSAFE } from './alphabets.ts';
import { PASSWORD, type Fixture } from './fixture.ts';
import { text, type Wire } from './form-encoding.ts';
import { garbageSegment, idForms } from './hostile-values.ts';
import type { CountingKind } from './routes.ts';
import type { Random } from './seeded-random.ts';

/** Usernames sign-up must refuse whatever else the form holds (CONTRACT: letters, digits, @.+-_; 1 to 150). */
const REFUSED_USERNAMES = [
  '', '   ', 'a b', 'a\u034f', 'admin\u034f', 'x\ufe0f', 'x\ufe00', 'x\u180b', 'x\u3164', 'x\u200b', 'x\u00ad', 'x\u2060',
  '\0abc', 'ab\0c', 'a/b', 'a<b>', 'a"b', "a'b", 'a\tb', '😀', 'a%b', 'a#b', 'a,b', 'x\u0301', '\u1160', 'x\u115f', 'x\uffa0',
  '\ud800x', 'a:b', 'a;b', 'a=b', 'a&b', 'a*b', 'a!b', '\u202ex',
];
const REFUSED_PASSWORDS = ['password', 'password123', '12345678', '1234567890', '87654321', 'Ab1!', 'qwertyuiop', 'iloveyou', '11111111'];

export interface Poison {
  what: string;
  /** fields whose values make the request invalid; never repeated, never overridden */
  fields: Record<string, Wire | null>;
  /** replaces the route's :article or :session with a target that is safe to hit */
  param?: string;
}

/** A field poison for a counting route, or null when only a CSRF poison can make it safe. */
export function fieldPoison(r: Random, fx: Fixture, kind: CountingKind, identityActors: ReadonlySet<number>): Poison | null {
  const strangers = fx.actors.map((_actor, index) => index).filter((index) => !identityActors.has(index));
  switch (kind) {
    case 'signup':
      return r.weighted<() => Poison>([
        [4, () => ({ what: 'refused-username', fields: { username: text(r.pick([...REFUSED_USERNAMES, 'a'.repeat(151), '𐐀'.repeat(151), '𝐀'.repeat(151)])), password1: text(PASSWORD), password2: text(PASSWORD) } })],
        [2, () => ({ what: 'password-mismatch', fields: { username: text(`fz${fx.tag}m${r.string(ALNUM, 6, 6)}`), password1: text(PASSWORD), password2: text(`${PASSWORD}x`) } })],
        [2, () => {
          const password = r.pick(REFUSED_PASSWORDS);
          return { what: 'refused-password', fields: { username: text(`fz${fx.tag}p${r.string(ALNUM, 6, 6)}`), password1: text(password), password2: text(password) } };
        }],
        [1, () => {
          const name = r.pick(fx.actors).username;
          return { what: 'username-taken', fields: { username: text(r.chance(0.5) ? name.toUpperCase() : name.toLowerCase()), password1: text(PASSWORD), password2: text(PASSWORD) } };
        }],
        [1, () => ({ what: 'refused-email', fields: { username: text(`fz${fx.tag}e${r.string(ALNUM, 6, 6)}`), email: text(r.pick(['a\0b@example.com', 'no-at-sign', 'a@b', 'a b@example.com', '@example.com', `${'a'.repeat(250)}@example.com`])), password1: text(PASSWORD), password2: text(PASSWORD) } })],
        [1, () => ({ what: 'password-missing', fields: { username: text(`fz${fx.tag}q${r.string(ALNUM, 6, 6)}`), password1: text(''), password2: text('') } })],
      ])();
    case 'login':
      return r.weighted<() => Poison>([
        [4, () => ({ what: 'wrong-password', fields: { username: text(r.pick(fx.actors).username), password: text(`${PASSWORD}${r.string(ALNUM, 1, 4)}`) } })],
        [2, () => ({ what: 'unknown-user', fields: { username: text(`nobody${r.string(ALNUM, 8, 8)}`), password: text(PASSWORD) } })],
        [1, () => ({ what: 'password-missing', fields: { username: text(r.pick(fx.actors).username), password: null } })],
        [1, () => ({ what: 'nul-username', fields: { username: text(`${r.pick(fx.actors).username}\0`), password: text(PASSWORD) } })],
      ])();
    case 'password':
      return r.weighted<() => Poison>([
        [3, () => ({ what: 'wrong-old-password', fields: { old_password: text(`${PASSWORD}${r.string(ALNUM, 1, 4)}`) } })],
        [2, () => ({ what: 'old-password-missing', fields: { old_password: text('') } })],
      ])();
    case 'delete-account':
      return r.weighted<() => Poison>([
        [3, () => ({ what: 'wrong-password', fields: { password: text(`${PASSWORD}${r.string(ALNUM, 1, 4)}`) } })],
        [1, () => ({ what: 'password-missing', fields: {} })],
        [1, () => ({ what: 'password-empty', fields: { password: text('') } })],
      ])();
    case 'article-create':
      return r.weighted<() => Poison>([
        [3, () => ({ what: 'title-empty', fields: { title: text(r.pick(['', '   ', '\t\r\n '])) } })],
        [2, () => ({ what: 'title-nul', fields: { title: text(`a\0${r.string(ALNUM, 0, 10)}`) } })],
        [1, () => ({ what: 'title-too-long', fields: { title: text(r.pick(['x', '😀', '한']).repeat(r.int(201, 3000))) } })],
        [1, () => ({ what: 'content-nul', fields: { title: text('ok'), content: text(`c\0${r.string(ALNUM, 0, 10)}`) } })],
        [1, () => ({ what: 'content-too-long', fields: { title: text('ok'), content: text('y'.repeat(r.int(20_001, 200_000))) } })],
      ])();
    case 'revoke':
      return r.weighted<() => Poison>([
        [2, () => (strangers.length > 0 ? { what: 'revoke-others-session', fields: {}, param: r.pick(strangers.map((index) => fx.actors[index]!.session.slice(0, 22))) } : { what: 'revoke-unknown', fields: {}, param: r.string(URLSAFE, 22, 22) })],
        [2, () => ({ what: 'revoke-unknown', fields: {}, param: r.string(URLSAFE, 22, 22) })],
        [1, () => ({ what: 'revoke-garbage', fields: {}, param: garbageSegment(r) })],
      ])();
    case 'article-delete': {
      const foreign = strangers.flatMap((index) => fx.actors[index]!.articles);
      return r.weighted<() => Poison>([
        [3, () => (foreign.length > 0 ? { what: 'delete-foreign-article', fields: {}, param: idForms(r, r.pick(foreign)) } : { what: 'delete-missing-article', fields: {}, param: idForms(r, r.int(1_000_000_000, 2_000_000_000)) })],
        [1, () => ({ what: 'delete-missing-article', fields: {}, param: idForms(r, r.int(1_000_000_000, 2_000_000_000)) })],
        [1, () => ({ what: 'delete-garbage-id', fields: {}, param: garbageSegment(r) })],
      ])();
    }
    case 'logout':
      // Logging out is valid with any body: only an invalid token, or no session to end, keeps it harmless.
      return identityActors.size === 0 ? { what: 'logout-without-session', fields: {} } : null;
  }
}
