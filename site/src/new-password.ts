// The two "new password" fields of the password change and the reset form, checked one way.
import type { FastifyRequest } from 'fastify';
import { passwordIssueMessage, validatePassword, type User } from 'tessera';
import type { FormErrors } from './forms.ts';

/**
 * Django's SetPasswordForm: both fields given, equal, and accepted by the validators (which see
 * the user's name and address); each complaint under the field it belongs to.
 */
export function checkNewPassword(request: FastifyRequest, user: User, new1: string, new2: string, errors: FormErrors): void {
  const t = request.t;
  if (new1 === '') errors.add('new_password1', t('error.required'));
  if (new2 === '') errors.add('new_password2', t('error.required'));
  else if (new1 !== new2) errors.add('new_password2', t('error.password_mismatch'));
  else {
    const context = { username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName };
    // A validator's complaint belongs under the field that states the rules.
    for (const issue of validatePassword(new2, context)) errors.add('new_password1', passwordIssueMessage(issue, request.lang));
  }
}
