// Logging in and out: throttled, with "remember my username" and a browser-session choice.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeRedirect, isSafeRedirect } from 'tessera';
import { checkbox, field, fieldView, formView, FormErrors, usernameInputMaxLength } from '../forms.ts';
import { FormPage } from '../pages/form-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';

export const REMEMBERED_USERNAME_COOKIE = 'remembered_username';
const rememberedUsernameMaxAge = 30 * 24 * 3600;

interface LoginInput {
  username: string;
  rememberUsername: boolean;
  rememberMe: boolean;
  next: string;
}

export function loginRoutes(context: SiteContext): RouteSpec[] {
  const { tessera, pages } = context;
  const secure = tessera.config.production;

  function render(request: FastifyRequest, reply: FastifyReply, input: LoginInput, errors: FormErrors, status = 200) {
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
      links: [{ href: input.next !== '' ? `/accounts/signup?next=${encodeURIComponent(input.next)}` : '/accounts/signup', text: t('login.no_account') }],
    });
    return pages.page(request, reply, FormPage, { title: t('login.title'), form }, { status, cache: 'no-store' });
  }

  return [
    {
      method: 'GET',
      url: '/accounts/login',
      handler: async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
        if (request.user.isAuthenticated) return reply.redirect('/', 302);
        const remembered = request.cookies[REMEMBERED_USERNAME_COOKIE] ?? '';
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
          errors.general.push(request.t('login.throttled', { seconds: result.retryAfterSeconds }));
          reply.header('Retry-After', String(result.retryAfterSeconds));
          return render(request, reply, input, errors, 429);
        }
        if (!result.ok) {
          errors.general.push(request.t('login.invalid'));
          return render(request, reply, input, errors, 422);
        }
        const user = result.user;
        await request.login(user, { persistent: input.rememberMe });
        await context.afterLogin(request, reply, user);
        if (input.rememberUsername) {
          reply.setCookie(REMEMBERED_USERNAME_COOKIE, user.username, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: rememberedUsernameMaxAge });
        } else if (request.cookies[REMEMBERED_USERNAME_COOKIE] !== undefined) {
          reply.setCookie(REMEMBERED_USERNAME_COOKIE, '', { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 0 });
        }
        return reply.redirect(safeRedirect(input.next), 303);
      },
    },
    {
      method: 'POST',
      url: '/accounts/logout',
      handler: async (request, reply) => {
        await request.logout();
        return reply.redirect('/', 303);
      },
    },
  ];
}
