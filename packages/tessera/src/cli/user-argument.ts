// The user a command names, by --username or by its USERNAME argument: one rule for every command.
import { TesseraError } from '../core/errors.ts';
import type { Tessera } from '../core/tessera.ts';
import type { User } from '../core/users/user.ts';
import { UsageError } from './command.ts';

/** The username given, or a usage error (exit 2) that says how to give it. */
export function requiredUsername(given: string | boolean | undefined, how = '--username is required'): string {
  if (typeof given !== 'string' || given === '') throw new UsageError(how);
  return given;
}

/** The user the username names (in any case, as at login), or an error saying there is none. */
export async function existingUser(tessera: Tessera<any>, username: string): Promise<User<any>> {
  const user = await tessera.users.getByUsername(username);
  if (!user) throw new TesseraError('not_found', `no user ${username}`);
  return user;
}
