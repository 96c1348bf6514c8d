// What the rest of tessera needs from wherever users are kept.
import type { User } from './user.ts';

/** A user to create. `password` is already encoded (`Passwords.hash()` or `makeUnusable()`), never plain text. */
export interface NewUser<Extra extends object = Record<string, unknown>> {
  username: string;
  email?: string;
  /** false unless said otherwise: only what proved the address (a provider that did) says true */
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  /** already encoded */
  password: string;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  extra?: Partial<Extra>;
}

/** The fields an update writes; a field left undefined keeps its value, and the username is not among them. */
export interface UserChanges<Extra extends object = Record<string, unknown>> {
  /** a different address (ignoring case) makes `emailVerified` false, unless this update sets it too */
  email?: string;
  emailVerified?: boolean;
  /** a new address waiting for its link ('' for none); see {@link User.pendingEmail} */
  pendingEmail?: string;
  firstName?: string;
  lastName?: string;
  password?: string;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  lastLogin?: Date;
  extra?: Partial<Extra>;
}

/**
 * What {@link UserStore.updateIf} needs the stored user to hold still, each compared exactly: the
 * state a token was checked against, so a change racing the check makes the write miss.
 */
export interface UserExpectation {
  password?: string;
  email?: string;
  emailVerified?: boolean;
  pendingEmail?: string;
}

/** What the rest of tessera needs from wherever users are kept: `SqlUserStore`, or a cache in front of it. */
export interface UserStore<Extra extends object = Record<string, unknown>> {
  /** the user with this id, or null */
  getById(id: number): Promise<User<Extra> | null>;
  /** the user whose normalised username equals that of `username`, or null */
  getByUsername(username: string): Promise<User<Extra> | null>;
  /** inserts the user; 'username_taken' when the normalised username exists already */
  create(user: NewUser<Extra>): Promise<User<Extra> | 'username_taken'>;
  /** writes the given fields */
  update(id: number, changes: UserChanges<Extra>): Promise<void>;
  /** writes the given fields only if the stored user still holds `expected` (one statement); true when it did */
  updateIf(id: number, expected: UserExpectation, changes: UserChanges<Extra>): Promise<boolean>;
  /** the active users with this address, case-insensitively (Django's PasswordResetForm.get_users), at most `limit` */
  listByEmail(email: string, limit?: number): Promise<User<Extra>[]>;
  /** deletes the user; their sessions (and anything else keyed to them) go with them */
  delete(id: number): Promise<void>;
}
