// Password reset by email, as Django's four views: ask, "check your email", the link, the new password.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeUid, passwordHelpTexts, type User } from 'tessera';
import { emailProblem } from '../account-fields.ts';
import { field, fieldView, formView, FormErrors } from '../forms.ts';
import { checkNewPassword } from '../new-password.ts';
import type { AccountMailSender } from '../mail/account-mail-sender.ts';
import { FormPage } from '../pages/form-page.tsx';
import { MessagePage } from '../pages/message-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

/**
 * Between following the link and setting the password, the session keeps whose link it was, the
 * token's time and a SHA-256 of the token: never the token (tokens are hashed at rest). The form
 * rebuilds the token from the user as they are now and that time, so a password changed, a login
 * or an address changed meanwhile, or the timeout passing, ends it as it would end the link.
 */
const resetKey = '_password_reset';

interface PendingReset {
  userId: number;
  /** the token's own timestamp, in ms, to rebuild it with */
  issuedAt: number;
  tokenHash: string;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function pendingReset(request: FastifyRequest): PendingReset | null {
  const value = request.session.get<unknown>(resetKey);
  if (typeof value !== 'object' || value === null) return null;
  const { userId, issuedAt, tokenHash } = value as Record<string, unknown>;
  if (typeof userId !== 'number' || typeof issuedAt !== 'number' || typeof tokenHash !== 'string') return null;
  return { userId, issuedAt, tokenHash };
}

export function passwordResetRoutes({ tessera, pages }: SiteContext, mails: AccountMailSender): RouteSpec[] {
  function renderRequest(request: FastifyRequest, reply: FastifyReply) {
    const t = request.t;
    const form = formView({
      action: '/accounts/password-reset',
      submit: t('reset.submit'),
      fields: [fieldView({ name: 'email', type: 'email', label: t('field.email'), autocomplete: 'email', maxlength: 254, required: true, autofocus: true })],
      links: [{ href: '/accounts/login', text: t('reset.login_link') }],
    });
    return pages.page(request, reply, FormPage, { title: t('reset.title'), intro: t('reset.intro'), form }, { cache: 'no-store' });
  }

  function renderInvalid(request: FastifyRequest, reply: FastifyReply) {
    const t = request.t;
    return pages.page(
      request,
      reply,
      MessagePage,
      { title: t('reset.invalid_title'), paragraphs: [t('reset.invalid_text')], links: [{ href: '/accounts/password-reset', text: t('reset.invalid_link') }] },
      { cache: 'no-store' },
    );
  }

  function renderSetPassword(request: FastifyRequest, reply: FastifyReply, user: User, uidb64: string, errors: FormErrors, status = 200) {
    const t = request.t;
    const form = formView({
      action: `/accounts/reset/${uidb64}/set-password`,
      submit: t('reset.set_submit'),
      errors: errors.isEmpty ? [] : [t('error.form_summary')],
      fields: [
        fieldView({ name: 'new_password1', type: 'password', label: t('field.new_password1'), autocomplete: 'new-password', required: true, autofocus: true, errors: errors.for('new_password1'), help: passwordHelpTexts(request.lang) }),
        fieldView({ name: 'new_password2', type: 'password', label: t('field.new_password2'), autocomplete: 'new-password', required: true, errors: errors.for('new_password2'), help: [t('help.password2')] }),
      ],
    });
    return pages.page(request, reply, FormPage, { title: t('reset.set_title'), intro: t('reset.set_intro', { username: user.username }), form }, { status, cache: 'no-store' });
  }

  /** The user whose link this session followed, if that link would still work now. */
  async function resettingUser(request: FastifyRequest, uidb64: string): Promise<User | null> {
    const pending = pendingReset(request);
    const userId = decodeUid(uidb64);
    if (pending === null || userId === null || pending.userId !== userId) return null;
    const user = await tessera.users.getById(userId);
    if (user === null || !user.isActive) return null;
    const token = tessera.passwordResets.make(user, pending.issuedAt);
    if (sha256(token) !== pending.tokenHash || !tessera.passwordResets.check(user, token)) return null;
    return user;
  }

  return [
    {
      method: 'GET',
      url: '/accounts/password-reset',
      handler: async (request, reply) => renderRequest(request, reply),
    },
    {
      method: 'POST',
      url: '/accounts/password-reset',
      handler: async (request, reply) => {
        const email = field(request.body, 'email', 600).trim();
        // CONTRACT.md: always the same 303, whatever was typed. Only a well-formed address is
        // looked up; no account has any other. Past MAIL_REQUESTS_PER_ADDRESS nothing is sent
        // either: a 429 would tell a prober nothing new, but would tell a user their mail did not go.
        if (email !== '' && emailProblem(email) === null) {
          const verdict = await tessera.mailRequests.attempt(request.ip);
          if (verdict.allowed) await mails.sendPasswordReset(request, email);
        }
        return reply.redirect('/accounts/password-reset/done', 303);
      },
    },
    {
      method: 'GET',
      url: '/accounts/password-reset/done',
      handler: async (request, reply) => {
        const t = request.t;
        return pages.page(request, reply, MessagePage, { title: t('reset.done_title'), paragraphs: [t('reset.done_text')], links: [{ href: '/accounts/login', text: t('reset.login_link') }] });
      },
    },
    {
      method: 'GET',
      url: '/accounts/reset/:uidb64/:token',
      handler: async (request: FastifyRequest<{ Params: { uidb64: string; token: string } }>, reply) => {
        const { uidb64, token } = request.params;
        const userId = decodeUid(uidb64);
        const user = userId === null ? null : await tessera.users.getById(userId);
        if (user === null || !user.isActive || !tessera.passwordResets.check(user, token)) return renderInvalid(request, reply);
        const issuedAt = tessera.passwordResets.issuedAt(token)!;
        // A new session id before the session holds the right to set a password, as login does:
        // a session id planted in this browser beforehand is worth nothing afterwards.
        request.session.cycleKey();
        request.session.set(resetKey, { userId: user.id, issuedAt, tokenHash: sha256(token) } satisfies PendingReset);
        // The token leaves the address bar before any page is shown, so no Referer carries it.
        return reply.redirect(`/accounts/reset/${uidb64}/set-password`, 302);
      },
    },
    {
      method: 'GET',
      url: '/accounts/reset/:uidb64/set-password',
      handler: async (request: FastifyRequest<{ Params: { uidb64: string } }>, reply) => {
        const { uidb64 } = request.params;
        const user = await resettingUser(request, uidb64);
        if (user === null) return renderInvalid(request, reply);
        return renderSetPassword(request, reply, user, uidb64, new FormErrors());
      },
    },
    {
      method: 'POST',
      url: '/accounts/reset/:uidb64/set-password',
      handler: async (request: FastifyRequest<{ Params: { uidb64: string } }>, reply) => {
        const { uidb64 } = request.params;
        const user = await resettingUser(request, uidb64);
        if (user === null) return renderInvalid(request, reply);
        const new1 = field(request.body, 'new_password1');
        const new2 = field(request.body, 'new_password2');
        const errors = new FormErrors();
        checkNewPassword(request, user, new1, new2, errors);
        if (!errors.isEmpty) return renderSetPassword(request, reply, user, uidb64, errors, 422);

        const checkedPassword = user.password;
        const newPassword = await tessera.passwords.hash(new1);
        // Written only if the password and address are still those the token was checked against:
        // of two posts racing with one link, or a change made meanwhile, only one write lands.
        // The link reached this address, so it is verified, as a verification link would make it.
        const written = await tessera.users.updateIf(user.id, { password: checkedPassword, email: user.email }, { password: newPassword, emailVerified: true });
        if (!written) return renderInvalid(request, reply);
        user.password = newPassword;
        // Every session of the user ends, this visitor's too if it was theirs: whoever knew the
        // old password is out. The new password's hash already fails every old auth hash.
        await tessera.sessionStore.deleteForUser(user.id);
        if (request.user.isAuthenticated && request.user.id === user.id) await request.logout();
        else request.session.delete(resetKey);
        await request.recordAuthEvent('password_reset', user.id);
        if (tessera.config.email.passwordResetLogin) await request.login({ ...user, emailVerified: true });
        return reply.redirect('/accounts/reset/done', 303);
      },
    },
    {
      method: 'GET',
      url: '/accounts/reset/done',
      handler: async (request, reply) => {
        const t = request.t;
        const loggedIn = request.user.isAuthenticated;
        return pages.page(request, reply, MessagePage, {
          title: t('reset.complete_title'),
          paragraphs: [loggedIn ? t('reset.complete_logged_in') : t('reset.complete_text')],
          links: loggedIn ? [{ href: '/', text: t('status.home_link') }] : [{ href: '/accounts/login', text: t('reset.login_link') }],
        });
      },
    },
  ];
}
