// Address verification: the link from the mail, and asking for the mail again.
import type { FastifyRequest } from 'fastify';
import type { User } from 'tessera';
import { addFlash } from '../flash.ts';
import type { AccountMailSender } from '../mail/account-mail-sender.ts';
import { MessagePage } from '../pages/message-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

/**
 * The account whose password was right but whose address is not verified, under
 * EMAIL_VERIFICATION=mandatory: the login page's "send the link again" sends to it, and to no one
 * else, so the button cannot be pointed at someone else's account.
 */
export const unverifiedLoginKey = '_unverified_login';

export function emailVerificationRoutes({ tessera, pages }: SiteContext, mails: AccountMailSender): RouteSpec[] {
  /** Whom "send the link again" is for: the logged-in user, or the login page's unverified account. */
  async function resendTarget(request: FastifyRequest): Promise<User | null> {
    if (request.user.isAuthenticated) return request.user as User;
    const pending = request.session.get<unknown>(unverifiedLoginKey);
    return typeof pending === 'number' ? tessera.users.getById(pending) : null;
  }

  return [
    {
      method: 'GET',
      // Marks the address verified on a GET, as CONTRACT.md says and as most sites do: the mail's
      // link is all the user has, and following it twice changes nothing more.
      url: '/accounts/verify-email/:token',
      handler: async (request: FastifyRequest<{ Params: { token: string } }>, reply) => {
        const t = request.t;
        const { token } = request.params;
        const whose = tessera.emailVerifications.read(token);
        const user = whose === null ? null : await tessera.users.getById(whose.userId);
        const invalid = () => {
          const back = request.user.isAuthenticated ? { href: '/accounts/update', text: t('nav.profile') } : { href: '/accounts/login', text: t('nav.login') };
          const text = request.user.isAuthenticated ? t('verify.invalid_text_logged_in') : t('verify.invalid_text');
          return pages.page(request, reply, MessagePage, { title: t('verify.invalid_title'), paragraphs: [text], links: [back] }, { cache: 'no-store' });
        };
        if (user === null || !user.isActive || !tessera.emailVerifications.check(user, token)) return invalid();
        // Only the address the token was checked against: one changed in between (another request
        // racing this one) stays unverified, and the link is spent. A pending address becomes the
        // account's address, verified.
        const verified =
          user.pendingEmail !== ''
            ? await tessera.users.updateIf(user.id, { email: user.email, pendingEmail: user.pendingEmail }, { email: user.pendingEmail, pendingEmail: '', emailVerified: true })
            : await tessera.users.updateIf(user.id, { email: user.email, emailVerified: false, pendingEmail: '' }, { emailVerified: true });
        if (!verified) return invalid();
        if (request.session.get(unverifiedLoginKey) === user.id) request.session.delete(unverifiedLoginKey);
        addFlash(request, t('verify.done'));
        const own = request.user.isAuthenticated && request.user.id === user.id;
        return reply.redirect(own ? '/accounts/update' : '/accounts/login', 303);
      },
    },
    {
      method: 'POST',
      url: '/accounts/verify-email/resend',
      handler: async (request, reply) => {
        const back = request.user.isAuthenticated ? '/accounts/update' : '/accounts/login';
        const user = await resendTarget(request);
        // The same answer whatever happened (sent, limited, nothing to verify): only the mailbox knows.
        if (user !== null && tessera.config.email.verification !== 'none') {
          const verdict = await tessera.mailRequests.attempt(request.ip);
          if (verdict.allowed) await mails.sendVerification(request, user);
          const to = user.pendingEmail !== '' ? user.pendingEmail : user.email;
          if (to !== '') addFlash(request, request.t('verify.sent', { email: to }));
        }
        return reply.redirect(back, 303);
      },
    },
  ];
}
