// Rules for the account fields that are not the username or the password.
import type { MessageKey } from './i18n/index.ts';

export const nameMaxLength = 150;
export const emailMaxLength = 254;
// Deliberately plain: one @, something on each side, a dot in the domain, no spaces, and none
// of the characters with which an address line names a different mailbox than it reads as
// (`x<y@evil.example>`, `"q"@x.y`, `a,b@c.d`): what is stored is where the mail goes.
const emailPattern = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/u;

/** null when a name is acceptable. */
export function nameProblem(name: string): MessageKey | null {
  if (name.includes('\0')) return 'error.null_characters';
  return null;
}

/** null when `email` (already trimmed) is empty or acceptable. */
export function emailProblem(email: string): MessageKey | null {
  if (email === '') return null;
  // PostgreSQL cannot store NUL in text; Django refuses it in every CharField too.
  if (email.includes('\0')) return 'error.null_characters';
  if (email.length > emailMaxLength || !emailPattern.test(email)) return 'error.email_invalid';
  return null;
}
