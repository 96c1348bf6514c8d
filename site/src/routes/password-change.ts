// The logged-in user's password change: the old password (throttled like a login), then the new one twice.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { passwordHelpTexts, type User } from 'tessera';
import { loginRequired } from 'tessera/fastify';
import { addFlash } from '../flash.ts';
import { field, fieldView, formView, FormErrors } from '../forms.ts';
import { checkNewPassword } from '../new-password.ts';
import { FormPage } from '../pages/form-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';
import { checkOwnPassword, tooManyAttempts } from '../throttling.ts';

function currentUser(request: FastifyRequest): User {
  // loginRequired ran first, so the user is authenticated here.
  return request.user as User;
}

export function passwordChangeRoutes({ tessera, pages }: SiteContext): RouteSpec[] {
  const mustLogIn = loginRequired();

  function renderPassword(request: FastifyRequest, reply: FastifyReply, errors: FormErrors, status = 200) {
    const t = request.t;
    const form = formView({
      action: '/accounts/password',
      submit: t('password.submit'),
      errors: errors.isEmpty ? errors.general : [t('error.form_summary'), ...errors.general],
      fields: [
        fieldView({ name: 'old_password', type: 'password', label: t('field.old_password'), autocomplete: 'current-password', required: true, autofocus: true, errors: errors.for('old_password') }),
        fieldView({ name: 'new_password1', type: 'password', label: t('field.new_password1'), autocomplete: 'new-password', required: true, errors: errors.for('new_password1'), help: passwordHelpTexts(request.lang) }),
        fieldView({ name: 'new_password2', type: 'password', label: t('field.new_password2'), autocomplete: 'new-password', required: true, errors: errors.for('new_password2'), help: [t('help.password2')] }),
      ],
    });
    return pages.page(request, reply, FormPage, { title: t('password.title'), form }, { status, cache: 'no-store' });
  }

  return [
    {
      method: 'GET',
      url: '/accounts/password',
      preHandler: [mustLogIn],
      handler: async (request, reply) => renderPassword(request, reply, new FormErrors()),
    },
    {
      method: 'POST',
      url: '/accounts/password',
      preHandler: [loginRequired({ getPage: () => '/accounts/password' })],
      handler: async (request, reply) => {
        const t = request.t;
        const user = currentUser(request);
        const oldPassword = field(request.body, 'old_password');
        const new1 = field(request.body, 'new_password1');
        const new2 = field(request.body, 'new_password2');
        const errors = new FormErrors();
        if (oldPassword === '') errors.add('old_password', t('error.required'));
        else {
          const own = await checkOwnPassword(request, user, oldPassword);
          if (typeof own === 'object') return renderPassword(request, reply, errors, tooManyAttempts(request, reply, errors, own.retryAfterSeconds));
          if (own === 'wrong') errors.add('old_password', t('password.old_incorrect'));
        }
        checkNewPassword(request, user, new1, new2, errors);
        if (!errors.isEmpty) return renderPassword(request, reply, errors, 422);

        user.password = await tessera.passwords.hash(new1);
        await tessera.users.update(user.id, { password: user.password });
        // This session stays, under a new token; every other one is deleted now rather than
        // left to fail its auth-hash check, so the sessions page is right at once.
        const thisSession = request.session.id;
        tessera.auth.updateSessionAuthHash(request.session, user);
        if (thisSession !== null) await tessera.sessionStore.deleteForUser(user.id, thisSession);
        await request.recordAuthEvent('password_changed');
        addFlash(request, t('password.changed'));
        return reply.redirect('/accounts/update', 303);
      },
    },
  ];
}
