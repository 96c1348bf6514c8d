// Deleting one's own account: confirmed with the current password, then the user, their articles and sessions go.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from 'tessera';
import { loginRequired } from 'tessera/fastify';
import { field, fieldView, formView, FormErrors } from '../forms.ts';
import { FormPage } from '../pages/form-page.tsx';
import type { RouteSpec } from '../route-table.ts';
import type { SiteContext } from '../site-context.ts';
import { checkOwnPassword, tooManyAttempts } from '../throttling.ts';

function currentUser(request: FastifyRequest): User {
  // loginRequired ran first, so the user is authenticated here.
  return request.user as User;
}

export function accountDeletionRoutes({ tessera, pages, articleList }: SiteContext): RouteSpec[] {
  const mustLogIn = loginRequired();

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
          if (typeof own === 'object') return renderDelete(request, reply, errors, tooManyAttempts(request, reply, errors, own.retryAfterSeconds));
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
