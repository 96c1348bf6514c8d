// Logging in: throttled, with "remember my username" and a browser-session choice.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeRedirect, isSafeRedirect } from 'tessera';
import { clearSiteCookie, rememberedUsernameCookie, setSiteCookie } from '../cookies.ts';
import { checkbox, field, fieldView, formView, FormErrors, usernameInputMaxLength } from '../forms.ts';
import { FormPage, type SideAction } from '../pages/form-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';
import { tooManyAttempts } from '../throttling.ts';
import { unverifiedLoginKey } from './email-verification.ts';

interface LoginInput {
  username: string;
  rememberUsername: boolean;
  rememberMe: boolean;
  next: string;
}

export function loginRoutes(context: SiteContext): RouteSpec[] {
  const { pages } = context;

  function render(request: FastifyRequest, reply: FastifyReply, input: LoginInput, errors: FormErrors, status = 200, side?: SideAction) {
    const t = request.t;
    const form = formView({
      action: '/accounts/login',
      submit: t('login.submit'),
      errors: errors.general,
      hidden: input.next !== '' ? [{ name: 'next', value: input.next }] : [],
      fields: [
        fieldView({ name: 'username', label: t('field.username'), value: input.username, autocomplete: 'username', maxlength: usernameInputMaxLength, required: true, autofocus: input.username === '', errors: errors.for('username') }),
        fieldView({ name: 'password', type: 'password', label: t('field.password'), autocomplete: 'current-password', required: true, autofocus: input.username !== '', errors: errors.for('password') }),
        fieldView({ name: 'remember_username', type: 'checkbox', label: t('field.remember_username'), checked: input.rememberUsername }),
        fieldView({ name: 'remember_me', type: 'checkbox', label: t('field.remember_me'), checked: input.rememberMe, help: [t('help.remember_me')] }),
      ],
      links: [
        { href: '/accounts/password-reset', text: t('login.forgot') },
        { href: input.next !== '' ? `/accounts/signup?next=${encodeURIComponent(input.next)}` : '/accounts/signup', text: t('login.no_account') },
      ],
    });
    return pages.page(request, reply, FormPage, { title: t('login.title'), form, ...(side && { side }) }, { status, cache: 'no-store' });
  }

  return [
    {
      method: 'GET',
      url: '/accounts/login',
      handler: async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
        if (request.user.isAuthenticated) return reply.redirect('/', 302);
        const remembered = request.cookies[rememberedUsernameCookie.name] ?? '';
        const next = field(request.query, 'next', 2048);
        return render(request, reply, {
          username: remembered.slice(0, usernameInputMaxLength),
          rememberUsername: remembered !== '',
          rememberMe: true,
          next: isSafeRedirect(next) ? next : '',
        }, new FormErrors());
      },
    },
    {
      method: 'POST',
      url: '/accounts/login',
      handler: async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
        if (request.user.isAuthenticated) return reply.redirect('/', 303);
        const body = request.body;
        const nextField = field(body, 'next', 2048) || field(request.query, 'next', 2048);
        const input: LoginInput = {
          // Cut only far past any valid name (in UTF-16 units): tessera refuses what is too long in characters.
          username: field(body, 'username', 600),
          rememberUsername: checkbox(body, 'remember_username'),
          rememberMe: checkbox(body, 'remember_me'),
          next: isSafeRedirect(nextField) ? nextField : '',
        };
        const password = field(body, 'password', 4096);
        const errors = new FormErrors();
        if (input.username.trim() === '') errors.add('username', request.t('error.required'));
        if (password === '') errors.add('password', request.t('error.required'));
        if (!errors.isEmpty) return render(request, reply, input, errors, 422);
        if (input.username.includes('\0')) {
          // No username holds NUL (signup refuses it), and PostgreSQL could not even compare one.
          errors.general.push(request.t('login.invalid'));
          return render(request, reply, input, errors, 422);
        }

        const result = await request.authenticate(input.username, password);
        if (!result.ok && result.reason === 'throttled') {
          return render(request, reply, input, errors, tooManyAttempts(request, reply, errors, result.retryAfterSeconds));
        }
        if (!result.ok) {
          errors.general.push(request.t('login.invalid'));
          return render(request, reply, input, errors, 422);
        }
        const user = result.user;
        if (context.tessera.config.email.verification === 'mandatory' && !user.emailVerified) {
          // Said only to whoever gave the right password: it tells no one else the account exists.
          if (user.email === '') {
            errors.general.push(request.t('login.no_address'));
            return render(request, reply, input, errors, 403);
          }
          request.session.set(unverifiedLoginKey, user.id);
          errors.general.push(request.t('login.unverified'));
          const side = { text: request.t('verify.resend_offer', { email: user.email }), action: '/accounts/verify-email/resend', submit: request.t('verify.resend') };
          return render(request, reply, input, errors, 403, side);
        }
        await request.login(user, { persistent: input.rememberMe });
        await context.afterLogin(request, reply, user);
        if (input.rememberUsername) {
          setSiteCookie(reply, rememberedUsernameCookie, user.username);
        } else if (request.cookies[rememberedUsernameCookie.name] !== undefined) {
          clearSiteCookie(reply, rememberedUsernameCookie);
        }
        return reply.redirect(safeRedirect(input.next), 303);
      },
    },
  ];
}
