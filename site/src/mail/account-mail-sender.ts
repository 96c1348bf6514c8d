// Sends the account mails, each within its limits: who gets a reset link, and a verification link.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { encodeUid, type Tessera, type User } from 'tessera';
import { linkOrigin } from './link-origin.ts';
import { passwordResetMail, verificationMail } from './account-mails.tsx';

export class AccountMailSender {
  readonly #tessera: Tessera;
  readonly #log: FastifyBaseLogger;
  #saidNoOrigin = false;

  constructor(tessera: Tessera, log: FastifyBaseLogger) {
    this.#tessera = tessera;
    this.#log = log;
  }

  /** Where links point, or null (said once in the log: every mail with a link is then dropped). */
  #origin(request: FastifyRequest): string | null {
    const origin = linkOrigin(request, this.#tessera.config);
    if (origin === null && this.#tessera.config.production && !this.#saidNoOrigin) {
      this.#saidNoOrigin = true;
      this.#log.error('SITE_URL is not set: in production no mail with a link is sent, since the Host header a client sends cannot be trusted to name this site');
    }
    return origin;
  }

  /**
   * Django's PasswordResetForm.save(): a link to every active user with this address
   * (case-insensitively) and a usable password. The same work is done whether or not anyone has
   * the address (the recipient's count is claimed either way, the mail only queued), so neither
   * the answer nor its time says which. Each mail claims one of MAILS_PER_RECIPIENT: several
   * accounts sharing the address do not multiply what it can be sent.
   */
  async sendPasswordReset(request: FastifyRequest, email: string): Promise<void> {
    const tessera = this.#tessera;
    let verdict = await tessera.mailRecipients.attempt(email);
    const users = await this.#usersWithEmail(email);
    const origin = this.#origin(request);
    if (origin === null) return;
    for (const [index, user] of users.entries()) {
      if (index > 0) verdict = await tessera.mailRecipients.attempt(email);
      if (!verdict.allowed) return;
      const link = `${origin}/accounts/reset/${encodeUid(user.id)}/${tessera.passwordResets.make(user)}`;
      tessera.mailer.send(passwordResetMail({ lang: request.lang, to: user.email, username: user.username, link, timeoutSeconds: tessera.config.email.passwordResetTimeoutSeconds }));
    }
  }

  /**
   * A verification link for the address waiting to be verified (the pending one, else the
   * current one unless it is verified or empty), unless that address was sent too many this
   * hour. True when a mail was queued.
   */
  async sendVerification(request: FastifyRequest, user: User): Promise<boolean> {
    const tessera = this.#tessera;
    const to = user.pendingEmail !== '' ? user.pendingEmail : user.emailVerified ? '' : user.email;
    if (to === '') return false;
    const verdict = await tessera.mailRecipients.attempt(to);
    if (!verdict.allowed) return false;
    const origin = this.#origin(request);
    if (origin === null) return false;
    const link = `${origin}/accounts/verify-email/${tessera.emailVerifications.make(user)}`;
    tessera.mailer.send(verificationMail({ lang: request.lang, to, username: user.username, link, timeoutSeconds: tessera.config.email.verificationTimeoutSeconds }));
    return true;
  }

  async #usersWithEmail(email: string): Promise<User[]> {
    const users = await this.#tessera.users.listByEmail(email);
    // An unusable password ('!…') is an account that logs in some other way: Django sends it nothing.
    return users.filter((user) => !user.password.startsWith('!'));
  }
}
