// The logged-in user's own account: profile fields, password change, deletion.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { passwordHelpTexts, passwordIssueMessage, validatePassword, type User } from 'tessera';
import { loginRequired } from 'tessera/fastify';
import { emailMaxLength, emailProblem, nameMaxLength, nameProblem } from '../account-fields.ts';
import { field, fieldView, formView, FormErrors } from '../forms.ts';
import { addFlash } from '../flash.ts';
import { FormPage } from '../pages/form-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

interface ProfileInput {
  email: string;
  firstName: string;
  lastName: string;
}

function currentUser(request: FastifyRequest): User {
  // loginRequired ran first, so the user is authenticated here.
  return request.user as User;
}

export function profileRoutes({ tessera, pages, articleList }: SiteContext): RouteSpec[] {
  const mustLogIn = loginRequired();

  function renderProfile(request: FastifyRequest, reply: FastifyReply, input: ProfileInput, errors: FormErrors, status = 200) {
    const t = request.t;
    const form = formView({
      action: '/accounts/update',
      submit: t('update.submit'),
      errors: errors.isEmpty ? [] : [t('error.form_summary')],
      fields: [
        fieldView({ name: 'email', type: 'email', label: t('field.email'), value: input.email, autocomplete: 'email', maxlength: emailMaxLength, errors: errors.for('email') }),
        fieldView({ name: 'first_name', label: t('field.first_name'), value: input.firstName, autocomplete: 'given-name', maxlength: nameMaxLength, errors: errors.for('first_name') }),
        fieldView({ name: 'last_name', label: t('field.last_name'), value: input.lastName, autocomplete: 'family-name', maxlength: nameMaxLength, errors: errors.for('last_name') }),
      ],
      links: [{ href: '/accounts/delete/confirm', text: t('update.delete_link') }],
    });
    return pages.page(request, reply, FormPage, { title: t('update.title'), form }, { status, cache: 'no-store' });
  }

  /**
   * Whether `password` is the user's own, counted like a login (per account, address and device),
   * so a stolen session cannot guess at the password behind it; a throttled check says how long
   * to wait. The check is authenticate's, one hash whatever the answer.
   */
  async function checkOwnPassword(request: FastifyRequest, user: User, password: string): Promise<'ok' | 'wrong' | { retryAfterSeconds: number }> {
    const result = await request.authenticate(user.username, password);
    if (result.ok) return result.user.id === user.id ? 'ok' : 'wrong';
    return result.reason === 'throttled' ? { retryAfterSeconds: result.retryAfterSeconds } : 'wrong';
  }

  function throttled(request: FastifyRequest, reply: FastifyReply, errors: FormErrors, retryAfterSeconds: number): number {
    errors.general.push(request.t('login.throttled', { seconds: retryAfterSeconds }));
    reply.header('Retry-After', String(retryAfterSeconds));
    return 429;
  }

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

  function renderDelete(request: FastifyRequest, reply: FastifyReply, errors: FormErrors, status = 200) {
    const t = request.t;
    const form = formView({
      action: '/accounts/delete',
      submit: t('delete.submit'),
      danger: true,
      errors: errors.general,
      fields: [
        fieldView({ name: 'password', type: 'password', label: t('field.password'), autocomplete: 'current-password', required: true, autofocus: true, errors: errors.for('password'), help: [t('delete.password_help')] }),
      ],
      links: [{ href: '/accounts/update', text: t('delete.cancel') }],
    });
    return pages.page(request, reply, FormPage, { title: t('delete.title'), intro: t('delete.warning'), form }, { status, cache: 'no-store' });
  }

  return [
    {
      method: 'GET',
      url: '/accounts/update',
      preHandler: [mustLogIn],
      handler: async (request, reply) => {
        const user = currentUser(request);
        return renderProfile(request, reply, { email: user.email, firstName: user.firstName, lastName: user.lastName }, new FormErrors());
      },
    },
    {
      method: 'POST',
      url: '/accounts/update',
      preHandler: [loginRequired({ getPage: () => '/accounts/update' })],
      handler: async (request, reply) => {
        const t = request.t;
        const input: ProfileInput = {
          email: field(request.body, 'email', 1000).trim(),
          firstName: field(request.body, 'first_name', 1000).trim(),
          lastName: field(request.body, 'last_name', 1000).trim(),
        };
        const errors = new FormErrors();
        const emailError = emailProblem(input.email);
        if (emailError !== null) errors.add('email', t(emailError));
        if ([...input.firstName].length > nameMaxLength) errors.add('first_name', t('error.too_long', { max: nameMaxLength }));
        if ([...input.lastName].length > nameMaxLength) errors.add('last_name', t('error.too_long', { max: nameMaxLength }));
        const firstNameError = nameProblem(input.firstName);
        if (firstNameError !== null) errors.add('first_name', t(firstNameError));
        const lastNameError = nameProblem(input.lastName);
        if (lastNameError !== null) errors.add('last_name', t(lastNameError));
        if (!errors.isEmpty) return renderProfile(request, reply, input, errors, 422);
        await tessera.users.update(currentUser(request).id, input);
        addFlash(request, t('update.saved'));
        return reply.redirect('/accounts/update', 303);
      },
    },
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
          if (typeof own === 'object') return renderPassword(request, reply, errors, throttled(request, reply, errors, own.retryAfterSeconds));
          if (own === 'wrong') errors.add('old_password', t('password.old_incorrect'));
        }
        if (new1 === '') errors.add('new_password1', t('error.required'));
        if (new2 === '') errors.add('new_password2', t('error.required'));
        else if (new1 !== new2) errors.add('new_password2', t('error.password_mismatch'));
        else {
          const context = { username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName };
          for (const issue of validatePassword(new2, context)) errors.add('new_password2', passwordIssueMessage(issue, request.lang));
        }
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
    {
      method: 'GET',
      url: '/accounts/delete/confirm',
      preHandler: [mustLogIn],
      handler: async (request, reply) => renderDelete(request, reply, new FormErrors()),
    },
    {
      method: 'POST',
      url: '/accounts/delete',
      preHandler: [loginRequired({ getPage: () => '/accounts/delete/confirm' })],
      handler: async (request, reply) => {
        const user = currentUser(request);
        // The user's own password, as for a password change: a session left open on a shared
        // computer must not be enough to delete the account.
        const password = field(request.body, 'password');
        const errors = new FormErrors();
        if (password === '') errors.add('password', request.t('error.required'));
        else {
          const own = await checkOwnPassword(request, user, password);
          if (typeof own === 'object') return renderDelete(request, reply, errors, throttled(request, reply, errors, own.retryAfterSeconds));
          if (own === 'wrong') errors.add('password', request.t('delete.password_incorrect'));
        }
        if (!errors.isEmpty) return renderDelete(request, reply, errors, 422);
        await request.recordAuthEvent('account_deleted');
        // Sessions first, explicitly: a store outside the database (Redis) is not reached by the
        // foreign keys, which take the user's articles and SQL sessions with them.
        await tessera.sessionStore.deleteForUser(user.id);
        await tessera.users.delete(user.id);
        await articleList.invalidate();
        await request.logout();
        return reply.redirect('/', 303);
      },
    },
  ];
}
