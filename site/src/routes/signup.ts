// Signing up: Django's UserCreationForm rules, then logged in at once.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { passwordHelpTexts, passwordIssueMessage, validatePassword, isSafeRedirect, safeRedirect, cleanUsername, usernameProblem } from 'tessera';
import { emailProblem } from '../account-fields.ts';
import { field, fieldView, formView, FormErrors, usernameInputMaxLength } from '../forms.ts';
import { FormPage } from '../pages/form-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';
import type { MessageKey } from '../i18n/index.ts';
import { tooManyAttempts } from '../throttling.ts';
import { addFlash } from '../flash.ts';
import type { AccountMailSender } from '../mail/account-mail-sender.ts';

interface SignupInput {
  username: string;
  email: string;
  next: string;
}

const usernameMessages: Record<'required' | 'too_long' | 'invalid', MessageKey> = {
  required: 'error.required',
  too_long: 'error.username_too_long',
  invalid: 'error.username_invalid',
};

export function signupRoutes(context: SiteContext, mails: AccountMailSender): RouteSpec[] {
  const { tessera, pages } = context;
  const verification = tessera.config.email.verification;
  function render(request: FastifyRequest, reply: FastifyReply, input: SignupInput, errors: FormErrors, status = 200) {
    const t = request.t;
    const form = formView({
      action: '/accounts/signup',
      submit: t('signup.submit'),
      errors: errors.general.length > 0 || errors.isEmpty ? errors.general : [t('error.form_summary')],
      hidden: input.next !== '' ? [{ name: 'next', value: input.next }] : [],
      fields: [
        fieldView({ name: 'username', label: t('field.username'), value: input.username, autocomplete: 'username', maxlength: usernameInputMaxLength, required: true, autofocus: true, errors: errors.for('username'), help: [t('help.username')] }),
        fieldView({ name: 'email', type: 'email', label: verification === 'mandatory' ? t('field.email') : t('field.email_optional'), value: input.email, autocomplete: 'email', maxlength: 254, required: verification === 'mandatory', errors: errors.for('email'), help: verification === 'mandatory' ? [] : [t('help.email_reset')] }),
        fieldView({ name: 'password1', type: 'password', label: t('field.password1'), autocomplete: 'new-password', required: true, errors: errors.for('password1'), help: passwordHelpTexts(request.lang) }),
        fieldView({ name: 'password2', type: 'password', label: t('field.password2'), autocomplete: 'new-password', required: true, errors: errors.for('password2'), help: [t('help.password2')] }),
      ],
      links: [{ href: '/accounts/login', text: t('signup.have_account') }],
    });
    return pages.page(request, reply, FormPage, { title: t('signup.title'), form }, { status, cache: 'no-store' });
  }

  return [
    {
      method: 'GET',
      url: '/accounts/signup',
      handler: async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
        if (request.user.isAuthenticated) return reply.redirect('/', 302);
        const next = field(request.query, 'next', 2048);
        return render(request, reply, { username: '', email: '', next: isSafeRedirect(next) ? next : '' }, new FormErrors());
      },
    },
    {
      method: 'POST',
      url: '/accounts/signup',
      handler: async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
        if (request.user.isAuthenticated) return reply.redirect('/', 303);
        const t = request.t;
        const body = request.body;
        const nextField = field(body, 'next', 2048) || field(request.query, 'next', 2048);
        const input: SignupInput = {
          username: cleanUsername(field(body, 'username', 600)),
          email: field(body, 'email', 600).trim(),
          next: isSafeRedirect(nextField) ? nextField : '',
        };
        const password1 = field(body, 'password1');
        const password2 = field(body, 'password2');
        const errors = new FormErrors();
        const problem = usernameProblem(input.username);
        if (problem !== null) errors.add('username', t(usernameMessages[problem]));
        const emailError = emailProblem(input.email);
        if (emailError !== null) errors.add('email', t(emailError));
        else if (input.email === '' && verification === 'mandatory') errors.add('email', t('error.email_required_verified'));
        if (password1 === '') errors.add('password1', t('error.required'));
        if (password2 === '') errors.add('password2', t('error.required'));
        else if (password1 !== password2) errors.add('password2', t('error.password_mismatch'));
        else {
          for (const issue of validatePassword(password2, { username: input.username, email: input.email })) {
            // A validator's complaint belongs under the field that states the rules.
            errors.add('password1', passwordIssueMessage(issue, request.lang));
          }
        }
        if (errors.isEmpty && (await tessera.users.getByUsername(input.username)) !== null) {
          errors.add('username', t('error.username_taken'));
        }
        if (!errors.isEmpty) return render(request, reply, input, errors, 422);

        // Claimed before the hash, so a burst from one address cannot pass SIGNUPS_PER_ADDRESS.
        const verdict = await tessera.signups.attempt(request.ip);
        if (!verdict.allowed) {
          return render(request, reply, input, errors, tooManyAttempts(request, reply, errors, verdict.retryAfterSeconds, 'signup.throttled'));
        }
        let created: Awaited<ReturnType<typeof tessera.users.create>>;
        try {
          created = await tessera.users.create({ username: input.username, email: input.email, password: await tessera.passwords.hash(password1) });
        } catch (error) {
          // No account came of it (the hash queue was full, the database away): it does not count.
          await tessera.signups.release(request.ip).catch(() => {});
          throw error;
        }
        if (created === 'username_taken') {
          await tessera.signups.release(request.ip);
          errors.add('username', t('error.username_taken'));
          return render(request, reply, input, errors, 422);
        }
        if (verification === 'mandatory') {
          // No login until the address is verified: the link in the mail, then the login page.
          await mails.sendVerification(request, created);
          addFlash(request, t('verify.signup_sent', { email: created.email }));
          return reply.redirect(input.next !== '' ? `/accounts/login?next=${encodeURIComponent(input.next)}` : '/accounts/login', 303);
        }
        await request.login(created, { persistent: true });
        await context.afterLogin(request, reply, created);
        if (verification === 'optional') await mails.sendVerification(request, created);
        return reply.redirect(safeRedirect(input.next), 303);
      },
    },
  ];
}
