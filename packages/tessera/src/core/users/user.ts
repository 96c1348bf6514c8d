// The user model: who someone is, and the anonymous visitor who is no one yet.

/**
 * A stored user. `Extra` holds the fields an application adds (see UserFields), the way
 * Django's get_user_model() lets a project swap in its own model without forking auth.
 */
export interface User<Extra extends object = Record<string, unknown>> {
  readonly isAuthenticated: true;
  id: number;
  /** as typed at signup (NFKC-normalised) */
  username: string;
  /** NFKC + case-folded: the unique key, so "Alice" and "alice" are one account */
  usernameNormalized: string;
  email: string;
  /**
   * true once the user followed a verification link sent to `email` (see EmailVerificationTokens);
   * false for new users, and again whenever `email` changes to another address
   */
  emailVerified: boolean;
  /**
   * A new address waiting for its verification link, '' for none: under
   * EMAIL_VERIFICATION=mandatory a change of address waits here, and `email` (verified) stays
   * until the link is followed.
   */
  pendingEmail: string;
  firstName: string;
  lastName: string;
  /** the encoded password hash; '!…' means unusable */
  password: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  dateJoined: Date;
  lastLogin: Date | null;
  extra: Extra;
}

/** The visitor who is not logged in: Django's AnonymousUser, with a {@link User}'s flags, all false. */
export interface AnonymousUser {
  readonly isAuthenticated: false;
  readonly id: null;
  readonly username: '';
  readonly isActive: false;
  readonly isStaff: false;
  readonly isSuperuser: false;
}

/** The one frozen anonymous user: `request.user` for every visitor who is not logged in. */
export const anonymousUser: AnonymousUser = Object.freeze({
  isAuthenticated: false,
  id: null,
  username: '',
  isActive: false,
  isStaff: false,
  isSuperuser: false,
});

/** Whoever is asking, logged in or not; `isAuthenticated` tells the two apart. */
export type AnyUser<Extra extends object = Record<string, unknown>> = User<Extra> | AnonymousUser;

/** Django's 150: the most characters (code points) a username may have. */
export const usernameMaxLength = 150;
// Letters, digits and `_ . @ + -`, as Django's `^[\w.@+-]+\Z`, but no combining marks and no
// default-ignorable code point (variation selectors, joiners, the Hangul filler, …): each can sit
// invisibly after a name, so that "admin" and "admin" + U+034F would be two accounts that look alike.
const usernamePattern = /^(?:(?!\p{Default_Ignorable_Code_Point})[\p{L}\p{N}_.@+-])+$/u;

/** The form a username is stored and shown in: NFKC, so look-alike code points become one. */
export function cleanUsername(raw: string): string {
  return raw.normalize('NFKC').trim();
}

/** The key usernames are unique under: NFKC, then a full case fold ("ß" folds to "ss"). */
export function normalizeUsername(raw: string): string {
  return cleanUsername(raw).toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * Why {@link usernameProblem} refuses a username: empty, longer than {@link usernameMaxLength}
 * characters, or holding anything but letters, digits and `@.+-_` (combining marks and invisible
 * characters included).
 */
export type UsernameProblem = 'required' | 'too_long' | 'invalid';

/**
 * null when `username` (already cleaned with {@link cleanUsername}) is acceptable. The one rule
 * for sign-up, `users.create` and login alike; lengths are counted in characters (code points),
 * never in UTF-16 units.
 */
export function usernameProblem(username: string): UsernameProblem | null {
  if (username.length === 0) return 'required';
  if ([...username].length > usernameMaxLength) return 'too_long';
  if (!usernamePattern.test(username)) return 'invalid';
  return null;
}
