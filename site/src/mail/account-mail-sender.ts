// Sends the account mails, each within its limits: who gets a reset link, and a verification link.
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { encodeUid, type Tessera, type User } from 'tessera';
import { linkOrigin } from './link-origin.ts';
import { passwordResetMail, verificationMail } from './account-mails.tsx';

export class AccountMailSender {
  readonly #tessera: Tessera;
  readonly #siteUrl: string | undefined;

  constructor(tessera: Tessera, siteUrl: string | undefined) {
    this.#tessera = tessera;
    this.#siteUrl = siteUrl;
  }

  /**
   * Django's PasswordResetForm.save(): a link to every active user with this address
   * (case-insensitively) and a usable password. The same work is done whether or not anyone has
   * the address (the recipient's count is claimed either way, the mail only queued), so neither
   * the answer nor its time says which; a recipient past MAILS_PER_RECIPIENT is sent nothing.
   */
  async sendPasswordReset(request: FastifyRequest, email: string): Promise<void> {
    const tessera = this.#tessera;
    const verdict = await tessera.mailRecipients.attempt(email);
    const users = await this.#usersWithEmail(email);
    if (!verdict.allowed) return;
    const origin = linkOrigin(request, this.#siteUrl);
    if (origin === null) return;
    for (const user of users) {
      const link = `${origin}/accounts/reset/${encodeUid(user.id)}/${tessera.passwordResets.make(user)}`;
      tessera.mailer.send(passwordResetMail({ lang: request.lang, to: user.email, username: user.username, link, timeoutSeconds: tessera.config.email.passwordResetTimeoutSeconds }));
    }
  }

  /**
   * A verification link for the user's current address, unless it is verified already, there is
   * none, or the address was sent too many this hour. True when a mail was queued.
   */
  async sendVerification(request: FastifyRequest, user: User): Promise<boolean> {
    const tessera = this.#tessera;
    if (user.email === '' || user.emailVerified) return false;
    const verdict = await tessera.mailRecipients.attempt(user.email);
    if (!verdict.allowed) return false;
    const origin = linkOrigin(request, this.#siteUrl);
    if (origin === null) return false;
    const link = `${origin}/accounts/verify-email/${tessera.emailVerifications.make(user)}`;
    tessera.mailer.send(verificationMail({ lang: request.lang, to: user.email, username: user.username, link, timeoutSeconds: tessera.config.email.verificationTimeoutSeconds }));
    return true;
  }

  async #usersWithEmail(email: string): Promise<User[]> {
    if (email === '') return [];
    const rows = await this.#tessera.db.kysely
      .selectFrom('users')
      .select('id')
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .where('is_active', '=', 1)
      .limit(20)
      .execute();
    const users: User[] = [];
    for (const row of rows) {
      const user = await this.#tessera.users.getById(Number(row.id));
      // An unusable password ('!…') is an account that logs in some other way: Django sends it nothing.
      if (user !== null && user.isActive && user.email !== '' && !user.password.startsWith('!')) users.push(user);
    }
    return users;
  }
}
