// The logged-in user's profile form: email and names.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from 'tessera';
import { loginRequired } from 'tessera/fastify';
import { emailMaxLength, emailProblem, nameMaxLength, nameProblem } from '../account-fields.ts';
import { field, fieldView, formView, FormErrors } from '../forms.ts';
import { addFlash } from '../flash.ts';
import { FormPage } from '../pages/form-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';
import type { AccountMailSender } from '../mail/account-mail-sender.ts';

interface ProfileInput {
  email: string;
  firstName: string;
  lastName: string;
}

function currentUser(request: FastifyRequest): User {
  // loginRequired ran first, so the user is authenticated here.
  return request.user as User;
}

export function profileRoutes({ tessera, pages }: SiteContext, mails: AccountMailSender): RouteSpec[] {
  const mustLogIn = loginRequired();
  const verifying = tessera.config.email.verification !== 'none';
  const mandatory = tessera.config.email.verification === 'mandatory';

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
    const user = currentUser(request);
    // Until the address on file (or the new one waiting) is verified, the page says so, with the way to get a new link.
    const notice =
      user.pendingEmail !== '' ? t('verify.pending_notice', { pending: user.pendingEmail, email: user.email })
      : verifying && user.email !== '' && !user.emailVerified ? t('verify.notice', { email: user.email })
      : null;
    const side = notice === null ? undefined : { text: notice, action: '/accounts/verify-email/resend', submit: t('verify.resend') };
    return pages.page(request, reply, FormPage, { title: t('update.title'), form, ...(side && { side }) }, { status, cache: 'no-store' });
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
        const user = currentUser(request);
        const newAddress = input.email.toLowerCase() !== user.email.toLowerCase();
        // Under mandatory a verified address stays until the new one is proved (as django-allauth
        // does): replacing it at once would leave an account no one can log into, and losing it
        // to a typo would be worse. It cannot be emptied either.
        const keepVerified = mandatory && user.emailVerified && user.email !== '';
        if (keepVerified && newAddress && input.email === '') errors.add('email', t('error.email_required_profile'));
        if (!errors.isEmpty) return renderProfile(request, reply, input, errors, 422);
        if (keepVerified) {
          // The form shows the verified address: saving it unchanged leaves a waiting one waiting.
          await tessera.users.update(user.id, { ...(newAddress ? { pendingEmail: input.email } : { email: input.email }), firstName: input.firstName, lastName: input.lastName });
          addFlash(request, t('update.saved'));
          const updated = newAddress ? await tessera.users.getById(user.id) : null;
          if (updated !== null && (await mails.sendVerification(request, updated))) addFlash(request, t('verify.pending_sent', { pending: input.email }));
          return reply.redirect('/accounts/update', 303);
        }
        // A new address is unverified again (the store sees to it); the link goes to the new one.
        await tessera.users.update(user.id, { ...input, pendingEmail: '' });
        addFlash(request, t('update.saved'));
        if (verifying && input.email !== '' && newAddress) {
          const updated = await tessera.users.getById(user.id);
          if (updated !== null && (await mails.sendVerification(request, updated))) addFlash(request, t('verify.sent', { email: input.email }));
        }
        return reply.redirect('/accounts/update', 303);
      },
    },
  ];
}
